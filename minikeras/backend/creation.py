"""K array creation: `cast`, `constant`, `zeros`, `ones`, `eye`, `arange` and random samples
(`floatx()` unless a dtype is given)."""

import numpy as np
from autograd.tracer import getval

from minikeras import config, ops, random
from minikeras.backend.arguments import floatx_dtype
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor

__all__ = [
    "arange", "cast", "cast_to_floatx", "constant", "eye", "ones", "ones_like", "random_normal",
    "random_uniform", "zeros", "zeros_like",
]


cast = ops.cast  # the same function in Keras 2 and 3


@returns_tensor
def cast_to_floatx(x):
    """`x` as a NumPy array of `floatx()`."""
    return np.asarray(getval(unwrap(x)), dtype=config.floatx())


@returns_tensor
def constant(value, dtype=None, shape=None, name=None):
    """An array of `value` (broadcast to `shape` if given), dtype `floatx()` by default."""
    value = np.asarray(getval(unwrap(value)), dtype=floatx_dtype(dtype))
    return np.array(np.broadcast_to(value, tuple(shape))) if shape is not None else value


def zeros(shape, dtype=None, name=None):
    """An array of zeros (`floatx()` by default); `name` (Keras 2) is accepted and unused."""
    return ops.zeros(shape, dtype=dtype)


def ones(shape, dtype=None, name=None):
    """An array of ones (`floatx()` by default); `name` is accepted and unused."""
    return ops.ones(shape, dtype=dtype)


def eye(size, dtype=None, name=None):
    """The identity matrix: Keras 2 takes `size` as an int or `(rows, cols)`."""
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return ops.eye(rows, cols, dtype=dtype)


def zeros_like(x, dtype=None, name=None):
    """Zeros with the shape (and by default the dtype) of `x`."""
    return ops.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None, name=None):
    """Ones with the shape (and by default the dtype) of `x`."""
    return ops.ones_like(x, dtype=dtype)


def arange(start, stop=None, step=1, dtype="int32"):
    """`ops.arange` under Keras 2's rules: a negative `start` without `stop` gives an empty
    range, and the default `dtype='int32'` casts nothing (`tf.range` infers int32 or float32
    from the arguments, as `ops.arange` does); another `dtype` casts the result."""
    if stop is None and start < 0:
        start = 0
    return ops.arange(start, stop, step, dtype=None if dtype == "int32" else dtype)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples: `keras.random.normal` (an integer `seed` gives the same values each
    call; None draws from the generator `set_random_seed` seeds)."""
    return random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples on `[minval, maxval)`: `keras.random.uniform`."""
    return random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)
