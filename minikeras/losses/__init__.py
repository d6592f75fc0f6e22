"""Losses (`keras.losses`): per-sample functions, `Loss` classes with reductions, and `get`.

The functions return one value per sample (they reduce the last axis); the classes weight
those values and reduce them over the batch as Keras 3 does. Every function is written on
`autograd.numpy` without mutation, so the training engine can differentiate it. Values are
clipped with `backend.epsilon()` (1e-7) exactly where Keras clips them.

Layout: `loss.py` (`Loss`, `LossFunctionWrapper`, reductions), one module per family
(`regression`, `probabilistic`, `hinge`, `segmentation`) holding functions and classes,
`utils.py` (input checks and warnings), and here every Keras spelling and `get`.
"""

from minikeras import serialization
from minikeras.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from minikeras.losses.loss import (
    NAMED_FUNCTIONS,
    REDUCTIONS,
    Loss,
    LossFunctionWrapper,
    Reduction,
    reduce_weighted_values,
    standardize_reduction,
)
from minikeras.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from minikeras.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from minikeras.losses.segmentation import Dice, Tversky, dice, tversky
from minikeras.losses.utils import squeeze_or_expand_to_same_rank

ALL_FUNCTIONS = {
    fn.__name__: fn for fn in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge, squared_hinge,
        categorical_hinge, kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
        categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
        dice, tversky, categorical_generalized_cross_entropy)
}
# Keras 2's spellings of the loss functions: the one table of them. `get('mse')` and
# `metrics.get('mse')` read it (metrics maps each to the metric class averaging the
# function), and so do the attributes `keras.losses.mse` / `keras.metrics.mse`, which the
# modules' `__getattr__` answers from it.
ALIASES = {
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "kld": kl_divergence, "KLD": kl_divergence, "bce": binary_crossentropy,
    "BCE": binary_crossentropy,
    # Keras 2 names that Keras 3 dropped.
    "kullback_leibler_divergence": kl_divergence, "logcosh": log_cosh, "huber_loss": huber,
    # Keras 2's cosine_proximity is the negative cosine: the loss, not the metric.
    "cosine_proximity": cosine_similarity, "cosine": cosine_similarity,
}
CLASSES = {
    cls.__name__: cls for cls in (
        Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
        MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, Huber,
        LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
        BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
        CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, Dice, Tversky,
        CategoricalGeneralizedCrossEntropy)
}
# What a `LossFunctionWrapper` config may name (loss.py cannot import the functions).
NAMED_FUNCTIONS.update(ALL_FUNCTIONS)
NAMED_FUNCTIONS.update(ALIASES)


def serialize(loss):
    """A loss's config: `{'module', 'class_name', 'config', 'registered_name'}` for `Loss`
    instances (Keras 3's layout); a function's name for functions (what every Keras version
    can read back)."""
    return serialization.serialize(loss, module="keras.losses")


def deserialize(config, custom_objects=None):
    """Returns the loss a `serialize` output (or a Keras 2/3 config dict) describes; names in
    `custom_objects` give the user's class (an instance) or function."""
    return serialization.deserialize(get, config, custom_objects)


def get(identifier):
    """Returns a loss from a name (any Keras spelling), a config dict, a class, an instance or a
    callable `fn(y_true, y_pred)`. Names of functions give the function; class names, config
    dicts and classes give a fresh instance; None gives None.

    Raises:
        ValueError: for an unknown name or class (with the closest names), or an identifier of
            another type.
    """
    return serialization.get_instance("loss", CLASSES, identifier, functions=NAMED_FUNCTIONS)


def as_loss_object(identifier):
    """Returns a `Loss` instance: functions are wrapped in a `LossFunctionWrapper` named as given
    (`'mse'` stays `mse`), as Keras 3's compile does."""
    loss = get(identifier)
    if loss is None or isinstance(loss, Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", None)
    return LossFunctionWrapper(loss, name=name)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__, aliases=ALIASES)
