"""Adam (Kingma & Ba, 2014, https://arxiv.org/abs/1412.6980), with the AMSGrad variant
(Reddi et al., 2018, https://openreview.net/pdf?id=ryQu7f-RZ)."""

import numpy as np

from minikeras.optimizers.arguments import check_betas, keras2_epsilon
from minikeras.optimizers.base import Optimizer
from minikeras.optimizers.passes import into

f32 = np.float32


class Adam(Optimizer):
    """Adam: adaptive moment estimation.

    Keras 3's rule (epsilon is not bias-corrected): `alpha = lr*sqrt(1-b2^t)/(1-b1^t)`;
    `m += (g-m)*(1-b1)`; `v += (g²-v)*(1-b2)`; AMSGrad: `vhat = max(vhat, v)`, used in place of
    `v` below; `x -= m*alpha/(sqrt(v)+eps)`.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: added to `sqrt(v)`, the paper's "epsilon hat" (default 1e-7;
            Keras 2's None means `K.epsilon()`).
        amsgrad: use AMSGrad, the running maximum of `v` (default False).
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_betas(beta_1, beta_2)
        epsilon = keras2_epsilon(epsilon)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad
        self.slot_groups = [("momentum", "velocity")] + ([("velocity_hat",)] if amsgrad else [])

    def init_state(self, values):
        """`(momentums, velocities[, velocity_hats])`."""
        return tuple([np.zeros_like(x) for x in values] for _ in range(3 if self.amsgrad else 2))

    def update(self, grads, state, values, step, lr):
        # Keras raises the float32 betas to the power t, but rounds `1 - beta` from the double.
        t = f32(step)
        alpha = lr * np.sqrt(f32(1) - f32(self.beta_2) ** t) / (f32(1) - f32(self.beta_1) ** t)
        # As 0-d arrays, not NumPy scalars: NumPy applies those to an array in half the time.
        alpha, one_minus_b1, one_minus_b2, epsilon = map(np.asarray, (
            f32(alpha), f32(1 - self.beta_1), f32(1 - self.beta_2), f32(self.epsilon)))
        velocity_hats = state[2] if self.amsgrad else [None] * len(values)
        new_values, new_m, new_v, new_vhat = [], [], [], []
        for g, x, m_old, v_old, vhat in zip(grads, values, state[0], state[1], velocity_hats):
            # The operations of `m + (g - m)*(1 - b1)` etc. in Keras's order, written into the
            # arrays made here: four new arrays per variable instead of eleven (passes.py).
            m = np.subtract(g, m_old)
            m *= one_minus_b1
            m += m_old
            v = np.multiply(g, g)
            v -= v_old
            v *= one_minus_b2
            v += v_old
            new_m.append(m), new_v.append(v)
            if self.amsgrad:
                v = vhat = np.maximum(vhat, v)
                new_vhat.append(vhat)
            denominator = np.sqrt(v)
            denominator += epsilon
            step = np.multiply(m, alpha)
            step /= denominator
            new_values.append(into(np.subtract, x, step, out=step))
        return new_values, (new_m, new_v) + ((new_vhat,) if self.amsgrad else ())

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}

