"""Adamax, Adam with the infinity norm (Kingma & Ba, 2014, section 7.1,
https://arxiv.org/abs/1412.6980)."""

import numpy as np

from minikeras.optimizers.arguments import check_betas, keras2_epsilon
from minikeras.optimizers.base import Optimizer

f32 = np.float32


class Adamax(Optimizer):
    """Adamax: Adam whose second moment is an exponentially weighted infinity norm.

    Keras 3's rule: `m += (g-m)*(1-b1)`; `u = max(b2*u, |g|)`; `x -= lr*m/((1-b1^t)*(u+eps))`.

    Args:
        learning_rate: float, schedule or callable (default 0.001; Keras 2 used 0.002).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the infinity norm, in [0, 1) (default 0.999).
        epsilon: added to the norm (default 1e-7;
            Keras 2's None means `K.epsilon()`).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("momentum", "norm")]

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_betas(beta_1, beta_2)
        epsilon = keras2_epsilon(epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def init_state(self, values):
        """`(momentums, norms)`."""
        return [np.zeros_like(x) for x in values], [np.zeros_like(x) for x in values]

    def update(self, grads, state, values, step, lr):
        bias_correction = f32(1) - f32(self.beta_1) ** f32(step)
        new_values, new_m, new_u = [], [], []
        for g, x, m, u in zip(grads, values, state[0], state[1]):
            m = m + (g - m) * f32(1 - self.beta_1)
            u = np.maximum(f32(self.beta_2) * u, np.abs(g))
            new_values.append(x - lr * m / (bias_correction * (u + f32(self.epsilon))))
            new_m.append(m), new_u.append(u)
        return new_values, (new_m, new_u)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
