"""Neural-network primitives with hand-written VJPs: the hot path of every training step.

autograd's generic `dot` VJP goes through `tensordot` and costs more than the matrix products
themselves; each primitive here does one BLAS call forward and one per needed gradient backward.
autograd only evaluates the VJP of arguments that are being differentiated, so the input
gradient of a model's first layer is never computed.
"""

import numpy as np
from autograd.extend import defvjp, defvjp_argnums, primitive

from minikeras.autograd_internals import primitive_input
from minikeras.blas import dot


def _as_2d(x):
    return x if x.ndim == 2 else x.reshape(-1, x.shape[-1])


@primitive
def dense(x, kernel, bias=None, relu=False):
    """Returns `x @ kernel + bias` over the last axis of `x`, optionally through a ReLU.

    Fusing the ReLU (the activation of most hidden layers) saves one traced node per layer.

    Args:
        x: array of shape `(..., in)`.
        kernel: array of shape `(in, out)`.
        bias: array of shape `(out,)`, or None.
        relu: apply `max(., 0)` to the result (default False).
    """
    out = dot(_as_2d(x), kernel)
    if x.ndim != 2:
        out = out.reshape(x.shape[:-1] + (kernel.shape[1],))
    if bias is not None:
        out += bias
    if relu:
        np.maximum(out, 0, out=out)
    return out


def _column_sums(g):
    # The bias gradient as a matrix-vector product: BLAS sums a (4096, 64) batch five times
    # faster than `g.sum(axis=0)`, to the same float32 precision (another summation order).
    return dot(np.ones(g.shape[0], g.dtype), g)


def _dense_vjp(argnums, ans, args, kwargs):
    x, kernel = args[0], args[1]
    relu = kwargs.get("relu", False) or (len(args) > 3 and args[3])

    def vjp(g):
        if relu:
            g = g * (ans > 0)  # the ReLU's gradient at 0 is 0, as in Keras
        g2 = _as_2d(g)
        grads = []
        for argnum in argnums:
            if argnum == 0:
                grads.append(dot(g2, kernel.T).reshape(x.shape))
            elif argnum == 1:
                grads.append(dot(_as_2d(x).T, g2))
            else:
                grads.append(_column_sums(g2))
        return grads

    return vjp


defvjp_argnums(dense, _dense_vjp)


@primitive
def relu(x):
    """Returns `max(x, 0)`; its gradient at 0 is 0, as in Keras."""
    return np.maximum(x, 0)


defvjp(relu, lambda ans, x: lambda g: g * (ans > 0))


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


@primitive
def mean_all(x):
    """Returns the mean of all entries of `x`, in `x`'s dtype.

    autograd's `np.mean` VJP divides by a NumPy int64, which turns float32 gradients into
    float64 for the whole backward pass; this one keeps the dtype.
    """
    return _sum(x, None) / x.size


defvjp(mean_all, lambda ans, x: lambda g: np.full(x.shape, g / x.size, dtype=x.dtype))
