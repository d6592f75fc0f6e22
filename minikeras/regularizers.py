"""Weight penalties (`keras.regularizers`): `regularizer(weights) -> scalar`."""

import autograd.numpy as anp

from minikeras.backend.variables import unwrap


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
    value = float(value)
    if not value >= 0 or value != value:
        raise ValueError(f"Value for argument {name} must be a non-negative float, received: {name}={value}")
    return value


class L1(Regularizer):
    """`l1 * sum(abs(x))` (default `l1=0.01`)."""

    def __init__(self, l1=0.01):
        self.l1 = _check("l1", l1)

    def __call__(self, x):
        return self.l1 * anp.sum(anp.abs(unwrap(x)))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(square(x))` (default `l2=0.01`)."""

    def __init__(self, l2=0.01):
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        x = unwrap(x)
        return self.l2 * anp.sum(x * x)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """`l1 * sum(abs(x)) + l2 * sum(square(x))` (defaults `l1=0.0, l2=0.0`)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _check("l1", l1), _check("l2", l2)

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


def l1_l2(l1=0.01, l2=0.01):
    """Keras 2 shortcut: `L1L2(l1, l2)` with both defaults 0.01."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1_l2": l1_l2,
           "Regularizer": Regularizer}


def serialize(regularizer):
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def get(identifier):
    """Returns a regularizer from None, a name (`'l2'`), a config dict, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown regularizer: {identifier.get('class_name')!r}.")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = CLASSES.get(identifier) or CLASSES.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown regularizer: {identifier!r}. Expected one of {sorted(CLASSES)}.")
        return cls()
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret regularizer identifier: {identifier!r}.")
