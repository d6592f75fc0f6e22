"""The stateless scope: how a Keras-style `Layer.call` becomes a pure function.

While the engine differentiates the model, every `Variable` read inside the scope returns the
value being traced instead of the stored array, and every `assign` is collected instead of
applied. The same `call` is therefore both the user-facing method and what autograd sees.
"""

import threading

_local = threading.local()


def _stack():
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


class StatelessScope:
    """Maps variables to traced values and collects assignments, losses and logits.

    Args:
        values: list of `(variable, value)` pairs read in place of the stored values.
        training: the default `training` flag for layers called inside the scope.
        rng: the `numpy.random.Generator` that dropout and noise layers draw from.
    """

    def __init__(self, values=(), training=False, rng=None):
        self.values = {id(var): value for var, value in values}
        self.updates = {}
        self.losses = []
        self.training = training
        self.rng = rng
        # id(probabilities) -> logits, so a cross-entropy can use the softmax's input.
        self.logits = {}

    def assign(self, variable, value):
        self.values[id(variable)] = value
        self.updates[id(variable)] = (variable, value)

    def __enter__(self):
        _stack().append(self)
        return self

    def __exit__(self, *exc):
        _stack().pop()
        return False


def current_scope():
    """Returns the innermost active `StatelessScope`, or None."""
    stack = _stack()
    return stack[-1] if stack else None


def in_training_phase():
    """True when the innermost scope was opened for a training step."""
    scope = current_scope()
    return bool(scope is not None and scope.training)
