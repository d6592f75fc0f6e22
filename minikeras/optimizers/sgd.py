"""Stochastic gradient descent, with optional (Nesterov) momentum."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_unit_interval


def sgd_update(g, slots, x, lr, momentum, nesterov, out=None):
    """One SGD step, Keras 3 formulas: without momentum `x -= lr*g`; else
    `m = momentum*m - lr*g` and `x += m` (Nesterov: `x += momentum*m - lr*g`, new `m`).

    The momentum is updated in place; the new value is written into `out` (a new array when
    None).
    """
    step = g * lr
    if not slots:
        return np.subtract(x, step, out=out), slots
    (m,) = slots
    mom = np.float32(momentum)
    m *= mom
    m -= step
    return np.add(x, m * mom - step if nesterov else m, out=out), slots


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
    in_place = True

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

    def update_rule(self, g, slots, x, t, lr, out=None):
        return sgd_update(g, slots, x, lr, self.momentum, self.nesterov, out)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
