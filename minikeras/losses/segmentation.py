"""Segmentation losses: Dice and Tversky (overlap of predicted and true masks)."""

import autograd.numpy as anp

from minikeras import config
from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.utils import prepare
from minikeras.tensor import returns_tensor


@returns_tensor
def dice(y_true, y_pred, axis=None):
    """`1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + eps)` over `axis` (default all)."""
    y_true, y_pred = prepare(y_true, y_pred)
    inter = anp.sum(y_true * y_pred, axis=axis)
    denom = anp.sum(y_true, axis=axis) + anp.sum(y_pred, axis=axis) + config.epsilon()
    return 1.0 - 2.0 * inter / denom


@returns_tensor
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss (Salehi et al., 2017); `alpha = beta = 0.5` is the Dice loss.

    Keras's terms, kept as is: `fp = sum((1 - y_pred) * y_true)`,
    `fn = sum(y_pred * (1 - y_true))`, loss `1 - tp / (tp + alpha fp + beta fn + eps)`.
    """
    y_true, y_pred = prepare(y_true, y_pred)
    tp = anp.sum(y_true * y_pred, axis=axis)
    fp = anp.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = anp.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - tp / (tp + fp * alpha + fn * beta + config.epsilon())


class Dice(LossFunctionWrapper):
    """The Dice loss `1 - 2 |y_true * y_pred| / (|y_true| + |y_pred|)`.

    Keras's argument order: `reduction` and `name` come before `axis`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'dice'`.
        axis: the axes summed over (default None: all of them).
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """The Tversky loss (Salehi et al., 2017): `alpha` weighs false positives, `beta` false
    negatives; `alpha = beta = 0.5` is the Dice loss.

    Args:
        alpha: the false-positive weight (default 0.5).
        beta: the false-negative weight (default 0.5).
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'tversky'`.
        axis: the axes summed over (default None: all of them).
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis
