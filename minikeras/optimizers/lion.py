"""Lion, EvoLved Sign Momentum (Chen et al., 2023, https://arxiv.org/abs/2302.06675)."""

import numpy as np

from minikeras.optimizers.arguments import check_unit_interval
from minikeras.optimizers.base import Optimizer

f32 = np.float32


class Lion(Optimizer):
    """Lion: a sign-of-momentum update; use a learning rate 3-10x smaller than AdamW's.

    Keras 3's rule: `x -= lr*sign(b1*m + (1-b1)*g)` with the old `m`, then
    `m = b2*m + (1-b2)*g`.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: mixes the gradient into the momentum for the update, in (0, 1] (default 0.9).
        beta_2: decay rate of the momentum, in [0, 1] (default 0.99).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("momentum",)]

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError("Argument `beta_1` must be in the (0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        check_unit_interval("beta_2", beta_2, closed=True)
        self.beta_1, self.beta_2 = beta_1, beta_2

    def init_state(self, values):
        """`(momentums,)`."""
        return ([np.zeros_like(x) for x in values],)

    def update(self, grads, state, values, step, lr):
        b1, b2 = f32(self.beta_1), f32(self.beta_2)
        new_values = [x - lr * np.sign(m * b1 + g * (f32(1) - b1))
                      for g, x, m in zip(grads, values, state[0])]
        momentums = [m * b2 + g * (f32(1) - b2) for g, m in zip(grads, state[0])]
        return new_values, (momentums,)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
