"""Losses (`keras.losses`): per-sample functions, `Loss` classes with reductions, and `get`.

The functions return one value per sample (the last axis is reduced); the classes apply a
sample weight and reduce over the batch. Probabilities are clipped to
`[epsilon, 1 - epsilon]` exactly where Keras clips them.
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import isbox

from minikeras import ops
from minikeras.backend import config
from minikeras.backend.scope import current_scope
from minikeras.backend.variables import unwrap


def _prepare(y_true, y_pred):
    """Unwraps Variables and casts the labels to the predictions' dtype."""
    y_true, y_pred = unwrap(y_true), unwrap(y_pred)
    if not isbox(y_true):
        y_true = np.asarray(y_true, dtype=y_pred.dtype)
    return y_true, y_pred


def squeeze_or_expand_to_same_rank(y_true, y_pred):
    """Removes or adds a trailing axis of size 1 so both have the same rank, as Keras does."""
    t, p = anp.ndim(y_true), anp.ndim(y_pred)
    if t == p + 1 and y_true.shape[-1] == 1:
        y_true = anp.squeeze(y_true, -1)
    elif p == t + 1 and y_pred.shape[-1] == 1:
        y_pred = anp.squeeze(y_pred, -1)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    d = y_true - y_pred
    return anp.mean(d * d, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return anp.mean(anp.abs(y_true - y_pred), axis=-1)


def _logits_of(y_pred):
    """The logits a softmax produced `y_pred` from inside the current training step, if known."""
    scope = current_scope()
    return scope.logits.get(id(y_pred)) if scope is not None else None


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities.

    Args:
        y_true: labels, same shape as `y_pred`.
        y_pred: probabilities (or logits when `from_logits=True`).
        from_logits: whether `y_pred` are logits (default False).
        label_smoothing: in [0, 1]; labels become `y*(1-s) + s/num_classes` (default 0).
        axis: the class axis (default -1).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    if label_smoothing:
        n = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    eps = config.epsilon()
    if axis in (-1, anp.ndim(y_pred) - 1):
        logits = y_pred if from_logits else _logits_of(y_pred)
        if logits is not None:
            if from_logits:
                return -anp.sum(y_true * ops.log_softmax(logits, axis=-1), axis=-1)
            return ops.softmax_cross_entropy(logits, y_true, eps)
    if from_logits:
        return -anp.sum(y_true * ops.log_softmax(y_pred, axis=axis), axis=axis)
    p = y_pred / anp.sum(y_pred, axis=axis, keepdims=True)
    p = anp.clip(p, eps, 1.0 - eps)
    return -anp.sum(y_true * anp.log(p), axis=axis)


def _one_hot(labels, num_classes, dtype):
    labels = np.asarray(unwrap(labels))
    if labels.dtype.kind == "f" and np.any(labels != np.round(labels)):
        raise ValueError("sparse_categorical_crossentropy expects integer class indices as y_true, "
                         f"received non-integer values such as {labels[labels != np.round(labels)][:3]}.")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"sparse_categorical_crossentropy received a label value of {labels.max() if labels.max() >= num_classes else labels.min()} "
            f"which is outside the valid range of [0, {num_classes}). Check your labels."
        )
    return np.eye(num_classes, dtype=dtype)[labels]


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Cross-entropy between integer class indices and predicted class probabilities.

    Args:
        y_true: integer labels of shape `y_pred.shape[:-1]` (a trailing axis of 1 is allowed).
        y_pred: probabilities (or logits when `from_logits=True`).
        from_logits: whether `y_pred` are logits (default False).
        ignore_class: a label value whose samples get zero loss (default None).
        axis: the class axis (default -1).
    """
    y_pred = unwrap(y_pred)
    y_true = np.asarray(unwrap(y_true))
    if y_true.ndim == anp.ndim(y_pred) and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    valid = None
    if ignore_class is not None:
        valid = y_true != ignore_class
        y_true = np.where(valid, y_true, 0)
    one_hot = _one_hot(y_true, y_pred.shape[axis], y_pred.dtype)
    if axis not in (-1, anp.ndim(y_pred) - 1):
        one_hot = np.moveaxis(one_hot, -1, axis)
    loss = categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, axis=axis)
    return loss * valid if valid is not None else loss


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy averaged over the last axis.

    Args:
        y_true: 0/1 labels, same shape as `y_pred`.
        y_pred: probabilities (or logits when `from_logits=True`).
        from_logits: whether `y_pred` are logits (default False).
        label_smoothing: labels become `y*(1-s) + 0.5*s` (default 0).
        axis: the axis to average over (default -1).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        # -y*log(sigmoid(x)) - (1-y)*log(sigmoid(-x)), written without overflow.
        bce = anp.maximum(y_pred, 0) - y_pred * y_true + anp.log1p(anp.exp(-anp.abs(y_pred)))
    else:
        eps = config.epsilon()
        p = anp.clip(y_pred, eps, 1.0 - eps)
        bce = -(y_true * anp.log(p) + (1.0 - y_true) * anp.log(1.0 - p))
    return anp.mean(bce, axis=axis)


REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight")


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weights per-sample values and reduces them as Keras does.

    `'sum_over_batch_size'` divides the weighted sum by the number of values (not by the sum of
    the weights); `'mean_with_sample_weight'` divides by the sum of the weights.
    """
    if sample_weight is not None:
        sample_weight = np.asarray(unwrap(sample_weight), dtype=values.dtype)
        while sample_weight.ndim < anp.ndim(values):
            sample_weight = sample_weight[..., None]
        while sample_weight.ndim > anp.ndim(values) and sample_weight.shape[-1] == 1:
            sample_weight = sample_weight[..., 0]
        values = values * sample_weight
    if reduction in (None, "none"):
        return values
    total = anp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return total / np.sum(np.broadcast_to(sample_weight, anp.shape(values)))
    return total / max(int(np.prod(anp.shape(values))), 1)


