"""RMSprop (Hinton, Coursera lecture 6e), with momentum and the centered variant."""

import numpy as np

from minikeras.optimizers.base import Optimizer


def rmsprop_update(g, slots, x, lr, rho, momentum, epsilon, centered):
    """One RMSprop step, Keras 3 formulas: `v = rho*v + (1-rho)g²`; centered:
    `mg = rho*mg + (1-rho)g`, denominator `v - mg² + eps`, else `v + eps`;
    `inc = lr*g/sqrt(den)`; with momentum `mom = momentum*mom + inc; x -= mom`, else `x -= inc`."""
    rho = np.float32(rho)
    v = rho * slots[0] + (np.float32(1) - rho) * (g * g)
    rest = slots[1:]
    new_slots = [v]
    if centered:
        mg = rho * rest[0] + (np.float32(1) - rho) * g
        rest = rest[1:]
        new_slots.append(mg)
        den = v - mg * mg + np.float32(epsilon)
    else:
        den = v + np.float32(epsilon)
    inc = lr * g / np.sqrt(den)
    if momentum:
        mom = np.float32(momentum) * rest[0] + inc
        new_slots.append(mom)
        return x - mom, tuple(new_slots)
    return x - inc, tuple(new_slots)


class RMSprop(Optimizer):
    """RMSprop (Keras defaults: `learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
    centered=False`).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        rho: discount of the squared-gradient average (default 0.9).
        momentum: momentum (default 0.0).
        epsilon: added inside the square root (default 1e-7).
        centered: normalise by the gradient's estimated variance (default False).
        **kwargs: the common `Optimizer` arguments.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"`rho` must be in the range [0, 1). Received: rho={rho}")
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def init_slots(self, x):
        n = 1 + bool(self.centered) + bool(self.momentum)
        return tuple(np.zeros_like(x) for _ in range(n))

    def update_rule(self, g, slots, x, t, lr):
        return rmsprop_update(g, slots, x, lr, self.rho, self.momentum, self.epsilon, self.centered)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
