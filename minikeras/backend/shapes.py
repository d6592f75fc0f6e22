"""K shapes: `int_shape`, `ndim`, `dtype`, and the functions that reshape, join, repeat and
index arrays (`reshape`, `batch_flatten`, `concatenate`, `gather`, `one_hot`, ...)."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import config, ops
from minikeras.backend.arguments import to_array
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor

__all__ = [
    "batch_flatten", "concatenate", "count_params", "dtype", "expand_dims", "flatten", "gather",
    "int_shape", "ndim", "one_hot", "permute_dimensions", "repeat_elements", "reshape", "shape",
    "squeeze", "stack", "tile", "transpose",
]


def int_shape(x):
    """The shape as a tuple of ints (None for unknown dimensions)."""
    x = unwrap(x)
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else np.shape(x)


shape = ops.shape  # a tuple: `K.shape(x)[0]` is the batch size


def ndim(x):
    """The number of axes."""
    return len(int_shape(x))


def dtype(x):
    """The dtype's name, e.g. `'float32'`."""
    x = unwrap(x)
    return np.dtype(getattr(x, "dtype", None) or np.asarray(x).dtype).name


def count_params(x):
    """The number of scalars in `x`."""
    return int(np.prod(int_shape(x), dtype=np.int64))


def reshape(x, shape):
    """`x` with a new shape (one dimension may be -1)."""
    return ops.reshape(x, tuple(shape))


@returns_tensor
def flatten(x):
    """`x` as a 1-D array."""
    return anp.reshape(to_array(x), (-1,))


@returns_tensor
def batch_flatten(x):
    """`x` as `(batch, -1)`."""
    x = to_array(x)
    return anp.reshape(x, (np.shape(x)[0], -1))


def expand_dims(x, axis=-1):
    """Inserts an axis of size 1 at `axis` (Keras 2's default -1, the end)."""
    return ops.expand_dims(x, axis)


def squeeze(x, axis):
    """Removes the axis `axis` of size 1 (Keras 2 requires the axis)."""
    return ops.squeeze(x, axis=axis)


def transpose(x):
    """Reverses the order of the axes."""
    return ops.transpose(x)


@returns_tensor
def permute_dimensions(x, pattern):
    """Permutes the axes, e.g. `pattern=(0, 2, 1)`."""
    return anp.transpose(to_array(x), tuple(pattern))


def concatenate(tensors, axis=-1):
    """Joins arrays along an existing `axis` (Keras 2's default -1; Keras 3's is 0)."""
    return ops.concatenate(tensors, axis=axis)


stack = ops.stack  # the same function in Keras 2 and 3


def tile(x, n):
    """Repeats `x` `n[i]` times along axis `i` (an int `n` repeats the last axis)."""
    return ops.tile(x, n)


@returns_tensor
def repeat_elements(x, rep, axis):
    """Repeats each element `rep` times along `axis`."""
    return anp.repeat(to_array(x), rep, axis=axis)


@returns_tensor
def gather(reference, indices):
    """The rows `reference[indices]`."""
    return to_array(reference)[np.asarray(getval(to_array(indices))).astype(np.int64)]


@returns_tensor
def one_hot(indices, num_classes):
    """One-hot `floatx()` encoding with a new last axis of size `num_classes`."""
    indices = np.asarray(getval(unwrap(indices))).astype(np.int64)
    return np.eye(num_classes, dtype=config.floatx())[indices]
