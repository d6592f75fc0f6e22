"""`MonitorCallback`: the shared logic of callbacks that watch one logged quantity.

EarlyStopping, ReduceLROnPlateau and ModelCheckpoint compare the monitored value with the
best so far; `mode='auto'` decides whether it should go up or down as Keras 3 does, by asking
the compiled metric of that name (accuracy, AUC, precision, recall, F-scores, IoU, R², cosine
similarity and correlations go up; losses and errors go down). Where Keras 3 gives up (a
metric it cannot classify, a name that is not a compiled metric) minikeras also reads the name
as tf.keras did (`acc`, `accuracy`, `auc`… up; `loss`, `error`, `mse`… down) before raising.
"""

import re
import warnings

import numpy as np

from minikeras import metrics as metrics_module
from minikeras.callbacks.callback import Callback

# Metric classes whose value improves upwards / downwards (Keras 3's `_direction`).
_UP_CLASSES = (
    metrics_module.Accuracy, metrics_module.BinaryAccuracy, metrics_module.CategoricalAccuracy,
    metrics_module.SparseCategoricalAccuracy, metrics_module.TopKCategoricalAccuracy,
    metrics_module.SparseTopKCategoricalAccuracy, metrics_module.AUC, metrics_module.Precision,
    metrics_module.Recall, metrics_module.SensitivityAtSpecificity,
    metrics_module.SpecificityAtSensitivity, metrics_module.PrecisionAtRecall,
    metrics_module.RecallAtPrecision, metrics_module.FBetaScore, metrics_module.IoU,
    metrics_module.R2Score, metrics_module.CosineSimilarity, metrics_module.PearsonCorrelation,
    metrics_module.ConcordanceCorrelation,
)
_DOWN_CLASSES = (
    metrics_module.MeanSquaredError, metrics_module.MeanAbsoluteError,
    metrics_module.MeanAbsolutePercentageError, metrics_module.MeanSquaredLogarithmicError,
    metrics_module.RootMeanSquaredError, metrics_module.LogCoshError, metrics_module.Hinge,
    metrics_module.SquaredHinge, metrics_module.CategoricalHinge, metrics_module.KLDivergence,
    metrics_module.Poisson, metrics_module.BinaryCrossentropy,
    metrics_module.CategoricalCrossentropy, metrics_module.SparseCategoricalCrossentropy,
)
# Metric functions (wrapped in a MeanMetricWrapper) whose value improves upwards.
_UP_FUNCTIONS = (
    metrics_module.accuracy, metrics_module.binary_accuracy, metrics_module.categorical_accuracy,
    metrics_module.sparse_categorical_accuracy, metrics_module.top_k_categorical_accuracy,
    metrics_module.sparse_top_k_categorical_accuracy, metrics_module.cosine_similarity,
    metrics_module.pearson_correlation, metrics_module.concordance_correlation,
)
# tf.keras-style reading of a name, used when the metric itself does not say.
_UP_NAME = re.compile(r"(^|_)(acc|accuracy|auc|precision|recall|f1_score|fbeta_score|iou|"
                      r"r2_score|cosine_similarity|pearson_correlation|concordance_correlation|"
                      r"true_positives|true_negatives)$")
_DOWN_NAME = re.compile(r"(^|_)(loss|error|mse|mae|mape|msle|rmse|crossentropy|hinge|"
                        r"divergence|kld|kullback_leibler_divergence|poisson|logcosh|"
                        r"false_positives|false_negatives)$")


def _direction_of_metric(metric):
    if isinstance(metric, _UP_CLASSES):
        return "max"
    if isinstance(metric, _DOWN_CLASSES):
        return "min"
    fn = getattr(metric, "_fn", None)
    if fn is not None:
        if fn in _UP_FUNCTIONS:
            return "max"
        if getattr(fn, "__module__", "").startswith("minikeras.losses"):
            return "min"
        return _direction_of_name(getattr(fn, "__name__", ""))
    return None


def _direction_of_name(name):
    name = re.sub(r"_\d+$", "", name.lower())  # `precision_1`: a second metric of that kind
    if _UP_NAME.search(name):
        return "max"
    if _DOWN_NAME.search(name):
        return "min"
    return None


def infer_mode(monitor, model):
    """`'min'` or `'max'` for a monitored log key under `mode='auto'`; raises a ValueError
    naming the quantity when neither the compiled metric nor its name tell."""
    name = monitor[len("val_"):] if monitor.startswith("val_") else monitor
    if name == "loss":
        return "min"
    for metric in getattr(model, "metrics", None) or []:
        if getattr(metric, "name", None) == name:
            direction = _direction_of_metric(metric)
            if direction is not None:
                return direction
    direction = _direction_of_name(name)
    if direction is None:
        raise ValueError(
            f"The callback received monitor={monitor!r}, but minikeras cannot tell whether "
            "that quantity should be maximized or minimized. Pass `mode='max'` to monitor "
            "based on the highest value, or `mode='min'` for the lowest.")
    return direction


class MonitorCallback(Callback):
    """Base class of callbacks that track the best value of one logged quantity.

    Args:
        monitor: the log key to watch (default `'val_loss'`).
        mode: `'min'`, `'max'` or `'auto'` (default: from the metric, see `infer_mode`).
        baseline: the initial best value (default None: the first value is the best).
        min_delta: an improvement must beat the best by more than this (default 0).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        mode = infer_mode(self.monitor, self.model) if self.mode == "auto" else self.mode
        self.monitor_op = np.less if mode == "min" else np.greater

    def _is_improvement(self, monitor_value, reference_value):
        """Whether `monitor_value` beats `reference_value` (None: anything does) by more than
        `min_delta`."""
        if reference_value is None:
            return True
        if self.monitor_op is None:
            self._set_monitor_op()
        delta = -self.min_delta if self.monitor_op is np.less else self.min_delta
        # Compared in float32, the precision of the logged values, as Keras compares them:
        # 0.7 beats 0.8 by min_delta=0.1 in float64, not in float32.
        return bool(self.monitor_op(np.asarray(monitor_value - delta, dtype=np.float32),
                                    np.asarray(reference_value, dtype=np.float32)))

    def _monitor_value(self, logs, what, end=""):
        """The monitored value in `logs`, or None after Keras's warning listing the keys there
        are (`what` says what is conditioned on it)."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}{end}",
                          stacklevel=3)
        return value
