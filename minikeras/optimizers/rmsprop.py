"""RMSprop (Hinton, Coursera lecture 6e,
https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf), with momentum and the
centered variant (Graves, 2013, https://arxiv.org/abs/1308.0850)."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_non_negative, check_unit_interval


def rmsprop_update(g, slots, x, lr, rho, momentum, epsilon, centered, out=None):
    """One RMSprop step, Keras 3 formulas: `v = rho*v + (1-rho)g²`; centered:
    `mg = rho*mg + (1-rho)g`, denominator `v - mg² + eps`, else `v + eps`;
    `inc = lr*g/sqrt(den)`; with momentum `mom = momentum*mom + inc; x -= mom`, else `x -= inc`.

    `slots` is `(v, mom, mg)` without the absent ones (Keras's order), updated in place; the new
    value is written into `out` (a new array when None).
    """
    f32 = np.float32
    v = slots[0]
    v *= f32(rho)
    v += f32(1 - rho) * (g * g)
    if centered:
        mg = slots[-1]
        mg *= f32(rho)
        mg += f32(1 - rho) * g
        den = v - mg * mg
        den += f32(epsilon)
    else:
        den = v + f32(epsilon)
    inc = lr * g
    inc /= np.sqrt(den)
    if momentum > 0:
        mom = slots[1]
        mom *= f32(momentum)
        mom += inc
        inc = mom
    return np.subtract(x, inc, out=out), slots


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root mean square of its recent values.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount of the squared-gradient average, in [0, 1) (default 0.9).
        momentum: momentum, >= 0 (default 0.0).
        epsilon: added inside the square root (default 1e-7).
        centered: normalise by the gradient's estimated variance (default False).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    elementwise = True
    in_place = True

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_unit_interval("rho", rho)
        check_non_negative("momentum", momentum)
        check_non_negative("epsilon", epsilon)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        self.slot_groups = ([("velocity",)] + ([("momentum",)] if momentum > 0 else [])
                            + ([("average_gradient",)] if centered else []))

    def init_slots(self, x):
        return tuple(np.zeros_like(x) for _ in self.slot_groups)

    def update_rule(self, g, slots, x, t, lr, out=None):
        return rmsprop_update(g, slots, x, lr, self.rho, self.momentum, self.epsilon, self.centered,
                              out)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
