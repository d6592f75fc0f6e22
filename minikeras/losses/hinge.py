"""Hinge losses (maximum-margin classification): hinge, squared hinge, categorical hinge."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras.losses.loss import loss_class
from minikeras.losses.utils import prepare


def _hinge_labels(y_true):
    """0/1 labels become -1/+1 (only when every label is 0 or 1), as Keras does."""
    t = np.asarray(getval(y_true))
    return 2.0 * y_true - 1.0 if np.all((t == 0) | (t == 1)) else y_true


def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`; labels -1/+1 (0/1 are converted)."""
    y_true, y_pred = prepare(y_true, y_pred)
    return anp.mean(anp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`; 0/1 labels are converted."""
    y_true, y_pred = prepare(y_true, y_pred)
    h = anp.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)
    return anp.mean(h * h, axis=-1)


def categorical_hinge(y_true, y_pred):
    """`maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis."""
    y_true, y_pred = prepare(y_true, y_pred)
    pos = anp.sum(y_true * y_pred, axis=-1)
    neg = anp.max((1.0 - y_true) * y_pred, axis=-1)
    return anp.maximum(neg - pos + 1.0, 0.0)


Hinge = loss_class("Hinge", hinge, "hinge")
SquaredHinge = loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
