"""What Keras 3 does to the gradients and weights around an optimizer's rule, as pure functions.

In the order `Optimizer.stateless_apply` applies them (keras/src/optimizers/base_optimizer.py
and backend/jax/optimizer.py, which produced the golden fixtures): `unscale`, `accumulate`,
`clip`, `decay_weights`, the rule, `moving_average` (EMA). Each takes and returns lists of
arrays and never modifies its arguments.
"""

import numpy as np

f32 = np.float32


def unscale(grads, loss_scale_factor):
    """Divides the gradients by `loss_scale_factor` (None: unchanged)."""
    if loss_scale_factor is None:
        return grads
    return [g / f32(loss_scale_factor) for g in grads]


def accumulate(grads, accumulators, calls_done, steps):
    """Gradient accumulation: the update happens on every `steps`-th call, with the mean of the
    gradients of the last `steps` calls.

    Returns:
        `(ready, mean_grads, new_accumulators)`: whether this call updates the weights, the
        mean gradients (meaningful when `ready`), and the accumulators after this call (the
        running sums, zeros once used).
    """
    ready = (calls_done + 1) % steps == 0
    totals = [acc + g for g, acc in zip(grads, accumulators)]
    mean = [total / g.dtype.type(steps) for g, total in zip(grads, totals)]
    return ready, mean, [np.zeros_like(t) for t in totals] if ready else totals


def clip(grads, clipnorm=None, global_clipnorm=None, clipvalue=None):
    """Keras's clipping; at most one of the three is set, and 0 (as None) means no clipping.

    `clipnorm`: each gradient to that L2 norm, `g * c / max(|g|, c)`; `global_clipnorm`: all
    gradients scaled together so that their joint norm is at most `c` (a NaN or infinite norm
    makes every gradient NaN, as in Keras); `clipvalue`: each element into `[-c, c]`.
    """
    if clipnorm:
        c = f32(clipnorm)
        return [g * c / np.maximum(np.sqrt(np.sum(g * g)), c) for g in grads]
    if global_clipnorm:
        c = f32(global_clipnorm)
        norm = np.sqrt(np.sum([np.sum(g * g) for g in grads]).astype(np.float32))
        with np.errstate(divide="ignore"):
            scale = c * np.minimum(f32(1) / norm, f32(1) / c) + (norm - norm)
        return [g * scale.astype(g.dtype) for g in grads]
    if clipvalue:
        c = f32(clipvalue)
        return [np.clip(g, -c, c) for g in grads]
    return grads


def decay_weights(values, decays, weight_decay, learning_rate):
    """Decoupled weight decay `x - x * weight_decay * lr` on the values where `decays` is True
    (Loshchilov & Hutter, 2019, https://arxiv.org/abs/1711.05101), before the rule's update."""
    if weight_decay is None:
        return values
    wd = f32(weight_decay)
    return [x - x * wd * learning_rate if d else x for x, d in zip(values, decays)]


def moving_average(averages, values, momentum, first):
    """One step of the weights' exponential moving average, `avg = m*avg + (1-m)*x`, with
    `m = 0` on the first update so that the average starts at the weights."""
    m = f32(0) if first else f32(momentum)
    return [m * avg + (f32(1) - m) * x for avg, x in zip(averages, values)]
