"""Hinge losses (maximum-margin classification): hinge, squared hinge, categorical hinge."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras.losses.loss import LossFunctionWrapper
from minikeras.losses.utils import prepare
from minikeras.tensor import returns_tensor


def _hinge_labels(y_true):
    """0/1 labels become -1/+1 (only when every label is 0 or 1), as Keras does."""
    t = np.asarray(getval(y_true))
    return 2.0 * y_true - 1.0 if np.all((t == 0) | (t == 1)) else y_true


@returns_tensor
def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`; labels -1/+1 (0/1 are converted)."""
    y_true, y_pred = prepare(y_true, y_pred)
    return anp.mean(anp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


@returns_tensor
def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`; 0/1 labels are converted."""
    y_true, y_pred = prepare(y_true, y_pred)
    h = anp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)
    return anp.mean(h * h, axis=-1)


@returns_tensor
def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred)
    pos = anp.sum(y_true * y_pred, axis=-1)
    neg = anp.max((1.0 - y_true) * y_pred, axis=-1)
    return anp.maximum(neg - pos + 1.0, 0.0)


class Hinge(LossFunctionWrapper):
    """The hinge loss `mean(maximum(1 - y_true * y_pred, 0))`; labels -1/+1 (0/1 converted).

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'hinge'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """`mean(square(maximum(1 - y_true * y_pred, 0)))`; labels -1/+1 (0/1 converted).

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'squared_hinge'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`, one-hot `y_true`.

    Args:
        reduction: default `'sum_over_batch_size'` (see `Loss`).
        name: default `'categorical_hinge'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)
