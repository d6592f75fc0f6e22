"""Adamax, Adam with the infinity norm (Kingma & Ba, 2014, section 7.1,
https://arxiv.org/abs/1412.6980)."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_non_negative, check_unit_interval


def adamax_update(g, slots, x, t, lr, beta_1, beta_2, epsilon):
    """One Adamax step, Keras 3 formulas: `m += (g-m)*(1-b1)`; `u = max(b2*u, |g|)`;
    `x -= lr*m / ((1-b1^t)*(u+eps))`."""
    f32 = np.float32
    m, u = slots
    m = m + (g - m) * f32(1 - beta_1)
    u = np.maximum(f32(beta_2) * u, np.abs(g))
    x = x - lr * m / ((f32(1) - f32(beta_1) ** f32(t)) * (u + f32(epsilon)))
    return x, (m, u)


class Adamax(Optimizer):
    """Adamax: Adam whose second moment is an exponentially weighted infinity norm.

    Args:
        learning_rate: float, schedule or callable (default 0.001; Keras 2 used 0.002).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the infinity norm, in [0, 1) (default 0.999).
        epsilon: added to the norm (default 1e-7).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    elementwise = True

    slot_groups = [("momentum", "norm")]

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_unit_interval("beta_1", beta_1)
        check_unit_interval("beta_2", beta_2)
        check_non_negative("epsilon", epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def init_slots(self, x):
        return (np.zeros_like(x), np.zeros_like(x))

    def update_rule(self, g, slots, x, t, lr):
        return adamax_update(g, slots, x, t, lr, self.beta_1, self.beta_2, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
