"""The `keras.ops` functions written on `autograd.numpy`: NumPy-style math, reductions, shapes
and array creation, plus `normalize`. Every one is differentiable by autograd.

Each accepts `Variable`s as well as arrays, so a user's `call` can write
`ops.matmul(inputs, self.kernel)` exactly as in Keras. Arguments follow Keras's signatures;
dtypes follow NumPy's (creation functions default to float64 unless given `dtype`).
"""

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor


# --------------------------------------------------------------------------- element-wise
@returns_tensor
def abs(x):
    """The absolute value of `x`, element-wise."""
    return anp.abs(unwrap(x))


@returns_tensor
def absolute(x):
    """The absolute value of `x`, element-wise (same as `abs`)."""
    return anp.absolute(unwrap(x))


@returns_tensor
def cos(x):
    """The cosine of `x`, element-wise."""
    return anp.cos(unwrap(x))


@returns_tensor
def cosh(x):
    """The hyperbolic cosine of `x`, element-wise."""
    return anp.cosh(unwrap(x))


@returns_tensor
def exp(x):
    """`e ** x`, element-wise."""
    return anp.exp(unwrap(x))


@returns_tensor
def floor(x):
    """The largest integer not above `x`, element-wise (gradient 0)."""
    return anp.floor(unwrap(x))


@returns_tensor
def log(x):
    """The natural logarithm of `x`, element-wise."""
    return anp.log(unwrap(x))


@returns_tensor
def log1p(x):
    """`log(1 + x)`, element-wise, accurate for small `x`."""
    return anp.log1p(unwrap(x))


@returns_tensor
def logical_not(x):
    """`not x`, element-wise."""
    return anp.logical_not(unwrap(x))


@returns_tensor
def negative(x):
    """`-x`, element-wise."""
    return anp.negative(unwrap(x))


@returns_tensor
def sign(x):
    """-1, 0 or 1 by the sign of `x`, element-wise (gradient 0)."""
    return anp.sign(unwrap(x))


@returns_tensor
def sin(x):
    """The sine of `x`, element-wise."""
    return anp.sin(unwrap(x))


@returns_tensor
def sinh(x):
    """The hyperbolic sine of `x`, element-wise."""
    return anp.sinh(unwrap(x))


@returns_tensor
def sqrt(x):
    """The square root of `x`, element-wise."""
    return anp.sqrt(unwrap(x))


@returns_tensor
def square(x):
    """`x * x`, element-wise."""
    return anp.square(unwrap(x))


@returns_tensor
def tanh(x):
    """The hyperbolic tangent of `x`, element-wise."""
    return anp.tanh(unwrap(x))


@returns_tensor
def add(x1, x2):
    """`x1 + x2`, broadcast."""
    return anp.add(unwrap(x1), unwrap(x2))


@returns_tensor
def subtract(x1, x2):
    """`x1 - x2`, broadcast."""
    return anp.subtract(unwrap(x1), unwrap(x2))


@returns_tensor
def multiply(x1, x2):
    """`x1 * x2`, broadcast."""
    return anp.multiply(unwrap(x1), unwrap(x2))


@returns_tensor
def divide(x1, x2):
    """`x1 / x2`, broadcast."""
    return anp.divide(unwrap(x1), unwrap(x2))


@returns_tensor
def true_divide(x1, x2):
    """`x1 / x2`, broadcast (same as `divide`)."""
    return anp.true_divide(unwrap(x1), unwrap(x2))


@returns_tensor
def power(x1, x2):
    """`x1 ** x2`, broadcast."""
    return anp.power(unwrap(x1), unwrap(x2))


@returns_tensor
def maximum(x1, x2):
    """The larger of `x1` and `x2`, element-wise."""
    return anp.maximum(unwrap(x1), unwrap(x2))


@returns_tensor
def minimum(x1, x2):
    """The smaller of `x1` and `x2`, element-wise."""
    return anp.minimum(unwrap(x1), unwrap(x2))


@returns_tensor
def equal(x1, x2):
    """`x1 == x2`, element-wise."""
    return anp.equal(unwrap(x1), unwrap(x2))


