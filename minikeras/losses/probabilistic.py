"""Probabilistic losses: cross-entropies (categorical, sparse, binary, focal), KL divergence,
Poisson and the generalized cross-entropy.

Probabilities are rescaled / clipped to `[epsilon, 1 - epsilon]` exactly where Keras does it;
inside a training step a cross-entropy of a softmax output is computed from its logits.
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import config, ops
from minikeras.activations import sigmoid, softplus
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.utils import (
    as_float,
    check_axis,
    check_label_smoothing,
    check_probabilities,
    check_same_shape,
    prepare,
    squeeze_or_expand_to_same_rank,
    warn,
)
from minikeras.variables import unwrap
from minikeras.tensor import returns_tensor


@returns_tensor
def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)` with both clipped to `[epsilon, 1]`."""
    y_true, y_pred = prepare(y_true, y_pred)
    eps = config.epsilon()
    y_true = anp.clip(y_true, eps, 1.0)
    y_pred = anp.clip(y_pred, eps, 1.0)
    return anp.sum(y_true * anp.log(y_true / y_pred), axis=-1)


@returns_tensor
def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`."""
    y_true, y_pred = prepare(y_true, y_pred)
    return anp.mean(y_pred - y_true * anp.log(y_pred + config.epsilon()), axis=-1)


def _crossentropy(y_true, y_pred, from_logits, axis, fn_name):
    """`-sum(y_true * log(p), axis)`: the shared core of the (sparse) categorical losses."""
    eps = config.epsilon()
    # A softmax output of this training step: cross-entropy is computed from its logits.
    logits = ops.softmax_input(y_pred) if axis in (-1, y_pred.ndim - 1) else None
    if from_logits:
        if logits is not None:
            warn(f"`{fn_name}` received `from_logits=True`, but the `y_pred` argument was "
                 "produced by a softmax activation and thus does not represent logits. "
                 "Was this intended?")
        return -anp.sum(y_true * ops.log_softmax(y_pred, axis=axis), axis=axis)
    if logits is not None:
        # The fused op has the same value and gradient as clipping the probabilities,
        # computed from the logits in one pass.
        return ops.softmax_cross_entropy(logits, y_true, getval(y_pred), eps)
    check_probabilities(fn_name, y_pred, axis)
    p = y_pred / anp.sum(y_pred, axis=axis, keepdims=True)
    p = anp.clip(p, eps, 1.0 - eps)
    return -anp.sum(y_true * anp.log(p), axis=axis)


def _warn_single_class(fn_name, y_pred):
    if y_pred.shape[-1] == 1:
        warn(f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with "
             f"num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
             "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning)


_SPARSE_HINT = (" Your labels look like integer class indices: use "
                "'sparse_categorical_crossentropy', or one-hot encode them with "
                "keras.utils.to_categorical.")


@returns_tensor
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
    check_axis(axis)
    check_label_smoothing(label_smoothing)
    y_true, y_pred = prepare(y_true, y_pred)
    hint = _SPARSE_HINT if y_true.ndim == y_pred.ndim - 1 else ""
    check_same_shape("categorical_crossentropy", y_true, y_pred, hint)
    _warn_single_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        n = y_true.shape[-1]  # Keras counts classes on the last axis whatever `axis` is
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    return _crossentropy(y_true, y_pred, from_logits, axis, "categorical_crossentropy")


def _sparse_labels(y_true, y_pred, axis, fn_name):
    """Integer labels of the shape of `y_pred` without its class axis."""
    labels = np.asarray(getval(unwrap(y_true)))
    ndim = np.ndim(y_pred)
    if labels.ndim == ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    expected = tuple(d for i, d in enumerate(np.shape(y_pred)) if i != axis % ndim)
    if labels.shape != expected:
        hint = (" Your labels look one-hot encoded: use 'categorical_crossentropy'."
                if labels.shape == np.shape(y_pred) else "")
        raise ValueError(f"`{fn_name}` expects `y_true` of shape {expected} (one integer class "
                         f"index per sample) for `y_pred` of shape {np.shape(y_pred)}. "
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


@returns_tensor
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
    check_axis(axis)
    y_pred = as_float(y_pred)
    name = "sparse_categorical_crossentropy"
    labels = _sparse_labels(y_true, y_pred, axis, name)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    one_hot = _one_hot(labels, np.shape(y_pred)[axis], y_pred.dtype, axis % np.ndim(y_pred), name)
    loss = _crossentropy(one_hot, y_pred, from_logits, axis, name)
    return loss if valid is None else anp.where(valid, loss, 0.0)


def _binary_crossentropy_elementwise(y_true, y_pred, from_logits):
    if from_logits:
        # -y log(sigmoid(x)) - (1-y) log(sigmoid(-x)), written without overflow.
        return y_true * softplus(-y_pred) + (1.0 - y_true) * softplus(y_pred)
    eps = config.epsilon()
    p = anp.clip(y_pred, eps, 1.0 - eps)
    return -(y_true * anp.log(p) + (1.0 - y_true) * anp.log(1.0 - p))


def _binary_inputs(y_true, y_pred, label_smoothing, fn_name):
    check_label_smoothing(label_smoothing)
    y_true, y_pred = squeeze_or_expand_to_same_rank(*prepare(y_true, y_pred))
    check_same_shape(fn_name, y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred


@returns_tensor
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
        check_probabilities("binary_crossentropy", y_pred)
    return anp.mean(_binary_crossentropy_elementwise(y_true, y_pred, from_logits), axis=axis)


@returns_tensor
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
        y_pred = sigmoid(y_pred)  # Keras applies the sigmoid, then the clipped formula
    else:
        check_probabilities("binary_focal_crossentropy", y_pred)
    bce = _binary_crossentropy_elementwise(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = anp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return anp.mean(focal, axis=axis)


@returns_tensor
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy scaled by `alpha * (1 - p)^gamma`, summed over `axis`.

    Args:
        alpha: a class weight, a float or one per class (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits, label_smoothing, axis: as in `categorical_crossentropy`.
    """
    check_axis(axis)
    check_label_smoothing(label_smoothing)
    y_true, y_pred = prepare(y_true, y_pred)
    name = "categorical_focal_crossentropy"
    check_same_shape(name, y_true, y_pred,
                      _SPARSE_HINT if np.ndim(y_true) == np.ndim(y_pred) - 1 else "")
    _warn_single_class(name, y_pred)
    if label_smoothing:
        n = np.shape(y_true)[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    else:
        check_probabilities(name, y_pred, axis)
    eps = config.epsilon()
    p = anp.clip(y_pred / anp.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    cce = -y_true * anp.log(p)
    weight = anp.power(1.0 - p, gamma) * np.asarray(alpha, dtype=p.dtype)
    return anp.sum(weight * cce, axis=axis)


@returns_tensor
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """`(1 - p^q) / q`, `p` the predicted probability of the integer label (Zhang & Sabuncu 2018).

    Args:
        q: in (0, 1); towards 0 it behaves like cross-entropy, towards 1 like MAE.
    """
    y_pred = as_float(y_pred)
    labels = _sparse_labels(y_true, y_pred, -1, "categorical_generalized_cross_entropy")
    one_hot = _one_hot(labels, np.shape(y_pred)[-1], y_pred.dtype, -1,
                       "categorical_generalized_cross_entropy")
    p = anp.sum(y_pred * one_hot, axis=-1)
    return (1.0 - anp.power(p, q)) / q


def _ignored_entries(y_true, y_pred, ignore_class=None, axis=-1, **_):
    """The entries `ignore_class` leaves out of the reduction (the `Loss` classes' mask)."""
    if ignore_class is None:
        return None
    return _sparse_labels(y_true, y_pred, axis, "sparse_categorical_crossentropy") != ignore_class


# How `LossFunctionWrapper` treats these functions: class-index labels are not rank-aligned.
sparse_categorical_crossentropy.takes_class_indices = True
sparse_categorical_crossentropy.entry_mask = _ignored_entries
categorical_generalized_cross_entropy.takes_class_indices = True

class KLDivergence(LossFunctionWrapper):
    """The Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'kl_divergence'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """The Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon))`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'poisson'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy of 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        label_smoothing: in [0, 1]; smooths the labels towards 0.5 (default 0.0).
        axis: the axis averaged over (default -1).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'binary_crossentropy'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy scaled by `(1 - p_t) ** gamma` (Lin et al., 2017), which focuses
    training on the examples the model gets wrong.

    Args:
        apply_class_balancing: weight class 1 by `alpha`, class 0 by `1 - alpha` (default False).
        alpha: the class-1 weight when balancing (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        label_smoothing: in [0, 1]; smooths the labels towards 0.5 (default 0.0).
        axis: the axis averaged over (default -1).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'binary_focal_crossentropy'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of one-hot (or soft) labels and predicted class probabilities (or logits).

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        label_smoothing: in [0, 1]; smooths the labels towards uniform (default 0.0).
        axis: the class axis (default -1).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'categorical_crossentropy'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy scaled by `alpha * (1 - p) ** gamma` (Lin et al., 2017).

    Args:
        alpha: a class weight, a float or one per class (default 0.25).
        gamma: the focusing parameter (default 2.0).
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        label_smoothing: in [0, 1]; smooths the labels towards uniform (default 0.0).
        axis: the class axis (default -1).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'categorical_focal_crossentropy'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of integer class indices and predicted class probabilities (or logits).

    Keras's argument order: `reduction` comes before `axis`.

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        ignore_class: a label value left out of the loss and of the average (default None).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        axis: the class axis (default -1).
        name: default `'sparse_categorical_crossentropy'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """The generalized cross-entropy `(1 - p ** q) / q` of integer labels (Zhang & Sabuncu,
    2018), robust to noisy labels.

    Args:
        q: in (0, 1); towards 0 it behaves like cross-entropy, towards 1 like MAE (default 0.5).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'categorical_generalized_cross_entropy'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(f"`q` must be in the interval (0, 1). Received: q={q}")
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name,
                         dtype=dtype, q=q)
        self.q = q
