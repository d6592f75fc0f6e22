"""Adafactor (Shazeer & Stern, 2018, https://arxiv.org/abs/1804.04235)."""

import numpy as np

from minikeras.optimizers.arguments import check_non_negative
from minikeras.optimizers.base import Optimizer

f32 = np.float32


def _rms(x):
    return np.sqrt(np.mean(x * x))


class Adafactor(Optimizer):
    """Adafactor: Adam-like steps with a factored, memory-light second moment.

    Keras 3's rule. For a variable of rank >= 2 the second moment is factored over the last two
    axes: row means `r`, column means `c`, `v = r/mean(r) ⊗ c`.
    `rho = min(lr, 1/sqrt(t))`; `alpha = max(eps2, rms(x))*rho`; `beta = 1 - t^beta_2_decay`;
    `r, c` (or `v` when rank < 2) `= beta*old + (1-beta)*mean(g² + eps1)`;
    `u = g/sqrt(v)`; `x -= alpha * u / max(1, rms(u)/clip_threshold)`.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_2_decay: decay of `beta_2`, `beta_2 = 1 - t^beta_2_decay`, <= 0 (default -0.8).
        epsilon_1: added to the squared gradients (default 1e-30).
        epsilon_2: lower bound of the weights' RMS in the step size (default 1e-3).
        clip_threshold: clipping threshold of the update's RMS, > 0 (default 1.0); independent
            of `clipnorm`, `clipvalue` and `global_clipnorm`.
        relative_step: cap a constant learning rate at `1/sqrt(t)` (default True). In Keras 3
            the step is capped at `min(lr, 1/sqrt(t))` regardless, so this changes nothing.
        **kwargs: the common `Optimizer` arguments (`weight_decay`, `clipnorm`, `lr`, `decay`...).
    """

    slot_groups = [("r", "c", "velocity")]

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not beta_2_decay <= 0:
            raise ValueError(f"Argument `beta_2_decay` must be <= 0. Received: "
                             f"beta_2_decay={beta_2_decay}")
        check_non_negative("epsilon_1", epsilon_1)
        check_non_negative("epsilon_2", epsilon_2)
        if not clip_threshold > 0:
            raise ValueError(f"Argument `clip_threshold` must be > 0. Received: "
                             f"clip_threshold={clip_threshold}")
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def init_state(self, values):
        """`(rs, cs, velocities)`; for rank < 2, `r` and `c` are unused int32 zeros (Keras's
        placeholders)."""
        rs, cs = [], []
        for x in values:
            factored = x.ndim >= 2
            rs.append(np.zeros(x.shape[:-1], x.dtype) if factored else np.zeros((), np.int32))
            cs.append(np.zeros(x.shape[:-2] + x.shape[-1:], x.dtype) if factored
                      else np.zeros((), np.int32))
        return rs, cs, [np.zeros_like(x) for x in values]

    def slot_variable_name(self, variable, slot_name):
        if slot_name in ("r", "c"):  # Keras names these after the variable alone
            return variable.name
        return super().slot_variable_name(variable, slot_name)

    def update(self, grads, state, values, step, lr):
        t = f32(step)
        # Keras's relative step, skipped when the learning rate is a schedule or a callable;
        # `rho` below takes the same minimum anyway.
        if self.relative_step and not callable(self._learning_rate):
            lr = np.minimum(lr, f32(1) / np.sqrt(t))
        rho = np.minimum(lr, f32(1) / np.sqrt(t))
        beta = f32(1) - t ** f32(self.beta_2_decay)
        new_values, new_r, new_c, new_v = [], [], [], []
        for g, x, r, c, v in zip(grads, values, *state):
            alpha = np.maximum(f32(self.epsilon_2), _rms(x)) * rho
            g2 = g * g + f32(self.epsilon_1)
            if x.ndim >= 2:
                r = beta * r + (f32(1) - beta) * np.mean(g2, axis=-1)
                c = beta * c + (f32(1) - beta) * np.mean(g2, axis=-2)
                v = (r / np.mean(r, axis=-1, keepdims=True))[..., None] * c[..., None, :]
            else:
                v = beta * v + (f32(1) - beta) * g2
            with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 is NaN, silently,
                u = g / np.sqrt(v)                                # as in Keras
            u = u / np.maximum(f32(1), _rms(u) / f32(self.clip_threshold))
            new_values.append(x - alpha * u)
            new_r.append(r), new_c.append(c), new_v.append(v)
        return new_values, (new_r, new_c, new_v)

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
