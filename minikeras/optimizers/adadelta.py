"""Adadelta (Zeiler, 2012, https://arxiv.org/abs/1212.5701)."""

import numpy as np

from minikeras.optimizers.arguments import check_unit_interval, keras2_epsilon
from minikeras.optimizers.base import Optimizer

f32 = np.float32


class Adadelta(Optimizer):
    """Adadelta: Adagrad with a moving window, scaled by the running RMS of past updates.

    Keras 3's rule: `Eg = rho*Eg + (1-rho)*g²`; `d = -sqrt(Edx + eps)*g/sqrt(Eg + eps)`;
    `Edx = rho*Edx + (1-rho)*d²`; `x += lr*d`.

    Args:
        learning_rate: float, schedule or callable (default 0.001 as in Keras 3; Keras 2 and the
            paper use 1.0, which the old `mnist_cnn` example relied on).
        rho: the decay rate, in [0, 1) (default 0.95).
        epsilon: added inside both square roots (default 1e-7;
            Keras 2's None means `K.epsilon()`).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("accumulated_grad", "accumulated_delta_var")]

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_unit_interval("rho", rho)
        epsilon = keras2_epsilon(epsilon)
        self.rho, self.epsilon = rho, epsilon

    def init_state(self, values):
        """`(accumulated_grads, accumulated_delta_vars)`."""
        return [np.zeros_like(x) for x in values], [np.zeros_like(x) for x in values]

    def update(self, grads, state, values, step, lr):
        rho, one_minus_rho, eps = f32(self.rho), f32(1 - self.rho), f32(self.epsilon)
        new_values, new_eg, new_edx = [], [], []
        for g, x, eg, edx in zip(grads, values, state[0], state[1]):
            eg = rho * eg + one_minus_rho * (g * g)
            delta = -(np.sqrt(edx + eps) * g / np.sqrt(eg + eps))
            edx = rho * edx + one_minus_rho * (delta * delta)
            new_values.append(x + lr * delta)
            new_eg.append(eg), new_edx.append(edx)
        return new_values, (new_eg, new_edx)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
