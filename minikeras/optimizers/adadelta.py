"""Adadelta (Zeiler, 2012, https://arxiv.org/abs/1212.5701)."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_non_negative, check_unit_interval


def adadelta_update(g, slots, x, lr, rho, epsilon):
    """One Adadelta step, Keras 3 formulas: `Eg = rho*Eg + (1-rho)g²`;
    `d = -sqrt(Edx + eps)*g / sqrt(Eg + eps)`; `Edx = rho*Edx + (1-rho)d²`; `x += lr*d`."""
    f32 = np.float32
    eg, edx = slots
    eg = f32(rho) * eg + f32(1 - rho) * (g * g)
    delta = -(np.sqrt(edx + f32(epsilon)) * g / np.sqrt(eg + f32(epsilon)))
    edx = f32(rho) * edx + f32(1 - rho) * (delta * delta)
    return x + lr * delta, (eg, edx)


class Adadelta(Optimizer):
    """Adadelta: Adagrad with a moving window, scaled by the running RMS of past updates.

    Args:
        learning_rate: float, schedule or callable (default 0.001 as in Keras 3; Keras 2 and the
            paper use 1.0, which the old `mnist_cnn` example relied on).
        rho: the decay rate, in [0, 1) (default 0.95).
        epsilon: added inside both square roots (default 1e-7).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    elementwise = True

    slot_groups = [("accumulated_grad", "accumulated_delta_var")]

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_unit_interval("rho", rho)
        check_non_negative("epsilon", epsilon)
        self.rho, self.epsilon = rho, epsilon

    def init_slots(self, x):
        return (np.zeros_like(x), np.zeros_like(x))

    def update_rule(self, g, slots, x, t, lr):
        return adadelta_update(g, slots, x, lr, self.rho, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
