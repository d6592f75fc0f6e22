"""Adagrad (Duchi, Hazan & Singer, 2011,
http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf)."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_non_negative


def adagrad_update(g, slots, x, lr, epsilon):
    """One Adagrad step, Keras 3 formulas: `acc += g²`; `x -= lr*g/sqrt(acc + eps)` (epsilon
    inside the square root; Keras 2 put it outside)."""
    acc = slots[0] + g * g
    return x - lr * g / np.sqrt(acc + np.float32(epsilon)), (acc,)


class Adagrad(Optimizer):
    """Adagrad: per-parameter learning rates shrinking with the sum of squared gradients.

    Args:
        learning_rate: float, schedule or callable (default 0.001; Keras 2 used 0.01, the paper's
            exact form is 1.0).
        initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1;
            Keras 2 started from 0).
        epsilon: added inside the square root (default 1e-7).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    elementwise = True

    slot_groups = [("accumulator",)]

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_non_negative("initial_accumulator_value", initial_accumulator_value)
        check_non_negative("epsilon", epsilon)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def init_slots(self, x):
        return (np.full_like(x, self.initial_accumulator_value),)

    def update_rule(self, g, slots, x, t, lr):
        return adagrad_update(g, slots, x, lr, self.epsilon)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
