"""`minikeras.metrics` (also `keras.metrics`): metric functions, stateful classes and `get`.

A metric object has `update_state(y_true, y_pred, sample_weight=None)`, `result()` (a NumPy
float32 scalar, or an array for per-class / per-threshold results), `reset_state()`, `.name`
and `get_config()`. `get` resolves every name Keras 3's `metrics.get` accepts, plus the
Keras 2 spellings course code still uses (`'kld'`, `'logcosh'`, `'cosine_proximity'`...).
"""

from minikeras import losses as _losses
from minikeras import serialization
from minikeras.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from minikeras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from minikeras.metrics.auc import AUC
from minikeras.metrics.base import (FUNCTION_NAMES, Mean, MeanMetricWrapper, Metric, Sum,
                                    get_function)
from minikeras.metrics.confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from minikeras.metrics.f_score import F1Score, FBetaScore
from minikeras.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from minikeras.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from minikeras.naming import to_snake_case
from minikeras.metrics.regression import (
    ConcordanceCorrelation,
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    PearsonCorrelation,
    R2Score,
    RootMeanSquaredError,
    concordance_correlation,
    cosine_similarity,
    pearson_correlation,
)

CLASSES = {
    cls.__name__: cls for cls in (
        Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
        SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
        MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError, RootMeanSquaredError, CosineSimilarity, LogCoshError,
        R2Score, AUC, Precision, Recall, TruePositives, TrueNegatives, FalsePositives,
        FalseNegatives, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
        SpecificityAtSensitivity, F1Score, FBetaScore, KLDivergence, Poisson,
        BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge,
        SquaredHinge, CategoricalHinge, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
        PearsonCorrelation, ConcordanceCorrelation)
}
FUNCTIONS = {
    fn.__name__: fn for fn in (
        accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
        top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
        mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
        hinge, squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
        categorical_crossentropy, sparse_categorical_crossentropy, binary_focal_crossentropy,
        categorical_focal_crossentropy, huber, log_cosh, cosine_similarity, pearson_correlation,
        concordance_correlation)
}
# What a name gives, as in Keras 3: class names and their snake_case give fresh instances, as
# do the short aliases and the Keras 2 names Keras 3 dropped.
CLASS_NAMES = {**CLASSES, **{to_snake_case(name): cls for name, cls in CLASSES.items()}}
# Keras 2's short names (losses.ALIASES, the one table) give the metric class that averages
# the same function, where there is one ('mse' -> MeanSquaredError, 'logcosh' -> LogCoshError);
# the others give the function ('cosine_proximity', the negative cosine; 'huber_loss').
_AVERAGED_BY = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, kl_divergence: KLDivergence,
    binary_crossentropy: BinaryCrossentropy, log_cosh: LogCoshError,
}
CLASS_NAMES.update({alias: _AVERAGED_BY[fn] for alias, fn in _losses.ALIASES.items()
                    if fn in _AVERAGED_BY})
CLASS_NAMES.update({"acc": Accuracy, "fbeta_score": FBetaScore, "log_cosh": LogCoshError})
# Function names, including every loss function (the table is base.py's: MeanMetricWrapper
# reads it). A plain name gives the function only when no class has that name (`'huber'`,
# `'cosine_proximity'`, `'binary_focal_crossentropy'`...).
FUNCTION_NAMES.update({**_losses.ALL_FUNCTIONS, **_losses.ALIASES, **FUNCTIONS})


def serialize(metric):
    """`{'module', 'class_name', 'config', 'registered_name'}` for a `Metric` (Keras 3's
    layout); a function's name for a function."""
    return serialization.serialize(metric, module="keras.metrics")


def deserialize(config, custom_objects=None):
    """Returns the metric a `serialize` output (or a Keras 2/3 config dict) describes; names in
    `custom_objects` give the user's class (an instance) or function."""
    return serialization.deserialize(get, config, custom_objects)


def get(identifier):
    """Returns a `Metric` (or a metric function) from a name, config dict, class, instance or
    callable. Names of metric classes, config dicts and classes give fresh instances; None
    gives None. `'accuracy'`/`'acc'` give `Accuracy` here; `Model.compile` picks the binary,
    categorical or sparse variant from the shapes of the data, as Keras does.

    Raises:
        ValueError: for an unknown name or class (with the closest names), or an identifier of
            another type.
    """
    return serialization.get_instance("metric", CLASS_NAMES, identifier,
                                      functions=FUNCTION_NAMES)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__, aliases=_losses.ALIASES)
