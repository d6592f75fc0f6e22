"""Stateful metrics: `Metric`, `Mean`, `Sum`, `MeanMetricWrapper`.

Metrics run on plain NumPy values after each step (they are never differentiated), so their
state is a few NumPy numbers updated in place. Totals are kept in float64 (Keras keeps
float32 variables) and `result()` returns the metric dtype, float32 by default.
"""

import numpy as np
from autograd.tracer import getval

from minikeras import config, initializers, serialization
from minikeras.keras_mask import get_keras_mask
from minikeras.losses import squeeze_or_expand_to_same_rank
from minikeras.naming import to_snake_case
from minikeras.tensor import Tensor
from minikeras.variables import Variable, unwrap


def to_numpy(x, dtype=None):
    """A NumPy array from a Variable, a traced value, a list or an array."""
    if type(x) is not np.ndarray:  # the common case (every step's batch) needs no conversion
        x = np.asarray(getval(unwrap(x)))
    return x if dtype is None else x.astype(dtype, copy=False)


def as_float(x):
    """A floatx array, as Keras converts metric inputs (so thresholds compare in float32)."""
    return to_numpy(x, config.floatx())


def divide_no_nan(a, b):
    """`a / b`, and 0 where `b == 0`."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


class Metric:
    """Base class: `update_state(...)`, `result()`, `reset_state()`.

    A custom metric keeps its state in variables made with `add_variable` (Keras 3) or
    `add_weight` (tf.keras), updated with `assign_add` / `assign`; the default
    `reset_state` sets them back to their initial values.

    Args:
        name: the metric's name, shown in logs (default: the class name in snake case).
        dtype: the result's dtype (default `backend.floatx()`, float32).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        if isinstance(dtype, dict):  # a Keras 3 DTypePolicy config
            dtype = dtype.get("config", {}).get("name")
        self.dtype = np.dtype(dtype or config.floatx()).name
        self._state_variables = []

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """Returns a new state `Variable` (not trainable) that `reset_state` re-initializes.

        Args:
            shape: default `()`.
            initializer: anything `initializers.get` accepts (default `'zeros'`).
            dtype: default the metric's dtype.
            aggregation: accepted for Keras compatibility (one device: nothing to aggregate).
            name: the variable's name.
        """
        init = initializers.get(initializer)
        var = Variable(init, shape=tuple(shape or ()), dtype=dtype or self.dtype,
                       trainable=False, name=name)
        self._state_variables.append((var, init))
        return var

    def add_weight(self, name=None, shape=(), initializer="zeros", dtype=None,
                   aggregation="sum", **kwargs):
        """tf.keras's spelling of `add_variable` (`name` first)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype,
                                 aggregation=aggregation, name=name)

    @property
    def variables(self):
        """The state variables made with `add_variable` / `add_weight`."""
        return [var for var, _ in self._state_variables]

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        """Sets every state variable back to its initial value."""
        for var, init in self._state_variables:
            var.assign(init(var.shape, dtype=var.dtype))

    def reset_states(self):
        """Keras 2 spelling of `reset_state`."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def _value(self, x):
        """`x` as the metric's dtype, a `Tensor` (0-d, or 1-d for vector results)."""
        return np.asarray(x, dtype=self.dtype).view(Tensor)  # as `as_tensor`, less checking

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, reduce_fn):
    """Keras's reduction of `values` to one value per sample, applying `sample_weight`.

    Returns `(values of shape (N,) or (), weights of the same shape or None)`.
    """
    values = np.asarray(values, dtype=np.float64)
    if sample_weight is not None:
        sample_weight = to_numpy(sample_weight, np.float64)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_ndim = sample_weight.ndim
        if values.ndim > w_ndim:
            values = reduce_fn(values, axis=tuple(range(w_ndim, values.ndim)))
        try:
            sample_weight = np.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(f"`sample_weight` of shape {sample_weight.shape} cannot weight values "
                             f"of shape {values.shape}.") from None
        values = values * sample_weight
        if w_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, w_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen (Keras default name `'sum'`)."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(to_numpy(values), sample_weight, np.sum)
        self.total += float(np.sum(values))

    def result(self):
        return self._value(self.total)


