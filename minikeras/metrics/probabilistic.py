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
from minikeras.metrics.base import as_float, to_numpy, wrapper_class

KLDivergence = wrapper_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = wrapper_class("Poisson", poisson, "poisson")
BinaryCrossentropy = wrapper_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    [("from_logits", False), ("label_smoothing", 0)])
CategoricalCrossentropy = wrapper_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    [("from_logits", False), ("label_smoothing", 0), ("axis", -1)])
_SparseCategoricalCrossentropy = wrapper_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    [("from_logits", False), ("ignore_class", None), ("axis", -1)])


class SparseCategoricalCrossentropy(_SparseCategoricalCrossentropy):
    __doc__ = _SparseCategoricalCrossentropy.__doc__ + (
        "\n\nEntries labelled `ignore_class` are left out of the mean, as in Keras.")

    def _mask(self, y_true, y_pred):
        return sparse_categorical_crossentropy.entry_mask(
            to_numpy(y_true), as_float(y_pred), ignore_class=self.ignore_class, axis=self.axis)


Hinge = wrapper_class("Hinge", hinge, "hinge")
SquaredHinge = wrapper_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
