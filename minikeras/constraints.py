"""Weight constraints (`keras.constraints`): projections applied after each optimizer update."""

import numpy as np


class Constraint:
    """Base class: `__call__(w)` returns the projected weights."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value` (defaults `2`, `axis=0`)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (1e-7 + norms))).astype(w.dtype)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return (w * (w >= 0)).astype(w.dtype)


class UnitNorm(Constraint):
    """Rescales weights to unit norm along `axis` (default 0)."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return (w / (1e-7 + _norms(w, self.axis))).astype(w.dtype)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keeps norms along `axis` within `[min_value, max_value]`, moving them at speed `rate`.

    Defaults: `min_value=0.0, max_value=1.0, rate=1.0, axis=0`.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (1e-7 + norms))).astype(w.dtype)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


CLASSES = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
           "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
           "min_max_norm": MinMaxNorm, "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm}


def serialize(constraint):
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def get(identifier):
    """Returns a constraint from None, a name (`'max_norm'`), a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown constraint: {identifier.get('class_name')!r}.")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown constraint: {identifier!r}. Expected one of {sorted(CLASSES)}.")
        return cls()
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret constraint identifier: {identifier!r}.")
