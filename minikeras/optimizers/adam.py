"""Adam (Kingma & Ba, 2014, https://arxiv.org/abs/1412.6980), with the AMSGrad variant."""

import numpy as np

from minikeras.optimizers.base import Optimizer


def adam_update(g, slots, x, t, lr, beta_1, beta_2, epsilon, amsgrad):
    """One Adam step, Keras 3 formulas (epsilon is not bias-corrected):

    `a = lr*sqrt(1-b2^t)/(1-b1^t)`; `m += (g-m)*(1-b1)`; `v += (g²-v)*(1-b2)`;
    AMSGrad `vhat = max(vhat, v)`; `x -= a*m/(sqrt(v)+eps)`.
    """
    b1, b2 = np.float32(beta_1), np.float32(beta_2)
    alpha = lr * np.sqrt(np.float32(1) - b2 ** t) / (np.float32(1) - b1 ** t)
    m, v = slots[0], slots[1]
    m = m + (g - m) * (np.float32(1) - b1)
    v = v + (g * g - v) * (np.float32(1) - b2)
    if amsgrad:
        vhat = np.maximum(slots[2], v)
        x = x - m * alpha / (np.sqrt(vhat) + np.float32(epsilon))
        return x, (m, v, vhat)
    x = x - m * alpha / (np.sqrt(v) + np.float32(epsilon))
    return x, (m, v)


class Adam(Optimizer):
    """Adam (Keras defaults: `learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
    amsgrad=False`).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the second moment (default 0.999).
        epsilon: added to the denominator (default 1e-7).
        amsgrad: use AMSGrad (Reddi et al., 2018) (default False).
        **kwargs: the common `Optimizer` arguments.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="adam", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def init_slots(self, x):
        n = 3 if self.amsgrad else 2
        return tuple(np.zeros_like(x) for _ in range(n))

    def update_rule(self, g, slots, x, t, lr):
        return adam_update(g, slots, x, t, lr, self.beta_1, self.beta_2, self.epsilon, self.amsgrad)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
