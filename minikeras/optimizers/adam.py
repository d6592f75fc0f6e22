"""Adam (Kingma & Ba, 2014, https://arxiv.org/abs/1412.6980), with the AMSGrad variant
(Reddi et al., 2018, https://openreview.net/pdf?id=ryQu7f-RZ)."""

import numpy as np

from minikeras.optimizers.base import Optimizer, check_non_negative, check_unit_interval


def adam_update(g, slots, x, t, lr, beta_1, beta_2, epsilon, amsgrad, scratch=None, out=None):
    """One Adam step, Keras 3 formulas (epsilon is not bias-corrected):

    `a = lr*sqrt(1-b2^t)/(1-b1^t)`; `m += (g-m)*(1-b1)`; `v += (g²-v)*(1-b2)`;
    AMSGrad `vhat = max(vhat, v)`, used for v; `x -= m*a/(sqrt(v)+eps)`.

    The slots are updated in place; the new value is written into `out` (a new array when
    None); `scratch` is two work arrays of `x`'s shape (allocated when None).
    """
    f32 = np.float32
    # Keras raises the float32 betas to the power t, but rounds `1 - beta` from the double.
    alpha = lr * np.sqrt(f32(1) - f32(beta_2) ** f32(t)) / (f32(1) - f32(beta_1) ** f32(t))
    # Same operations in the same order as the plain expressions, written into arrays that
    # already exist: on a large kernel these passes are memory-bound, and fresh arrays each
    # step cost more than the arithmetic.
    m, v = slots[0], slots[1]
    work, denominator = scratch if scratch is not None else (np.empty_like(x), np.empty_like(x))
    np.subtract(g, m, out=work)
    work *= f32(1 - beta_1)
    m += work
    np.multiply(g, g, out=work)
    work -= v
    work *= f32(1 - beta_2)
    v += work
    if amsgrad:
        v = np.maximum(slots[2], v, out=slots[2])
    np.sqrt(v, out=denominator)
    denominator += f32(epsilon)
    np.multiply(m, alpha, out=work)
    work /= denominator
    return np.subtract(x, work, out=out), slots


class Adam(Optimizer):
    """Adam: adaptive moment estimation.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: added to `sqrt(v)`, the paper's "epsilon hat" (default 1e-7).
        amsgrad: use AMSGrad, the running maximum of `v` (default False).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    elementwise = True
    in_place = True

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_unit_interval("beta_1", beta_1)
        check_unit_interval("beta_2", beta_2)
        check_non_negative("epsilon", epsilon)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad
        self.slot_groups = [("momentum", "velocity")] + ([("velocity_hat",)] if amsgrad else [])

    def init_slots(self, x):
        return tuple(np.zeros_like(x) for _ in range(3 if self.amsgrad else 2))

    def update_rule(self, g, slots, x, t, lr, out=None):
        return adam_update(g, slots, x, t, lr, self.beta_1, self.beta_2, self.epsilon, self.amsgrad,
                           self._scratch(x, 2), out)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
