"""Weight constraints (`keras.constraints`): projections the optimizer applies after each update.

Formulas follow Keras 3 (`keras/src/constraints/constraints.py`): norms are
`sqrt(sum(w**2, axis, keepdims=True))` and rescalings divide by `epsilon() + norm`. Written
with `autograd.numpy`, so a constraint may also be used inside a differentiated function.
"""

import autograd.numpy as anp

from minikeras import serialization
from minikeras import config
from minikeras.variables import unwrap


class Constraint:
    """Base class: `__call__(w)` returns the projected weights (the identity here)."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _norms(w, axis):
    return anp.sqrt(anp.sum(anp.square(w), axis=_axis(axis), keepdims=True))


class MaxNorm(Constraint):
    """Rescales weights whose norm along `axis` exceeds `max_value`.

    Args:
        max_value: the largest allowed norm (default 2).
        axis: the axis (or list of axes) the norm runs over (default 0: each column of a
            `Dense` kernel; use `[0, 1, 2]` for each filter of a `Conv2D` kernel).
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = unwrap(w)
        norms = _norms(w, self.axis)
        desired = anp.clip(norms, 0, float(self.max_value))  # float(): keep float32
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Replaces negative weights by zero."""

    def __call__(self, w):
        return anp.maximum(unwrap(w), 0)


class UnitNorm(Constraint):
    """Rescales weights to unit norm along `axis` (default 0)."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = unwrap(w)
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves norms along `axis` towards `[min_value, max_value]`.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`: `rate=1`
    enforces the bounds at once, a smaller rate moves towards them gradually.

    Args:
        min_value: smallest norm (default 0.0).
        max_value: largest norm (default 1.0).
        rate: enforcement speed (default 1.0).
        axis: the axis (or list of axes) the norm runs over (default 0).
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = unwrap(w)
        norms = _norms(w, self.axis)
        rate = float(self.rate)  # Python floats keep float32 weights float32 (NumPy 2)
        desired = rate * anp.clip(norms, float(self.min_value), float(self.max_value)) + \
            (1 - rate) * norms
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras 3 names (class names and snake_case), plus Keras 2's `maxnorm`, `nonneg`, `unitnorm`.
max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
min_max_norm = MinMaxNorm

CLASSES = {"Constraint": Constraint, "constraint": Constraint,
           "MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
           "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
           "min_max_norm": MinMaxNorm, "maxnorm": MaxNorm, "nonneg": NonNeg, "unitnorm": UnitNorm}


def serialize(constraint):
    """Returns `{'class_name', 'config'}` for a constraint (None for None)."""
    return serialization.serialize(constraint)


def deserialize(config, custom_objects=None):
    """Returns the constraint described by `config` (a name or `{'class_name', 'config'}`)."""
    return serialization.deserialize(get, config, custom_objects)


def get(identifier):
    """Returns a constraint from None, a name (`'max_norm'`), a dict, a class, an instance or a
    function.

    Raises:
        ValueError: for an unknown name or an identifier of another type.
    """
    return serialization.get_instance("constraint", CLASSES, identifier)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
