"""Activation functions (`keras.activations`) and their registry."""

import autograd.numpy as anp

from minikeras.backend.scope import current_scope
from minikeras.backend.variables import unwrap
from minikeras.ops import nn


def linear(x):
    """Returns `x` unchanged."""
    return unwrap(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: `max(x, 0)` by default.

    Args:
        x: input array.
        negative_slope: slope below the threshold (default 0).
        max_value: saturation value (default None: no saturation).
        threshold: values below it are damped (default 0).
    """
    x = unwrap(x)
    if negative_slope == 0 and max_value is None and threshold == 0:
        return nn.relu(x)
    if threshold != 0:
        out = anp.where(x > threshold, x, negative_slope * (x - threshold) if negative_slope else 0.0 * x)
    elif negative_slope:
        out = anp.where(x >= 0, x, negative_slope * x)
    else:
        out = nn.relu(x)
    if max_value is not None:
        out = anp.minimum(out, max_value)
    return out


def sigmoid(x):
    """Returns `1 / (1 + exp(-x))`."""
    x = unwrap(x)
    return 0.5 * (anp.tanh(0.5 * x) + 1.0)


def tanh(x):
    """Returns the hyperbolic tangent of `x`."""
    return anp.tanh(unwrap(x))


def softmax(x, axis=-1):
    """Returns `exp(x) / sum(exp(x))` along `axis` (default -1).

    Inside a training step the input is remembered, so a cross-entropy loss on these
    probabilities can be computed from the logits (same value, stable and faster).
    """
    x = unwrap(x)
    out = nn.softmax(x, axis=axis)
    scope = current_scope()
    if scope is not None and axis in (-1, anp.ndim(x) - 1):
        scope.logits[id(out)] = x
    return out


def log_softmax(x, axis=-1):
    """Returns `log(softmax(x))` along `axis` (default -1)."""
    return nn.log_softmax(unwrap(x), axis=axis)


def softplus(x):
    """Returns `log(exp(x) + 1)`."""
    return anp.logaddexp(unwrap(x), 0.0)


def exponential(x):
    """Returns `exp(x)`."""
    return anp.exp(unwrap(x))


ALL = {
    fn.__name__: fn
    for fn in (linear, relu, sigmoid, tanh, softmax, log_softmax, softplus, exponential)
}


def serialize(activation):
    """Returns the registered name of `activation`, or its `__name__` for a custom function."""
    return getattr(activation, "__name__", str(activation))


def get(identifier):
    """Returns the activation function named by `identifier`.

    Args:
        identifier: None (linear), a name such as `'relu'`, a config dict
            `{'class_name': 'relu', 'config': ...}` or any callable.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        identifier = identifier.get("config", {}).get("name", identifier.get("class_name"))
    if isinstance(identifier, str):
        fn = ALL.get(identifier) or ALL.get(identifier.lower())
        if fn is None:
            raise ValueError(
                f"Unknown activation: {identifier!r}. Expected one of {sorted(ALL)} or a callable."
            )
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation identifier: {identifier!r}. Expected a string, "
        "a callable or None."
    )
