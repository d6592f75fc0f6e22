"""LAMB, layer-wise adaptive moments (You et al., 2019, "Large Batch Optimization for Deep
Learning: Training BERT in 76 minutes", https://arxiv.org/abs/1904.00962)."""

import numpy as np

from minikeras.optimizers.arguments import check_betas, keras2_epsilon
from minikeras.optimizers.base import Optimizer

f32 = np.float32


class Lamb(Optimizer):
    """Lamb: Adam's bias-corrected step, rescaled per variable by a trust ratio.

    Keras 3's rule: `m += (g-m)*(1-b1)`; `v += (g²-v)*(1-b2)`;
    `r = (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)`; `ratio = |x| / |r|` (L2 norms over the whole
    variable), 1 when either norm is 0; `x -= ratio*lr*r`. Unlike the paper, Keras puts no
    weight decay inside `r`: `weight_decay` is the decoupled decay every optimizer has.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: added to the bias-corrected `sqrt(v)` (default 1e-7).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, ...).
    """

    slot_groups = [("momentum", "velocity")]

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_betas(beta_1, beta_2)
        epsilon = keras2_epsilon(epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def init_state(self, values):
        """`(momentums, velocities)`."""
        return [np.zeros_like(x) for x in values], [np.zeros_like(x) for x in values]

    def update(self, grads, state, values, step, lr):
        # Keras raises the float32 betas to the power t and rounds `1 - beta` from the double.
        t = f32(step)
        b1_correction = f32(1) - f32(self.beta_1) ** t
        b2_correction = f32(1) - f32(self.beta_2) ** t
        one_minus_b1, one_minus_b2 = f32(1 - self.beta_1), f32(1 - self.beta_2)
        eps, one = f32(self.epsilon), f32(1)
        new_values, new_m, new_v = [], [], []
        for g, x, m, v in zip(grads, values, state[0], state[1]):
            m = m + (g - m) * one_minus_b1
            v = v + (g * g - v) * one_minus_b2
            r = (m / b1_correction) / (np.sqrt(v / b2_correction) + eps)
            w_norm, r_norm = np.sqrt(np.sum(x * x)), np.sqrt(np.sum(r * r))
            ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else one
            new_values.append(x - ratio * lr * r)
            new_m.append(m), new_v.append(v)
        return new_values, (new_m, new_v)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
