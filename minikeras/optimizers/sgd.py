"""Stochastic gradient descent, with optional (Nesterov) momentum."""

import numpy as np

from minikeras.optimizers.base import Optimizer


def sgd_update(g, slots, x, lr, momentum, nesterov):
    """One SGD step, Keras 3 formulas: `m = momentum*m - lr*g`; `x += m` (Nesterov:
    `x += momentum*m - lr*g` with the new `m`); without momentum `x -= lr*g`."""
    if not momentum:
        return x - lr * g, slots
    (m,) = slots
    mom = np.float32(momentum)
    m = m * mom - g * lr
    x = x + (m * mom - g * lr) if nesterov else x + m
    return x, (m,)


class SGD(Optimizer):
    """Gradient descent with momentum (Keras defaults: `learning_rate=0.01, momentum=0.0,
    nesterov=False`). Nesterov momentum follows Sutskever et al., 2013.

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: float >= 0 (default 0.0).
        nesterov: whether to use Nesterov momentum (default False).
        **kwargs: the common `Optimizer` arguments.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def init_slots(self, x):
        return (np.zeros_like(x),) if self.momentum else ()

    def update_rule(self, g, slots, x, t, lr):
        return sgd_update(g, slots, x, lr, self.momentum, self.nesterov)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
