"""Regression losses: squared / absolute / percentage / logarithmic errors, Huber, log-cosh,
cosine similarity."""

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.losses.loss import loss_class
from minikeras.losses.utils import l2_normalize, prepare, softplus, squeeze_or_expand_to_same_rank


def _aligned(y_true, y_pred):
    return squeeze_or_expand_to_same_rank(*prepare(y_true, y_pred))


def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    d = y_true - y_pred
    return anp.mean(d * d, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return anp.mean(anp.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    diff = anp.abs((y_true - y_pred) / anp.maximum(anp.abs(y_true), config.epsilon()))
    return 100.0 * anp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    eps = config.epsilon()
    d = anp.log(anp.maximum(y_pred, eps) + 1.0) - anp.log(anp.maximum(y_true, eps) + 1.0)
    return anp.mean(d * d, axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 when aligned (default axis -1).

    As a loss it is negated so that minimising it aligns the vectors; a zero vector gives 0.
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    return -anp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of `0.5 e^2` where `|e| <= delta`, else `delta |e| - 0.5 delta^2`.

    Args:
        delta: where the loss turns from quadratic to linear (Keras default 1.0).
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    error = y_pred - y_true
    abs_error = anp.abs(error)
    quadratic = 0.5 * error * error
    linear = delta * abs_error - 0.5 * delta * delta
    return anp.mean(anp.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _aligned(y_true, y_pred)
    x = y_pred - y_true
    return anp.mean(x + softplus(-2.0 * x) - np.log(2.0).astype(x.dtype), axis=-1)


MeanSquaredError = loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = loss_class(
    "MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = loss_class(
    "MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "mean_squared_logarithmic_error")
CosineSimilarity = loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity",
                              [("axis", -1)])
Huber = loss_class("Huber", huber, "huber_loss", [("delta", 1.0)])
LogCosh = loss_class("LogCosh", log_cosh, "log_cosh")
