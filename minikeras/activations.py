"""Activation functions (`keras.activations`) and their registry.

The formulas are Keras 3's (`keras/src/activations/activations.py`, JAX backend). Every function
accepts arrays, `Variable`s and values traced by autograd, keeps the input's float dtype, and is
differentiable. Where autograd's generic rules would be slow or wrong, the function is a primitive
with a hand-written VJP: a `where` whose discarded branch overflows (`expm1(1000)` in ELU) gives
`inf * 0 = NaN` in the generic gradient, and `tanh`'s generic VJP divides by an overflowing `cosh`.
"""

import math

import autograd.numpy as anp
import numpy as np
from autograd.extend import defvjp, primitive
from autograd.tracer import getval

from minikeras import config, serialization
from minikeras.ops import nn
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor


def _tensor(x):
    """Unwraps `Variable`s; lists and Python numbers become `floatx()` arrays, as in Keras."""
    x = unwrap(x)
    if isinstance(x, (list, tuple, int, float)):
        return np.asarray(x, dtype=config.floatx())
    return x


def _f(value):
    """A hyper-parameter as a Python float: NumPy scalars (e.g. read from an .h5 file) would
    promote float32 inputs to float64 under NumPy 2's rules."""
    return None if value is None else float(value)


# --------------------------------------------------------------------------- primitives
@primitive
def _sigmoid(x):
    # exp(-|x|) never overflows; both branches equal 1 / (1 + exp(-x)).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


defvjp(_sigmoid, lambda ans, x: lambda g: g * ans * (1 - ans))


@primitive
def _tanh(x):
    return np.tanh(x)


# autograd's own rule, g / cosh(x)**2, overflows (with a warning) for |x| > 89 in float32.
defvjp(_tanh, lambda ans, x: lambda g: g * (1 - ans * ans))


@primitive
def _softplus(x):
    return np.logaddexp(x, 0.0)


defvjp(_softplus, lambda ans, x: lambda g: g * _sigmoid(x))


@primitive
def _elu(x, alpha):
    # expm1 only sees x <= 0, so the branch `where` discards cannot overflow.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


# For x <= 0, d/dx alpha*(exp(x) - 1) = alpha*exp(x) = ans + alpha. At 0 the slope is alpha (JAX).
defvjp(_elu, lambda ans, x, alpha: lambda g: g * np.where(x > 0, 1, ans + alpha))


def _mask(condition, x):
    """`condition` (computed on plain values) as 0/1 in `x`'s float dtype, a constant for autograd.

    Multiplying by a mask keeps float32 gradients float32; autograd's `where` VJP pads with
    float64 zeros.
    """
    return np.asarray(condition, dtype=_float_dtype(x))


def _float_dtype(x):
    return x.dtype if x.dtype.kind == "f" else np.dtype(config.floatx())


@primitive
def _erfc(x):
    """Complementary error function, fractional error < 1.2e-7 everywhere.

    Chebyshev fit of Numerical Recipes (`erfcc`), evaluated in float64; NumPy has no erf and
    SciPy is not a dependency.
    """
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    r = t * np.exp(-z * z + poly)
    return np.where(x >= 0, r, 2.0 - r).astype(_float_dtype(x))


# The exact derivative, not the fit's.
defvjp(_erfc, lambda ans, x: lambda g: g * (-2.0 / math.sqrt(math.pi)) * np.exp(-x * x))


