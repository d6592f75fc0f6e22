"""The `keras.ops` functions written on `autograd.numpy`: NumPy-style math, reductions, shapes
and array creation, plus `normalize`. Every one is differentiable by autograd.

Each accepts `Variable`s, Python numbers and lists as well as arrays, so a user's `call` can
write `ops.matmul(inputs, self.kernel)` exactly as in Keras. Arguments follow Keras's signatures
and dtypes follow Keras 3's rules (ops/dtypes.py: lists of floats are `floatx()`, the mean of
integers is a float, `sum` of booleans is int32...). The `K.*` functions of Keras 2
(minikeras.backend) are these functions plus Keras 2's argument rules.
"""

import builtins

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.ops.dtypes import (accumulator, axis_argument, cast as _cast, convert, dtype_of,
                                  promote, real)
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor


# --------------------------------------------------------------------------- element-wise
@returns_tensor
def abs(x):
    """The absolute value of `x`, element-wise."""
    return anp.abs(convert(x))


@returns_tensor
def absolute(x):
    """The absolute value of `x`, element-wise (same as `abs`)."""
    return anp.absolute(convert(x))


@returns_tensor
def cos(x):
    """The cosine of `x`, element-wise."""
    return anp.cos(real(x))


@returns_tensor
def cosh(x):
    """The hyperbolic cosine of `x`, element-wise."""
    return anp.cosh(real(x))


@returns_tensor
def exp(x):
    """`e ** x`, element-wise."""
    return anp.exp(real(x))


@returns_tensor
def floor(x):
    """The largest integer not above `x`, element-wise (gradient 0)."""
    return anp.floor(convert(x))


@returns_tensor
def log(x):
    """The natural logarithm of `x`, element-wise."""
    return anp.log(real(x))


@returns_tensor
def log1p(x):
    """`log(1 + x)`, element-wise, accurate for small `x`."""
    return anp.log1p(real(x))


@returns_tensor
def logical_not(x):
    """`not x`, element-wise."""
    return anp.logical_not(convert(x))


@returns_tensor
def negative(x):
    """`-x`, element-wise."""
    return anp.negative(convert(x))


@returns_tensor
def sign(x):
    """-1, 0 or 1 by the sign of `x`, element-wise (gradient 0)."""
    return anp.sign(convert(x))


@returns_tensor
def sin(x):
    """The sine of `x`, element-wise."""
    return anp.sin(real(x))


@returns_tensor
def sinh(x):
    """The hyperbolic sine of `x`, element-wise."""
    return anp.sinh(real(x))


@returns_tensor
def sqrt(x):
    """The square root of `x`, element-wise."""
    return anp.sqrt(real(x))


@returns_tensor
def square(x):
    """`x * x`, element-wise (booleans count as int32 0/1)."""
    x = convert(x)
    return anp.square(_cast(x, np.int32) if x.dtype == bool else x)


@returns_tensor
def tanh(x):
    """The hyperbolic tangent of `x`, element-wise."""
    return anp.tanh(real(x))


@returns_tensor
def add(x1, x2):
    """`x1 + x2`, broadcast."""
    return anp.add(*promote(x1, x2))


@returns_tensor
def subtract(x1, x2):
    """`x1 - x2`, broadcast."""
    return anp.subtract(*promote(x1, x2))


@returns_tensor
def multiply(x1, x2):
    """`x1 * x2`, broadcast."""
    return anp.multiply(*promote(x1, x2))


@returns_tensor
def divide(x1, x2):
    """`x1 / x2`, broadcast."""
    return anp.divide(*_real_pair(x1, x2))


@returns_tensor
def true_divide(x1, x2):
    """`x1 / x2`, broadcast (same as `divide`)."""
    return anp.true_divide(*_real_pair(x1, x2))


@returns_tensor
def power(x1, x2):
    """`x1 ** x2`, broadcast."""
    return anp.power(*promote(x1, x2))


@returns_tensor
def maximum(x1, x2):
    """The larger of `x1` and `x2`, element-wise."""
    return anp.maximum(*promote(x1, x2))


@returns_tensor
def minimum(x1, x2):
    """The smaller of `x1` and `x2`, element-wise."""
    return anp.minimum(*promote(x1, x2))


@returns_tensor
def equal(x1, x2):
    """`x1 == x2`, element-wise."""
    return anp.equal(*promote(x1, x2))


@returns_tensor
def not_equal(x1, x2):
    """`x1 != x2`, element-wise."""
    return anp.not_equal(*promote(x1, x2))


@returns_tensor
def greater(x1, x2):
    """`x1 > x2`, element-wise."""
    return anp.greater(*promote(x1, x2))


@returns_tensor
def greater_equal(x1, x2):
    """`x1 >= x2`, element-wise."""
    return anp.greater_equal(*promote(x1, x2))


@returns_tensor
def less(x1, x2):
    """`x1 < x2`, element-wise."""
    return anp.less(*promote(x1, x2))


@returns_tensor
def less_equal(x1, x2):
    """`x1 <= x2`, element-wise."""
    return anp.less_equal(*promote(x1, x2))


@returns_tensor
def logical_and(x1, x2):
    """`x1 and x2`, element-wise."""
    return anp.logical_and(*promote(x1, x2))


@returns_tensor
def logical_or(x1, x2):
    """`x1 or x2`, element-wise."""
    return anp.logical_or(*promote(x1, x2))


@returns_tensor
def matmul(x1, x2):
    """The matrix product of `x1` and `x2` (batched over leading axes)."""
    return anp.matmul(*promote(x1, x2))


@returns_tensor
def dot(x1, x2):
    """The dot product of `x1` and `x2` (`numpy.dot`)."""
    return anp.dot(*promote(x1, x2))



# --------------------------------------------------------------------------- reductions
@returns_tensor
def sum(x, axis=None, keepdims=False):
    """The sum of `x` over `axis` (default None: every axis; a list of axes is allowed)."""
    x = convert(x)
    return _accumulate(anp.sum, x, axis_argument(axis), keepdims, accumulator(x))


@returns_tensor
def mean(x, axis=None, keepdims=False):
    """The mean of `x` over `axis` (default None: every axis); integers and booleans give
    `floatx()`."""
    return anp.mean(real(x), axis=axis_argument(axis), keepdims=keepdims)


@returns_tensor
def prod(x, axis=None, keepdims=False, dtype=None):
    """The product of `x` over `axis` (default None: every axis)."""
    x = convert(x)
    return _accumulate(anp.prod, x, axis_argument(axis), keepdims,
                       np.dtype(dtype) if dtype is not None else accumulator(x))


@returns_tensor
def std(x, axis=None, keepdims=False):
    """The standard deviation (ddof 0) of `x` over `axis` (default None: every axis);
    integers and booleans give `floatx()`."""
    return anp.std(real(x), axis=axis_argument(axis), keepdims=keepdims)


@returns_tensor
def var(x, axis=None, keepdims=False):
    """The variance (ddof 0) of `x` over `axis` (default None: every axis); integers and
    booleans give `floatx()`."""
    return anp.var(real(x), axis=axis_argument(axis), keepdims=keepdims)


@returns_tensor
def max(x, axis=None, keepdims=False, initial=None):
    """The largest value of `x` over `axis` (default None: every axis)."""
    extra = {} if initial is None else {"initial": initial}
    return anp.max(convert(x), axis=axis_argument(axis), keepdims=keepdims, **extra)


@returns_tensor
def min(x, axis=None, keepdims=False, initial=None):
    """The smallest value of `x` over `axis` (default None: every axis)."""
    extra = {} if initial is None else {"initial": initial}
    return anp.min(convert(x), axis=axis_argument(axis), keepdims=keepdims, **extra)


amax = max
amin = min


@returns_tensor
def all(x, axis=None, keepdims=False):
    """Whether every value of `x` over `axis` is true (default None: every axis)."""
    return anp.all(convert(x), axis=axis_argument(axis), keepdims=keepdims)


@returns_tensor
def any(x, axis=None, keepdims=False):
    """Whether some value of `x` over `axis` is true (default None: every axis)."""
    return anp.any(convert(x), axis=axis_argument(axis), keepdims=keepdims)


@returns_tensor
def argmax(x, axis=None, keepdims=False):
    """The index (int32) of the largest value along `axis` (default None: of the flattened
    `x`)."""
    return _int32(anp.argmax(convert(x), axis=axis, keepdims=keepdims))


@returns_tensor
def argmin(x, axis=None, keepdims=False):
    """The index (int32) of the smallest value along `axis` (default None: of the flattened
    `x`)."""
    return _int32(anp.argmin(convert(x), axis=axis, keepdims=keepdims))


@returns_tensor
def argsort(x, axis=-1):
    """The indices that sort `x` along `axis` (default -1)."""
    return _int32(anp.argsort(convert(x), axis=axis))