class Loss:
    """Base class of losses: `loss(y_true, y_pred, sample_weight=None)` returns the reduced loss.

    Args:
        name: the loss's name.
        reduction: `'sum_over_batch_size'` (default), `'sum'`, `'mean_with_sample_weight'` or None.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
                             f"Received: reduction={reduction!r}")
        self.name = name or type(self).__name__
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        return reduce_weighted_values(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if self.fn is not sparse_categorical_crossentropy:
            y_true, y_pred = _prepare(y_true, y_pred)
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)


def _loss_class(class_name, fn, snake_name, **defaults):
    def __init__(self, reduction="sum_over_batch_size", name=snake_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name} got unexpected keyword arguments: {sorted(unknown)}")
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, dtype=dtype,
                                     **{**defaults, **kwargs})

    cls = type(class_name, (LossFunctionWrapper,), {"__init__": __init__})
    cls.__doc__ = f"Loss class around `{fn.__name__}` (defaults: {defaults or 'none'})."

    @classmethod
    def from_config(cls_, config_):
        return cls_(**config_)

    cls.from_config = from_config
    return cls


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
CategoricalCrossentropy = _loss_class(
    "CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy",
    from_logits=False, label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _loss_class(
    "SparseCategoricalCrossentropy", sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", from_logits=False, ignore_class=None, axis=-1)
BinaryCrossentropy = _loss_class(
    "BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
    from_logits=False, label_smoothing=0.0, axis=-1)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

# name -> (function, class); every Keras spelling of a loss maps to one entry.
ALL_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "MSE": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
}
CLASSES = {
    cls.__name__: cls
    for cls in (MeanSquaredError, MeanAbsoluteError, CategoricalCrossentropy,
                SparseCategoricalCrossentropy, BinaryCrossentropy, Loss, LossFunctionWrapper)
}
FUNCTION_TO_CLASS = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
}


def serialize(loss):
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", str(loss))


def get(identifier):
    """Returns a loss from a name (any Keras spelling), a config dict, a class, an instance or a
    callable `fn(y_true, y_pred)`."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown loss: {identifier.get('class_name')!r}.")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        fn = ALL_FUNCTIONS.get(identifier)
        if fn is not None:
            return fn
        cls = CLASSES.get(identifier)
        if cls is not None:
            return cls()
        raise ValueError(
            f"Unknown loss function: {identifier!r}. Expected one of "
            f"{sorted(set(ALL_FUNCTIONS) | set(CLASSES) - {'Loss', 'LossFunctionWrapper'})} "
            "or a callable `loss(y_true, y_pred)`."
        )
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret loss identifier: {identifier!r}.")


def as_loss_object(identifier):
    """Returns a `Loss` instance: functions are wrapped in their class (or a `LossFunctionWrapper`)."""
    loss = get(identifier)
    if loss is None or isinstance(loss, Loss):
        return loss
    cls = FUNCTION_TO_CLASS.get(loss)
    return cls() if cls is not None else LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
