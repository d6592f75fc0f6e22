"""How the K functions read their arguments: arrays, Python numbers and lists, or `Variable`s.

Every K function accepts any of these, as Keras 2's backend does (a Variable stands for its
current value, or for the value being differentiated inside a training step).
"""

import builtins

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.variables import unwrap


def to_array(x):
    """The value of `x`: a Variable's current value, lists and numbers as `floatx()` arrays."""
    x = unwrap(x)
    if isinstance(x, (list, tuple)):
        values = [unwrap(v) for v in x]
        if builtins.any(hasattr(v, "shape") and np.ndim(v) for v in values):
            return anp.stack(values) if len(values) > 1 else anp.expand_dims(values[0], 0)
        return np.asarray(values, dtype=config.floatx())
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return np.asarray(x, dtype=config.floatx())
    return x


def as_axis(axis):
    """Keras accepts a list of axes where NumPy wants a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis


def as_floatx(x):
    """Booleans (and integers) become `floatx()`, as Keras's `mean`, `std` and `var` do."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind in "biu":
        return anp.asarray(x).astype(config.floatx())
    return x


def floatx_dtype(dtype):
    """`dtype` as a NumPy dtype, `floatx()` when None."""
    return np.dtype(dtype or config.floatx())
