"""K variables: `K.variable`, and reading and writing a `Variable`'s value
(`K.get_value`, `K.set_value(model.optimizer.learning_rate, 0.01)`, `K.update_add`, ...)."""

import numpy as np
from autograd.tracer import getval

from minikeras import config
from minikeras.variables import Variable, unwrap

__all__ = [
    "batch_get_value", "batch_set_value", "eval", "get_value", "is_variable", "set_value",
    "update", "update_add", "update_sub", "variable",
]


def variable(value, dtype=None, name=None, constraint=None):
    """A `Variable` holding `value` (`floatx()` by default)."""
    return Variable(np.asarray(getval(unwrap(value))), dtype=dtype or config.floatx(),
                    name=name, constraint=constraint)


def is_variable(x):
    """Whether `x` is a `Variable`."""
    return isinstance(x, Variable)


def _check_variable(x, fn):
    if not hasattr(x, "assign"):
        hint = ""
        if isinstance(x, (int, float, np.floating)):
            hint = (" (a learning rate driven by a LearningRateSchedule is not a variable: "
                    "change the schedule instead)")
        raise TypeError(f"{fn}() expects a Variable, e.g. `model.optimizer.learning_rate`; "
                        f"received {type(x).__name__} {x!r}{hint}.")


def get_value(x):
    """The value of a `Variable` (or array) as NumPy; a 0-d value as a NumPy scalar."""
    value = np.asarray(getval(unwrap(x)))
    return value[()] if value.ndim == 0 else value


eval = get_value


def set_value(x, value):
    """Sets the `Variable` `x` to `value`: `K.set_value(model.optimizer.learning_rate, 0.01)`."""
    _check_variable(x, "set_value")
    x.assign(np.asarray(getval(unwrap(value)), dtype=np.dtype(x.dtype)))


def batch_get_value(tensors):
    """`[get_value(t) for t in tensors]`."""
    return [get_value(t) for t in tensors]


def batch_set_value(tuples):
    """`set_value(x, value)` for each `(x, value)` pair."""
    for x, value in tuples:
        set_value(x, value)


def update(x, new_x):
    """Assigns `new_x` to the `Variable` `x` and returns it."""
    _check_variable(x, "update")
    return x.assign(new_x)


def update_add(x, increment):
    """Adds `increment` to the `Variable` `x` and returns it."""
    _check_variable(x, "update_add")
    return x.assign_add(increment)


def update_sub(x, decrement):
    """Subtracts `decrement` from the `Variable` `x` and returns it."""
    _check_variable(x, "update_sub")
    return x.assign_sub(decrement)
