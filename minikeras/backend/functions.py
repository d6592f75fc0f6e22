"""The `K` functions of Keras 2 course code (`from keras import backend as K`).

Each mirrors Keras's legacy backend (`keras/src/legacy/backend.py`, the tf.keras 2 functions):
same names, argument order (`K.categorical_crossentropy(target, output)`), `axis=None,
keepdims=False` defaults and results, written with `autograd.numpy` so custom losses, metrics and
layers built from them are differentiable. Every argument may be an array, a Python number or
list, or a `Variable` (its current value is used). `floatx`, `epsilon`, `image_data_format`,
`clear_session` and `set_random_seed` live in `minikeras.backend` itself.
"""

import builtins as _builtins

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import activations as _activations
from minikeras import config as _config
from minikeras.random_seed import global_rng as _global_rng
from minikeras.variables import Variable, unwrap


def _t(x):
    """The value of `x`: a Variable's current value, lists and numbers as `floatx()` arrays."""
    x = unwrap(x)
    if isinstance(x, (list, tuple)):
        values = [unwrap(v) for v in x]
        if _builtins.any(hasattr(v, "shape") and np.ndim(v) for v in values):
            return anp.stack(values) if len(values) > 1 else anp.expand_dims(values[0], 0)
        return np.asarray(values, dtype=_config.floatx())
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return np.asarray(x, dtype=_config.floatx())
    return x


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float(x):
    """Booleans (and integers) become `floatx()`, as Keras's `mean`, `std` and `var` do."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind in "biu":
        return anp.asarray(x).astype(_config.floatx())
    return x


# --------------------------------------------------------------------------- reductions
def sum(x, axis=None, keepdims=False):
    """Sum of `x` over `axis` (default None: all axes)."""
    return anp.sum(_t(x), axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product of `x` over `axis` (default None: all axes)."""
    return anp.prod(_t(x), axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean of `x` over `axis` (default None); booleans count as `floatx()` 0/1."""
    return anp.mean(_float(_t(x)), axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation (ddof 0) over `axis` (default None)."""
    return anp.std(_float(_t(x)), axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance (ddof 0) over `axis` (default None)."""
    return anp.var(_float(_t(x)), axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    """Maximum of `x` over `axis` (default None)."""
    return anp.max(_t(x), axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum of `x` over `axis` (default None)."""
    return anp.min(_t(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    """Logical OR over `axis` (default None) of `x` cast to bool."""
    return np.any(np.asarray(getval(_t(x))).astype(bool), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """Logical AND over `axis` (default None) of `x` cast to bool."""
    return np.all(np.asarray(getval(_t(x))).astype(bool), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=-1):
    """Index of the maximum along `axis` (default -1, the last)."""
    return np.argmax(getval(_t(x)), axis=axis)


def argmin(x, axis=-1):
    """Index of the minimum along `axis` (default -1, the last)."""
    return np.argmin(getval(_t(x)), axis=axis)


def cumsum(x, axis=0):
    """Cumulative sum along `axis` (default 0)."""
    return anp.cumsum(_t(x), axis=axis)


# --------------------------------------------------------------------------- element-wise math
def abs(x):
    """Absolute value."""
    return anp.abs(_t(x))


def square(x):
    """`x ** 2`."""
    x = _t(x)
    return x * x


def sqrt(x):
    """Square root of `max(x, 0)` (negative inputs give 0, as in Keras 2, not NaN)."""
    return anp.sqrt(anp.maximum(_t(x), 0))


def pow(x, a):
    """`x ** a`."""
    return anp.power(_t(x), unwrap(a))


def exp(x):
    """`e ** x`."""
    return anp.exp(_t(x))


def log(x):
    """Natural logarithm."""
    return anp.log(_t(x))


def round(x):
    """Rounds to the nearest integer, halves to even (as `tf.round`)."""
    return anp.round(_t(x))


def sign(x):
    """-1, 0 or 1 by the sign of `x`."""
    return anp.sign(_t(x))


def sin(x):
    """Sine."""
    return anp.sin(_t(x))


def cos(x):
    """Cosine."""
    return anp.cos(_t(x))


def clip(x, min_value, max_value):
    """Clips `x` to `[min_value, max_value]`; None means unbounded; `max < min` clips to `min`."""
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    if np.ndim(min_value) == 0 and np.ndim(max_value) == 0 and max_value < min_value:
        max_value = min_value
    return anp.clip(_t(x), unwrap(min_value), unwrap(max_value))


def maximum(x, y):
    """Element-wise maximum."""
    return anp.maximum(_t(x), _t(y))


def minimum(x, y):
    """Element-wise minimum."""
    return anp.minimum(_t(x), _t(y))


def _compare(op):
    def fn(x, y):
        return op(getval(_t(x)), getval(_t(y)))

    fn.__name__ = op.__name__
    fn.__doc__ = f"Element-wise `{op.__name__}` (a boolean array)."
    return fn


equal = _compare(np.equal)
not_equal = _compare(np.not_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
less = _compare(np.less)
less_equal = _compare(np.less_equal)


def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition` holds, else `else_expression` (callables are called)."""
    then_expression = then_expression() if callable(then_expression) else then_expression
    else_expression = else_expression() if callable(else_expression) else else_expression
    condition = np.asarray(getval(_t(condition))).astype(bool)
    then_expression, else_expression = _t(then_expression), _t(else_expression)
    extra = np.ndim(then_expression) - condition.ndim
    if condition.ndim and extra > 0:  # Keras broadcasts a lower-rank condition from the left
        condition = condition.reshape(condition.shape + (1,) * extra)
    return anp.where(condition, then_expression, else_expression)


# --------------------------------------------------------------------------- activations
def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return _activations.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return _activations.tanh(x)


def softmax(x, axis=-1):
    """Softmax along `axis` (default -1)."""
    return _activations.softmax(x, axis=axis)


def softplus(x):
    """`log(exp(x) + 1)`."""
    return _activations.softplus(x)


def softsign(x):
    """`x / (abs(x) + 1)`."""
    return _activations.softsign(x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2 `K.relu`: `alpha` is the negative slope (`activations.relu`'s `negative_slope`)."""
    return _activations.relu(x, negative_slope=alpha, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.0):
    """`x` for `x > 0`, else `alpha * (exp(x) - 1)`."""
    return _activations.elu(x, alpha=alpha)


def hard_sigmoid(x):
    """Keras 2's hard sigmoid `clip(0.2 * x + 0.5, 0, 1)` (the activation of Keras 3 differs)."""
    return anp.clip(0.2 * _t(x) + 0.5, 0.0, 1.0)


def l2_normalize(x, axis=None):
    """`x / sqrt(max(sum(x**2, axis), 1e-12))` (as `tf.math.l2_normalize`)."""
    x = _t(x)
    return x / anp.sqrt(anp.maximum(anp.sum(x * x, axis=_axis(axis), keepdims=True), 1e-12))


# --------------------------------------------------------------------------- losses
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy between one-hot `target` and `output`, target first.

    Probabilities are rescaled to sum to 1 and clipped to `[epsilon, 1 - epsilon]`; with
    `from_logits=True`, `output` holds logits.
    """
    target, output = _t(target), _t(output)
    if np.shape(target) != np.shape(output):
        raise ValueError(f"categorical_crossentropy: target shape {np.shape(target)} and output "
                         f"shape {np.shape(output)} must be equal.")
    if from_logits:
        return -anp.sum(target * _activations.log_softmax(output, axis=axis), axis=axis)
    output = output / anp.sum(output, axis=axis, keepdims=True)
    eps = _config.epsilon()
    return -anp.sum(target * anp.log(anp.clip(output, eps, 1.0 - eps)), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy between integer class indices `target` and `output`."""
    target, output = np.asarray(getval(_t(target))), _t(output)
    if target.ndim == np.ndim(output) and target.shape[-1] == 1:
        target = target[..., 0]
    axis = axis % np.ndim(output)
    one_hot_ = np.moveaxis(np.eye(np.shape(output)[axis], dtype=output.dtype)[
        target.astype(np.int64)], -1, axis)
    return categorical_crossentropy(one_hot_, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy (not averaged), target first.

    Probabilities are clipped to `[epsilon, 1 - epsilon]`, then
    `-(t*log(p + eps) + (1-t)*log(1 - p + eps))`, as Keras 2; logits use the stable form.
    """
    target, output = _t(target), _t(output)
    if from_logits:
        return anp.maximum(output, 0) - output * target + anp.log1p(anp.exp(-anp.abs(output)))
    eps = _config.epsilon()
    output = anp.clip(output, eps, 1.0 - eps)
    return -(target * anp.log(output + eps) + (1 - target) * anp.log(1 - output + eps))


# --------------------------------------------------------------------------- shapes
def int_shape(x):
    """The shape as a tuple of ints (None for unknown dimensions)."""
    x = unwrap(x)
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else np.shape(x)


def shape(x):
    """The shape as a tuple (`K.shape(x)[0]` is the batch size)."""
    return int_shape(x)


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
    return anp.reshape(_t(x), tuple(shape))


def flatten(x):
    """`x` as a 1-D array."""
    return anp.reshape(_t(x), (-1,))


def batch_flatten(x):
    """`x` as `(batch, -1)`."""
    x = _t(x)
    return anp.reshape(x, (np.shape(x)[0], -1))


def expand_dims(x, axis=-1):
    """Inserts an axis of size 1 at `axis` (default -1, the end)."""
    return anp.expand_dims(_t(x), axis)


def squeeze(x, axis):
    """Removes the axis `axis` of size 1."""
    return anp.squeeze(_t(x), axis=axis)


def transpose(x):
    """Reverses the order of the axes."""
    return anp.transpose(_t(x))


def permute_dimensions(x, pattern):
    """Permutes the axes, e.g. `pattern=(0, 2, 1)`."""
    return anp.transpose(_t(x), tuple(pattern))


def concatenate(tensors, axis=-1):
    """Joins arrays along an existing `axis` (default -1)."""
    return anp.concatenate([_t(t) for t in tensors], axis=axis)


def stack(x, axis=0):
    """Joins arrays along a new `axis` (default 0)."""
    return anp.stack([_t(t) for t in x], axis=axis)


def tile(x, n):
    """Repeats `x` `n[i]` times along axis `i`."""
    return anp.tile(_t(x), [n] if isinstance(n, int) else list(n))


def repeat_elements(x, rep, axis):
    """Repeats each element `rep` times along `axis`."""
    return anp.repeat(_t(x), rep, axis=axis)


def gather(reference, indices):
    """The rows `reference[indices]`."""
    return _t(reference)[np.asarray(getval(_t(indices))).astype(np.int64)]


def one_hot(indices, num_classes):
    """One-hot `floatx()` encoding with a new last axis of size `num_classes`."""
    indices = np.asarray(getval(unwrap(indices))).astype(np.int64)
    return np.eye(num_classes, dtype=_config.floatx())[indices]


# --------------------------------------------------------------------------- products
def dot(x, y):
    """Matrix product; for N-D inputs, sums over the last axis of `x` and the second-to-last of `y`.

    The result's shape is `x.shape[:-1] + y.shape[:-2] + y.shape[-1:]`, as Keras.
    """
    x, y = _t(x), _t(y)
    if np.ndim(x) > 2 or np.ndim(y) > 2:
        y_axis = np.ndim(y) - 2 if np.ndim(y) > 1 else 0
        return anp.tensordot(x, y, axes=[[np.ndim(x) - 1], [y_axis]])
    return anp.dot(x, y)


_LETTERS = "bcdefghijklmnopqrstuvwxyz"


def batch_dot(x, y, axes=None):
    """Dot product of each pair `x[i]`, `y[i]` of a batch, contracting `axes` (as Keras 2).

    `axes` defaults to the last axis of `x` and the last (2-D `y`) or second-to-last axis of `y`.
    Two 2-D inputs give shape `(batch, 1)`.
    """
    x, y = _t(x), _t(y)
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


# --------------------------------------------------------------------------- creation
def _floatx_dtype(dtype):
    return np.dtype(dtype or _config.floatx())


def cast(x, dtype):
    """`x` converted to `dtype` (differentiable between float types)."""
    x = _t(x)
    return x.astype(dtype) if hasattr(x, "astype") else anp.asarray(x, dtype=dtype)


def cast_to_floatx(x):
    """`x` as a NumPy array of `floatx()`."""
    return np.asarray(getval(unwrap(x)), dtype=_config.floatx())


def constant(value, dtype=None, shape=None, name=None):
    """An array of `value` (broadcast to `shape` if given), dtype `floatx()` by default."""
    value = np.asarray(getval(unwrap(value)), dtype=_floatx_dtype(dtype))
    return np.array(np.broadcast_to(value, tuple(shape))) if shape is not None else value


def zeros(shape, dtype=None, name=None):
    """An array of zeros (`floatx()` by default)."""
    return np.zeros(tuple(shape) if not isinstance(shape, int) else shape, _floatx_dtype(dtype))


def ones(shape, dtype=None, name=None):
    """An array of ones (`floatx()` by default)."""
    return np.ones(tuple(shape) if not isinstance(shape, int) else shape, _floatx_dtype(dtype))


def eye(size, dtype=None, name=None):
    """The identity matrix (`size` an int or `(rows, cols)`)."""
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return np.eye(rows, cols, dtype=_floatx_dtype(dtype))


def zeros_like(x, dtype=None, name=None):
    """Zeros with the shape (and by default the dtype) of `x`."""
    x = getval(_t(x))
    return np.zeros(np.shape(x), dtype=dtype or np.asarray(x).dtype)


def ones_like(x, dtype=None, name=None):
    """Ones with the shape (and by default the dtype) of `x`."""
    x = getval(_t(x))
    return np.ones(np.shape(x), dtype=dtype or np.asarray(x).dtype)


def arange(start, stop=None, step=1, dtype="int32"):
    """`numpy.arange` with Keras's default dtype int32."""
    if stop is None and start < 0:
        start = 0
    return np.arange(start, stop, step).astype(dtype)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples (global generator, or a fresh one seeded with `seed`)."""
    rng = np.random.default_rng(seed) if seed is not None else _global_rng()
    return rng.normal(mean, stddev, size=tuple(shape)).astype(_floatx_dtype(dtype))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples on `[minval, maxval)`."""
    rng = np.random.default_rng(seed) if seed is not None else _global_rng()
    return rng.uniform(minval, maxval, size=tuple(shape)).astype(_floatx_dtype(dtype))


def stop_gradient(variables):
    """`variables` treated as constants by the gradient."""
    if isinstance(variables, (list, tuple)):
        return [getval(unwrap(v)) for v in variables]
    return getval(unwrap(variables))


# --------------------------------------------------------------------------- variables
def variable(value, dtype=None, name=None, constraint=None):
    """A `Variable` holding `value` (`floatx()` by default)."""
    return Variable(np.asarray(getval(unwrap(value))), dtype=dtype or _config.floatx(),
                    name=name, constraint=constraint)


def is_variable(x):
    """Whether `x` is a `Variable`."""
    return isinstance(x, Variable)


def _check_variable(x, fn):
    if not hasattr(x, "assign"):
        hint = ""
        if isinstance(x, (int, float, np.floating)):
            hint = (" (a learning rate driven by a LearningRateSchedule is not a variable: "
                    "change the schedule instead)")
        raise TypeError(f"{fn}() expects a Variable, e.g. `model.optimizer.learning_rate`; "
                        f"received {type(x).__name__} {x!r}{hint}.")


def get_value(x):
    """The value of a `Variable` (or array) as NumPy; a 0-d value as a NumPy scalar."""
    value = np.asarray(getval(unwrap(x)))
    return value[()] if value.ndim == 0 else value


eval = get_value


def set_value(x, value):
    """Sets the `Variable` `x` to `value`: `K.set_value(model.optimizer.learning_rate, 0.01)`."""
    _check_variable(x, "set_value")
    x.assign(np.asarray(getval(unwrap(value)), dtype=np.dtype(x.dtype)))


def batch_get_value(tensors):
    """`[get_value(t) for t in tensors]`."""
    return [get_value(t) for t in tensors]


def batch_set_value(tuples):
    """`set_value(x, value)` for each `(x, value)` pair."""
    for x, value in tuples:
        set_value(x, value)


def update(x, new_x):
    """Assigns `new_x` to the `Variable` `x` and returns it."""
    _check_variable(x, "update")
    return x.assign(new_x)


def update_add(x, increment):
    """Adds `increment` to the `Variable` `x` and returns it."""
    _check_variable(x, "update_add")
    return x.assign_add(increment)


def update_sub(x, decrement):
    """Subtracts `decrement` from the `Variable` `x` and returns it."""
    _check_variable(x, "update_sub")
    return x.assign_sub(decrement)


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2 `K.function`: a callable mapping input arrays to output arrays.

    Typical use reads intermediate activations:
    `K.function([model.input], [model.layers[1].output])([x])[0]`.
    """
    from minikeras.models import Model

    single_in = not isinstance(inputs, (list, tuple))
    single_out = not isinstance(outputs, (list, tuple))
    model = Model(inputs=inputs if single_in else list(inputs),
                  outputs=outputs if single_out else list(outputs))

    def run(values):
        if not single_in and isinstance(values, (list, tuple)):
            values = list(values) if len(values) > 1 else values[0]
        out = model(values, training=False)
        if single_out:
            return np.asarray(out)
        out = out if isinstance(out, (list, tuple)) else [out]
        return [np.asarray(o) for o in out]

    return run


def learning_phase():
    """0: minikeras decides training mode per call (`training=` argument), not globally."""
    return 0


__all__ = [
    "abs", "all", "any", "arange", "argmax", "argmin", "batch_dot", "batch_flatten",
    "batch_get_value", "batch_set_value", "binary_crossentropy", "cast", "cast_to_floatx",
    "categorical_crossentropy", "clip", "concatenate", "constant", "cos", "count_params",
    "cumsum", "dot", "dtype", "elu", "equal", "eval", "exp", "expand_dims", "eye", "flatten",
    "function", "gather", "get_value", "greater", "greater_equal", "hard_sigmoid", "int_shape",
    "is_variable", "l2_normalize", "learning_phase", "less", "less_equal", "log", "max",
    "maximum", "mean", "min", "minimum", "ndim", "not_equal", "one_hot", "ones", "ones_like",
    "permute_dimensions", "pow", "prod", "random_normal", "random_uniform", "relu",
    "repeat_elements", "reshape", "round", "set_value", "shape", "sigmoid", "sign", "sin",
    "softmax", "softplus", "softsign", "sparse_categorical_crossentropy", "sqrt", "square",
    "squeeze", "stack", "std", "stop_gradient", "sum", "switch", "tanh", "tile", "transpose",
    "update", "update_add", "update_sub", "var", "variable", "zeros", "zeros_like",
]
