"""Softmax, log-softmax and the fused softmax cross-entropy, with hand-written VJPs.

A categorical cross-entropy recognises, from the autograd graph itself, probabilities that the
`softmax` primitive made in the current trace (`softmax_input`) and computes loss and gradient
from the logits in one step.
"""

import numpy as np
from autograd.extend import defvjp, defvjp_argnums, primitive

from minikeras.autograd_internals import primitive_input


# NumPy's `np.max`/`np.sum` wrappers cost microseconds of Python on small arrays; the ufunc
# reductions called directly do not, and these run several times per training step.
_max, _sum = np.maximum.reduce, np.add.reduce


def _softmax(x, axis=-1):
    e = np.exp(x - _max(x, axis, keepdims=True))
    e /= _sum(e, axis, keepdims=True)
    return e


def _log_softmax(x, axis=-1):
    shifted = x - _max(x, axis, keepdims=True)
    return shifted - np.log(_sum(np.exp(shifted), axis, keepdims=True))


class SoftmaxVJP:
    """The VJP of `softmax`, kept as an object holding the primitive's input: a cross-entropy
    then recognises, from the graph itself, probabilities that a softmax made (`softmax_input`)."""

    __slots__ = ("ans", "x", "axis")

    def __init__(self, ans, x, axis):
        self.ans, self.x, self.axis = ans, x, axis

    def __call__(self, g):
        ans = self.ans
        return (ans * (g - _sum(g * ans, self.axis, keepdims=True)),)


# The primitives wrap the raw functions; the VJPs call the raw ones, which skips autograd's
# wrapper on the hot path.
softmax = primitive(_softmax)
softmax.__doc__ = "Returns `exp(x) / sum(exp(x))` along `axis`, computed without overflow."
log_softmax = primitive(_log_softmax)
log_softmax.__doc__ = "Returns `x - logsumexp(x)` along `axis`."

defvjp_argnums(softmax, lambda argnums, ans, args, kwargs: SoftmaxVJP(
    ans, args[0], kwargs.get("axis", args[1] if len(args) > 1 else -1)))
defvjp(log_softmax, lambda ans, x, axis=-1: lambda g: g - np.exp(ans) * _sum(g, axis,
                                                                             keepdims=True))


def softmax_input(probabilities):
    """The logits that `softmax` turned into `probabilities` along the last axis, or None.

    Found in the autograd graph of the current trace, so only traced probabilities qualify;
    the result is traced too, and gradients sent to it reach the logits.
    """
    found = primitive_input(probabilities, SoftmaxVJP)
    if found is None:
        return None
    vjp, logits = found
    return logits if vjp.axis in (-1, np.ndim(vjp.x) - 1) else None


def _clip_bounds(dtype, epsilon):
    eps = np.asarray(epsilon, dtype=dtype)  # Keras clips in the data's precision
    return eps, np.asarray(1, dtype=dtype) - eps


def _clip(p, epsilon):
    # The method: `np.clip` adds microseconds of Python on a batch of class probabilities.
    return p.clip(*_clip_bounds(p.dtype, epsilon))


def _probabilities(logits, probs):
    return _softmax(logits) if probs is None else probs


@primitive
def softmax_cross_entropy(logits, y_true, probs=None, epsilon=1e-7):
    """Categorical cross-entropy of `softmax(logits)` along the last axis, per sample.

    The value is Keras's, `-sum(y * log(clip(p, epsilon, 1 - epsilon)))`, and so is the
    gradient (zero where the clip is active), but it is taken with respect to the logits in one
    step, `p * sum(y * m) - y * m` with `m` the unclipped entries, instead of through the
    softmax's Jacobian.

    Args:
        logits: array `(..., classes)`.
        y_true: array of the same shape (one-hot or soft labels).
        probs: `softmax(logits)` when the caller already has it (not differentiated), else None.
        epsilon: the clipping bound (Keras's `backend.epsilon()`).
    """
    p = _probabilities(logits, probs)
    return -_sum(y_true * np.log(_clip(p, epsilon)), -1)


def _xent_grad_logits(ans, logits, y_true, probs=None, epsilon=1e-7):
    def vjp(g):
        p = _probabilities(logits, probs)
        lo, hi = _clip_bounds(p.dtype, epsilon)
        y_in = y_true * ((p > lo) & (p < hi))
        return g[..., None] * (p * _sum(y_in, -1, keepdims=True) - y_in)

    return vjp


def _xent_grad_labels(ans, logits, y_true, probs=None, epsilon=1e-7):
    def vjp(g):
        p = _probabilities(logits, probs)
        return -g[..., None] * np.log(_clip(p, epsilon))

    return vjp


defvjp(softmax_cross_entropy, _xent_grad_logits, _xent_grad_labels)