# --------------------------------------------------------------------------- the ReLU family
@returns_tensor
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)` with the defaults.

    Args:
        x: input array.
        negative_slope: slope below `threshold` (default 0.0).
        max_value: saturation value (default None: no saturation).
        threshold: values below it are damped or set to 0 (default 0.0).

    Returns:
        `x` for `threshold < x < max_value`, `max_value` above it, and
        `negative_slope * (x - threshold)` below `threshold`; the gradient at a kink is 0.
    """
    x = _tensor(x)
    negative_slope, max_value, threshold = _f(negative_slope), _f(max_value), _f(threshold)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return leaky_relu(x, negative_slope=negative_slope)
    if threshold != 0:
        out = x * _mask(getval(x) > threshold, x)
    elif max_value == 6:
        out, max_value = relu6(x), None
    else:
        out = nn.relu(x)
    if max_value is not None:
        # As Keras, the clip also floors at 0: with a negative threshold and a max_value,
        # values in (threshold, 0) become 0.
        out = anp.clip(out, 0, max_value)
    if negative_slope != 0:
        out = out - negative_slope * nn.relu(threshold - x)
    return out


@returns_tensor
def leaky_relu(x, negative_slope=0.2):
    """`x` for `x >= 0`, else `negative_slope * x` (default 0.2; the layer's default is 0.3)."""
    x = _tensor(x)
    return x * np.where(getval(x) >= 0, 1, _f(negative_slope)).astype(_float_dtype(x))


@returns_tensor
def relu6(x):
    """`min(max(x, 0), 6)`."""
    return anp.clip(_tensor(x), 0, 6)


@returns_tensor
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for `x > 0`, else `alpha * (exp(x) - 1)` (default alpha 1.0)."""
    return _elu(_tensor(x), _f(alpha))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@returns_tensor
def selu(x):
    """Scaled ELU: `scale * elu(x, alpha)` with `alpha=1.67326324`, `scale=1.05070098`."""
    return _SELU_SCALE * _elu(_tensor(x), _SELU_ALPHA)


@returns_tensor
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`."""
    # The same function as alpha * elu(x / alpha), whose gradient is NaN-safe.
    alpha = _f(alpha)
    return alpha * _elu(_tensor(x) / alpha, 1.0)


@returns_tensor
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    x = _tensor(x)
    m = _mask(getval(x) > threshold, x)
    return x * m + _f(default_value) * (1 - m)


# --------------------------------------------------------------------------- sigmoid family
@returns_tensor
def sigmoid(x):
    """Returns `1 / (1 + exp(-x))`, computed without overflow."""
    return _sigmoid(_tensor(x))


@returns_tensor
def hard_sigmoid(x):
    """Keras 3's `relu6(x + 3) / 6` (0.667 at x = 1; Keras 2 used `clip(0.2x + 0.5, 0, 1)`)."""
    return anp.clip(_tensor(x) + 3, 0, 6) / 6


@returns_tensor
def sparse_sigmoid(x):
    """0 for `x <= -1`, 1 for `x >= 1`, `(x + 1) / 2` between."""
    return 0.5 * anp.clip(_tensor(x) + 1, 0, 2)


@returns_tensor
def log_sigmoid(x):
    """`log(sigmoid(x)) = -softplus(-x)`."""
    return -_softplus(-_tensor(x))


@returns_tensor
def silu(x):
    """Swish / SiLU: `x * sigmoid(x)`."""
    x = _tensor(x)
    return x * _sigmoid(x)


swish = silu


