"""Neural-network primitives with hand-written VJPs: the hot path of every training step.

autograd's generic `dot` VJP goes through `tensordot` and costs more than the matrix products
themselves; each primitive here does one BLAS call forward and one per needed gradient backward.
autograd only evaluates the VJP of arguments that are being differentiated, so the input
gradient of a model's first layer is never computed.
"""

import numpy as np
from autograd.extend import defvjp, primitive

from minikeras.backend.blas import dot


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
    out = dot(_as_2d(x), kernel)
    if x.ndim != 2:
        out = out.reshape(x.shape[:-1] + (kernel.shape[1],))
    if bias is not None:
        out += bias
    return out


def _dense_grad_x(ans, x, kernel, bias=None):
    return lambda g: dot(_as_2d(g), kernel.T).reshape(x.shape)


def _dense_grad_kernel(ans, x, kernel, bias=None):
    return lambda g: dot(_as_2d(x).T, _as_2d(g))


def _dense_grad_bias(ans, x, kernel, bias=None):
    return lambda g: _as_2d(g).sum(axis=0)


defvjp(dense, _dense_grad_x, _dense_grad_kernel, _dense_grad_bias)


@primitive
def relu(x):
    """Returns `max(x, 0)`; its gradient at 0 is 0, as in Keras."""
    return np.maximum(x, 0)


defvjp(relu, lambda ans, x: lambda g: g * (ans > 0))


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _log_softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# The primitives wrap the raw functions; the VJPs below call the raw ones, which skips
# autograd's wrapper on the hot path.
softmax = primitive(_softmax)
softmax.__doc__ = "Returns `exp(x) / sum(exp(x))` along `axis`, computed without overflow."
log_softmax = primitive(_log_softmax)
log_softmax.__doc__ = "Returns `x - logsumexp(x)` along `axis`."

defvjp(softmax, lambda ans, x, axis=-1: lambda g: ans * (g - np.sum(g * ans, axis=axis,
                                                                    keepdims=True)))
defvjp(log_softmax, lambda ans, x, axis=-1: lambda g: g - np.exp(ans) * np.sum(g, axis=axis,
                                                                               keepdims=True))


def _clip_bounds(dtype, epsilon):
    eps = np.asarray(epsilon, dtype=dtype)  # the clip bounds in the data's precision
    return np.log(eps), np.log1p(-eps)


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
    log_p = _log_softmax(logits)
    return -np.sum(y_true * np.clip(log_p, *_clip_bounds(log_p.dtype, epsilon)), axis=-1)


def _xent_grad_logits(ans, logits, y_true, epsilon=1e-7):
    # d/dz of -sum(y log clip(p)) is p*sum(y*m) - y*m, m = where p is not clipped (clip has
    # zero gradient outside its bounds, as in Keras).
    def vjp(g):
        log_p = _log_softmax(logits)
        lo, hi = _clip_bounds(log_p.dtype, epsilon)
        y_in = y_true * ((log_p > lo) & (log_p < hi))
        return g[..., None] * (np.exp(log_p) * np.sum(y_in, axis=-1, keepdims=True) - y_in)

    return vjp


def _xent_grad_labels(ans, logits, y_true, epsilon=1e-7):
    def vjp(g):
        log_p = _log_softmax(logits)
        return -g[..., None] * np.clip(log_p, *_clip_bounds(log_p.dtype, epsilon))

    return vjp


defvjp(softmax_cross_entropy, _xent_grad_logits, _xent_grad_labels)


@primitive
def mean_all(x):
    """Returns the mean of all entries of `x`, in `x`'s dtype.

    autograd's `np.mean` VJP divides by a NumPy int64, which turns float32 gradients into
    float64 for the whole backward pass; this one keeps the dtype.
    """
    return np.mean(x, dtype=x.dtype)


defvjp(mean_all, lambda ans, x: lambda g: np.full(x.shape, g / x.size, dtype=x.dtype))
