"""K math: reductions, element-wise functions, comparisons, `switch` and products.

Each is `minikeras.ops`' function under Keras 2's signature, plus only Keras 2's own rules
(default axes, `K.sqrt` of a negative number, `K.clip` bounds); `switch` and `batch_dot`,
which `keras.ops` does not have, are written here. Differentiable by autograd.
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import ops
from minikeras.backend.arguments import to_array
from minikeras.tensor import returns_tensor

__all__ = [
    "abs", "all", "any", "argmax", "argmin", "batch_dot", "clip", "cos", "cumsum", "dot", "equal",
    "exp", "greater", "greater_equal", "less", "less_equal", "log", "max", "maximum", "mean",
    "min", "minimum", "not_equal", "pow", "prod", "round", "sign", "sin", "sqrt", "square", "std",
    "sum", "switch", "var",
]


# --------------------------------------------------------------------------- same as ops
# Keras 2's K functions that mean what Keras 3's `keras.ops` ones mean, with the same
# arguments: one implementation (minikeras.ops), not a second one here. The Keras 3 dtype
# rules come with it (the mean of booleans is floatx, a list of floats is floatx...).
abs = ops.abs
all = ops.all
any = ops.any
cos = ops.cos
exp = ops.exp
log = ops.log
max = ops.max
mean = ops.mean
min = ops.min
prod = ops.prod
round = ops.round  # halves to even, as tf.round
sign = ops.sign
sin = ops.sin
square = ops.square
std = ops.std
sum = ops.sum
var = ops.var


# --------------------------------------------------------------------------- Keras 2's rules
def argmax(x, axis=-1):
    """Index of the maximum along `axis`: Keras 2's default is the last axis (-1), Keras 3's
    the flattened array."""
    return ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    """Index of the minimum along `axis` (Keras 2's default -1, the last axis)."""
    return ops.argmin(x, axis=axis)


def cumsum(x, axis=0):
    """Cumulative sum along `axis` (Keras 2's default 0; Keras 3's flattens)."""
    return ops.cumsum(x, axis=axis)


def sqrt(x):
    """Square root of `max(x, 0)`: Keras 2 gives 0 for negative inputs, not NaN."""
    return ops.sqrt(ops.maximum(x, 0))


def pow(x, a):
    """`x ** a` (`ops.power`)."""
    return ops.power(x, a)


def clip(x, min_value, max_value):
    """Clips `x` to `[min_value, max_value]`; None means unbounded; Keras 2 raises
    `max_value` to `min_value` when it is smaller (Keras 3 lets `max_value` win)."""
    if min_value is None and max_value is None:
        min_value = float("-inf")  # Keras 2 clips to (-inf, inf); NumPy wants one bound
    elif min_value is not None and max_value is not None and ops.any(
            ops.less(max_value, min_value)):
        max_value = ops.maximum(max_value, min_value)
    return ops.clip(x, min_value, max_value)


def _with_keras2_names(op, doc):
    """`op(x, y)` under Keras 2's argument names `x`, `y` (`ops` calls them `x1`, `x2`), so
    course code calling `K.maximum(x=..., y=...)` works."""
    def function(x, y):
        return op(x, y)
    function.__name__ = function.__qualname__ = op.__name__
    function.__doc__ = doc
    return function


maximum = _with_keras2_names(ops.maximum, "Element-wise maximum.")
minimum = _with_keras2_names(ops.minimum, "Element-wise minimum.")
equal = _with_keras2_names(ops.equal, "`x == y`, element-wise (a boolean array).")
not_equal = _with_keras2_names(ops.not_equal, "`x != y`, element-wise (a boolean array).")
greater = _with_keras2_names(ops.greater, "`x > y`, element-wise (a boolean array).")
greater_equal = _with_keras2_names(ops.greater_equal,
                                   "`x >= y`, element-wise (a boolean array).")
less = _with_keras2_names(ops.less, "`x < y`, element-wise (a boolean array).")
less_equal = _with_keras2_names(ops.less_equal, "`x <= y`, element-wise (a boolean array).")


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
def dot(x, y):
    """Matrix product; for N-D inputs, sums over the last axis of `x` and the second-to-last of
    `y`: the shape is `x.shape[:-1] + y.shape[:-2] + y.shape[-1:]`, as Keras 2 and `ops.dot`."""
    return ops.dot(x, y)


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
