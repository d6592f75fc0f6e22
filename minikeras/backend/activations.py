"""K activations: `K.sigmoid`, `K.relu` (Keras 2's `alpha` slope), `K.softmax`, ...

Each is `minikeras.ops`' or `minikeras.activations`' function under its Keras 2 backend
signature (`K.relu`'s `alpha` is `activations.relu`'s `negative_slope`), except
`hard_sigmoid` (Keras 2's `0.2 * x + 0.5`) and `l2_normalize`.
"""

import autograd.numpy as anp

from minikeras import activations, ops
from minikeras.backend.arguments import as_axis, to_array
from minikeras.tensor import returns_tensor

__all__ = [
    "elu", "hard_sigmoid", "l2_normalize", "relu", "sigmoid", "softmax", "softplus", "softsign",
    "tanh",
]


@returns_tensor
def sigmoid(x):
    """`1 / (1 + exp(-x))`."""
    return activations.sigmoid(x)


tanh = ops.tanh  # the same function in Keras 2 and 3


def softmax(x, axis=-1):
    """Softmax along `axis` (default -1), `ops.softmax` of `x` read as K reads arguments."""
    return ops.softmax(to_array(x), axis=axis)


@returns_tensor
def softplus(x):
    """`log(exp(x) + 1)`."""
    return activations.softplus(x)


@returns_tensor
def softsign(x):
    """`x / (abs(x) + 1)`."""
    return activations.softsign(x)


@returns_tensor
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2 `K.relu`: `alpha` is the negative slope (`activations.relu`'s `negative_slope`)."""
    return activations.relu(x, negative_slope=alpha, max_value=max_value, threshold=threshold)


@returns_tensor
def elu(x, alpha=1.0):
    """`x` for `x > 0`, else `alpha * (exp(x) - 1)`."""
    return activations.elu(x, alpha=alpha)


@returns_tensor
def hard_sigmoid(x):
    """Keras 2's hard sigmoid `clip(0.2 * x + 0.5, 0, 1)` (the activation of Keras 3 differs)."""
    return anp.clip(0.2 * to_array(x) + 0.5, 0.0, 1.0)


@returns_tensor
def l2_normalize(x, axis=None):
    """`x / sqrt(max(sum(x**2, axis), 1e-12))` (as `tf.math.l2_normalize`): `ops.normalize`
    with its floor on the norm at 1e-6."""
    return ops.normalize(to_array(x), axis=as_axis(axis), epsilon=1e-6)
