"""Nadam: Adam with Nesterov momentum (Dozat, 2016,
https://openreview.net/pdf?id=OM0jvwB8jIp57ZJjtNEZ;
report: http://cs229.stanford.edu/proj2015/054_report.pdf)."""

import warnings

import numpy as np

from minikeras.optimizers.arguments import check_betas, check_non_negative, keras2_epsilon
from minikeras.optimizers.base import Optimizer

f32 = np.float32


def _warmup(t, schedule_decay=None):
    """`1 - 0.5*0.96^t` (Keras 3), or `1 - 0.5*0.96^(t*schedule_decay)` (Keras 2), in float32."""
    exponent = f32(t) if schedule_decay is None else f32(t) * f32(schedule_decay)
    return f32(1) - f32(0.5) * f32(0.96) ** exponent


def momentum_cache(beta_1, t, schedule_decay=None):
    """The momentum schedule `u_t = beta_1 * _warmup(t)`."""
    return f32(beta_1) * _warmup(t, schedule_decay)


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum and a warming-up momentum schedule `u_t`.

    Keras 3's rule, with `u_product` = `u_1 * ... * u_t` (one scalar for the whole optimizer,
    part of its state): `m += (g-m)*(1-b1)`; `v += (g²-v)*(1-b2)`;
    `m_hat = u_{t+1}*m/(1 - u_product*u_{t+1}) + (1-u_t)*g/(1 - u_product)`;
    `v_hat = v/(1-b2^t)`; `x -= lr*m_hat/(sqrt(v_hat)+eps)`.

    Keras 3 uses `u_t = beta_1*(1 - 0.5*0.96^t)`; Keras 2 used `0.96^(t*schedule_decay)` with
    `schedule_decay=0.004`, so its momentum warms up 250 times more slowly. Keras 3 is the
    special case `schedule_decay=1`.

    Args:
        learning_rate: float, schedule or callable (default 0.001; Keras 2 used 0.002).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: added to `sqrt(v_hat)` (default 1e-7;
            Keras 2's None means `K.epsilon()`).
        schedule_decay: Keras 2's momentum schedule (default None: Keras 3's). Accepted with a
            DeprecationWarning, and honoured.
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("momentum", "velocity")]
    optimizer_wide_state = ("u_product",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None,
                 schedule_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        check_betas(beta_1, beta_2)
        epsilon = keras2_epsilon(epsilon)
        if schedule_decay is not None:
            warnings.warn("`schedule_decay` is a Keras 2 argument of Nadam (Keras 3 fixes the "
                          "momentum schedule at 0.96^t); minikeras honours it.",
                          DeprecationWarning, stacklevel=2)
            check_non_negative("schedule_decay", schedule_decay)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.schedule_decay = schedule_decay

    def init_state(self, values):
        """`(momentums, velocities, u_product)`; `u_product` starts at 1, in the dtype of the
        first variable (as Keras)."""
        dtype = values[0].dtype if values else np.float32
        return ([np.zeros_like(x) for x in values], [np.zeros_like(x) for x in values],
                np.ones((), dtype))

    def update(self, grads, state, values, step, lr):
        momentums, velocities, u_product = state
        u_t = momentum_cache(self.beta_1, step, self.schedule_decay)
        u_next = momentum_cache(self.beta_1, step + 1, self.schedule_decay)
        # One product for the whole optimizer, advanced once per update (as Keras: u_product
        # times beta_1 times the warm-up, in that order).
        u_product = u_product * f32(self.beta_1) * _warmup(step, self.schedule_decay)
        b1, b2 = f32(self.beta_1), f32(self.beta_2)
        v_correction = f32(1) - b2 ** f32(step)
        new_values, new_m, new_v = [], [], []
        for g, x, m, v in zip(grads, values, momentums, velocities):
            m = m + (g - m) * (f32(1) - b1)
            v = v + (g * g - v) * (f32(1) - b2)
            m_hat = (u_next * m / (f32(1) - u_product * u_next)
                     + (f32(1) - u_t) * g / (f32(1) - u_product))
            v_hat = v / v_correction
            new_values.append(x - m_hat * lr / (np.sqrt(v_hat) + f32(self.epsilon)))
            new_m.append(m), new_v.append(v)
        return new_values, (new_m, new_v, np.asarray(u_product))

    def get_config(self):
        config = {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                  "epsilon": self.epsilon}
        if self.schedule_decay is not None:
            config["schedule_decay"] = self.schedule_decay
        return config
