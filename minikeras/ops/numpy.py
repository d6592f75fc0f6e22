"""NumPy-style functions of the public `keras.ops` namespace, differentiable by autograd.

Each accepts `Variable`s as well as arrays, so a user's `call` can write
`ops.matmul(inputs, self.kernel)` exactly as in Keras.
"""

import autograd.numpy as anp

from minikeras.variables import unwrap


def _wrap(name, doc=None):
    fn = getattr(anp, name)

    def op(*args, **kwargs):
        return fn(*[unwrap(a) for a in args], **kwargs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc or f"`numpy.{name}` on arrays or Variables, differentiable by autograd."
    return op


_NAMES = (
    "abs absolute add all any arange argmax argmin argsort clip concatenate cos cosh cumsum "
    "diag divide dot equal exp expand_dims eye floor full greater greater_equal identity "
    "less less_equal linspace log log1p logical_and logical_not logical_or matmul maximum "
    "mean minimum moveaxis multiply negative not_equal ones ones_like power prod repeat "
    "reshape round sign sin sinh sqrt square squeeze stack std subtract sum swapaxes tanh "
    "tensordot tile transpose tril triu var where zeros zeros_like"
).split()

globals().update({name: _wrap(name) for name in _NAMES})
true_divide = divide
amax = max = _wrap("max")
amin = min = _wrap("min")
concatenate = _wrap("concatenate")


def cast(x, dtype):
    """Returns `x` converted to `dtype`."""
    x = unwrap(x)
    return x.astype(dtype) if hasattr(x, "astype") else anp.asarray(x, dtype=dtype)


def convert_to_tensor(x, dtype=None):
    """Returns `x` as an array (Variables give their current value)."""
    x = unwrap(x)
    return anp.asarray(x, dtype=dtype) if dtype is not None or not hasattr(x, "shape") else x


def convert_to_numpy(x):
    """Returns `x` as a NumPy array."""
    import numpy as np

    return np.asarray(unwrap(x))


def shape(x):
    """Returns the shape of `x` as a tuple."""
    return tuple(anp.shape(unwrap(x)))


__all__ = sorted(_NAMES) + ["amax", "amin", "max", "min", "true_divide", "cast",
                            "convert_to_tensor", "convert_to_numpy", "shape"]
