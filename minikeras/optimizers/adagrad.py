"""Adagrad (Duchi, Hazan & Singer, 2011,
http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf)."""

import numpy as np

from minikeras.optimizers.arguments import check_non_negative, keras2_epsilon
from minikeras.optimizers.base import Optimizer


class Adagrad(Optimizer):
    """Adagrad: per-parameter learning rates shrinking with the sum of squared gradients.

    Keras 3's rule: `acc += g²`; `x -= lr*g/sqrt(acc + eps)` (epsilon inside the square root;
    Keras 2 put it outside).

    Args:
        learning_rate: float, schedule or callable (default 0.001; Keras 2 used 0.01, the paper's
            exact form is 1.0).
        initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1;
            Keras 2 started from 0).
        epsilon: added inside the square root (default 1e-7;
            Keras 2's None means `K.epsilon()`).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("accumulator",)]

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_non_negative("initial_accumulator_value", initial_accumulator_value)
        epsilon = keras2_epsilon(epsilon)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def init_state(self, values):
        """`(accumulators,)`."""
        return ([np.full_like(x, self.initial_accumulator_value) for x in values],)

    def update(self, grads, state, values, step, lr):
        accumulators = [acc + g * g for g, acc in zip(grads, state[0])]
        eps = np.float32(self.epsilon)
        new_values = [x - lr * g / np.sqrt(acc + eps)
                      for g, x, acc in zip(grads, values, accumulators)]
        return new_values, (accumulators,)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
