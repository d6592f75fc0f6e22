"""`keras.random`: random tensors drawn with NumPy's generator, with Keras 3's signatures.

The `seed` argument of every function works as in Keras 3:

- an integer: the draw is a pure function of it (two calls with `seed=42` return the same values);
- a `SeedGenerator`: each call takes the generator's next seed, so calls differ and the whole
  sequence is reproducible from the generator's own seed;
- None (the default): values come from the global generator that `keras.utils.set_random_seed`
  seeds, or, inside a training step, from the step's generator (seeded per step, as dropout is).

NumPy's generator is not JAX's, so the values differ from real Keras's; the distributions, shapes,
dtypes (float32 by default, `keras.config.floatx()`) and the determinism are Keras's. One integer
seed and a `SeedGenerator` made with that seed give the same first draw, as in Keras. Results
are NumPy arrays that also answer tf.keras's `.numpy()` (minikeras.tensor).
"""

import numbers

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.initializers import _truncated_normal  # the one rejection sampler
from minikeras.random_seed import global_rng
from minikeras.stateless_scope import current_scope
from minikeras.tensor import returns_tensor
from minikeras.variables import Variable, assign_arrays

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]

_SEED_MASK = 0xFFFFFFFF  # Keras's seeds are 32-bit (JAX keys); larger integers wrap
_names_taken = 0  # automatic SeedGenerator names given so far (`clear_session` resets)


def reset_names():
    """Restarts automatic `SeedGenerator` names from `seed_generator` (`clear_session`)."""
    global _names_taken
    _names_taken = 0


def _auto_name():
    global _names_taken
    n, _names_taken = _names_taken, _names_taken + 1
    return "seed_generator" if n == 0 else f"seed_generator_{n}"


