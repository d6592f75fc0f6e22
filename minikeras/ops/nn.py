"""Neural-network primitives with hand-written VJPs: the hot path of every training step.

autograd's generic `dot` VJP goes through `tensordot` and costs more than the matrix products
themselves; each primitive here does one BLAS call forward and one per needed gradient backward.
autograd only evaluates the VJP of arguments that are being differentiated, so the input
gradient of a model's first layer is never computed.
"""

import numpy as np
from autograd.extend import defvjp, primitive


def _as_2d(x):
    return x if x.ndim == 2 else x.reshape(-1, x.shape[-1])


@primitive
def dense(x, kernel, bias=None):
    """Returns `x @ kernel + bias` over the last axis of `x`.

    Args:
        x: array of shape `(..., in)`.
        kernel: array of shape `(in, out)`.
        bias: array of shape `(out,)`, or None.
    """
    out = np.dot(x, kernel)
    if bias is not None:
        out += bias
    return out


def _dense_grad_x(ans, x, kernel, bias=None):
    return lambda g: np.dot(g, kernel.T)


def _dense_grad_kernel(ans, x, kernel, bias=None):
    return lambda g: np.dot(_as_2d(x).T, _as_2d(g))


def _dense_grad_bias(ans, x, kernel, bias=None):
    return lambda g: _as_2d(g).sum(axis=0)


defvjp(dense, _dense_grad_x, _dense_grad_kernel, _dense_grad_bias)


@primitive
def relu(x):
    """Returns `max(x, 0)`; its gradient at 0 is 0, as in Keras."""
    return np.maximum(x, 0)


defvjp(relu, lambda ans, x: lambda g: g * (ans > 0))


@primitive
def softmax(x, axis=-1):
    """Returns `exp(x) / sum(exp(x))` along `axis`, computed without overflow."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _softmax_vjp(ans, x, axis=-1):
    return lambda g: ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


defvjp(softmax, _softmax_vjp)


@primitive
def log_softmax(x, axis=-1):
    """Returns `x - logsumexp(x)` along `axis`."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_softmax_vjp(ans, x, axis=-1):
    return lambda g: g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


defvjp(log_softmax, _log_softmax_vjp)


def _clipped_log_probs(logits, epsilon):
    log_p = log_softmax(logits)
    eps = np.asarray(epsilon, dtype=log_p.dtype)  # the clip bounds in the data's precision
    lo, hi = np.log(eps), np.log1p(-eps)
    inside = (log_p > lo) & (log_p < hi)
    return np.clip(log_p, lo, hi), inside


@primitive
def softmax_cross_entropy(logits, y_true, epsilon=1e-7):
    """Categorical cross-entropy of `softmax(logits)` along the last axis, per sample.

    Equal, value and gradient, to Keras's cross-entropy on the softmax's probabilities (which
    clips them to `[epsilon, 1 - epsilon]`), but computed from the logits in one pass.

    Args:
        logits: array `(..., classes)`.
        y_true: array of the same shape (one-hot or soft labels).
        epsilon: the clipping bound (Keras's `backend.epsilon()`).
    """
    log_p, _ = _clipped_log_probs(logits, epsilon)
    return -np.sum(y_true * log_p, axis=-1)


def _xent_grad_logits(ans, logits, y_true, epsilon=1e-7):
    # d/dz of -sum(y log clip(p)) is p*sum(y*m) - y*m, m = where p is not clipped (clip has
    # zero gradient outside its bounds, as in Keras).
    def vjp(g):
        _, inside = _clipped_log_probs(logits, epsilon)
        y_in = y_true * inside
        p = softmax(logits)
        return g[..., None] * (p * np.sum(y_in, axis=-1, keepdims=True) - y_in)

    return vjp


def _xent_grad_labels(ans, logits, y_true, epsilon=1e-7):
    return lambda g: -g[..., None] * _clipped_log_probs(logits, epsilon)[0]


defvjp(softmax_cross_entropy, _xent_grad_logits, _xent_grad_labels)
