"""Regression losses: squared / absolute / percentage / logarithmic errors, Huber, log-cosh,
cosine similarity."""

import autograd.numpy as anp
import numpy as np

from minikeras import config, ops
from minikeras.activations import softplus
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.utils import prepare, squeeze_or_expand_to_same_rank
from minikeras.tensor import returns_tensor


def _aligned(y_true, y_pred):
    return squeeze_or_expand_to_same_rank(*prepare(y_true, y_pred))


@returns_tensor
def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    d = y_true - y_pred
    return anp.mean(d * d, axis=-1)


@returns_tensor
def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    return anp.mean(anp.abs(y_true - y_pred), axis=-1)


@returns_tensor
def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    diff = anp.abs((y_true - y_pred) / anp.maximum(anp.abs(y_true), config.epsilon()))
    return 100.0 * anp.mean(diff, axis=-1)


@returns_tensor
def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`."""
    y_true, y_pred = _aligned(y_true, y_pred)
    eps = config.epsilon()
    d = anp.log(anp.maximum(y_pred, eps) + 1.0) - anp.log(anp.maximum(y_true, eps) + 1.0)
    return anp.mean(d * d, axis=-1)


@returns_tensor
def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 when aligned (default axis -1).

    As a loss it is negated so that minimising it aligns the vectors; a zero vector gives 0.
    """
    y_true, y_pred = _aligned(y_true, y_pred)
    return -anp.sum(ops.normalize(y_true, axis) * ops.normalize(y_pred, axis), axis=axis)


@returns_tensor
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


@returns_tensor
def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, computed without overflow."""
    y_true, y_pred = _aligned(y_true, y_pred)
    x = y_pred - y_true
    return anp.mean(x + softplus(-2.0 * x) - np.log(2.0).astype(x.dtype), axis=-1)


class MeanSquaredError(LossFunctionWrapper):
    """The mean of the squares of the errors, `mean(square(y_true - y_pred))`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'mean_squared_error'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """The mean of the absolute errors, `mean(abs(y_true - y_pred))`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'mean_absolute_error'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """`100 * mean(abs((y_true - y_pred) / y_true))`, `y_true` floored at epsilon.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'mean_absolute_percentage_error'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name,
                         dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """`mean(square(log(y_true + 1) - log(y_pred + 1)))`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'mean_squared_logarithmic_error'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name,
                         dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """The negated cosine similarity of `y_true` and `y_pred`: -1 when they point the same way.

    Args:
        axis: the axis of the vectors (default -1).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'cosine_similarity'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Huber(LossFunctionWrapper):
    """The Huber loss: quadratic for errors up to `delta`, linear beyond.

    Args:
        delta: where the loss turns from quadratic to linear (default 1.0).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'huber_loss'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta


class LogCosh(LossFunctionWrapper):
    """`mean(log(cosh(y_pred - y_true)))`: about `x**2 / 2` for small errors and
    `abs(x) - log(2)` for large ones.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'log_cosh'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)
