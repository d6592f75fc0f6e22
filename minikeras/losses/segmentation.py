"""Segmentation losses: Dice and Tversky (overlap of predicted and true masks)."""

import autograd.numpy as anp

from minikeras import config
from minikeras.losses.loss import loss_class
from minikeras.losses.utils import prepare


def dice(y_true, y_pred, axis=None):
    """`1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + eps)` over `axis` (default all)."""
    y_true, y_pred = prepare(y_true, y_pred)
    inter = anp.sum(y_true * y_pred, axis=axis)
    denom = anp.sum(y_true, axis=axis) + anp.sum(y_pred, axis=axis) + config.epsilon()
    return 1.0 - 2.0 * inter / denom


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


Dice = loss_class("Dice", dice, "dice", [("axis", None)],
                  order=["reduction", "name", "axis", "dtype"])
Tversky = loss_class("Tversky", tversky, "tversky",
                     [("alpha", 0.5), ("beta", 0.5), ("axis", None)],
                     order=["alpha", "beta", "reduction", "name", "axis", "dtype"])
