"""Confusion-matrix counting at a list of thresholds: what Precision, Recall, AUC... accumulate.

A prediction is positive at threshold `t` when `y_pred > t` (strictly). Inputs are cast to
float32 first, as Keras casts them to its float32 variables, so a prediction equal to a
threshold compares the same way it does in Keras.
"""

import numpy as np

from minikeras import config
from minikeras.losses import squeeze_or_expand_to_same_rank
from minikeras.metrics.base import as_float, to_numpy

NEG_INF = -1e10  # the threshold used with `top_k`: every kept prediction is above it


def parse_thresholds(thresholds, default):
    """A list of thresholds, each checked to lie in [0, 1]; `default` when None."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return values


def evenly_spaced(thresholds):
    """True for `[0, 1/(n-1), ..., 1]` with n >= 3: counted by bucketing instead of comparing."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def _filter_top_k(x, k):
    """Keeps the top `k` values of the last axis; the rest become NEG_INF (ties: lowest index)."""
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=x.dtype)
    np.put_along_axis(keep, order, 1.0, axis=-1)
    return x * keep + np.float32(NEG_INF) * (1 - keep)


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None,
                     multi_label=False, label_weights=None, evenly=False):
    """Weighted true/false positives/negatives of one batch at each threshold.

    Args:
        y_true: labels, cast to bool.
        y_pred: scores in [0, 1].
        thresholds: list of thresholds.
        sample_weight: weights broadcastable to `y_pred` (a `(N,)` vector weights samples).
        top_k: keep only the `k` highest predictions of each sample as candidates.
        class_id: count only this column of the last axis.
        multi_label: keep the last axis (counts of shape `(T, labels)`), else flatten.
        label_weights: per-label weights for flattened data.
        evenly: thresholds are `evenly_spaced` (Keras then buckets the predictions).

    Returns:
        dict with `'tp', 'fp', 'tn', 'fn'` arrays of shape `(T,)` (or `(T, labels)`).
    """
    dtype = np.float32
    y_true, y_pred = to_numpy(y_true, dtype), as_float(y_pred).astype(dtype, copy=False)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"`y_true` and `y_pred` must have the same shape. Received: "
                         f"y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}.")
    if sample_weight is not None:
        sample_weight = to_numpy(sample_weight, dtype)[..., None]
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = np.ones(y_pred.shape, dtype) if sample_weight is None else \
        np.broadcast_to(sample_weight, y_pred.shape).astype(dtype)
    if label_weights is not None:
        weights = weights * np.broadcast_to(np.asarray(label_weights, dtype), y_pred.shape)
    is_true = y_true.astype(bool)
    if not multi_label:
        y_pred, is_true, weights = y_pred.reshape(-1), is_true.reshape(-1), weights.reshape(-1)
    thresholds = np.asarray(thresholds, dtype=dtype)
    if evenly:
        tp, fp = _bucketed(y_pred, is_true, weights, thresholds)
    else:
        shape = (-1,) + (1,) * y_pred.ndim
        positive = y_pred[None] > thresholds.reshape(shape)  # (T, ...)
        tp = _sum_samples(positive & is_true, weights)
        fp = _sum_samples(positive & ~is_true, weights)
    pos_total = _sum_samples(is_true[None], weights)[0]
    neg_total = _sum_samples(~is_true[None], weights)[0]
    return {"tp": tp, "fp": fp, "tn": neg_total - fp, "fn": pos_total - tp}


def _sum_samples(mask, weights):
    """Weighted count over the sample axis (the first after the threshold axis)."""
    return np.sum(np.where(mask, weights, 0.0), axis=1, dtype=np.float64)


def _bucketed(y_pred, is_true, weights, thresholds):
    """Keras's bucketing for evenly spaced thresholds: prediction p lands in bucket
    `ceil(p * (T - 1)) - 1` (computed in float32) and counts for every threshold up to it."""
    num = len(thresholds)
    with_eps = thresholds[0] < 0.0 or thresholds[-1] > 1.0  # AUC's [-eps, ..., 1 + eps]
    y_pred = np.clip(y_pred, 0.0, 1.0)
    bucket = np.ceil(y_pred * np.float32(num - 1)) - 1
    if with_eps:
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.int64)
    out = (bucket >= 0) & (bucket < num)  # out-of-range buckets are dropped, as in segment_sum
    true_w = np.where(is_true, weights, 0.0).astype(np.float64)
    false_w = np.where(is_true, 0.0, weights).astype(np.float64)

    def reverse_cumsum(w):
        if w.ndim == 1:
            counts = np.bincount(bucket[out], weights=w[out], minlength=num)
        else:  # multi-label: one histogram per label column
            counts = np.stack([np.bincount(bucket[:, j][out[:, j]], weights=w[:, j][out[:, j]],
                                           minlength=num) for j in range(w.shape[1])], axis=1)
        return np.cumsum(counts[::-1], axis=0)[::-1]

    return reverse_cumsum(true_w), reverse_cumsum(false_w)
