"""Stochastic gradient descent, with optional (Nesterov) momentum."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_unit_interval


def sgd_update(g, slots, x, lr, momentum, nesterov):
    """One SGD step, Keras 3 formulas: without momentum `x -= lr*g`; else
    `m = momentum*m - lr*g` and `x += m` (Nesterov: `x += momentum*m - lr*g`, new `m`)."""
    if not slots:
        return x - g * lr, slots
    (m,) = slots
    mom = np.float32(momentum)
    m = m * mom - g * lr
    x = x + (m * mom - g * lr) if nesterov else x + m
    return x, (m,)


class SGD(Optimizer):
    """Gradient descent with momentum (Robbins & Monro, 1951; Nesterov momentum as in
    Sutskever et al., 2013, http://proceedings.mlr.press/v28/sutskever13.html).

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: float in [0, 1] (default 0.0).
        nesterov: whether to use Nesterov momentum (default False).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    elementwise = True

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
            raise ValueError("`momentum` must be a float between [0, 1]. "
                             f"Received: momentum={momentum!r}")
        check_unit_interval("momentum", momentum, closed=True)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_groups = [("momentum",)] if self.momentum != 0 else []

    def init_slots(self, x):
        return (np.zeros_like(x),) if self.momentum != 0 else ()

    def update_rule(self, g, slots, x, t, lr):
        return sgd_update(g, slots, x, lr, self.momentum, self.nesterov)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
