"""Weight initializers (`keras.initializers`): `initializer(shape, dtype) -> array`."""

import math

import numpy as np

from minikeras.backend import config
from minikeras.backend.random import global_rng


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)` and `get_config`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _dtype(dtype):
    return np.dtype(dtype or config.floatx())


class _Seeded(Initializer):
    """An initializer that draws random numbers.

    With an integer `seed` every call returns the same values (Keras 3 semantics); with
    `seed=None` each call draws from the global generator (see `keras.utils.set_random_seed`).
    """

    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self):
        return np.random.default_rng(self.seed) if self.seed is not None else global_rng()

    def get_config(self):
        return {"seed": self.seed}


class Zeros(Initializer):
    """Initializes to 0."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    """Initializes to 1."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=_dtype(dtype))


class Constant(Initializer):
    """Initializes to a constant `value` (default 0.0)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomNormal(_Seeded):
    """Normal distribution (defaults: `mean=0.0, stddev=0.05, seed=None`)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._rng().normal(self.mean, self.stddev, size=shape).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    """Uniform distribution on `[minval, maxval)` (defaults: `-0.05, 0.05, seed=None`)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._rng().uniform(self.minval, self.maxval, size=shape).astype(_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(rng, shape, mean, stddev):
    """Normal samples, redrawn until all lie within two standard deviations of the mean."""
    x = rng.standard_normal(size=shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = np.abs(x) > 2
    return mean + stddev * x


class TruncatedNormal(_Seeded):
    """Normal distribution truncated at 2 stddev (defaults: `mean=0.0, stddev=0.05, seed=None`)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _truncated_normal(self._rng(), shape, self.mean, self.stddev).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def compute_fans(shape):
    """Returns `(fan_in, fan_out)`; convolution kernels `(..., in, out)` count the receptive field."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(_Seeded):
    """Samples with a variance scaled to the kernel's fans.

    Args:
        scale: positive scaling factor (default 1.0).
        mode: `'fan_in'` (default), `'fan_out'` or `'fan_avg'`.
        distribution: `'truncated_normal'` (default), `'untruncated_normal'` or `'uniform'`.
        seed: integer seed (default None).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"Argument `scale` must be positive, received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected 'fan_in', 'fan_out' or 'fan_avg'.")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Expected 'truncated_normal', "
                "'untruncated_normal' or 'uniform'."
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            # 0.879... is the stddev of a unit normal truncated to [-2, 2].
            x = _truncated_normal(rng, shape, 0.0, math.sqrt(variance) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            x = rng.normal(0.0, math.sqrt(variance), size=shape)
        else:
            limit = math.sqrt(3.0 * variance)
            x = rng.uniform(-limit, limit, size=shape)
        return np.asarray(x, dtype=_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _variance_scaling_preset(name, scale, mode, distribution):
    class Preset(VarianceScaling):
        def __init__(self, seed=None):
            super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

        def get_config(self):
            return {"seed": self.seed}

    Preset.__name__ = Preset.__qualname__ = name
    Preset.__doc__ = (f"`VarianceScaling(scale={scale}, mode='{mode}', "
                      f"distribution='{distribution}')`.")
    return Preset


GlorotUniform = _variance_scaling_preset("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling_preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _variance_scaling_preset("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _variance_scaling_preset("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling_preset("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _variance_scaling_preset("LecunNormal", 1.0, "fan_in", "truncated_normal")

CLASSES = {
    cls.__name__: cls
    for cls in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal,
                LecunUniform, LecunNormal)
}

ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "random_normal": RandomNormal, "normal": RandomNormal, "random_uniform": RandomUniform,
    "uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
}


def serialize(initializer):
    """Returns `{'class_name', 'config'}` for an initializer instance."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def get(identifier):
    """Returns an initializer from a name, a config dict, a class, an instance or a callable.

    Args:
        identifier: e.g. `'glorot_uniform'`, `'GlorotUniform'`, `{'class_name': 'Constant',
            'config': {'value': 1}}`, `HeNormal`, `HeNormal(seed=1)` or `f(shape, dtype=None)`.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = CLASSES.get(identifier.get("class_name")) or ALIASES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown initializer: {identifier.get('class_name')!r}.")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = ALIASES.get(identifier) or CLASSES.get(identifier) or ALIASES.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Unknown initializer: {identifier!r}. Expected one of {sorted(ALIASES)}."
            )
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret initializer identifier: {identifier!r}.")
