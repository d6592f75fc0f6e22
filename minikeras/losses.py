"""Losses (`keras.losses`): per-sample functions, `Loss` classes with reductions, and `get`.

The functions return one value per sample (they reduce the last axis); the classes weight
those values and reduce them over the batch as Keras 3 does. Every function is written on
`autograd.numpy` without mutation, so the training engine can differentiate it. Values are
clipped with `backend.epsilon()` (1e-7) exactly where Keras clips them.
"""

import difflib
import inspect
import os
import sys
import warnings

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval, isbox

from minikeras import ops
from minikeras.backend import config
from minikeras.backend.scope import current_scope
from minikeras.backend.variables import unwrap


# --------------------------------------------------------------------------- input helpers
def _as_float(x):
    """A floating array (floatx for integer input); traced values pass through untouched."""
    x = unwrap(x)
    if isbox(x):
        return x
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(config.floatx())


def _prepare(y_true, y_pred):
    """Unwraps Variables and casts the labels to the predictions' dtype."""
    y_pred = _as_float(y_pred)
    y_true = unwrap(y_true)
    if not isbox(y_true):
        y_true = np.asarray(y_true, dtype=y_pred.dtype)
    return y_true, y_pred


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by one trailing axis of size 1, as Keras does.

    A rank-1 partner is expanded (so `(N,)` against `(N, 1)` stays per-sample) unless
    `expand_rank_1=False`; otherwise the size-1 axis is squeezed.
    """
    r1, r2 = anp.ndim(x1), anp.ndim(x2)
    if r1 == r2 + 1 and anp.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = anp.expand_dims(x2, -1)
        else:
            x1 = anp.squeeze(x1, -1)
    elif r2 == r1 + 1 and anp.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = anp.expand_dims(x1, -1)
        else:
            x2 = anp.squeeze(x2, -1)
    return x1, x2


def _check_label_smoothing(label_smoothing):
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError("`label_smoothing` must be a float in [0, 1]. "
                         f"Received: label_smoothing={label_smoothing}")


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")


def _check_same_shape(fn_name, y_true, y_pred, hint=""):
    if anp.shape(y_true) != anp.shape(y_pred):
        raise ValueError(f"`{fn_name}` expects `y_true` and `y_pred` of the same shape. Received: "
                         f"y_true.shape={anp.shape(y_true)}, y_pred.shape={anp.shape(y_pred)}.{hint}")


_INTERNAL = (os.path.dirname(os.path.abspath(__file__)) + os.sep,
             os.path.dirname(os.path.abspath(getval.__code__.co_filename)) + os.sep)


def _warn(message, category=UserWarning):
    """Warns pointing at the first caller outside minikeras and autograd (the user's line)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _check_probabilities(fn_name, y_pred, axis=None):
    """Warns when `from_logits=False` but `y_pred` cannot be probabilities.

    Keras computes silently (and trains badly); the message is constant so Python shows it
    once rather than on every step.
    """
    values = np.asarray(getval(y_pred))
    if values.size == 0:
        return
    if values.min() < 0.0 or values.max() > 1.0:
        _warn(
            f"`{fn_name}` received `from_logits=False`, but `y_pred` has values outside [0, 1], "
            "so it looks like logits rather than probabilities. If the last layer has no "
            "softmax/sigmoid activation, pass `from_logits=True` to the loss.")
    elif axis is not None and np.any(np.abs(values.sum(axis=axis) - 1.0) > 1e-3):
        _warn(
            f"`{fn_name}` received probabilities that do not sum to 1 along axis {axis}; they "
            "are rescaled to sum to 1, as Keras does. For independent (multi-label) "
            "probabilities use `binary_crossentropy`.")


def _logits_of(y_pred):
    """The logits a softmax produced `y_pred` from inside the current training step, if known."""
    scope = current_scope()
    return scope.logits.get(id(y_pred)) if scope is not None else None


def _sigmoid(x):
    return 0.5 * (anp.tanh(0.5 * x) + 1.0)


def _softplus(x):
    return anp.logaddexp(0.0, x)


def _l2_normalize(x, axis):
    # Keras: x * min(rsqrt(sum(x^2)), 1/eps). Clamping the sum instead gives the same value
    # and keeps the gradient finite for an all-zero vector.
    eps = config.epsilon()
    return x / anp.sqrt(anp.maximum(anp.sum(x * x, axis=axis, keepdims=True), eps * eps))


# --------------------------------------------------------------------------- regression
def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    d = y_true - y_pred
    return anp.mean(d * d, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    return anp.mean(anp.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    diff = anp.abs((y_true - y_pred) / anp.maximum(anp.abs(y_true), config.epsilon()))
    return 100.0 * anp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    eps = config.epsilon()
    d = anp.log(anp.maximum(y_pred, eps) + 1.0) - anp.log(anp.maximum(y_true, eps) + 1.0)
    return anp.mean(d * d, axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 when aligned (default axis -1).

    As a loss it is negated so that minimising it aligns the vectors; a zero vector gives 0.
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    return -anp.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of `0.5 e^2` where `|e| <= delta`, else `delta |e| - 0.5 delta^2`.

    Args:
        delta: where the loss turns from quadratic to linear (Keras default 1.0).
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    error = y_pred - y_true
    abs_error = anp.abs(error)
    quadratic = 0.5 * error * error
    linear = delta * abs_error - 0.5 * delta * delta
    return anp.mean(anp.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    x = y_pred - y_true
    return anp.mean(x + _softplus(-2.0 * x) - np.log(2.0).astype(x.dtype), axis=-1)


# --------------------------------------------------------------------------- hinge
def _hinge_labels(y_true):
    """0/1 labels become -1/+1 (only when every label is 0 or 1), as Keras does."""
    t = np.asarray(getval(y_true))
    return 2.0 * y_true - 1.0 if np.all((t == 0) | (t == 1)) else y_true


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`; labels -1/+1 (0/1 are converted)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return anp.mean(anp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`; 0/1 labels are converted."""
    y_true, y_pred = _prepare(y_true, y_pred)
    h = anp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)
    return anp.mean(h * h, axis=-1)


def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = anp.sum(y_true * y_pred, axis=-1)
    neg = anp.max((1.0 - y_true) * y_pred, axis=-1)
    return anp.maximum(neg - pos + 1.0, 0.0)


# --------------------------------------------------------------------------- probabilistic
def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)` with both clipped to `[epsilon, 1]`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = config.epsilon()
    y_true = anp.clip(y_true, eps, 1.0)
    y_pred = anp.clip(y_pred, eps, 1.0)
    return anp.sum(y_true * anp.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return anp.mean(y_pred - y_true * anp.log(y_pred + config.epsilon()), axis=-1)


def _crossentropy(y_true, y_pred, from_logits, axis, fn_name):
    """`-sum(y_true * log(p), axis)`: the shared core of the (sparse) categorical losses."""
    eps = config.epsilon()
    logits = _logits_of(y_pred) if axis in (-1, anp.ndim(y_pred) - 1) else None
    if from_logits:
        if logits is not None:
            _warn(f"`{fn_name}` received `from_logits=True`, but the `y_pred` argument was "
                  "produced by a softmax activation and thus does not represent logits. "
                  "Was this intended?")
        return -anp.sum(y_true * ops.log_softmax(y_pred, axis=axis), axis=axis)
    if logits is not None:
        # y_pred is softmax(logits) of this step: the fused op has the same value and gradient
        # as clipping the probabilities, computed from the logits in one pass.
        return ops.softmax_cross_entropy(logits, y_true, eps)
    _check_probabilities(fn_name, y_pred, axis)
    p = y_pred / anp.sum(y_pred, axis=axis, keepdims=True)
    p = anp.clip(p, eps, 1.0 - eps)
    return -anp.sum(y_true * anp.log(p), axis=axis)


def _warn_single_class(fn_name, y_pred):
    if anp.shape(y_pred)[-1] == 1:
        _warn(f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with "
              f"num_classes > 1. Received: y_pred.shape={anp.shape(y_pred)}. Consider using "
              "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning)


_SPARSE_HINT = (" Your labels look like integer class indices: use "
                "'sparse_categorical_crossentropy', or one-hot encode them with "
                "keras.utils.to_categorical.")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities.

    Probabilities are rescaled to sum to 1 and clipped to `[eps, 1 - eps]`, as Keras does.

    Args:
        y_true: labels, same shape as `y_pred`.
        y_pred: probabilities (or logits when `from_logits=True`).
        from_logits: whether `y_pred` are logits (default False).
        label_smoothing: in [0, 1]; labels become `y*(1-s) + s/num_classes` (default 0).
        axis: the class axis (default -1).
    """
    _check_axis(axis)
    _check_label_smoothing(label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred)
    hint = _SPARSE_HINT if anp.ndim(y_true) == anp.ndim(y_pred) - 1 else ""
    _check_same_shape("categorical_crossentropy", y_true, y_pred, hint)
    _warn_single_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        n = anp.shape(y_true)[-1]  # Keras counts classes on the last axis whatever `axis` is
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    return _crossentropy(y_true, y_pred, from_logits, axis, "categorical_crossentropy")


def _sparse_labels(y_true, y_pred, axis, fn_name):
    """Integer labels of the shape of `y_pred` without its class axis."""
    labels = np.asarray(getval(unwrap(y_true)))
    ndim = anp.ndim(y_pred)
    if labels.ndim == ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    expected = tuple(d for i, d in enumerate(anp.shape(y_pred)) if i != axis % ndim)
    if labels.shape != expected:
        hint = (" Your labels look one-hot encoded: use 'categorical_crossentropy'."
                if labels.shape == anp.shape(y_pred) else "")
        raise ValueError(f"`{fn_name}` expects `y_true` of shape {expected} (one integer class "
                         f"index per sample) for `y_pred` of shape {anp.shape(y_pred)}. "
                         f"Received: y_true.shape={labels.shape}.{hint}")
    return labels


def _one_hot(labels, num_classes, dtype, axis, fn_name):
    if labels.dtype.kind == "f" and np.any(labels != np.round(labels)):
        bad = labels[labels != np.round(labels)][:3]
        raise ValueError(f"`{fn_name}` expects integer class indices as `y_true`, received "
                         f"non-integer values such as {bad}.")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.max() if labels.max() >= num_classes else labels.min()
        raise ValueError(f"`{fn_name}` received a label value of {bad} which is outside the valid "
                         f"range of [0, {num_classes}). Check your labels (and `ignore_class`).")
    return np.moveaxis(np.eye(num_classes, dtype=dtype)[labels], -1, axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Cross-entropy between integer class indices and predicted class probabilities.

    Args:
        y_true: integer labels of shape `y_pred.shape[:-1]` (a trailing axis of 1 is allowed).
        y_pred: probabilities (or logits when `from_logits=True`).
        from_logits: whether `y_pred` are logits (default False).
        ignore_class: a label value whose entries get zero loss (default None); the `Loss`
            class also leaves them out of the average, as Keras does.
        axis: the class axis (default -1).
    """
    _check_axis(axis)
    y_pred = _as_float(y_pred)
    name = "sparse_categorical_crossentropy"
    labels = _sparse_labels(y_true, y_pred, axis, name)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    one_hot = _one_hot(labels, anp.shape(y_pred)[axis], y_pred.dtype, axis % anp.ndim(y_pred), name)
    loss = _crossentropy(one_hot, y_pred, from_logits, axis, name)
    return loss if valid is None else anp.where(valid, loss, 0.0)


def _binary_crossentropy_elementwise(y_true, y_pred, from_logits):
    if from_logits:
        # -y log(sigmoid(x)) - (1-y) log(sigmoid(-x)), written without overflow.
        return y_true * _softplus(-y_pred) + (1.0 - y_true) * _softplus(y_pred)
    eps = config.epsilon()
    p = anp.clip(y_pred, eps, 1.0 - eps)
    return -(y_true * anp.log(p) + (1.0 - y_true) * anp.log(1.0 - p))


def _binary_inputs(y_true, y_pred, label_smoothing, fn_name):
    _check_label_smoothing(label_smoothing)
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_prepare(y_true, y_pred))
    _check_same_shape(fn_name, y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy averaged over `axis`.

    Args:
        y_true: 0/1 labels, same shape as `y_pred`.
        y_pred: probabilities, clipped to `[eps, 1 - eps]` (or logits when `from_logits=True`).
        from_logits: whether `y_pred` are logits (default False).
        label_smoothing: in [0, 1]; labels become `y*(1-s) + 0.5*s` (default 0).
        axis: the axis to average over (default -1).
    """
    y_true, y_pred = _binary_inputs(y_true, y_pred, label_smoothing, "binary_crossentropy")
    if not from_logits:
        _check_probabilities("binary_crossentropy", y_pred)
    return anp.mean(_binary_crossentropy_elementwise(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by `(1 - p_t)^gamma` (Lin et al., 2017), averaged over `axis`.

    Args:
        apply_class_balancing: weight class 1 by `alpha` and class 0 by `1 - alpha` (default False).
        alpha: the class-1 weight when balancing (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits, label_smoothing, axis: as in `binary_crossentropy`.
    """
    y_true, y_pred = _binary_inputs(y_true, y_pred, label_smoothing, "binary_focal_crossentropy")
    if from_logits:
        y_pred = _sigmoid(y_pred)  # Keras applies the sigmoid, then the clipped formula
    else:
        _check_probabilities("binary_focal_crossentropy", y_pred)
    bce = _binary_crossentropy_elementwise(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = anp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return anp.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy scaled by `alpha * (1 - p)^gamma`, summed over `axis`.

    Args:
        alpha: a class weight, a float or one per class (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits, label_smoothing, axis: as in `categorical_crossentropy`.
    """
    _check_axis(axis)
    _check_label_smoothing(label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred)
    name = "categorical_focal_crossentropy"
    _check_same_shape(name, y_true, y_pred,
                      _SPARSE_HINT if anp.ndim(y_true) == anp.ndim(y_pred) - 1 else "")
    _warn_single_class(name, y_pred)
    if label_smoothing:
        n = anp.shape(y_true)[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    else:
        _check_probabilities(name, y_pred, axis)
    eps = config.epsilon()
    p = anp.clip(y_pred / anp.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    cce = -y_true * anp.log(p)
    weight = anp.power(1.0 - p, gamma) * np.asarray(alpha, dtype=p.dtype)
    return anp.sum(weight * cce, axis=axis)


# --------------------------------------------------------------------------- segmentation
def dice(y_true, y_pred, axis=None):
    """`1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + eps)` over `axis` (default all)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    inter = anp.sum(y_true * y_pred, axis=axis)
    denom = anp.sum(y_true, axis=axis) + anp.sum(y_pred, axis=axis) + config.epsilon()
    return 1.0 - 2.0 * inter / denom


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss (Salehi et al., 2017); `alpha = beta = 0.5` is the Dice loss.

    Keras's terms, kept as is: `fp = sum((1 - y_pred) * y_true)`, `fn = sum(y_pred * (1 - y_true))`,
    loss `1 - tp / (tp + alpha fp + beta fn + eps)`.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    tp = anp.sum(y_true * y_pred, axis=axis)
    fp = anp.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = anp.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - tp / (tp + fp * alpha + fn * beta + config.epsilon())


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """`(1 - p^q) / q` with `p` the predicted probability of the integer label (Zhang & Sabuncu, 2018)."""
    y_pred = _as_float(y_pred)
    labels = _sparse_labels(y_true, y_pred, -1, "categorical_generalized_cross_entropy")
    one_hot = _one_hot(labels, anp.shape(y_pred)[-1], y_pred.dtype, -1,
                       "categorical_generalized_cross_entropy")
    p = anp.sum(y_pred * one_hot, axis=-1)
    return (1.0 - anp.power(p, q)) / q


# Keras 2 spellings (`keras.losses.mse`, `logcosh`, `kld`, `cosine_proximity`...).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy
cosine_proximity = cosine = cosine_similarity
huber_loss = huber


# --------------------------------------------------------------------------- reductions
class Reduction:
    """tf.keras's reduction names (`tf.keras.losses.Reduction.SUM`...); `AUTO` is the default."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"


REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Returns a Keras 3 reduction; tf.keras's `'auto'` (found in saved configs) is the default."""
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def _dtype(x):
    return getattr(getval(x), "dtype", None) or np.dtype(config.floatx())


def _standardize_dtype(dtype):
    """A dtype name; Keras 3 configs may hold a `DTypePolicy` dict instead of a string."""
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    return None if dtype is None else np.dtype(dtype).name


def _mask_to_weights(mask, sample_weight, dtype, reduction):
    """Merges a boolean mask into the sample weights; masked entries leave the average."""
    mask = np.asarray(mask, dtype=bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = mask.sum()
        float_mask = np.where(mask, mask.size / valid if valid else 0.0, 0.0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def _align_weights(values, sample_weight):
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    shape, w_shape = anp.shape(values), anp.shape(sample_weight)
    # Per-sample weights (N,) against per-timestep losses (N, T): Keras raises a broadcasting
    # error; weighting every entry of sample i is what the weights mean.
    if 0 < len(w_shape) < len(shape) and tuple(w_shape) == tuple(shape[:len(w_shape)]):
        sample_weight = anp.reshape(sample_weight, tuple(w_shape) + (1,) * (len(shape) - len(w_shape)))
    try:
        np.broadcast_shapes(tuple(shape), tuple(anp.shape(sample_weight)))
    except ValueError:
        raise ValueError(f"`sample_weight` of shape {w_shape} cannot weight per-sample losses of "
                         f"shape {tuple(shape)}.") from None
    return values, sample_weight


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size", mask=None):
    """Weights per-sample values and reduces them as Keras 3 does.

    Args:
        values: per-sample (or per-entry) losses.
        sample_weight: weights broadcastable to `values` (a `(N,)` weight also weights every
            entry of sample i), or None.
        reduction: `'sum_over_batch_size'` and `'mean'` divide the weighted sum by the number of
            values (not by the sum of the weights); `'mean_with_sample_weight'` divides by the
            sum of the weights; `'sum'` sums; None/`'none'` returns the weighted values.
        mask: optional boolean array; False entries are left out of the average.
    """
    reduction = standardize_reduction(reduction)
    if not isbox(values):
        values = np.asarray(values, dtype=_dtype(values))
    dtype = _dtype(values)
    if sample_weight is not None:
        sample_weight = unwrap(sample_weight)
        if not isbox(sample_weight):
            sample_weight = np.asarray(sample_weight, dtype=dtype)
    if mask is not None:
        sample_weight = _mask_to_weights(mask, sample_weight, dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = _align_weights(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or anp.shape(values) in ((), (0,)):
        return values
    total = anp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = np.sum(getval(sample_weight))
    else:
        divisor = int(np.prod(anp.shape(values)))
    # divide_no_nan, as Keras: a zero divisor gives 0.
    return total / np.asarray(divisor, dtype=dtype) if divisor else total * 0.0


# --------------------------------------------------------------------------- classes
def _snake(name):
    import re

    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class Loss:
    """Base class of losses: `loss(y_true, y_pred, sample_weight=None)` returns the reduced loss.

    Subclasses implement `call(y_true, y_pred)` returning per-sample values.

    Args:
        name: the loss's name (default: the class name in snake case).
        reduction: `'sum_over_batch_size'` (default), `'sum'`, `'mean'`,
            `'mean_with_sample_weight'` or None/`'none'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _standardize_dtype(dtype)

    @property
    def dtype(self):
        return self._dtype or config.floatx()

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def _convert(self, x):
        # Keras casts both inputs to the loss dtype; traced values are left as they are.
        x = unwrap(x)
        return x if isbox(x) else np.asarray(x, dtype=self.dtype)

    def _mask(self, y_true, y_pred):
        """Entries to leave out of the reduction (None: all count)."""
        return None

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self._convert(y_true), self._convert(y_pred)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction,
                                      mask=self._mask(y_true, y_pred))

    def get_config(self):
        config_ = {"name": self.name, "reduction": self.reduction}
        if self._dtype is not None:
            config_["dtype"] = self._dtype
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} reduction={self.reduction}>"


def _validate_fn_kwargs(kwargs):
    if "label_smoothing" in kwargs:
        _check_label_smoothing(kwargs["label_smoothing"])
    if "axis" in kwargs and kwargs["axis"] is not None and not isinstance(kwargs["axis"], tuple):
        _check_axis(kwargs["axis"])


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: the per-sample loss function.
        reduction: see `Loss` (default `'sum_over_batch_size'`).
        name: the loss's name (default the function's name).
        dtype: the computation dtype (default floatx).
        **kwargs: passed on to `fn` and exposed as attributes (`loss.from_logits`...).
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if isinstance(fn, str):
            fn = get(fn)
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        _validate_fn_kwargs(kwargs)
        self.fn = fn
        self._fn_kwargs = kwargs
        for key, value in kwargs.items():
            setattr(self, key, value)

    def call(self, y_true, y_pred):
        if self.fn not in (sparse_categorical_crossentropy, categorical_generalized_cross_entropy):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _mask(self, y_true, y_pred):
        ignore = self._fn_kwargs.get("ignore_class")
        if self.fn is not sparse_categorical_crossentropy or ignore is None:
            return None
        labels = _sparse_labels(y_true, y_pred, self._fn_kwargs.get("axis", -1), self.name)
        return labels != ignore

    def get_config(self):
        config_ = {**super().get_config(), **self._fn_kwargs}
        if type(self) is LossFunctionWrapper:
            config_["fn"] = serialize(self.fn)
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        if "fn" in config_:
            fn = get(config_.pop("fn"))
            if cls is LossFunctionWrapper:  # subclasses know their function already
                config_["fn"] = fn
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__}({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


_TAIL = (("reduction", "sum_over_batch_size"), ("name", None), ("dtype", None))


def _loss_class(class_name, fn, default_name, params=(), order=None, summary=""):
    """Builds a Keras loss class around `fn` with Keras's constructor signature.

    Args:
        params: `(argument, default)` pairs passed to `fn`.
        order: the full positional order of Keras's `__init__` (default: params, then
            reduction, name, dtype), so `Huber(2.0)` works as in Keras.
    """
    defaults = dict(params)
    defaults.update(reduction="sum_over_batch_size", name=default_name, dtype=None)
    order = order or [p for p, _ in params] + ["reduction", "name", "dtype"]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature(
        [inspect.Parameter("self", kind)]
        + [inspect.Parameter(p, kind, default=defaults[p]) for p in order])
    fn_params = [p for p, _ in params]

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        a = bound.arguments
        LossFunctionWrapper.__init__(self, fn, reduction=a["reduction"], name=a["name"],
                                     dtype=a["dtype"], **{p: a[p] for p in fn_params})

    __init__.__signature__ = signature
    arg_doc = ", ".join(f"`{p}={defaults[p]!r}`" for p in order)
    doc = (f"{summary or 'Loss class around'} `{fn.__name__}`.\n\n"
           f"Keras signature and defaults: {arg_doc}.")
    return type(class_name, (LossFunctionWrapper,),
                {"__init__": __init__, "__doc__": doc, "__module__": __name__})


_CE = (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1))
MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "mean_squared_logarithmic_error")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                               [("axis", -1)])
Huber = _loss_class("Huber", huber, "huber_loss", [("delta", 1.0)])
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _loss_class("Poisson", poisson, "poisson")
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy,
                                 "binary_crossentropy", _CE)
BinaryFocalCrossentropy = _loss_class(
    "BinaryFocalCrossentropy", binary_focal_crossentropy, "binary_focal_crossentropy",
    (("apply_class_balancing", False), ("alpha", 0.25), ("gamma", 2.0)) + _CE)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      "categorical_crossentropy", _CE)
CategoricalFocalCrossentropy = _loss_class(
    "CategoricalFocalCrossentropy", categorical_focal_crossentropy,
    "categorical_focal_crossentropy", (("alpha", 0.25), ("gamma", 2.0)) + _CE)
SparseCategoricalCrossentropy = _loss_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    [("from_logits", False), ("ignore_class", None), ("axis", -1)],
    order=["from_logits", "ignore_class", "reduction", "axis", "name", "dtype"])
Dice = _loss_class("Dice", dice, "dice", [("axis", None)],
                   order=["reduction", "name", "axis", "dtype"])
Tversky = _loss_class("Tversky", tversky, "tversky",
                      [("alpha", 0.5), ("beta", 0.5), ("axis", None)],
                      order=["alpha", "beta", "reduction", "name", "axis", "dtype"])
_CGCE = _loss_class("CategoricalGeneralizedCrossEntropy", categorical_generalized_cross_entropy,
                    "categorical_generalized_cross_entropy", [("q", 0.5)])


class CategoricalGeneralizedCrossEntropy(_CGCE):
    __doc__ = _CGCE.__doc__

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not 0 < self.q < 1:
            raise ValueError(f"`q` must be in the interval (0, 1). Received: q={self.q}")


# --------------------------------------------------------------------------- registry
ALL_FUNCTIONS = {
    fn.__name__: fn for fn in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge, squared_hinge,
        categorical_hinge, kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
        categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
        dice, tversky, categorical_generalized_cross_entropy)
}
ALIASES = {
    "mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape, "msle": msle,
    "MSLE": msle, "kld": kld, "KLD": kld, "bce": bce, "BCE": bce,
    # Keras 2 names that Keras 3 dropped.
    "kullback_leibler_divergence": kl_divergence, "logcosh": log_cosh, "huber_loss": huber,
    "cosine_proximity": cosine_similarity, "cosine": cosine_similarity,
}
CLASSES = {
    cls.__name__: cls for cls in (
        Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
        MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, Huber,
        LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
        BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
        CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, Dice, Tversky,
        CategoricalGeneralizedCrossEntropy)
}
FUNCTION_TO_CLASS = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    cosine_similarity: CosineSimilarity, huber: Huber, log_cosh: LogCosh, hinge: Hinge,
    squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
    kl_divergence: KLDivergence, poisson: Poisson, binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    categorical_focal_crossentropy: CategoricalFocalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, dice: Dice, tversky: Tversky,
}


def _lookup(name):
    obj = ALL_FUNCTIONS.get(name) or ALIASES.get(name) or CLASSES.get(name)
    if obj is None:
        known = sorted(set(ALL_FUNCTIONS) | set(ALIASES) | set(CLASSES) - {"Loss"})
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"Could not interpret loss identifier: {name!r}.{hint} Expected a loss "
                         f"name such as 'mse' or 'categorical_crossentropy', a Loss instance or a "
                         "callable `loss(y_true, y_pred)`.")
    return obj


def serialize(loss):
    """A loss's config: `{'module', 'class_name', 'config', 'registered_name'}` for `Loss`
    instances (Keras 3's layout); a registered function's name for functions (what every
    Keras version can read back)."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    return getattr(loss, "__name__", str(loss))


def deserialize(config_, custom_objects=None):
    """Returns the loss a `serialize` output (or a Keras 2/3 config dict) describes."""
    if isinstance(config_, str):
        if custom_objects and config_ in custom_objects:
            return custom_objects[config_]
        return _lookup(config_)
    class_name, inner = config_.get("class_name"), config_.get("config", {})
    if class_name == "function":  # Keras 3's form for a plain function
        return deserialize(inner, custom_objects)
    cls = (custom_objects or {}).get(class_name) or CLASSES.get(class_name)
    if cls is None:
        raise ValueError(f"Unknown loss class: {class_name!r}. Pass it in `custom_objects`.")
    return cls.from_config(inner)


def get(identifier):
    """Returns a loss from a name (any Keras spelling), a config dict, a class, an instance or a
    callable `fn(y_true, y_pred)`. Names of functions give the function; class names, config
    dicts and classes give a fresh instance; None gives None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _lookup(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}.")


def as_loss_object(identifier):
    """Returns a `Loss` instance: functions are wrapped in a `LossFunctionWrapper` named as given
    (`'mse'` stays `mse`), as Keras 3's compile does."""
    loss = get(identifier)
    if loss is None or isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
    return LossFunctionWrapper(loss, name=name)
