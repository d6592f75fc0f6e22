"""Accuracy metrics: per-sample functions (Keras 3 semantics) and their mean-metric classes."""

import numpy as np

from minikeras import config
from minikeras.losses import squeeze_or_expand_to_same_rank
from minikeras.metrics.base import MeanMetricWrapper, as_float, to_numpy


def _hits(mask):
    return np.asarray(mask, dtype=config.floatx())


def accuracy(y_true, y_pred):
    """1.0 where `y_pred == y_true` exactly, else 0.0 (tf.keras's `metrics.accuracy`)."""
    y_pred = to_numpy(y_pred)
    y_true = to_numpy(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _hits(y_true == y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold) == y_true`, element-wise (Keras 3; Keras 2 averaged the
    last axis). Default threshold 0.5."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(to_numpy(y_true), as_float(y_pred))
    predicted = (y_pred > np.asarray(threshold, dtype=y_pred.dtype)).astype(y_true.dtype)
    return _hits(y_true == predicted)


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of `y_pred` equals the arg-max of the one-hot `y_true`."""
    return _hits(to_numpy(y_true).argmax(axis=-1) == to_numpy(y_pred).argmax(axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of `y_pred` equals the class index `y_true`; shape `(N,)` for
    labels of shape `(N,)` or `(N, 1)`."""
    y_pred = as_float(y_pred)
    y_true = to_numpy(y_true, y_pred.dtype)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    matches = _hits(y_true == np.argmax(y_pred, axis=-1).astype(y_true.dtype))
    return matches[..., 0] if matches.ndim > 1 and matches.shape[-1] == 1 else matches


def _in_top_k(targets, predictions, k):
    """Keras's `in_top_k`: the target's score is beaten by fewer than k scores (ties count in)."""
    at_label = np.take_along_axis(predictions, targets[..., None], axis=-1)
    at_label = np.where(np.isnan(at_label), -np.inf, at_label)  # NaN is never a top score
    return 1 + np.sum(predictions > at_label, axis=-1) <= k


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target is among the `k` highest predictions (default k=5)."""
    y_pred = as_float(y_pred)
    labels = np.argmax(to_numpy(y_true), axis=-1)
    shape = labels.shape
    matches = _in_top_k(labels.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), k)
    return _hits(matches).reshape(shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer target is among the `k` highest predictions (default k=5).

    The result has the shape of `y_true`, so `(N, 1)` labels give `(N, 1)`, as in Keras 3.
    With `from_sorted_ids=True`, `y_pred` holds class ids sorted by decreasing score.
    """
    y_pred = as_float(y_pred)
    y_true = to_numpy(y_true, y_pred.dtype if from_sorted_ids else np.int32)
    shape = y_true.shape
    flat_true = y_true.reshape(-1)
    flat_pred = y_pred.reshape(-1, y_pred.shape[-1])
    if from_sorted_ids:
        matches = np.any(flat_true[:, None] == flat_pred[:, :k], axis=1)
    else:
        matches = _in_top_k(flat_true, flat_pred, k)
    return _hits(matches).reshape(shape)


class Accuracy(MeanMetricWrapper):
    """How often `y_pred` equals `y_true` exactly: the mean of `accuracy` over every sample seen.

    Args:
        name: the metric's name (default `'accuracy'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches the 0/1 `y_true`: the mean of `binary_accuracy`.

    Args:
        name: the metric's name (default `'binary_accuracy'`).
        dtype: the result dtype (default float32).
        threshold: predictions above it count as 1 (default 0.5).
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of `y_pred` is the one-hot `y_true`'s class: the mean of
    `categorical_accuracy`.

    Args:
        name: the metric's name (default `'categorical_accuracy'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of `y_pred` is the integer label `y_true`: the mean of
    `sparse_categorical_accuracy`.

    Args:
        name: the metric's name (default `'sparse_categorical_accuracy'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the `k` highest predictions: the mean of
    `top_k_categorical_accuracy`.

    Args:
        k: how many of the highest predictions count (default 5).
        name: the metric's name (default `'top_k_categorical_accuracy'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the `k` highest predictions: the mean of
    `sparse_top_k_categorical_accuracy`.

    Args:
        k: how many of the highest predictions count (default 5).
        name: the metric's name (default `'sparse_top_k_categorical_accuracy'`).
        dtype: the result dtype (default float32).
        from_sorted_ids: `y_pred` holds class ids sorted by decreasing score (default False).
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config_ = super().get_config()
        if not config_["from_sorted_ids"]:  # Keras writes it only when set
            del config_["from_sorted_ids"]
        return config_
