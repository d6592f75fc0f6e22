"""Stochastic gradient descent (Robbins & Monro, 1951), with momentum and Nesterov momentum
(Sutskever et al., 2013, http://proceedings.mlr.press/v28/sutskever13.html)."""

import numpy as np

from minikeras.optimizers.arguments import check_unit_interval
from minikeras.optimizers.base import Optimizer
from minikeras.optimizers.passes import into


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    Keras 3's rule: without momentum `x -= lr*g`; else `m = momentum*m - lr*g`, then `x += m`
    (Nesterov: `x += momentum*m - lr*g`, with the new `m`).

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: float in [0, 1] (default 0.0).
        nesterov: whether to use Nesterov momentum (default False).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
            raise ValueError("`momentum` must be a float between [0, 1]. "
                             f"Received: momentum={momentum!r}")
        check_unit_interval("momentum", momentum, closed=True)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_groups = [("momentum",)] if self.momentum != 0 else []

    def init_state(self, values):
        """`(momentums,)`, or `()` without momentum."""
        return ([np.zeros_like(x) for x in values],) if self.momentum != 0 else ()

    def update(self, grads, state, values, step, lr):
        mom = np.float32(self.momentum)
        new_values, momentums = [], []
        for i, (g, x) in enumerate(zip(grads, values)):
            # Keras's operations in its order, written into the arrays made here (passes.py).
            scaled = g * lr
            if self.momentum == 0:
                new_values.append(into(np.subtract, x, scaled, out=scaled))
                continue
            m = state[0][i] * mom
            m -= scaled  # m * mom - g * lr
            if self.nesterov:
                increment = m * mom
                increment -= scaled  # m * mom - g * lr, with the new m
                new_values.append(into(np.add, x, increment, out=increment))
            else:
                new_values.append(into(np.add, x, m, out=scaled))
            momentums.append(m)
        return new_values, ((momentums,) if self.momentum != 0 else ())

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
