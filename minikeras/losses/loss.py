"""`Loss`, `LossFunctionWrapper` and the Keras 3 reductions (`reduce_weighted_values`)."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval, isbox

from minikeras import config, ops, serialization
from minikeras.keras_mask import get_keras_mask
from minikeras.naming import to_snake_case
from minikeras.tensor import as_tensor
from minikeras.variables import unwrap
from minikeras.losses.utils import check_axis, check_label_smoothing, squeeze_or_expand_to_same_rank


class Reduction:
    """tf.keras's reduction names (`tf.keras.losses.Reduction.SUM`...); `AUTO` is the default."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"


REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Returns a Keras 3 reduction; tf.keras's `'auto'` (found in saved configs) is the default."""
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def _dtype(x):
    return getattr(getval(x), "dtype", None) or np.dtype(config.floatx())


def _standardize_dtype(dtype):
    """A dtype name; Keras 3 configs may hold a `DTypePolicy` dict instead of a string."""
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    return None if dtype is None else np.dtype(dtype).name


def _mask_to_weights(mask, sample_weight, dtype, reduction):
    """Merges a boolean mask into the sample weights, as Keras 3's `apply_mask`: with the
    averaging reductions a kept entry weighs `mask.size / kept` (so the sum over the batch
    size is the mean over the kept entries), else 1; masked entries weigh 0."""
    mask = np.asarray(getval(mask), dtype=bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = mask.sum()
        float_mask = np.where(mask, mask.size / valid if valid else 0.0, 0.0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    w_shape = np.shape(sample_weight)
    if 0 < len(w_shape) < float_mask.ndim and tuple(w_shape) == float_mask.shape[:len(w_shape)]:
        # Per-sample weights (N,) with a per-step mask (N, T): Keras 3 raises a broadcasting
        # error; each sample's weight weighs its steps, as `_align_weights` does for losses.
        sample_weight = anp.reshape(sample_weight, tuple(w_shape) + (1,) * (
            float_mask.ndim - len(w_shape)))
    return sample_weight * float_mask


def _merge_masks(a, b):
    """The entries both masks keep (either may be None)."""
    if a is None or b is None:
        return b if a is None else a
    return np.logical_and(np.asarray(getval(a), bool), np.asarray(getval(b), bool))


def _check_mask_shape(mask, values):
    """A mask must name the entries of the per-sample losses (a trailing axis of 1 aside)."""
    m_shape, v_shape = np.shape(mask), tuple(np.shape(values))
    if m_shape == v_shape or m_shape == v_shape + (1,) or m_shape + (1,) == v_shape:
        return
    raise ValueError(
        f"The mask of `y_pred` has shape {m_shape}, but the loss has per-entry values of shape "
        f"{v_shape}: a mask must mark the entries of the loss (e.g. a `(batch, time)` mask "
        "with a per-time-step output of shape `(batch, time, features)`).")


def _align_weights(values, sample_weight):
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    shape, w_shape = np.shape(values), np.shape(sample_weight)
    # Per-sample weights (N,) against per-timestep losses (N, T): Keras raises a broadcasting
    # error; weighting every entry of sample i is what the weights mean.
    if 0 < len(w_shape) < len(shape) and tuple(w_shape) == tuple(shape[:len(w_shape)]):
        w_shape = tuple(w_shape) + (1,) * (len(shape) - len(w_shape))
        sample_weight = anp.reshape(sample_weight, w_shape)
    try:
        np.broadcast_shapes(tuple(shape), tuple(np.shape(sample_weight)))
    except ValueError:
        raise ValueError(f"`sample_weight` of shape {np.shape(sample_weight)} cannot weight "
                         f"per-sample losses of shape {tuple(shape)}.") from None
    return values, sample_weight


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size", mask=None):
    """Weights per-sample values and reduces them as Keras 3 does.

    Args:
        values: per-sample (or per-entry) losses.
        sample_weight: weights broadcastable to `values` (a `(N,)` weight also weights every
            entry of sample i), or None.
        reduction: `'sum_over_batch_size'` and `'mean'` divide the weighted sum by the number of
            values (not by the sum of the weights); `'mean_with_sample_weight'` divides by the
            sum of the weights; `'sum'` sums; None/`'none'` returns the weighted values.
        mask: optional boolean array shaped as `values`; False entries are left out (with
            `'sum_over_batch_size'`/`'mean'` the result is the mean over the kept entries).
    """
    reduction = standardize_reduction(reduction)
    if not isbox(values):
        values = np.asarray(values, dtype=_dtype(values))
    dtype = _dtype(values)
    if sample_weight is not None:
        sample_weight = unwrap(sample_weight)
        if not isbox(sample_weight):
            sample_weight = np.asarray(sample_weight, dtype=dtype)
    if mask is not None:
        _check_mask_shape(mask, values)
        sample_weight = _mask_to_weights(mask, sample_weight, dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = _align_weights(values, sample_weight)
        values = values * sample_weight
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    if sample_weight is None and reduction in ("sum_over_batch_size", "mean"):
        return ops.mean_all(values)  # the common case in one traced op instead of two
    total = anp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = np.sum(getval(sample_weight))
    else:
        divisor = int(np.prod(values.shape))
    # divide_no_nan, as Keras: a zero divisor gives 0.
    return total / np.asarray(divisor, dtype=dtype) if divisor else total * 0.0


class Loss:
    """Base class of losses: `loss(y_true, y_pred, sample_weight=None)` returns the reduced loss.

    Subclasses implement `call(y_true, y_pred)` returning per-sample values.

    Args:
        name: the loss's name (default: the class name in snake case).
        reduction: `'sum_over_batch_size'` (default), `'sum'`, `'mean'`,
            `'mean_with_sample_weight'` or None/`'none'`.
        dtype: the computation dtype (default `backend.floatx()`).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _standardize_dtype(dtype)

    @property
    def dtype(self):
        return self._dtype or config.floatx()

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def _convert(self, x):
        # Keras casts both inputs to the loss dtype; traced values are left as they are.
        x = unwrap(x)
        return x if isbox(x) else np.asarray(x, dtype=self.dtype)

    def _mask(self, y_true, y_pred):
        """Entries to leave out of the reduction (None: all count)."""
        return None

    def __call__(self, y_true, y_pred, sample_weight=None):
        # A masked `y_pred` (a sequence output after `Embedding(mask_zero=True)` or
        # `Masking`) leaves its masked entries out, as Keras 3; read before the conversion,
        # which makes a new array.
        y_pred_mask = get_keras_mask(y_pred)
        y_true, y_pred = self._convert(y_true), self._convert(y_pred)
        values = self.call(y_true, y_pred)
        mask = _merge_masks(y_pred_mask, self._mask(y_true, y_pred))
        loss = reduce_weighted_values(values, sample_weight, self.reduction, mask=mask)
        return loss if isbox(loss) else as_tensor(loss)

    def get_config(self):
        config_ = {"name": self.name, "reduction": self.reduction}
        if self._dtype is not None:
            config_["dtype"] = self._dtype
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name} reduction={self.reduction}>"


def _validate_fn_kwargs(kwargs):
    if "label_smoothing" in kwargs:
        check_label_smoothing(kwargs["label_smoothing"])
    if "axis" in kwargs and kwargs["axis"] is not None and not isinstance(kwargs["axis"], tuple):
        check_axis(kwargs["axis"])


# Every per-sample loss function by each name a config may give it ('huber', 'mse', ...), for a
# `LossFunctionWrapper` made from a config. The functions live in the family modules, which
# import this one, so the `losses` package fills the table once it has imported them all.
NAMED_FUNCTIONS = {}


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Ranks of `y_true` and `y_pred` are aligned first (a trailing axis of 1), unless `fn` has
    `takes_class_indices = True`; `fn.entry_mask(y_true, y_pred, **kwargs)`, when defined,
    names entries to leave out of the reduction (`ignore_class`).

    Args:
        fn: the per-sample loss function (or its registered name).
        reduction: see `Loss` (default `'sum_over_batch_size'`).
        name: the loss's name (default the function's name).
        dtype: the computation dtype (default floatx).
        **kwargs: passed on to `fn` (and written into the config).
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        if isinstance(fn, (str, dict)):
            fn = serialization.get_instance("loss function", {}, fn, functions=NAMED_FUNCTIONS)
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        _validate_fn_kwargs(kwargs)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        if not getattr(self.fn, "takes_class_indices", False):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _mask(self, y_true, y_pred):
        entry_mask = getattr(self.fn, "entry_mask", None)
        return None if entry_mask is None else entry_mask(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config_ = {**super().get_config(), **self._fn_kwargs}
        if type(self) is LossFunctionWrapper:
            config_["fn"] = serialization.serialize(self.fn, module="keras.losses")
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        fn = config_.pop("fn", None)
        if cls is LossFunctionWrapper:  # subclasses know their function already
            config_["fn"] = fn
        return cls(**config_)

    def __repr__(self):
        fn = getattr(self.fn, "__name__", self.fn)
        return f"<{type(self).__name__}({fn}, kwargs={self._fn_kwargs})>"