@returns_tensor
def not_equal(x1, x2):
    """`x1 != x2`, element-wise."""
    return anp.not_equal(unwrap(x1), unwrap(x2))


@returns_tensor
def greater(x1, x2):
    """`x1 > x2`, element-wise."""
    return anp.greater(unwrap(x1), unwrap(x2))


@returns_tensor
def greater_equal(x1, x2):
    """`x1 >= x2`, element-wise."""
    return anp.greater_equal(unwrap(x1), unwrap(x2))


@returns_tensor
def less(x1, x2):
    """`x1 < x2`, element-wise."""
    return anp.less(unwrap(x1), unwrap(x2))


@returns_tensor
def less_equal(x1, x2):
    """`x1 <= x2`, element-wise."""
    return anp.less_equal(unwrap(x1), unwrap(x2))


@returns_tensor
def logical_and(x1, x2):
    """`x1 and x2`, element-wise."""
    return anp.logical_and(unwrap(x1), unwrap(x2))


@returns_tensor
def logical_or(x1, x2):
    """`x1 or x2`, element-wise."""
    return anp.logical_or(unwrap(x1), unwrap(x2))


@returns_tensor
def matmul(x1, x2):
    """The matrix product of `x1` and `x2` (batched over leading axes)."""
    return anp.matmul(unwrap(x1), unwrap(x2))


@returns_tensor
def dot(x1, x2):
    """The dot product of `x1` and `x2` (`numpy.dot`)."""
    return anp.dot(unwrap(x1), unwrap(x2))



