"""`minikeras.metrics` (also `keras.metrics`): metric functions, stateful classes and `get`."""

from minikeras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from minikeras.metrics.base import Mean, MeanMetricWrapper, Metric, Sum
from minikeras.metrics.regression import (
    MeanAbsoluteError,
    MeanSquaredError,
    mean_absolute_error,
    mean_squared_error,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

# name -> class; strings accept every Keras spelling.
CLASSES = {
    cls.__name__: cls
    for cls in (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, Mean,
                Sum, MeanMetricWrapper, MeanSquaredError, MeanAbsoluteError)
}
ALIASES = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
}


def serialize(metric):
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def get(identifier):
    """Returns a `Metric` (or a metric function) from a name, config dict, class, instance or callable.

    `'accuracy'`/`'acc'` become `Accuracy` here; `Model.compile` resolves them to the binary,
    categorical or sparse categorical variant from the shapes of the data, as Keras does.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        cls = CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown metric: {identifier.get('class_name')!r}.")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = CLASSES.get(identifier) or ALIASES.get(identifier) or (
            Accuracy if identifier in ("accuracy", "acc") else None)
        if cls is None:
            raise ValueError(
                f"Unknown metric function: {identifier!r}. Expected one of "
                f"{sorted(set(ALIASES) | set(CLASSES) | {'accuracy', 'acc'})} or a callable "
                "`metric(y_true, y_pred)`."
            )
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret metric identifier: {identifier!r}.")