class Mean(Metric):
    """The (weighted) mean of the values seen: `sum(w * v) / sum(w)` (Keras default name `'mean'`).

    Values of shape `(N, ...)` count as N samples, each the mean of its entries.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        if type(values) is float and (sample_weight is None or type(sample_weight) is int):
            # A Python float weighted by a batch size (the loss trackers, every step): the
            # sums the array path below makes, without making arrays.
            w = 1.0 if sample_weight is None else float(sample_weight)
            self.total += values * w
            self.count += w
            return
        values = to_numpy(values)
        if values.ndim <= 1 and (sample_weight is None or np.ndim(sample_weight) == 0):
            # One value per sample and at most one weight (every training step's loss and
            # accuracy): the general path below gives the same sums, with more NumPy calls.
            w = 1.0 if sample_weight is None else float(to_numpy(sample_weight))
            self.total += float(np.add.reduce(values, None, dtype=np.float64)) * w
            self.count += (values.size if values.ndim else 1) * w
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, np.mean)
        self.total += float(np.sum(values))
        if sample_weight is not None:
            self.count += float(np.sum(sample_weight))
        else:
            self.count += values.shape[0] if values.ndim >= 1 else 1

    def result(self):
        return self._value(self.total / self.count if self.count else 0.0)


# Function names (Keras 3's `{'class_name': 'function', 'config': name}`, `MeanMetricWrapper`'s
# `fn`), every loss function included. The metric functions live in modules that import this
# one, so the `metrics` package fills the table once it has imported them all.
FUNCTION_NAMES = {}


def get_function(identifier):
    """The per-sample function a name (or Keras 3's `{'class_name': 'function'}` dict) names."""
    return serialization.get_instance("metric function", {}, identifier,
                                      functions=FUNCTION_NAMES)


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)` over every sample seen.

    Args:
        fn: the per-sample metric function (or a name `metrics.get` knows).
        name: the metric's name (default: the function's name).
        dtype: the result dtype (default float32).
        **kwargs: extra arguments passed to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if isinstance(fn, (str, dict)):
            fn = get_function(fn)
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred_mask = get_keras_mask(y_pred)
        values = self._fn(to_numpy(y_true), to_numpy(y_pred), **self._fn_kwargs)
        if y_pred_mask is not None:
            # A masked `y_pred` (per-step outputs after `Embedding(mask_zero=True)` or
            # `Masking`): its mask multiplies the weights, as Keras 3's `apply_mask` with
            # reduction 'sum', so the mean runs over the unmasked entries.
            y_pred_mask = to_numpy(y_pred_mask, np.float64)
            if sample_weight is None:
                sample_weight = y_pred_mask
            else:
                y_pred_mask, sample_weight = squeeze_or_expand_to_same_rank(
                    y_pred_mask, to_numpy(sample_weight, np.float64))
                if 0 < sample_weight.ndim < y_pred_mask.ndim:  # (N,) weights, (N, T) mask
                    sample_weight = sample_weight.reshape(
                        sample_weight.shape + (1,) * (y_pred_mask.ndim - sample_weight.ndim))
                sample_weight = y_pred_mask * sample_weight
        mask = self._mask(y_true, y_pred)
        if mask is not None and sample_weight is not None:
            # Masked entries leave the mean only when a sample_weight is given: Keras merges
            # the values' mask into the weights and drops it when there are none (so an
            # unweighted batch averages the masked zeros in). Matched for identical numbers.
            mask, sample_weight = squeeze_or_expand_to_same_rank(
                mask.astype(np.float64), to_numpy(sample_weight, np.float64))
            sample_weight = mask * sample_weight
        super().update_state(values, sample_weight)

    def _mask(self, y_true, y_pred):
        return None

    def get_config(self):
        config_ = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config_["fn"] = getattr(self._fn, "__name__", str(self._fn))
        return config_

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        fn = config_.pop("fn", None)
        if cls is MeanMetricWrapper:
            if fn is None:
                raise ValueError("MeanMetricWrapper.from_config needs an 'fn' entry.")
            config_["fn"] = fn
        return cls(**config_)
