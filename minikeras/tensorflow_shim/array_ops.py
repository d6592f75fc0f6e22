"""TensorFlow's array functions at the top of `tf`: products, dtypes, shapes and creation.

Written on `minikeras.ops` / `autograd.numpy` (traced inside a `tf.GradientTape`), with
TensorFlow's signatures and rules: `one_hot` gives float32, `range` int32 or float32,
`shape` an int32 tensor.
"""

import autograd.numpy as anp
import numpy as np

from minikeras import ops
from minikeras.autograd_internals import getval
from minikeras.tensorflow_shim.math import axis_arg, tensor_arg
from minikeras.tensorflow_shim.tensor import as_eager
from minikeras.variables import unwrap


# --------------------------------------------------------------------------- products, dtypes
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           name=None, **kwargs):
    """`a @ b`, either transposed first over its last two axes."""
    a, b = tensor_arg(a), tensor_arg(b)
    if transpose_a or adjoint_a:
        a = anp.swapaxes(a, -1, -2)
    if transpose_b or adjoint_b:
        b = anp.swapaxes(b, -1, -2)
    return as_eager(ops.matmul(a, b))


def cast(x, dtype, name=None):
    """`x` as `dtype` (floats to integers truncate toward zero, as TensorFlow)."""
    x = tensor_arg(x)
    if np.dtype(dtype).kind in "iub" or np.result_type(getval(x)).kind not in "fc":
        return as_eager(np.asarray(getval(x)).astype(dtype))  # not differentiable
    return as_eager(ops.cast(x, dtype))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of `depth` along `axis` (default -1); float32 by default, 1 and 0."""
    indices = np.asarray(getval(unwrap(indices)), dtype=np.int64)
    dtype = np.dtype(dtype or "float32")
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    hot = indices[..., None] == np.arange(int(depth))  # out-of-range ids: all `off`
    out = np.where(hot, np.asarray(on, dtype=dtype), np.asarray(off, dtype=dtype))
    if axis is not None and axis != -1:
        out = np.moveaxis(out, -1, axis)
    return as_eager(out)


# --------------------------------------------------------------------------- shapes
def shape(input, out_type="int32", name=None):  # noqa: A002 (TF's name)
    """The shape of `input`, as a 1-D int32 tensor."""
    return as_eager(np.asarray(np.shape(getval(tensor_arg(input))), dtype=out_type))


def reshape(tensor, shape, name=None):
    """`tensor` with the given shape (one entry may be -1)."""
    shape = tuple(int(d) for d in np.asarray(getval(shape)).reshape(-1))
    return as_eager(ops.reshape(tensor_arg(tensor), shape))


def concat(values, axis, name=None):
    """`values` joined along `axis`."""
    return as_eager(ops.concatenate([tensor_arg(v) for v in values], axis=axis))


def stack(values, axis=0, name=None):
    return as_eager(ops.stack([tensor_arg(v) for v in values], axis=axis))


def transpose(a, perm=None, name=None):
    return as_eager(ops.transpose(tensor_arg(a), axes=perm))


def expand_dims(input, axis, name=None):  # noqa: A002 (TF's name)
    return as_eager(ops.expand_dims(tensor_arg(input), axis))


def squeeze(input, axis=None, name=None):  # noqa: A002 (TF's name)
    return as_eager(ops.squeeze(tensor_arg(input), axis=axis_arg(axis)))


# --------------------------------------------------------------------------- creation
def zeros(shape, dtype="float32", name=None):
    return as_eager(np.zeros(tuple(np.asarray(shape).reshape(-1)), dtype=dtype))


def ones(shape, dtype="float32", name=None):
    return as_eager(np.ones(tuple(np.asarray(shape).reshape(-1)), dtype=dtype))


def zeros_like(input, dtype=None, name=None):  # noqa: A002 (TF's name)
    return as_eager(np.zeros_like(getval(tensor_arg(input)), dtype=dtype))


def ones_like(input, dtype=None, name=None):  # noqa: A002 (TF's name)
    return as_eager(np.ones_like(getval(tensor_arg(input)), dtype=dtype))


def range(start, limit=None, delta=1, dtype=None, name=None):  # noqa: A001 (TF's name)
    """`tf.range`: int32 for integer arguments, float32 for floats (as TensorFlow)."""
    if limit is None:
        start, limit = 0, start
    out = np.arange(start, limit, delta)
    if dtype is None:
        dtype = "int32" if out.dtype.kind in "iu" else "float32"
    return as_eager(out.astype(dtype))


__all__ = ["cast", "concat", "expand_dims", "matmul", "one_hot", "ones", "ones_like", "range",
           "reshape", "shape", "squeeze", "stack", "transpose", "zeros", "zeros_like"]
