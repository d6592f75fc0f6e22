"""Regression metrics: the error functions (shared with `losses`) and their stateful classes."""

import warnings

import numpy as np

from minikeras import losses
from minikeras import config
from minikeras.losses import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    squeeze_or_expand_to_same_rank,
)
from minikeras.metrics.base import Mean, MeanMetricWrapper, Metric, as_float, to_numpy


def cosine_similarity(y_true, y_pred, axis=-1):
    """`sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: +1 when aligned (the loss is
    its negative)."""
    return -losses.cosine_similarity(as_float(y_true), as_float(y_pred), axis=axis)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation of `y_true` and `y_pred` along `axis` (default -1), per sample."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_float(y_true), as_float(y_pred))
    t = y_true - y_true.mean(axis=axis, keepdims=True)
    p = y_pred - y_pred.mean(axis=axis, keepdims=True)
    t = t / t.std(axis=axis, keepdims=True)
    p = p / p.std(axis=axis, keepdims=True)
    return np.mean(t * p, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation along `axis` (default -1), per sample, as Keras computes
    it (its covariance centres `y_true` on the mean of `y_pred`; kept for equal numbers)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(as_float(y_true), as_float(y_pred))
    t_mean = y_true.mean(axis=axis, keepdims=True)
    p_mean = y_pred.mean(axis=axis, keepdims=True)
    t_var = (y_true - t_mean).var(axis=axis, keepdims=True)
    p_var = (y_pred - p_mean).var(axis=axis, keepdims=True)
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + np.square(t_mean - p_mean)
    return np.mean(2 * covar / (norm + np.float32(config.epsilon())), axis=axis)


class MeanSquaredError(MeanMetricWrapper):
    """The mean of the squared errors `square(y_true - y_pred)` over everything seen.

    Args:
        name: the metric's name (default `'mean_squared_error'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of the absolute errors `abs(y_true - y_pred)` over everything seen.

    Args:
        name: the metric's name (default `'mean_absolute_error'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """The mean of `100 * abs((y_true - y_pred) / y_true)` over everything seen.

    Args:
        name: the metric's name (default `'mean_absolute_percentage_error'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """The mean of `square(log(y_true + 1) - log(y_pred + 1))` over everything seen.

    Args:
        name: the metric's name (default `'mean_squared_logarithmic_error'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity of `y_true` and `y_pred`: +1 when they point the same way.

    Args:
        name: the metric's name (default `'cosine_similarity'`).
        dtype: the result dtype (default float32).
        axis: the axis the vectors run along (default -1).
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class LogCoshError(MeanMetricWrapper):
    """The mean of `log(cosh(y_pred - y_true))` over everything seen.

    Args:
        name: the metric's name (default `'logcosh'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean Pearson correlation of `y_true` and `y_pred`, one per sample.

    Args:
        name: the metric's name (default `'pearson_correlation'`).
        dtype: the result dtype (default float32).
        axis: the axis the vectors run along (default -1).
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean Lin's concordance correlation of `y_true` and `y_pred`, one per sample.

    Args:
        name: the metric's name (default `'concordance_correlation'`).
        dtype: the result dtype (default float32).
        axis: the axis the vectors run along (default -1).
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class RootMeanSquaredError(Mean):
    """`sqrt` of the (weighted) mean of the squared errors over everything seen.

    Args:
        name: default `'root_mean_squared_error'`.
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(as_float(y_true), as_float(y_pred))
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return self._value(np.sqrt(float(super().result())))


class R2Score(Metric):
    """Coefficient of determination `1 - SS_res / SS_tot`, per output column then aggregated.

    Args:
        class_aggregation: None (one score per column), `'uniform_average'` (default) or
            `'variance_weighted_average'`.
        num_regressors: > 0 gives the adjusted R2 (default 0).
        name: default `'r2_score'`.
        dtype: the result dtype (default float32).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             "(None, 'uniform_average', 'variance_weighted_average'). "
                             f"Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.reset_state()

    def reset_state(self):
        self._sums = None  # (sum, squared_sum, residual, count), one entry per column
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = squeeze_or_expand_to_same_rank(as_float(y_true), as_float(y_pred))
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred.shape} and "
                             f"y_true.shape={y_true.shape}.")
        w = np.ones(()) if sample_weight is None else to_numpy(sample_weight, np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y_true.shape)
        y_true, y_pred = y_true.astype(np.float64), y_pred.astype(np.float64)
        batch = np.stack([np.sum(y_true * w, 0), np.sum(y_true * y_true * w, 0),
                          np.sum((y_true - y_pred) ** 2 * w, 0), np.sum(w, 0)])
        self._sums = batch if self._sums is None else self._sums + batch
        self.num_samples += y_true.size

    def result(self):
        if self._sums is None:
            return self._value(np.nan)
        s, sq, res, count = self._sums
        with np.errstate(divide="ignore", invalid="ignore"):
            total = sq - s * (s / count)
            raw = 1.0 - res / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, p = self.num_samples, self.num_regressors
        if p:
            if p >= n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score "
                              "(or division by zero). Falling back to standard R2 score.",
                              stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return self._value(score)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