@returns_tensor
def cumsum(x, axis=None, dtype=None):
    """The cumulative sum of `x` along `axis` (default None: of the flattened `x`)."""
    x = convert(x)
    dtype = np.dtype(dtype) if dtype is not None else accumulator(x)
    if dtype == x.dtype and dtype.kind == "f":  # autograd differentiates it without dtype
        return anp.cumsum(x, axis=axis)
    return anp.cumsum(x, axis=axis, dtype=dtype)


@returns_tensor
def clip(x, x_min, x_max):
    """`x` with values below `x_min` raised to it and above `x_max` lowered to it (None: no
    bound; if `x_max < x_min`, every value becomes `x_max`, as in Keras). Booleans give int32;
    the result keeps the dtype of `x`."""
    x = convert(x)
    if x.dtype == bool:
        x = _cast(x, np.int32)
    out = anp.clip(x, unwrap(x_min), unwrap(x_max))
    return _cast(out, x.dtype) if x.dtype.kind in "iu" else out


@returns_tensor
def round(x, decimals=0):
    """`x` rounded to `decimals` decimals (default 0; gradient 0)."""
    return anp.round(convert(x), decimals)


@returns_tensor
def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; given only `condition`, where it holds."""
    if x1 is None and x2 is None:
        return anp.where(convert(condition))
    return anp.where(convert(condition), *promote(x1, x2))


@returns_tensor
def tensordot(x1, x2, axes=2):
    """The sum of products of `x1` and `x2` over `axes` (default 2: the last two of `x1` and the
    first two of `x2`)."""
    return anp.tensordot(*promote(x1, x2), axes=axes)


@returns_tensor
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis`, the norm floored at `epsilon`.

    Args:
        x: the array.
        axis: the axis (or axes) of the norm (default -1; None: every axis).
        order: the norm's order (default 2).
        epsilon: the smallest norm divided by (default `backend.epsilon()`, 1e-7).
    """
    x = unwrap(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        # x / max(sqrt(s), eps) written as x / sqrt(max(s, eps**2)): the same value, and a
        # finite gradient for an all-zero vector.
        squares = anp.sum(x * x, axis=axis, keepdims=True)
        return x / anp.sqrt(anp.maximum(squares, epsilon * epsilon))
    norm = anp.sum(anp.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return x / anp.maximum(norm, epsilon)


# --------------------------------------------------------------------------- shapes
@returns_tensor
def reshape(x, newshape):
    """`x` with the shape `newshape` (one entry may be -1)."""
    return anp.reshape(convert(x), newshape)


@returns_tensor
def transpose(x, axes=None):
    """`x` with its axes permuted (default: reversed)."""
    return anp.transpose(convert(x), axes)


@returns_tensor
def expand_dims(x, axis):
    """`x` with a new axis of size 1 at `axis`."""
    return anp.expand_dims(convert(x), axis)


@returns_tensor
def squeeze(x, axis=None):
    """`x` without its axes of size 1 (default: all of them)."""
    return anp.squeeze(convert(x), axis=axis)


@returns_tensor
def moveaxis(x, source, destination):
    """`x` with the axes `source` moved to `destination`."""
    return anp.moveaxis(convert(x), source, destination)


@returns_tensor
def swapaxes(x, axis1, axis2):
    """`x` with `axis1` and `axis2` interchanged."""
    return anp.swapaxes(convert(x), axis1, axis2)


@returns_tensor
def concatenate(xs, axis=0):
    """The arrays `xs` joined along an existing `axis` (default 0), in the dtype they meet in."""
    return anp.concatenate(promote(*xs), axis=axis)


@returns_tensor
def stack(x, axis=0):
    """The arrays `x` stacked along a new `axis` (default 0), in the dtype they meet in."""
    return anp.stack(promote(*x), axis=axis)


@returns_tensor
def repeat(x, repeats, axis=None):
    """Each entry of `x` repeated `repeats` times along `axis` (default None: flattened)."""
    return anp.repeat(convert(x), repeats, axis=axis)


@returns_tensor
def tile(x, repeats):
    """`x` repeated `repeats` times (one count per axis)."""
    return anp.tile(convert(x), repeats)


@returns_tensor
def diag(x, k=0):
    """The `k`-th diagonal of a matrix, or a matrix with the vector `x` on it (default k=0)."""
    return anp.diag(convert(x), k)


@returns_tensor
def tril(x, k=0):
    """`x` with the entries above its `k`-th diagonal set to zero."""
    return anp.tril(convert(x), k)


@returns_tensor
def triu(x, k=0):
    """`x` with the entries below its `k`-th diagonal set to zero."""
    return anp.triu(convert(x), k)


def shape(x):
    """Returns the shape of `x` as a tuple (None for an unknown size of a symbolic input)."""
    x = unwrap(x)
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else tuple(np.shape(convert(x)))


# --------------------------------------------------------------------------- creation
@returns_tensor
def zeros(shape, dtype=None):
    """An array of zeros of `shape` (dtype default `floatx()`, as Keras)."""
    return anp.zeros(shape, dtype=dtype or config.floatx())


@returns_tensor
def ones(shape, dtype=None):
    """An array of ones of `shape` (dtype default `floatx()`, as Keras)."""
    return anp.ones(shape, dtype=dtype or config.floatx())


@returns_tensor
def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value` (dtype default `floatx()`)."""
    return anp.full(shape, unwrap(fill_value), dtype=dtype or config.floatx())


@returns_tensor
def zeros_like(x, dtype=None):
    """An array of zeros of the shape (and dtype, unless given) of `x`."""
    return anp.zeros_like(convert(x), dtype=dtype)


@returns_tensor
def ones_like(x, dtype=None):
    """An array of ones of the shape (and dtype, unless given) of `x`."""
    return anp.ones_like(convert(x), dtype=dtype)


@returns_tensor
def eye(N, M=None, k=0, dtype=None):
    """An `N x M` matrix (default square) with ones on its `k`-th diagonal (dtype default
    `floatx()`)."""
    return anp.eye(N, M, k, dtype=dtype or config.floatx())


@returns_tensor
def identity(n, dtype=None):
    """The `n x n` identity matrix (dtype default `floatx()`)."""
    return anp.identity(n, dtype=dtype or config.floatx())


@returns_tensor
def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in `[start, stop)`, or `[0, start)` without `stop`; int32 for
    integer arguments, `floatx()` when one is a float (unless `dtype` is given)."""
    if dtype is None:
        integers = builtins.all(isinstance(v, (int, np.integer)) for v in (start, stop, step)
                                if v is not None)  # `all` is this module's ops.all
        dtype = "int32" if integers else config.floatx()
    return anp.arange(start, stop, step, dtype=dtype)


@returns_tensor
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (included unless `endpoint=False`)."""
    return anp.linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep, dtype=dtype,
                        axis=axis)


# --------------------------------------------------------------------------- conversion
@returns_tensor
def cast(x, dtype):
    """Returns `x` converted to `dtype`."""
    x = convert(x)
    return x.astype(dtype) if hasattr(x, "astype") else anp.asarray(x, dtype=dtype)


@returns_tensor
def convert_to_tensor(x, dtype=None):
    """Returns `x` as an array: Variables give their current value, Python floats and lists
    of them `floatx()`, Python ints int32 (Keras 3's rules, ops/dtypes.py)."""
    x = convert(x)
    return x if dtype is None else _cast(x, np.dtype(dtype))


@returns_tensor
def convert_to_numpy(x):
    """Returns `x` as a NumPy array."""
    return np.asarray(unwrap(x))


def _real_pair(x1, x2):
    """`divide`'s arguments: integers and booleans divide as `floatx()`, as in Keras."""
    x1, x2 = promote(x1, x2)
    if builtins.all(dtype_of(v).kind in "biu" for v in (x1, x2)):
        x1, x2 = real(x1), real(x2)
    return x1, x2


def _accumulate(reduce, x, axis, keepdims, dtype):
    """`sum` / `prod` in `dtype` (NumPy would widen int32 to int64); floats keep autograd's
    dtype-free call, whose gradient is defined."""
    if dtype == x.dtype and dtype.kind == "f":
        return reduce(x, axis=axis, keepdims=keepdims)
    return reduce(x, axis=axis, keepdims=keepdims, dtype=dtype)


def _int32(indices):
    return np.asarray(indices).astype(np.int32)


__all__ = [
    "abs", "absolute", "add", "all", "amax", "amin", "any", "arange", "argmax", "argmin",
    "argsort", "cast", "clip", "concatenate", "convert_to_numpy", "convert_to_tensor", "cos",
    "cosh", "cumsum", "diag", "divide", "dot", "equal", "exp", "expand_dims", "eye", "floor",
    "full", "greater", "greater_equal", "identity", "less", "less_equal", "linspace", "log",
    "log1p", "logical_and", "logical_not", "logical_or", "matmul", "max", "maximum", "mean",
    "min", "minimum", "moveaxis", "multiply", "negative", "normalize", "not_equal", "ones",
    "ones_like", "power", "prod", "repeat", "reshape", "round", "shape", "sign", "sin", "sinh",
    "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum", "swapaxes", "tanh",
    "tensordot", "tile", "transpose", "tril", "triu", "true_divide", "var", "where", "zeros",
    "zeros_like",
]
