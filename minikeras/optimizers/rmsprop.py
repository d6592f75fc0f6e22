"""RMSprop (Hinton, Coursera lecture 6e,
https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf), with momentum and the
centered variant (Graves, 2013, https://arxiv.org/abs/1308.0850)."""

import numpy as np

from minikeras.optimizers.arguments import (check_non_negative, check_unit_interval,
                                             keras2_epsilon)
from minikeras.optimizers.base import Optimizer
from minikeras.optimizers.passes import into

f32 = np.float32


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root mean square of its recent values.

    Keras 3's rule: `v = rho*v + (1-rho)*g²`; centered: `mg = rho*mg + (1-rho)*g` and the
    denominator is `v - mg² + eps`, else `v + eps`; `inc = lr*g/sqrt(denominator)`; with
    momentum `mom = momentum*mom + inc; x -= mom`, else `x -= inc`.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount of the squared-gradient average, in [0, 1) (default 0.9).
        momentum: momentum, >= 0 (default 0.0).
        epsilon: added inside the square root (default 1e-7;
            Keras 2's None means `K.epsilon()`).
        centered: normalise by the gradient's estimated variance (default False).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_unit_interval("rho", rho)
        check_non_negative("momentum", momentum)
        epsilon = keras2_epsilon(epsilon)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        self.slot_groups = ([("velocity",)] + ([("momentum",)] if momentum > 0 else [])
                            + ([("average_gradient",)] if centered else []))

    def init_state(self, values):
        """`(velocities[, momentums][, average_gradients])`, as Keras orders them."""
        return tuple([np.zeros_like(x) for x in values] for _ in self.slot_groups)

    def update(self, grads, state, values, step, lr):
        rho, one_minus_rho, eps = f32(self.rho), f32(1 - self.rho), f32(self.epsilon)
        n = len(values)
        momentums = state[1] if self.momentum > 0 else [None] * n
        average_grads = state[-1] if self.centered else [None] * n
        new_values, new_v, new_mom, new_mg = [], [], [], []
        for g, x, v, mom, mg in zip(grads, values, state[0], momentums, average_grads):
            # Keras's operations in its order, written into the arrays made here: three new
            # arrays per variable (one more per optional slot) instead of nine (passes.py).
            v = v * rho
            work = g * g
            work *= one_minus_rho  # one_minus_rho * (g * g)
            v += work
            if self.centered:
                mg = mg * rho
                work = into(np.multiply, g, one_minus_rho, out=work)
                mg += work
                work = into(np.multiply, mg, mg, out=work)
                work = into(np.subtract, v, work, out=work)
                work += eps  # (v - mg * mg) + eps
            else:
                work = into(np.add, v, eps, out=work)
            work = into(np.sqrt, work, out=work)
            increment = g * lr  # lr * g
            increment /= work
            if self.momentum > 0:
                mom = mom * f32(self.momentum)
                mom += increment
                new_values.append(into(np.subtract, x, mom, out=increment))
            else:
                new_values.append(into(np.subtract, x, increment, out=increment))
            new_v.append(v), new_mom.append(mom), new_mg.append(mg)
        new_state = ((new_v,) + ((new_mom,) if self.momentum > 0 else ())
                     + ((new_mg,) if self.centered else ()))
        return new_values, new_state

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
