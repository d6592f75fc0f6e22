"""FTRL-Proximal, Follow The Regularized Leader (McMahan et al., 2013,
https://research.google.com/pubs/archive/41159.pdf)."""

import numpy as np

from minikeras.optimizers.arguments import check_non_negative
from minikeras.optimizers.base import Optimizer

f32 = np.float32


class Ftrl(Optimizer):
    """FTRL: suited to shallow models with large, sparse feature spaces.

    Keras 3's rule recomputes the weights from the accumulator `n` and the linear term `z`
    instead of incrementing them, with `p = -learning_rate_power`:
    `n' = n + g²`; `z += g + 2*l2_shrinkage*x - (n'^p - n^p)/lr * x`;
    `x = (clip(z, -l1, l1) - z) / (n'^p/lr + 2*(l2 + beta/(2*lr)))`.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        learning_rate_power: how the learning rate decreases, <= 0 (default -0.5; 0 keeps it
            fixed).
        initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1).
        l1_regularization_strength: >= 0 (default 0.0).
        l2_regularization_strength: a stabilisation penalty, >= 0 (default 0.0).
        l2_shrinkage_regularization_strength: a magnitude penalty added to the gradient, >= 0
            (default 0.0).
        beta: the paper's beta, added as `beta / (2*lr)` to the L2 strength (default 0.0).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("accumulator", "linear")]

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if learning_rate_power > 0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        for arg, value in (("initial_accumulator_value", initial_accumulator_value),
                           ("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength",
                            l2_shrinkage_regularization_strength)):
            check_non_negative(arg, value)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def init_state(self, values):
        """`(accumulators, linears)`."""
        return ([np.full_like(x, self.initial_accumulator_value) for x in values],
                [np.zeros_like(x) for x in values])

    def update(self, grads, state, values, step, lr):
        l1, p = f32(self.l1_regularization_strength), f32(-self.learning_rate_power)
        l2_reg = f32(self.l2_regularization_strength) + f32(self.beta) / (f32(2) * lr)
        shrinkage = f32(2 * self.l2_shrinkage_regularization_strength)
        new_values, new_n, new_z = [], [], []
        for g, x, n, z in zip(grads, values, state[0], state[1]):
            grad = g + shrinkage * x
            n_next = n + g * g
            z = z + (grad - (n_next ** p - n ** p) / lr * x)
            quadratic = n_next ** p / lr + f32(2) * l2_reg
            new_values.append((np.clip(z, -l1, l1) - z) / quadratic)
            new_n.append(n_next), new_z.append(z)
        return new_values, (new_n, new_z)

    def get_config(self):
        return {**super().get_config(),
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
