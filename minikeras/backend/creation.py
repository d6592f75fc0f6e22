"""K array creation: `cast`, `constant`, `zeros`, `ones`, `eye`, `arange` and random samples
(`floatx()` unless a dtype is given)."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import config
from minikeras.backend.arguments import floatx_dtype, to_array
from minikeras.random_seed import global_rng
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor

__all__ = [
    "arange", "cast", "cast_to_floatx", "constant", "eye", "ones", "ones_like", "random_normal",
    "random_uniform", "zeros", "zeros_like",
]


@returns_tensor
def cast(x, dtype):
    """`x` converted to `dtype` (differentiable between float types)."""
    x = to_array(x)
    return x.astype(dtype) if hasattr(x, "astype") else anp.asarray(x, dtype=dtype)


@returns_tensor
def cast_to_floatx(x):
    """`x` as a NumPy array of `floatx()`."""
    return np.asarray(getval(unwrap(x)), dtype=config.floatx())


@returns_tensor
def constant(value, dtype=None, shape=None, name=None):
    """An array of `value` (broadcast to `shape` if given), dtype `floatx()` by default."""
    value = np.asarray(getval(unwrap(value)), dtype=floatx_dtype(dtype))
    return np.array(np.broadcast_to(value, tuple(shape))) if shape is not None else value


@returns_tensor
def zeros(shape, dtype=None, name=None):
    """An array of zeros (`floatx()` by default)."""
    return np.zeros(tuple(shape) if not isinstance(shape, int) else shape, floatx_dtype(dtype))


@returns_tensor
def ones(shape, dtype=None, name=None):
    """An array of ones (`floatx()` by default)."""
    return np.ones(tuple(shape) if not isinstance(shape, int) else shape, floatx_dtype(dtype))


@returns_tensor
def eye(size, dtype=None, name=None):
    """The identity matrix (`size` an int or `(rows, cols)`)."""
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return np.eye(rows, cols, dtype=floatx_dtype(dtype))


@returns_tensor
def zeros_like(x, dtype=None, name=None):
    """Zeros with the shape (and by default the dtype) of `x`."""
    x = getval(to_array(x))
    return np.zeros(np.shape(x), dtype=dtype or np.asarray(x).dtype)


@returns_tensor
def ones_like(x, dtype=None, name=None):
    """Ones with the shape (and by default the dtype) of `x`."""
    x = getval(to_array(x))
    return np.ones(np.shape(x), dtype=dtype or np.asarray(x).dtype)


@returns_tensor
def arange(start, stop=None, step=1, dtype="int32"):
    """`numpy.arange` with Keras's default dtype int32."""
    if stop is None and start < 0:
        start = 0
    return np.arange(start, stop, step).astype(dtype)


@returns_tensor
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples (global generator, or a fresh one seeded with `seed`)."""
    rng = np.random.default_rng(seed) if seed is not None else global_rng()
    return rng.normal(mean, stddev, size=tuple(shape)).astype(floatx_dtype(dtype))


@returns_tensor
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples on `[minval, maxval)`."""
    rng = np.random.default_rng(seed) if seed is not None else global_rng()
    return rng.uniform(minval, maxval, size=tuple(shape)).astype(floatx_dtype(dtype))
