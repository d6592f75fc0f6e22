"""K math: reductions, element-wise functions, comparisons, `switch` and products.

Written with `autograd.numpy`, so custom losses, metrics and layers built from them are
differentiable; `axis=None, keepdims=False` defaults and results as Keras 2's backend.
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras.backend.arguments import as_axis, as_floatx, to_array
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor

__all__ = [
    "abs", "all", "any", "argmax", "argmin", "batch_dot", "clip", "cos", "cumsum", "dot", "equal",
    "exp", "greater", "greater_equal", "less", "less_equal", "log", "max", "maximum", "mean",
    "min", "minimum", "not_equal", "pow", "prod", "round", "sign", "sin", "sqrt", "square", "std",
    "sum", "switch", "var",
]


# --------------------------------------------------------------------------- reductions
@returns_tensor
def sum(x, axis=None, keepdims=False):
    """Sum of `x` over `axis` (default None: all axes)."""
    return anp.sum(to_array(x), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def prod(x, axis=None, keepdims=False):
    """Product of `x` over `axis` (default None: all axes)."""
    return anp.prod(to_array(x), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def mean(x, axis=None, keepdims=False):
    """Mean of `x` over `axis` (default None); booleans count as `floatx()` 0/1."""
    return anp.mean(as_floatx(to_array(x)), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def std(x, axis=None, keepdims=False):
    """Population standard deviation (ddof 0) over `axis` (default None)."""
    return anp.std(as_floatx(to_array(x)), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def var(x, axis=None, keepdims=False):
    """Population variance (ddof 0) over `axis` (default None)."""
    return anp.var(as_floatx(to_array(x)), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def max(x, axis=None, keepdims=False):
    """Maximum of `x` over `axis` (default None)."""
    return anp.max(to_array(x), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def min(x, axis=None, keepdims=False):
    """Minimum of `x` over `axis` (default None)."""
    return anp.min(to_array(x), axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def any(x, axis=None, keepdims=False):
    """Logical OR over `axis` (default None) of `x` cast to bool."""
    x = np.asarray(getval(to_array(x))).astype(bool)
    return np.any(x, axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def all(x, axis=None, keepdims=False):
    """Logical AND over `axis` (default None) of `x` cast to bool."""
    x = np.asarray(getval(to_array(x))).astype(bool)
    return np.all(x, axis=as_axis(axis), keepdims=keepdims)


@returns_tensor
def argmax(x, axis=-1):
    """Index of the maximum along `axis` (default -1, the last)."""
    return np.argmax(getval(to_array(x)), axis=axis)


@returns_tensor
def argmin(x, axis=-1):
    """Index of the minimum along `axis` (default -1, the last)."""
    return np.argmin(getval(to_array(x)), axis=axis)


@returns_tensor
def cumsum(x, axis=0):
    """Cumulative sum along `axis` (default 0)."""
    return anp.cumsum(to_array(x), axis=axis)


# --------------------------------------------------------------------------- element-wise
@returns_tensor
def abs(x):
    """Absolute value."""
    return anp.abs(to_array(x))


@returns_tensor
def square(x):
    """`x ** 2`."""
    x = to_array(x)
    return x * x


@returns_tensor
def sqrt(x):
    """Square root of `max(x, 0)` (negative inputs give 0, as in Keras 2, not NaN)."""
    return anp.sqrt(anp.maximum(to_array(x), 0))


@returns_tensor
def pow(x, a):
    """`x ** a`."""
    return anp.power(to_array(x), unwrap(a))


@returns_tensor
def exp(x):
    """`e ** x`."""
    return anp.exp(to_array(x))


@returns_tensor
def log(x):
    """Natural logarithm."""
    return anp.log(to_array(x))


@returns_tensor
def round(x):
    """Rounds to the nearest integer, halves to even (as `tf.round`)."""
    return anp.round(to_array(x))


@returns_tensor
def sign(x):
    """-1, 0 or 1 by the sign of `x`."""
    return anp.sign(to_array(x))


@returns_tensor
def sin(x):
    """Sine."""
    return anp.sin(to_array(x))


@returns_tensor
def cos(x):
    """Cosine."""
    return anp.cos(to_array(x))


@returns_tensor
def clip(x, min_value, max_value):
    """Clips `x` to `[min_value, max_value]`; None means unbounded; `max < min` clips to `min`."""
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    if np.ndim(min_value) == 0 and np.ndim(max_value) == 0 and max_value < min_value:
        max_value = min_value
    return anp.clip(to_array(x), unwrap(min_value), unwrap(max_value))


@returns_tensor
def maximum(x, y):
    """Element-wise maximum."""
    return anp.maximum(to_array(x), to_array(y))


@returns_tensor
def minimum(x, y):
    """Element-wise minimum."""
    return anp.minimum(to_array(x), to_array(y))


def _compare(op):
    def fn(x, y):
        return op(getval(to_array(x)), getval(to_array(y)))

    fn.__name__ = op.__name__
    fn.__doc__ = f"Element-wise `{op.__name__}` (a boolean array)."
    return fn


equal = _compare(np.equal)
not_equal = _compare(np.not_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
less = _compare(np.less)
less_equal = _compare(np.less_equal)


@returns_tensor
def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition` holds, else `else_expression` (callables are called)."""
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    condition = np.asarray(getval(to_array(condition))).astype(bool)
    then_expression, else_expression = to_array(then_expression), to_array(else_expression)
    extra = np.ndim(then_expression) - condition.ndim
    if condition.ndim and extra > 0:  # Keras broadcasts a lower-rank condition from the left
        condition = condition.reshape(condition.shape + (1,) * extra)
    return anp.where(condition, then_expression, else_expression)


# --------------------------------------------------------------------------- products
@returns_tensor
def dot(x, y):
    """Matrix product; for N-D inputs, sums over the last axis of `x` and the second-to-last of `y`.

    The result's shape is `x.shape[:-1] + y.shape[:-2] + y.shape[-1:]`, as Keras.
    """
    x, y = to_array(x), to_array(y)
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        y_axis = np.ndim(y) - 2 if np.ndim(y) > 1 else 0
        return anp.tensordot(x, y, axes=[[np.ndim(x) - 1], [y_axis]])
    return anp.dot(x, y)


_LETTERS = "bcdefghijklmnopqrstuvwxyz"


@returns_tensor
def batch_dot(x, y, axes=None):
    """Dot product of each pair `x[i]`, `y[i]` of a batch, contracting `axes` (as Keras 2).

    `axes` defaults to the last axis of `x` and the last (2-D `y`) or second-to-last axis of `y`.
    Two 2-D inputs give shape `(batch, 1)`.
    """
    x, y = to_array(x), to_array(y)
    xn, yn = np.ndim(x), np.ndim(y)
    if xn < 2 or yn < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {np.shape(x)} and {np.shape(y)}.")
    if np.shape(x)[0] != np.shape(y)[0]:
        raise ValueError(f"Cannot do batch_dot on inputs with different batch sizes. Received "
                         f"inputs with shapes {np.shape(x)} and {np.shape(y)}.")
    if axes is None:
        axes = [xn - 1, yn - 1 if yn == 2 else yn - 2]
    elif isinstance(axes, int):
        axes = [axes, axes]
    a0, a1 = (a % n for a, n in zip(axes, (xn, yn)))
    if 0 in (a0, a1):
        raise ValueError("Cannot perform batch_dot over axis 0 (the batch axis).")
    if np.shape(x)[a0] != np.shape(y)[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {np.shape(x)} and "
                         f"{np.shape(y)} with axes={axes}: {np.shape(x)[a0]} != {np.shape(y)[a1]}.")
    xs = "a" + _LETTERS[: xn - 1]
    ys = list("a" + _LETTERS[xn - 1: xn - 1 + yn - 1])
    ys[a1] = xs[a0]
    ys = "".join(ys)
    out = xs.replace(xs[a0], "") + "".join(c for i, c in enumerate(ys) if i not in (0, a1))
    result = anp.einsum(f"{xs},{ys}->{out}", x, y)
    return anp.expand_dims(result, 1) if np.ndim(result) == 1 else result