# --------------------------------------------------------------------------- reductions
@returns_tensor
def sum(x, axis=None, keepdims=False):
    """The sum of `x` over `axis` (default None: every axis)."""
    return anp.sum(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def mean(x, axis=None, keepdims=False):
    """The mean of `x` over `axis` (default None: every axis)."""
    return anp.mean(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def prod(x, axis=None, keepdims=False, dtype=None):
    """The product of `x` over `axis` (default None: every axis)."""
    return anp.prod(unwrap(x), axis=axis, keepdims=keepdims, dtype=dtype)


@returns_tensor
def std(x, axis=None, keepdims=False):
    """The standard deviation of `x` over `axis` (default None: every axis)."""
    return anp.std(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def var(x, axis=None, keepdims=False):
    """The variance of `x` over `axis` (default None: every axis)."""
    return anp.var(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def max(x, axis=None, keepdims=False, initial=None):
    """The largest value of `x` over `axis` (default None: every axis)."""
    extra = {} if initial is None else {"initial": initial}
    return anp.max(unwrap(x), axis=axis, keepdims=keepdims, **extra)


@returns_tensor
def min(x, axis=None, keepdims=False, initial=None):
    """The smallest value of `x` over `axis` (default None: every axis)."""
    extra = {} if initial is None else {"initial": initial}
    return anp.min(unwrap(x), axis=axis, keepdims=keepdims, **extra)


amax = max
amin = min


@returns_tensor
def all(x, axis=None, keepdims=False):
    """Whether every value of `x` over `axis` is true (default None: every axis)."""
    return anp.all(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def any(x, axis=None, keepdims=False):
    """Whether some value of `x` over `axis` is true (default None: every axis)."""
    return anp.any(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def argmax(x, axis=None, keepdims=False):
    """The index of the largest value along `axis` (default None: of the flattened `x`)."""
    return anp.argmax(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def argmin(x, axis=None, keepdims=False):
    """The index of the smallest value along `axis` (default None: of the flattened `x`)."""
    return anp.argmin(unwrap(x), axis=axis, keepdims=keepdims)


@returns_tensor
def argsort(x, axis=-1):
    """The indices that sort `x` along `axis` (default -1)."""
    return anp.argsort(unwrap(x), axis=axis)


@returns_tensor
def cumsum(x, axis=None, dtype=None):
    """The cumulative sum of `x` along `axis` (default None: of the flattened `x`)."""
    return anp.cumsum(unwrap(x), axis=axis, dtype=dtype)


@returns_tensor
def clip(x, x_min, x_max):
    """`x` with values below `x_min` raised to it and above `x_max` lowered to it."""
    return anp.clip(unwrap(x), unwrap(x_min), unwrap(x_max))


@returns_tensor
def round(x, decimals=0):
    """`x` rounded to `decimals` decimals (default 0; gradient 0)."""
    return anp.round(unwrap(x), decimals)


@returns_tensor
def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, else `x2`; given only `condition`, where it holds."""
    if x1 is None and x2 is None:
        return anp.where(unwrap(condition))
    return anp.where(unwrap(condition), unwrap(x1), unwrap(x2))


@returns_tensor
def tensordot(x1, x2, axes=2):
    """The sum of products of `x1` and `x2` over `axes` (default 2: the last two of `x1` and the
    first two of `x2`)."""
    return anp.tensordot(unwrap(x1), unwrap(x2), axes=axes)


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
    return anp.reshape(unwrap(x), newshape)


@returns_tensor
def transpose(x, axes=None):
    """`x` with its axes permuted (default: reversed)."""
    return anp.transpose(unwrap(x), axes)


@returns_tensor
def expand_dims(x, axis):
    """`x` with a new axis of size 1 at `axis`."""
    return anp.expand_dims(unwrap(x), axis)


@returns_tensor
def squeeze(x, axis=None):
    """`x` without its axes of size 1 (default: all of them)."""
    return anp.squeeze(unwrap(x), axis=axis)


@returns_tensor
def moveaxis(x, source, destination):
    """`x` with the axes `source` moved to `destination`."""
    return anp.moveaxis(unwrap(x), source, destination)


@returns_tensor
def swapaxes(x, axis1, axis2):
    """`x` with `axis1` and `axis2` interchanged."""
    return anp.swapaxes(unwrap(x), axis1, axis2)


@returns_tensor
def concatenate(xs, axis=0):
    """The arrays `xs` joined along an existing `axis` (default 0)."""
    return anp.concatenate([unwrap(x) for x in xs], axis=axis)


@returns_tensor
def stack(x, axis=0):
    """The arrays `x` stacked along a new `axis` (default 0)."""
    return anp.stack([unwrap(v) for v in x], axis=axis)


@returns_tensor
def repeat(x, repeats, axis=None):
    """Each entry of `x` repeated `repeats` times along `axis` (default None: flattened)."""
    return anp.repeat(unwrap(x), repeats, axis=axis)


@returns_tensor
def tile(x, repeats):
    """`x` repeated `repeats` times (one count per axis)."""
    return anp.tile(unwrap(x), repeats)


@returns_tensor
def diag(x, k=0):
    """The `k`-th diagonal of a matrix, or a matrix with the vector `x` on it (default k=0)."""
    return anp.diag(unwrap(x), k)


@returns_tensor
def tril(x, k=0):
    """`x` with the entries above its `k`-th diagonal set to zero."""
    return anp.tril(unwrap(x), k)


@returns_tensor
def triu(x, k=0):
    """`x` with the entries below its `k`-th diagonal set to zero."""
    return anp.triu(unwrap(x), k)


def shape(x):
    """Returns the shape of `x` as a tuple."""
    return tuple(anp.shape(unwrap(x)))


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
    return anp.zeros_like(unwrap(x), dtype=dtype)


@returns_tensor
def ones_like(x, dtype=None):
    """An array of ones of the shape (and dtype, unless given) of `x`."""
    return anp.ones_like(unwrap(x), dtype=dtype)


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
    """Evenly spaced values in `[start, stop)`, or `[0, start)` without `stop`."""
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
    x = unwrap(x)
    return x.astype(dtype) if hasattr(x, "astype") else anp.asarray(x, dtype=dtype)


@returns_tensor
def convert_to_tensor(x, dtype=None):
    """Returns `x` as an array (Variables give their current value)."""
    x = unwrap(x)
    return anp.asarray(x, dtype=dtype) if dtype is not None or not hasattr(x, "shape") else x


@returns_tensor
def convert_to_numpy(x):
    """Returns `x` as a NumPy array."""
    return np.asarray(unwrap(x))


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
