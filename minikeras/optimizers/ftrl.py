"""FTRL-Proximal, Follow The Regularized Leader (McMahan et al., 2013,
https://research.google.com/pubs/archive/41159.pdf)."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_non_negative


def ftrl_update(g, slots, x, lr, lr_power, l1, l2, l2_shrinkage, beta):
    """One FTRL step, Keras 3 formulas. The weights are recomputed from the accumulator `n` and
    the linear term `z`, not incremented:

    `n' = n + g²`; `z += g + 2*l2_shrinkage*x - (n'^-p - n^-p)/lr * x`;
    `x = (clip(z, -l1, l1) - z) / (n'^-p/lr + 2*(l2 + beta/(2*lr)))`.
    """
    f32 = np.float32
    acc, linear = slots
    l2_reg = f32(l2) + f32(beta) / (f32(2) * lr)
    grad = g + f32(2 * l2_shrinkage) * x
    new_acc = acc + g * g
    p = f32(-lr_power)
    linear = linear + (grad - (new_acc ** p - acc ** p) / lr * x)
    quadratic = new_acc ** p / lr + f32(2) * l2_reg
    x = (np.clip(linear, -f32(l1), f32(l1)) - linear) / quadratic
    return x, (new_acc, linear)


class Ftrl(Optimizer):
    """FTRL: suited to shallow models with large, sparse feature spaces.

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

    elementwise = True

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

    def init_slots(self, x):
        return (np.full_like(x, self.initial_accumulator_value), np.zeros_like(x))

    def update_rule(self, g, slots, x, t, lr):
        return ftrl_update(g, slots, x, lr, self.learning_rate_power,
                           self.l1_regularization_strength, self.l2_regularization_strength,
                           self.l2_shrinkage_regularization_strength, self.beta)

    def get_config(self):
        return {**super().get_config(),
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
