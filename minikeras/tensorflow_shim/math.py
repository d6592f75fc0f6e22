"""`tf.math` (also at the top of `tf`): TensorFlow's math signatures on `keras.ops`.

Every function is written on `minikeras.ops` / `autograd.numpy`, so inside a
`tf.GradientTape` it is traced like the rest of a model. Untraced results are `EagerTensor`s
(NumPy arrays with `.numpy()`, which a tape can watch).

Where TensorFlow differs from NumPy, TensorFlow's rule is kept: `argmax`'s axis defaults to 0
and it returns int64; the mean of integers is an integer (truncated, as TensorFlow's integer
division). Shapes, dtypes and products are in `array_ops`.
"""

import numpy as np

from minikeras import activations, ops
from minikeras.autograd_internals import getval
from minikeras.tensorflow_shim.missing import not_provided
from minikeras.tensorflow_shim.tensor import EagerTensor, as_eager, watched_box
from minikeras.variables import unwrap


def tensor_arg(x):
    """An argument as ops take it: a Variable's or a watched tensor's (maybe traced) value, a
    list or a Python float as a float32 array (TensorFlow's default)."""
    x = unwrap(x)
    if type(x) is EagerTensor:
        box = watched_box(x)  # ops may call ndarray methods (`astype`), which are not traced
        return x if box is None else box
    return np.asarray(x, dtype=np.float32) if isinstance(x, (list, tuple, float)) else x


def axis_arg(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# --------------------------------------------------------------------------- reductions
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over `axis` (default None: every axis)."""
    return as_eager(ops.sum(tensor_arg(input_tensor), axis=axis_arg(axis), keepdims=keepdims))


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over `axis` (default None: every axis); integers give a truncated integer mean."""
    x = tensor_arg(input_tensor)
    dtype = np.result_type(getval(x))
    if dtype.kind in "iub":
        total = np.sum(getval(x), axis=axis_arg(axis), keepdims=keepdims)
        count = np.size(getval(x)) // max(np.size(total), 1)
        return as_eager(np.asarray(np.trunc(total / count), dtype=dtype))
    return as_eager(ops.mean(x, axis=axis_arg(axis), keepdims=keepdims))


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum over `axis` (default None: every axis)."""
    return as_eager(ops.max(tensor_arg(input_tensor), axis=axis_arg(axis), keepdims=keepdims))


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum over `axis` (default None: every axis)."""
    return as_eager(ops.min(tensor_arg(input_tensor), axis=axis_arg(axis), keepdims=keepdims))


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product over `axis` (default None: every axis)."""
    return as_eager(ops.prod(tensor_arg(input_tensor), axis=axis_arg(axis), keepdims=keepdims))


def argmax(input, axis=None, output_type="int64", name=None):  # noqa: A002 (TF's name)
    """Index of the largest value along `axis` (default 0, as TensorFlow), as int64."""
    x = getval(tensor_arg(input))
    return as_eager(np.argmax(x, axis=0 if axis is None else axis).astype(output_type))


def argmin(input, axis=None, output_type="int64", name=None):  # noqa: A002 (TF's name)
    """Index of the smallest value along `axis` (default 0, as TensorFlow), as int64."""
    x = getval(tensor_arg(input))
    return as_eager(np.argmin(x, axis=0 if axis is None else axis).astype(output_type))


# --------------------------------------------------------------------------- element-wise
def square(x, name=None):
    return as_eager(ops.square(tensor_arg(x)))


def sqrt(x, name=None):
    return as_eager(ops.sqrt(tensor_arg(x)))


def exp(x, name=None):
    return as_eager(ops.exp(tensor_arg(x)))


def log(x, name=None):
    return as_eager(ops.log(tensor_arg(x)))


def abs(x, name=None):  # noqa: A001 (TF's name)
    return as_eager(ops.abs(tensor_arg(x)))


def tanh(x, name=None):
    return as_eager(ops.tanh(tensor_arg(x)))


def sigmoid(x, name=None):
    return as_eager(activations.sigmoid(tensor_arg(x)))


def add(x, y, name=None):
    return as_eager(ops.add(tensor_arg(x), tensor_arg(y)))


def subtract(x, y, name=None):
    return as_eager(ops.subtract(tensor_arg(x), tensor_arg(y)))


def multiply(x, y, name=None):
    return as_eager(ops.multiply(tensor_arg(x), tensor_arg(y)))


def divide(x, y, name=None):
    return as_eager(ops.divide(tensor_arg(x), tensor_arg(y)))


def pow(x, y, name=None):  # noqa: A001 (TF's name)
    return as_eager(ops.power(tensor_arg(x), tensor_arg(y)))


def maximum(x, y, name=None):
    return as_eager(ops.maximum(tensor_arg(x), tensor_arg(y)))


def minimum(x, y, name=None):
    return as_eager(ops.minimum(tensor_arg(x), tensor_arg(y)))


def equal(x, y, name=None):
    return as_eager(np.equal(getval(tensor_arg(x)), getval(tensor_arg(y))))


def not_equal(x, y, name=None):
    return as_eager(np.not_equal(getval(tensor_arg(x)), getval(tensor_arg(y))))


def less(x, y, name=None):
    return as_eager(np.less(getval(tensor_arg(x)), getval(tensor_arg(y))))


def greater(x, y, name=None):
    return as_eager(np.greater(getval(tensor_arg(x)), getval(tensor_arg(y))))


def __getattr__(name):
    raise not_provided(f"tf.math.{name}")


__all__ = ["abs", "add", "argmax", "argmin", "divide", "equal", "exp", "greater", "less", "log",
           "maximum", "minimum", "multiply", "not_equal", "pow", "reduce_max", "reduce_mean",
           "reduce_min", "reduce_prod", "reduce_sum", "sigmoid", "sqrt", "square", "subtract",
           "tanh"]
