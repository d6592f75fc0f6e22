"""The stateless scope: how a Keras-style `Layer.call` becomes a pure function.

While the engine differentiates the model, every `Variable` read inside the scope returns the
value being traced instead of the stored array, and every `assign` is collected instead of
applied. The same `call` is therefore both the user-facing method and what autograd sees.
"""

import threading

import numpy as np
from autograd.tracer import getval


def check_assignment(variable, value):
    """Raises a ValueError unless `value` can be assigned to `variable`; returns its dtype.

    One check for every place a variable's value is set: the eager `Variable.assign`, an
    assignment recorded inside a `StatelessScope` (a moving mean updated in a training step) and
    the engine's write-back `assign_arrays`. The shape must be the variable's; the dtype must
    cast to the variable's within its kind (float64 to float32, int to float; not float to int),
    as the value is cast when it is stored.
    """
    raw = getval(value)
    shape, dtype = np.shape(raw), np.result_type(raw)
    if shape != variable.shape:
        raise ValueError(
            f"Cannot assign a value of shape {shape} to variable '{variable.path}' "
            f"of shape {variable.shape}."
        )
    if dtype != variable.dtype and not np.can_cast(dtype, variable.dtype, "same_kind"):
        raise ValueError(
            f"Cannot assign a value of dtype {dtype.name} to variable '{variable.path}' "
            f"of dtype {variable.dtype}."
        )
    return dtype


class _ThreadScopes(threading.local):
    """Each thread's stack of open scopes (threads train independently)."""

    def __init__(self):
        self.stack = []


_local = _ThreadScopes()


class StatelessScope:
    """Maps variables to the values to use instead of theirs, and collects what a call produces.

    Args:
        values: `(variable, value)` pairs read in place of the variables' stored arrays.
        training: the default `training` flag for layers called inside the scope.
        seed: the seed of the generator that dropout and noise layers draw from inside the
            scope (default None: they use their own or the global one).

    Attributes:
        updates: `{variable: value}` of the assignments made inside the scope (not applied).
        losses: the losses layers added during the call (`add_loss`, activity regularizers).
    """

    def __init__(self, values=(), training=False, seed=None):
        self.values = dict(values)
        self.updates = {}
        self.losses = []
        self.training = training
        self.seed = seed
        self._rng = None

    @property
    def rng(self):
        """The scope's `numpy.random.Generator` (made on first use), or None without a seed."""
        if self._rng is None and self.seed is not None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng

    def assign(self, variable, value):
        """Records `value` as the variable's new value (checked as the eager `assign` is)."""
        check_assignment(variable, value)
        self.values[variable] = value
        self.updates[variable] = value

    def add_loss(self, layer, loss):
        """Collects a loss `layer` added during the call (it joins the step's loss)."""
        self.losses.append(loss)

    def __enter__(self):
        _local.stack.append(self)
        return self

    def __exit__(self, *exc):
        _local.stack.pop()
        return False


def current_scope():
    """Returns the innermost active `StatelessScope`, or None."""
    stack = _local.stack
    return stack[-1] if stack else None

