"""Stateful metrics: `Metric`, `Mean`, `Sum`, `MeanMetricWrapper`.

Metrics run on plain NumPy values after each step (they are never differentiated), so their
state is a few floats updated in place.
"""

import numpy as np

from minikeras.backend.variables import unwrap


def _np(x):
    return np.asarray(unwrap(x))


class Metric:
    """Base class: `update_state(...)`, `result()`, `reset_state()`.

    Args:
        name: the metric's name (shown in logs).
        dtype: the result's dtype (default float32).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype or "float32"

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def reset_states(self):
        """Keras 2 spelling of `reset_state`."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _snake(name):
    import re

    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _broadcast_weights(values, sample_weight):
    sample_weight = _np(sample_weight).astype(np.float64)
    while sample_weight.ndim < values.ndim:
        sample_weight = sample_weight[..., None]
    while sample_weight.ndim > values.ndim and sample_weight.shape[-1] == 1:
        sample_weight = sample_weight[..., 0]
    return np.broadcast_to(sample_weight, values.shape)


class Sum(Metric):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = _np(values).astype(np.float64)
        if sample_weight is not None:
            values = values * _broadcast_weights(values, sample_weight)
        self.total += float(values.sum())

    def result(self):
        return np.asarray(self.total, dtype=self.dtype)


class Mean(Metric):
    """The (weighted) mean of the values seen: `sum(w * v) / sum(w)`."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values = _np(values).astype(np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
        else:
            w = _broadcast_weights(values, sample_weight)
            self.total += float((values * w).sum())
            self.count += float(w.sum())

    def result(self):
        return np.asarray(self.total / self.count if self.count else 0.0, dtype=self.dtype)


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)` over every sample seen.

    Args:
        fn: the per-sample metric function.
        name: the metric's name (default the function's name).
        dtype: the result dtype.
        **kwargs: extra arguments passed to `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(_np(y_true), _np(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        if "fn" not in config:
            raise ValueError("MeanMetricWrapper.from_config needs an 'fn' entry.")
        return cls(**config)
