"""Regression metrics: per-sample functions (shared with the losses) and their classes."""

import numpy as np

from minikeras import losses
from minikeras.metrics.base import MeanMetricWrapper


def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = losses.squeeze_or_expand_to_same_rank(np.asarray(y_true, np.float32),
                                                           np.asarray(y_pred))
    return losses.mean_squared_error(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = losses.squeeze_or_expand_to_same_rank(np.asarray(y_true, np.float32),
                                                           np.asarray(y_pred))
    return losses.mean_absolute_error(y_true, y_pred)


class MeanSquaredError(MeanMetricWrapper):
    """The mean of `mean_squared_error` over all samples seen."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The mean of `mean_absolute_error` over all samples seen."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)
