"""Reading and setting an optimizer's learning rate, for the callbacks that change it."""

import numbers

import numpy as np


def get_learning_rate(optimizer):
    """The optimizer's current learning rate as a Python float (of its float32 value)."""
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return float(np.asarray(optimizer.learning_rate))


def set_learning_rate(optimizer, value):
    """Sets the learning rate (a TypeError if the optimizer follows a schedule)."""
    optimizer.learning_rate = value


def is_real_number(value):
    """Whether `value` is a number a learning rate can be: a float, an int or a 0-d numeric
    array or tensor (not a bool, a string or a sequence)."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return False
    if isinstance(value, numbers.Real):
        return True
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return False
    return array.ndim == 0 and array.dtype.kind in "fiu"