class SeedGenerator:
    """A reproducible stream of seeds, as `keras.random.SeedGenerator`.

    Pass it as `seed=` to the functions of this module: each call takes the next seed, so
    successive calls draw different values, and a generator made with the same `seed` gives
    the same sequence. Its `state` is a `uint32` variable `[seed, counter]`; the counter
    advances by one per draw.

    minikeras runs a training step eagerly (autograd traces the Python code each time, there is
    no compiled graph), so the state advances in place even inside `fit`; Keras's JAX trainer
    threads it through the step as a non-trainable variable, with the same effect.

    Args:
        seed: an integer (default None: one drawn from the global generator that
            `keras.utils.set_random_seed` seeds).
        name: the generator's name (default `'seed_generator'`, numbered when taken).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # Keras lets a backend module be chosen; there is one here
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = _auto_name() if name is None else name
        self._initial_seed = seed
        if seed is None:
            seed = int(global_rng().integers(1, 10**9))
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.state = Variable(np.array([int(seed) & _SEED_MASK, 0], dtype=np.uint32),
                              dtype="uint32", trainable=False, name="seed_generator_state")
        self.state.path = f"{self.name}/seed_generator_state"

    def next(self, ordered=True):
        """Returns the current `[seed, counter]` pair and advances the state.

        Args:
            ordered: True (default) adds one to the counter; False scrambles the whole state
                (`(state + 1) * 5387 % 933199`, Keras's sequence of near-unique values).
        """
        current = np.array(self.state.numpy())
        if ordered:
            new = current + np.array([0, 1], dtype=np.uint32)
        else:
            new = ((current.astype(np.uint64) + 1) * 5387 % 933199).astype(np.uint32)
        # Written directly, not through `assign`: inside a training step an assignment would be
        # recorded in the step's scope and dropped, and every step would draw the same values.
        assign_arrays([self.state], [new])
        return current

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<SeedGenerator name={self.name}, state={self.state.numpy().tolist()}>"


def _rng(seed):
    """The `numpy.random.Generator` a draw with this `seed` argument uses (see module doc)."""
    if isinstance(seed, SeedGenerator):
        return np.random.default_rng([int(v) for v in seed.next()])
    if seed is None:
        scope = current_scope()
        if scope is not None and scope.rng is not None:
            return scope.rng
        return global_rng()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.default_rng([int(seed) & _SEED_MASK, 0])
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed!r} (of type {type(seed)})")


def _shape(shape, fn):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(f"`keras.random.{fn}` needs a fully defined `shape`: a tuple of "
                         f"integers. Received: shape={shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"`keras.random.{fn}`: `shape` must not hold negative sizes. "
                         f"Received: shape={shape}")
    return shape


def _dtype(dtype, fn, kinds, default=None):
    dtype = np.dtype(dtype or default or config.floatx())
    if dtype.kind not in kinds:
        wanted = "a floating point" if kinds == "f" else "an integer" if kinds in ("iu", "ui") \
            else "a numeric"
        raise ValueError(f"`keras.random.{fn}` requires {wanted} `dtype`. "
                         f"Received: dtype={dtype.name}")
    return dtype


def _value(x):
    """A NumPy array of `x` (a parameter such as `mean`, `alpha` or `logits`)."""
    return np.asarray(x.numpy() if isinstance(x, Variable) else x)


@returns_tensor
def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution.

    Args:
        shape: the output shape.
        mean: the mean (default 0.0; an array broadcasts against `shape`).
        stddev: the standard deviation (default 1.0).
        dtype: a float dtype (default `keras.config.floatx()`, float32).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "normal", "f")
    shape = _shape(shape, "normal")
    return _rng(seed).normal(_value(mean), _value(stddev), size=shape).astype(dtype)


@returns_tensor
def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of a uniform distribution on `[minval, maxval)`.

    Args:
        shape: the output shape.
        minval: the lower bound, included (default 0.0).
        maxval: the upper bound, excluded (default 1.0).
        dtype: a float dtype (default `keras.config.floatx()`, float32).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "uniform", "f")
    shape = _shape(shape, "uniform")
    low, high = _value(minval), _value(maxval)
    x = _rng(seed).uniform(low, high, size=shape).astype(dtype)
    # Rounding to float32 may land a value just below `maxval` on it: keep the bound excluded.
    return np.where(x >= high, np.nextafter(high.astype(dtype), low.astype(dtype)), x).astype(dtype)


@returns_tensor
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution, every value beyond two standard deviations redrawn.

    Args:
        shape: the output shape.
        mean: the mean (default 0.0).
        stddev: the standard deviation of the normal before truncation (default 1.0; the
            samples' own standard deviation is about 0.88 times it).
        dtype: a float dtype (default `keras.config.floatx()`, float32).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "truncated_normal", "f")
    shape = _shape(shape, "truncated_normal")
    z = _truncated_normal(_rng(seed), shape, 0.0, 1.0)
    return (_value(mean) + _value(stddev) * z).astype(dtype)


@returns_tensor
def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from `[minval, maxval)`.

    Args:
        shape: the output shape.
        minval: the lowest value, included.
        maxval: the bound, excluded.
        dtype: an integer dtype (default `'int32'`).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "randint", "iu", default="int32")
    shape = _shape(shape, "randint")
    return _rng(seed).integers(_value(minval), _value(maxval), size=shape).astype(dtype)


@returns_tensor
def categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn from the categorical distributions `softmax(logits)`, one per row.

    Args:
        logits: a 2-D array `(batch_size, num_classes)` of unnormalized log-probabilities
            (`-inf` gives a class probability 0).
        num_samples: how many independent samples to draw per row.
        dtype: an integer dtype (default `'int32'`).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).

    Returns:
        An array `(batch_size, num_samples)` of class indices.
    """
    logits = _value(logits).astype(np.float64)
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits of shape {logits.shape}")
    dtype = _dtype(dtype, "categorical", "iu", default="int32")
    num_samples = int(num_samples)
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    cdf = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    u = _rng(seed).random((logits.shape[0], num_samples))
    # Inverse CDF: class k is drawn when cdf[k-1] <= u < cdf[k]; a class of probability 0 has
    # cdf[k-1] == cdf[k] and is never drawn. The clip guards a last cdf rounded below 1.
    index = (cdf[:, None, :] <= u[:, :, None]).sum(axis=2)
    return np.minimum(index, logits.shape[1] - 1).astype(dtype)


@returns_tensor
def dropout(inputs, rate, noise_shape=None, seed=None):
    """Sets a fraction `rate` of `inputs` to 0 and scales the rest by `1 / (1 - rate)`.

    Differentiable: called in a layer's `call` during training, the gradient flows through the
    kept entries.

    Args:
        inputs: the array (or traced value) to drop from.
        rate: the fraction to drop, in [0, 1]; 1 returns zeros, 0 returns `inputs`.
        noise_shape: the shape of the keep/drop mask, broadcast over `inputs` (default None:
            the shape of `inputs`; a None entry takes the size of `inputs` on that axis).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    rate = float(rate)
    if not 0.0 <= rate <= 1.0:
        raise ValueError("`keras.random.dropout`: `rate` must be a float in [0, 1]. "
                         f"Received: rate={rate}")
    if rate == 0.0:
        return inputs
    if isinstance(inputs, (list, tuple, numbers.Number)):
        inputs = np.asarray(inputs, dtype=config.floatx())
    dtype = np.dtype(inputs.dtype)
    if rate == 1.0:
        return anp.zeros(anp.shape(inputs), dtype=dtype)
    shape = tuple(anp.shape(inputs))
    if noise_shape is None:
        mask_shape = shape
    else:
        if len(noise_shape) != len(shape):
            raise ValueError("`keras.random.dropout`: `noise_shape` must have the rank of "
                             f"`inputs` ({len(shape)}). Received: noise_shape={noise_shape}")
        mask_shape = tuple(s if n is None else int(n) for s, n in zip(shape, noise_shape))
    keep = _rng(seed).random(mask_shape) < 1.0 - rate
    scale = (keep / (1.0 - rate)).astype(dtype)
    return inputs * scale


@returns_tensor
def shuffle(x, axis=0, seed=None):
    """Shuffles `x` along `axis`, each 1-D slice along that axis independently.

    As Keras 3 on JAX and NumPy (`jax.random.permutation(..., independent=True)`): for a 2-D
    `x` with `axis=0` every column gets its own permutation, so rows are not kept together
    (tf.keras's `tf.random.shuffle` kept them). For a 1-D `x` it is a plain permutation.

    Args:
        x: the array to shuffle (a traced value keeps its gradient).
        axis: the axis to shuffle along (default 0).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    if isinstance(x, (list, tuple, numbers.Number)):
        x = np.asarray(x)
    shape = tuple(anp.shape(x))
    if not shape:
        raise ValueError("`keras.random.shuffle` needs an array of rank >= 1. Received a scalar.")
    axis = axis + len(shape) if axis < 0 else axis
    if not 0 <= axis < len(shape):
        raise ValueError(f"`keras.random.shuffle`: axis {axis} is out of bounds for an array of "
                         f"rank {len(shape)}.")
    order = np.argsort(_rng(seed).random(shape), axis=axis, kind="stable")
    index = list(np.indices(shape, sparse=True))
    index[axis] = order
    return x[tuple(index)]


@returns_tensor
def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of the Gamma distribution of shape `alpha` and scale 1.

    Args:
        shape: the output shape.
        alpha: the shape parameter (a float or an array broadcast against `shape`).
        dtype: a float dtype (default `keras.config.floatx()`, float32).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "gamma", "f")
    shape = _shape(shape, "gamma")
    return _rng(seed).gamma(_value(alpha), 1.0, size=shape).astype(dtype)


@returns_tensor
def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of the Binomial distribution: successes in `counts` trials of probability
    `probabilities`.

    Args:
        shape: the output shape.
        counts: the number of trials (a number or an array broadcast against `shape`).
        probabilities: the probability of success of one trial.
        dtype: the output dtype (default `keras.config.floatx()`, float32, as Keras).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "binomial", "fiu")
    shape = _shape(shape, "binomial")
    counts = _value(counts)
    return _rng(seed).binomial(counts.astype(np.int64), _value(probabilities),
                               size=shape).astype(dtype)


@returns_tensor
def beta(shape, alpha, beta, dtype=None, seed=None):  # noqa: A002 (Keras's argument name)
    """Samples of the Beta distribution of parameters `alpha` and `beta`.

    Args:
        shape: the output shape.
        alpha: the first parameter (a float or an array broadcast against `shape`).
        beta: the second parameter.
        dtype: a float dtype (default `keras.config.floatx()`, float32).
        seed: an integer, a `SeedGenerator` or None (default; see module doc).
    """
    dtype = _dtype(dtype, "beta", "f")
    shape = _shape(shape, "beta")
    return _rng(seed).beta(_value(alpha), _value(beta), size=shape).astype(dtype)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