@returns_tensor
def hard_silu(x):
    """Hard swish / hard SiLU: `x * relu6(x + 3) / 6`."""
    x = _tensor(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


# --------------------------------------------------------------------------- smooth functions
@returns_tensor
def tanh(x):
    """Returns the hyperbolic tangent of `x`."""
    return _tanh(_tensor(x))


@returns_tensor
def tanh_shrink(x):
    """`x - tanh(x)`."""
    x = _tensor(x)
    return x - _tanh(x)


@returns_tensor
def hard_tanh(x):
    """`clip(x, -1, 1)`."""
    return anp.clip(_tensor(x), -1, 1)


@returns_tensor
def softplus(x):
    """`log(exp(x) + 1)`, computed without overflow."""
    return _softplus(_tensor(x))


@returns_tensor
def softsign(x):
    """`x / (abs(x) + 1)`."""
    x = _tensor(x)
    return x / (anp.abs(x) + 1)


@returns_tensor
def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2` (default `b=4`)."""
    x = _tensor(x)
    return (x + anp.sqrt(x * x + _f(b))) / 2


@returns_tensor
def sparse_plus(x):
    """0 for `x <= -1`, `x` for `x >= 1`, `(x + 1)**2 / 4` between."""
    x = _tensor(x)
    v = getval(x)
    return x * _mask(v >= 1, x) + 0.25 * (x + 1) ** 2 * _mask((v > -1) & (v < 1), x)


@returns_tensor
def mish(x):
    """`x * tanh(softplus(x))`."""
    x = _tensor(x)
    return x * _tanh(_softplus(x))


@returns_tensor
def gelu(x, approximate=False):
    """Gaussian error linear unit, `x * P(X <= x)` for `X ~ N(0, 1)`.

    Args:
        x: input array.
        approximate: use the tanh approximation (Keras 3's default is False, the exact form
            `0.5 * x * (1 + erf(x / sqrt(2)))`; `keras.ops.gelu` defaults to True).
    """
    x = _tensor(x)
    if approximate:
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return x * (0.5 * (1 + _tanh(inner)))
    # erfc(-z) = 1 + erf(z), without the cancellation for negative z.
    return 0.5 * x * _erfc(x * (-1 / math.sqrt(2)))


@returns_tensor
def exponential(x):
    """Returns `exp(x)`."""
    return anp.exp(_tensor(x))


@returns_tensor
def linear(x):
    """Returns `x` unchanged (a `Variable` gives its value)."""
    return unwrap(x)


@returns_tensor
def soft_shrink(x, threshold=0.5):
    """`x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0."""
    x = _tensor(x)
    threshold = _f(threshold)
    return x - anp.clip(x, -threshold, threshold)


@returns_tensor
def hard_shrink(x, threshold=0.5):
    """`x` where `abs(x) > threshold`, else 0 (default threshold 0.5)."""
    x = _tensor(x)
    return x * _mask(np.abs(getval(x)) > threshold, x)


# --------------------------------------------------------------------------- along an axis
@returns_tensor
def softmax(x, axis=-1):
    """Returns `exp(x) / sum(exp(x))` along `axis` (default -1; a tuple of axes is allowed)."""
    x = _tensor(x)
    return nn.softmax(x, axis=tuple(axis) if isinstance(axis, list) else axis)


@returns_tensor
def log_softmax(x, axis=-1):
    """Returns `log(softmax(x))` along `axis` (default -1)."""
    x = _tensor(x)
    return nn.log_softmax(x, axis=tuple(axis) if isinstance(axis, list) else axis)


@returns_tensor
def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)` where `x` is split in halves `a, b` along `axis`."""
    x = _tensor(x)
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu expects an even size along axis {axis}; received shape {x.shape}.")
    index = [slice(None)] * len(x.shape)
    index[axis] = slice(0, n // 2)
    a = x[tuple(index)]
    index[axis] = slice(n // 2, n)
    return a * _sigmoid(x[tuple(index)])


@returns_tensor
def sparsemax(x, axis=-1):
    """Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of `x` on the simplex.

    `tau = (sum of the k largest - 1) / k`. (Keras 3.15 sums the cumulative sums instead, and its
    outputs do not sum to 1; this is the paper's definition.)
    """
    x = _tensor(x)
    # Which entries are in the support does not depend on x differentiably: find it with
    # plain NumPy (autograd cannot differentiate a multi-dimensional sort), then write tau with
    # autograd over the support, in the original order.
    xv = np.asarray(getval(x))
    z = -np.sort(-xv, axis=axis)
    shape = [1] * xv.ndim
    shape[axis] = xv.shape[axis]
    r = np.arange(1, xv.shape[axis] + 1).reshape(shape)
    k = np.sum(z - (np.cumsum(z, axis=axis) - 1) / r > 0, axis=axis, keepdims=True)
    kth_largest = np.take_along_axis(z, k - 1, axis=axis)
    support = xv >= kth_largest
    tau = (anp.sum(x * _mask(support, x), axis=axis, keepdims=True) - 1) / k.astype(xv.dtype)
    return nn.relu(x - tau)


# --------------------------------------------------------------------------- fusion
# The activations a product primitive (`ops.dense`, `ops.conv`) applies itself, in place on its
# output, with the gradient taken from that output: the keys name `ops.nn.FUSED_ACTIVATIONS`.
# Only the functions themselves with their default arguments qualify (`relu` with a slope or a
# ceiling is another function). Softmax is not fused here: the cross-entropy fuses with it.
_FUSED = {linear: "linear", relu: "relu", sigmoid: "sigmoid", tanh: "tanh"}


def fused_name(activation):
    """The name under which product primitives fuse `activation`, or None if they cannot."""
    try:
        return _FUSED.get(activation)
    except TypeError:  # an unhashable callable
        return None


def call_fused(activation, product, *args, **kwargs):
    """Returns `activation(product(*args, **kwargs))`: the one way layers apply an activation
    to a product (`Dense`, `Conv*`).

    When `activation` has a fused epilogue, it is passed to `product` as
    `activation=<name>` and applied there (one traced node, no extra pass); otherwise it is
    called on the product's output.
    """
    name = fused_name(activation)
    if name is not None:
        return product(*args, activation=name, **kwargs)
    return activation(product(*args, **kwargs))


# --------------------------------------------------------------------------- registry
ALL = {
    fn.__name__: fn
    for fn in (relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign,
               squareplus, soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink,
               threshold, sigmoid, sparse_sigmoid, exponential, hard_sigmoid, hard_silu,
               hard_tanh, hard_shrink, linear, mish, log_softmax, log_sigmoid, sparsemax)
}
ALL["swish"] = silu
ALL["hard_swish"] = hard_silu

# The activation layers a config dict may name (`Dense(activation=LeakyReLU(0.1))` is saved as
# `{'class_name': 'LeakyReLU', 'config': {...}}`), by class name. Layers sit above this module,
# so it cannot import them: minikeras/layers/activations.py adds its classes when it is imported.
LAYER_CLASSES = {}


def serialize(activation):
    """Returns what `get` turns back into `activation`, as Keras 3 writes it.

    A built-in function gives its name (`'relu'`; `swish` gives `'silu'`, as in Keras), an
    object with `get_config` (e.g. a `LeakyReLU` layer) gives its Keras 3 config dict, and any
    other function Keras 3's `{'module': 'builtins', 'class_name': 'function', 'config': name,
    'registered_name': 'function'}` (`name` is `'Package>name'` for a registered function).
    """
    if activation is None:
        return "linear"
    if hasattr(activation, "get_config"):
        return serialization.serialize_keras_object(activation)
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"Cannot serialize activation {activation!r}: it has no name. Use a "
                         "named function or one of keras.activations.")
    if name in ALL:
        return name
    return serialization.serialize_function(activation)


def deserialize(config, custom_objects=None):
    """Returns the activation described by `config` (a name or a config dict)."""
    return serialization.deserialize(get, config, custom_objects)


def _from_dict(identifier):
    """The function name a config dict stands for, or the activation layer it describes."""
    config_ = identifier.get("config")
    class_name = identifier.get("class_name")
    if isinstance(config_, str):  # Keras 3: {'class_name': 'function', 'config': 'relu', ...}
        return config_
    if isinstance(config_, dict) and "name" in config_ and class_name in (None, "function"):
        return config_["name"]
    if class_name in LAYER_CLASSES:
        return LAYER_CLASSES[class_name].from_config(config_ or {})
    return class_name  # a function's name (`get` says which names it knows)


def get(identifier):
    """Returns the activation function named by `identifier`.

    Args:
        identifier: None (linear), a name such as `'relu'` or `'swish'` (any case), the class
            name of an activation layer (`'LeakyReLU'`: the layer with its defaults, as tf.keras
            2), a config dict (`{'class_name': 'function', 'config': 'relu'}` from Keras 3, or an
            activation layer's), or any callable (returned as is, e.g. `keras.backend.tanh`).

    Raises:
        ValueError: for an unknown name or an identifier of another type.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        identifier = _from_dict(identifier)
    if isinstance(identifier, str) and identifier.lower() not in ALL and identifier in LAYER_CLASSES:
        return LAYER_CLASSES[identifier]()
    return serialization.get_instance("activation", {}, identifier, functions=ALL, any_case=True)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
