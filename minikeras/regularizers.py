"""Weight penalties (`keras.regularizers`): `regularizer(weights) -> scalar`.

A layer's weight penalties join the training loss as they are; an `activity_regularizer`'s
penalty on a layer's output is divided by the batch size (Keras semantics, done by `Layer`).
Formulas follow Keras 3 (`keras/src/regularizers/regularizers.py`).
"""

import math
import numbers

import autograd.numpy as anp

from minikeras import ops, serialization
from minikeras.variables import unwrap


class Regularizer:
    """Base class: `__call__(x)` returns the penalty that joins the training loss."""

    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _check(name, value):
    """Keras's validation: a finite, non-negative number (NumPy scalars welcome)."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


class L1(Regularizer):
    """`l1 * sum(abs(x))` (default `l1=0.01`, also when given None)."""

    def __init__(self, l1=0.01):
        self.l1 = _check("l1", 0.01 if l1 is None else l1)

    def __call__(self, x):
        return self.l1 * anp.sum(anp.abs(unwrap(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(square(x))` (default `l2=0.01`, also when given None)."""

    def __init__(self, l2=0.01):
        self.l2 = _check("l2", 0.01 if l2 is None else l2)

    def __call__(self, x):
        x = unwrap(x)
        return self.l2 * anp.sum(x * x)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Defaults `l1=0.0, l2=0.0` (None means 0); the Keras 2 shortcut `l1_l2()` and the string
    `'l1_l2'` use 0.01 for both.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check("l1", 0.0 if l1 is None else l1)
        self.l2 = _check("l2", 0.0 if l2 is None else l2)

    def __call__(self, x):
        x = unwrap(x)
        out = 0.0
        if self.l1:
            out = out + self.l1 * anp.sum(anp.abs(x))
        if self.l2:
            out = out + self.l2 * anp.sum(x * x)
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight to be orthogonal.

    The penalty is `factor * 0.5 * sum(|P - diag(P)|) / (n*(n-1)/2)` where `P` is the Gram
    matrix of the L2-normalized rows (`mode='rows'`) or columns (`mode='columns'`) and `n` their
    number: `factor` times the mean absolute cosine between distinct pairs.

    Args:
        factor: the penalty's weight (default 0.01).
        mode: `'rows'` (default) or `'columns'`.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _check("factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", '
                             f'"columns"}}. Received: mode={mode!r}')
        self.mode = mode

    def __call__(self, x):
        x = unwrap(x)
        if len(x.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape)}")
        if self.mode == "rows":
            x = ops.normalize(x, axis=1)
            product = anp.dot(x, x.T)
        else:
            x = ops.normalize(x, axis=0)
            product = anp.dot(x.T, x)
        n = product.shape[0]
        off_diagonal = product * (1.0 - anp.eye(n, dtype=product.dtype))
        num_pairs = n * (n - 1.0) / 2.0
        return self.factor * 0.5 * anp.sum(anp.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01):
    """Keras 2 shortcut: `L1L2(l1, l2)` with both defaults 0.01."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

# Keras 3 names (class names and their snake_case), plus Keras 2's `l1_l2` shortcut.
CLASSES = {"Regularizer": Regularizer, "regularizer": Regularizer, "L1": L1, "l1": L1,
           "L2": L2, "l2": L2, "L1L2": L1L2, "l1l2": L1L2, "l1_l2": l1_l2,
           "OrthogonalRegularizer": OrthogonalRegularizer,
           "orthogonal_regularizer": OrthogonalRegularizer}


def serialize(regularizer):
    """Returns `{'class_name', 'config'}` for a regularizer (None for None)."""
    return serialization.serialize(regularizer)


def deserialize(config, custom_objects=None):
    """Returns the regularizer described by `config` (a name or `{'class_name', 'config'}`)."""
    return serialization.deserialize(get, config, custom_objects)


def get(identifier):
    """Returns a regularizer from None, a name (`'l2'`), a dict, a class, an instance or a function.

    Raises:
        ValueError: for an unknown name or an identifier of another type.
    """
    return serialization.get_instance("regularizer", CLASSES, identifier, any_case=True)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
