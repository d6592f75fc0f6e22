"""Weight initializers (`keras.initializers`): `initializer(shape, dtype=None) -> array`.

Formulas follow Keras 3 (`keras/src/initializers/`). Random initializers draw from NumPy's
generator: with an integer `seed` every call returns the same values (Keras 3 semantics); with
`seed=None` each call draws fresh values from the global generator that
`keras.utils.set_random_seed` seeds. (Keras 3 gives an unseeded instance a hidden fixed seed, so
one instance shared by two layers initializes both identically; minikeras does not copy that.)
"""

import math

import numpy as np

from minikeras import serialization
from minikeras import config
from minikeras.random_seed import global_rng


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)` and `get_config`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement `__call__()`.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())


def _dtype(dtype):
    return np.dtype(dtype or config.floatx())


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


# --------------------------------------------------------------------------- constants
class Zeros(Initializer):
    """Initializes to 0."""

    def __call__(self, shape, dtype=None):
        return np.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """Initializes to 1."""

    def __call__(self, shape, dtype=None):
        return np.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Initializes every entry to the scalar `value` (default 0.0)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(_shape(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class Identity(Initializer):
    """`gain` times the identity matrix (default `gain=1.0`); 2-D shapes only, may be non-square."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


# --------------------------------------------------------------------------- random
class RandomInitializer(Initializer):
    """An initializer that draws random numbers; `seed` is an integer or None (see module doc)."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError("`seed` argument should be an integer or None. "
                             f"Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)

    def _rng(self):
        return np.random.default_rng(self.seed) if self.seed is not None else global_rng()

    def get_config(self):
        return {"seed": self.seed}


class RandomNormal(RandomInitializer):
    """Normal distribution (defaults: `mean=0.0, stddev=0.05, seed=None`)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        x = self._rng().normal(self.mean, self.stddev, size=_shape(shape))
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform distribution on `[minval, maxval)` (defaults: `-0.05, 0.05, seed=None`)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        x = self._rng().uniform(self.minval, self.maxval, size=_shape(shape))
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed, "minval": self.minval, "maxval": self.maxval}


def _truncated_normal(rng, shape, mean, stddev):
    """Normal samples, redrawn until all lie within two standard deviations of the mean."""
    x = rng.standard_normal(size=shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = np.abs(x) > 2
    return mean + stddev * x


class TruncatedNormal(RandomInitializer):
    """Normal distribution whose values beyond 2 stddev are redrawn.

    Defaults: `mean=0.0, stddev=0.05, seed=None`. The samples' standard deviation is
    `0.8796 * stddev` (the truncation removes the tails).
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        x = _truncated_normal(self._rng(), _shape(shape), self.mean, self.stddev)
        return x.astype(_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed, "mean": self.mean, "stddev": self.stddev}


def compute_fans(shape, input_axes=None, output_axes=None):
    """Returns `(fan_in, fan_out)` of a weight shape.

    Convolution kernels `(..., in, out)` multiply by the receptive field (the leading dims).
    `input_axes` / `output_axes` (both given) name the axes whose sizes multiply into each fan.
    """
    shape = _shape(shape)
    if input_axes is not None and output_axes is not None:
        return (math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(RandomInitializer):
    """Samples with a variance `scale / n`, `n` being a fan of the weight shape.

    `'truncated_normal'` has stddev `sqrt(scale/n)` after truncation at 2 stddev (the normal's
    stddev is `sqrt(scale/n) / 0.8796`), `'untruncated_normal'` stddev `sqrt(scale/n)`, `'uniform'`
    the limits `±sqrt(3*scale/n)`. `n = max(1, fan)`.

    Args:
        scale: positive scaling factor (default 1.0).
        mode: `'fan_in'` (default), `'fan_out'` or `'fan_avg'`.
        distribution: `'truncated_normal'` (default; `'normal'` means the same),
            `'untruncated_normal'` or `'uniform'`.
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected 'fan_in', 'fan_out' "
                             "or 'fan_avg'.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Expected 'truncated_normal', "
                "'untruncated_normal' or 'uniform'."
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a unit normal truncated to [-2, 2].
            x = _truncated_normal(rng, shape, 0.0, math.sqrt(variance) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            x = rng.normal(0.0, math.sqrt(variance), size=shape)
        else:
            limit = math.sqrt(3.0 * variance)
            x = rng.uniform(-limit, limit, size=shape)
        return np.asarray(x, dtype=_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """A `VarianceScaling` whose scale, mode and distribution its subclass fixes: only the seed
    and axes are configured."""

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """`VarianceScaling(scale=1.0, mode='fan_avg', distribution='uniform')` (Glorot & Bengio,
    2010): uniform on `±sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed,
                         input_axes=input_axes, output_axes=output_axes)


