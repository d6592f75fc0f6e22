"""The Keras mask of a tensor: `get_keras_mask(x)`, `set_keras_mask(x, mask)` and `MaskScope`.

Keras attaches a mask to a tensor as its `_keras_mask` attribute (`Embedding(mask_zero=True)`
and `Masking` make one, `Layer.__call__` hands it to the next layer, losses and metrics leave
masked entries out). Here two kinds of values carry it that way: the `Tensor` an eager call
returns and the symbolic `KerasTensor`. Plain NumPy arrays and autograd's traced values cannot
hold attributes, so while a model runs (one outermost layer call, or one training step) their
masks live in a `MaskScope`. A scope entry keeps the value itself next to its mask: the value
stays alive as long as the scope, so its `id` cannot be handed to another array meanwhile,
and the scope (with every entry) ends with the call or the step.

Masks are never differentiated: a scope stores them as plain boolean arrays.
"""

import threading

import numpy as np
from autograd.tracer import getval

from minikeras.tensor import Tensor

__all__ = ["MaskScope", "get_keras_mask", "outermost_mask_scope", "set_keras_mask",
           "with_keras_mask"]

_local = threading.local()


def _scopes():
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class MaskScope:
    """Holds the masks of values that cannot carry a `_keras_mask` attribute, for as long as
    the `with` block lasts. Lookups and writes go to the innermost open scope."""

    def __init__(self):
        self._entries = {}  # id(value) -> (value, mask): the value is kept alive

    def __enter__(self):
        _scopes().append(self)
        return self

    def __exit__(self, *exc):
        _scopes().remove(self)
        self._entries.clear()
        return False

    def holds_masks(self):
        return bool(self._entries)

    def get(self, x):
        if not self._entries:
            return None
        entry = self._entries.get(id(x))
        return None if entry is None or entry[0] is not x else entry[1]

    def set(self, x, mask):
        if mask is None:
            self._entries.pop(id(x), None)
        else:
            self._entries[id(x)] = (x, mask)


class _NoScope:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


_NO_SCOPE = _NoScope()


def outermost_mask_scope():
    """A new `MaskScope` when none is open (the outermost layer call), else a no-op context."""
    return _NO_SCOPE if getattr(_local, "stack", None) else MaskScope()


def _carries_attribute(x):
    # A KerasTensor is imported lazily (layers import this module).
    return isinstance(x, Tensor) or type(x).__name__ == "KerasTensor"


def get_keras_mask(x):
    """The mask attached to `x` (its `_keras_mask`, or its entry in the open scope), or None."""
    if type(x) is not np.ndarray:  # a plain array never carries the attribute
        mask = getattr(x, "_keras_mask", None)
        if mask is not None or x is None:
            return mask
    stack = getattr(_local, "stack", None)
    return stack[-1].get(x) if stack else None


def _as_mask(mask):
    if mask is None or type(mask).__name__ == "KerasTensor":
        return mask
    return np.asarray(getval(mask))


def set_keras_mask(x, mask):
    """Attaches `mask` to `x` (None removes it).

    A `Tensor` or `KerasTensor` keeps it as its `_keras_mask`; an array or a traced value
    keeps it in the open `MaskScope` (outside any scope it cannot keep one, and the mask is
    dropped, as nothing would read it).
    """
    mask = _as_mask(mask)
    if _carries_attribute(x):
        if mask is None:
            x.__dict__.pop("_keras_mask", None)
        else:
            x._keras_mask = mask if type(mask).__name__ == "KerasTensor" else \
                np.asarray(mask).view(Tensor)
        return
    stack = _scopes()
    if stack and x is not None:
        stack[-1].set(x, mask)


def with_keras_mask(x, mask):
    """`x` as a `Tensor` that carries `mask` (a view, no copy); `x` itself when `mask` is
    None. Used to hand a step's output and its mask to the metrics."""
    if mask is None:
        return x
    t = np.asarray(getval(x)).view(Tensor)
    t._keras_mask = np.asarray(mask).view(Tensor)
    return t
