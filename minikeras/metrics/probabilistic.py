"""Loss functions as metrics: cross-entropies, KL divergence, Poisson and the hinge family.

Each class is the mean of the matching `minikeras.losses` function over every sample seen,
with Keras's metric names and constructor signatures (`name, dtype` first).
"""

from minikeras.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from minikeras.metrics.base import MeanMetricWrapper, as_float, to_numpy

class KLDivergence(MeanMetricWrapper):
    """The mean Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`.

    Args:
        name: the metric's name (default `'kl_divergence'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """The mean Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon))`.

    Args:
        name: the metric's name (default `'poisson'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary cross-entropy of 0/1 labels and predicted probabilities (or logits).

    Args:
        name: the metric's name (default `'binary_crossentropy'`).
        dtype: the result dtype (default float32).
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        label_smoothing: in [0, 1]; smooths the labels towards 0.5 (default 0).
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean cross-entropy of one-hot labels and predicted class probabilities (or logits).

    Args:
        name: the metric's name (default `'categorical_crossentropy'`).
        dtype: the result dtype (default float32).
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        label_smoothing: in [0, 1]; smooths the labels towards uniform (default 0).
        axis: the class axis (default -1).
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean cross-entropy of integer labels and predicted class probabilities (or logits).

    Entries labelled `ignore_class` are left out of the mean, as in Keras.

    Args:
        name: the metric's name (default `'sparse_categorical_crossentropy'`).
        dtype: the result dtype (default float32).
        from_logits: whether `y_pred` holds logits rather than probabilities (default False).
        ignore_class: a label value left out of the mean (default None).
        axis: the class axis (default -1).
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def _mask(self, y_true, y_pred):
        return sparse_categorical_crossentropy.entry_mask(
            to_numpy(y_true), as_float(y_pred), ignore_class=self.ignore_class, axis=self.axis)


class Hinge(MeanMetricWrapper):
    """The mean hinge loss `mean(maximum(1 - y_true * y_pred, 0))` (labels -1/+1 or 0/1).

    Args:
        name: the metric's name (default `'hinge'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """The mean squared hinge loss `mean(square(maximum(1 - y_true * y_pred, 0)))`.

    Args:
        name: the metric's name (default `'squared_hinge'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """The mean categorical hinge loss of one-hot labels.

    Args:
        name: the metric's name (default `'categorical_hinge'`).
        dtype: the result dtype (default float32).
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