class GlorotNormal(_FixedVarianceScaling):
    """`VarianceScaling(scale=1.0, mode='fan_avg', distribution='truncated_normal')` (Glorot &
    Bengio, 2010): stddev `sqrt(2 / (fan_in + fan_out))`.

    Args:
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed,
                         input_axes=input_axes, output_axes=output_axes)


class HeUniform(_FixedVarianceScaling):
    """`VarianceScaling(scale=2.0, mode='fan_in', distribution='uniform')` (He et al., 2015):
    uniform on `±sqrt(6 / fan_in)`.

    Args:
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="uniform", seed=seed,
                         input_axes=input_axes, output_axes=output_axes)


class HeNormal(_FixedVarianceScaling):
    """`VarianceScaling(scale=2.0, mode='fan_in', distribution='truncated_normal')` (He et al.,
    2015): stddev `sqrt(2 / fan_in)`.

    Args:
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed,
                         input_axes=input_axes, output_axes=output_axes)


class LecunUniform(_FixedVarianceScaling):
    """`VarianceScaling(scale=1.0, mode='fan_in', distribution='uniform')` (LeCun et al., 1998):
    uniform on `±sqrt(3 / fan_in)`.

    Args:
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=1.0, mode="fan_in", distribution="uniform", seed=seed,
                         input_axes=input_axes, output_axes=output_axes)


class LecunNormal(_FixedVarianceScaling):
    """`VarianceScaling(scale=1.0, mode='fan_in', distribution='truncated_normal')` (Klambauer et
    al., 2017): stddev `sqrt(1 / fan_in)`.

    Args:
        seed: integer seed (default None).
        input_axes, output_axes: optional axes for the fans (see `compute_fans`).
    """

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed,
                         input_axes=input_axes, output_axes=output_axes)


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times `gain` (Saxe et al., 2014).

    The shape is flattened to `(prod(shape[:-1]), shape[-1])`; with more rows than columns
    the columns are orthonormal, otherwise the rows. As Keras: the Q of a QR decomposition of
    a normal matrix, with each column's sign fixed by the sign of R's diagonal so Q is uniformly
    distributed.

    Args:
        gain: multiplicative factor (default 1.0).
        seed: integer seed (default None).
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed, "gain": self.gain}


# --------------------------------------------------------------------------- registry
CLASSES = {
    cls.__name__: cls
    for cls in (Initializer, Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform,
                TruncatedNormal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform,
                HeNormal, LecunUniform, LecunNormal, Orthogonal)
}

# Keras 3 accepts each class name, its snake_case form and these extra spellings.
ALIASES = {
    "initializer": Initializer, "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones,
    "constant": Constant, "identity": Identity, "IdentityInitializer": Identity,
    "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
    "OrthogonalInitializer": Orthogonal,
}

# `keras.initializers.glorot_uniform(seed=1)` etc.: the lowercase names are the classes.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal = HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def serialize(initializer):
    """Returns `{'class_name', 'config'}` for an initializer (None for None)."""
    return serialization.serialize(initializer)


def deserialize(config, custom_objects=None):
    """Returns the initializer described by `config` (a name or `{'class_name', 'config'}`)."""
    return serialization.deserialize(get, config, custom_objects)


def _constant_array(value):
    def initialize(shape, dtype=None):
        if _shape(shape) != value.shape:
            raise ValueError(f"Expected `shape` to be {value.shape} for an array used as "
                             f"initializer. Received: shape={tuple(shape)}")
        return value.astype(_dtype(dtype))

    return initialize


def get(identifier):
    """Returns an initializer from a name, a config dict, a class, an instance, an array or a
    function.

    Args:
        identifier: e.g. `'glorot_uniform'`, `'GlorotUniform'`, `{'class_name': 'Constant',
            'config': {'value': 1}}`, `HeNormal`, `HeNormal(seed=1)`, a NumPy array (the exact
            initial value) or `f(shape, dtype=None)`. None gives None.

    Raises:
        ValueError: for an unknown name or an identifier of another type.
    """
    if isinstance(identifier, (np.ndarray, np.generic)):
        return _constant_array(np.asarray(identifier))
    return serialization.get_instance("initializer", {**CLASSES, **ALIASES}, identifier,
                                      any_case=True)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
