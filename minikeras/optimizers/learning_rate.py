"""The learning rate of an optimizer step.

An optimizer's `learning_rate` is a float (held in a float32 `Variable` of the optimizer's
state, which callbacks and `K.set_value` change), a `LearningRateSchedule` (called with the
number of `apply` calls done, 0 for the first step) or a zero-argument callable (called at
every step). Keras 2's `decay=` divides it by `1 + decay * iterations`, as Keras 2 did.
"""

import math
import warnings

import numpy as np

from minikeras.optimizers.schedules import LearningRateSchedule
from minikeras.optimizers.state import ScalarVariable, state_variable
from minikeras.variables import Variable, unwrap


def pop_keras2_arguments(learning_rate, kwargs):
    """Removes Keras 2's `lr` and `decay` from `kwargs`; returns `(learning_rate, decay)`.

    `lr` wins over `learning_rate`, as in Keras 2; both are honoured with a DeprecationWarning
    (Keras 3 rejects `lr` and ignores `decay`).
    """
    if "lr" in kwargs:
        warnings.warn("The `lr` argument is deprecated (Keras 2), use `learning_rate` instead.",
                      DeprecationWarning, stacklevel=4)
        learning_rate = kwargs.pop("lr")
    decay = float(kwargs.pop("decay", None) or 0.0)
    if decay:
        warnings.warn("The `decay` argument is deprecated (Keras 2) and ignored by Keras 3; "
                      "minikeras honours it. Use `keras.optimizers.schedules.InverseTimeDecay("
                      "lr, decay_steps=1, decay_rate=decay)` instead.",
                      DeprecationWarning, stacklevel=4)
        if decay < 0:
            raise ValueError(f"Argument `decay` must be >= 0. Received: decay={decay}")
    return learning_rate, decay


def is_schedule_or_callable(learning_rate):
    return isinstance(learning_rate, LearningRateSchedule) or (
        callable(learning_rate) and not isinstance(learning_rate, Variable))


def check_learning_rate(learning_rate):
    """Returns a numeric `learning_rate` as a float; raises a TypeError or ValueError naming
    the argument otherwise."""
    learning_rate = unwrap(learning_rate)
    if isinstance(learning_rate, (bool, str)) or np.ndim(learning_rate) != 0:
        raise TypeError("Argument `learning_rate` should be a float, a LearningRateSchedule "
                        f"or a callable. Received: learning_rate={learning_rate!r}")
    value = float(learning_rate)
    if not value >= 0 or math.isinf(value):
        raise ValueError("Argument `learning_rate` must be a finite float >= 0. "
                         f"Received: learning_rate={learning_rate}")
    return value


def make_learning_rate(learning_rate, optimizer_name):
    """The optimizer's learning rate: a schedule, a callable or a `Variable` kept as given, a
    number as a new float32 `Variable` named `learning_rate`."""
    if isinstance(learning_rate, Variable) or is_schedule_or_callable(learning_rate):
        return learning_rate
    value = np.array(check_learning_rate(learning_rate), dtype=np.float32)
    return state_variable(value, optimizer_name, "learning_rate", ScalarVariable)


def learning_rate_of_step(learning_rate, iterations, decay=0.0, value=None):
    """The learning rate of the step that follows `iterations` calls, as a float32 scalar.

    Args:
        learning_rate: the optimizer's learning rate: a `Variable`, a schedule or a callable.
        iterations: the number of `apply` calls done (with gradient accumulation, every call).
        decay: Keras 2's time decay, `lr / (1 + decay * iterations)` (0: none).
        value: the value of the learning-rate `Variable` to use instead of its own (the
            optimizer state given to `stateless_apply`).
    """
    if isinstance(learning_rate, Variable):
        rate = learning_rate.value if value is None else value
    elif isinstance(learning_rate, LearningRateSchedule):
        rate = learning_rate(iterations)
    else:
        rate = learning_rate()
    rate = np.float32(np.asarray(unwrap(rate)))
    if decay:
        rate = rate / (np.float32(1) + np.float32(decay) * np.float32(iterations))
    return rate
