"""`Tensor`: the NumPy array that eager calls return, with tf.keras's `.numpy()`.

Course code written for tf.keras writes `model(x).numpy()` and `loss_fn(y, p).numpy()`. A
`Tensor` is an ordinary `np.ndarray` (a view, no copy) that also answers `.numpy()`; `predict`
and `evaluate` keep returning plain NumPy values, as in Keras.
"""

import functools

import numpy as np

from minikeras import tree
from minikeras.autograd_internals import isbox, register_array_type


@register_array_type  # eager results may meet traced values (a loss on `y_true` and `y_pred`)
class Tensor(np.ndarray):
    """An `np.ndarray` with `.numpy()`, as the tensors of Keras's TensorFlow backend."""

    def numpy(self):
        """Returns the value as a plain `np.ndarray` (or NumPy scalar for a 0-d tensor)."""
        value = self.view(np.ndarray)
        return value[()] if value.ndim == 0 else value


def as_tensor(value):
    """Views each NumPy array (or scalar) of a nested structure as a `Tensor`."""
    def view(x):
        if isinstance(x, (np.ndarray, np.generic)) and not isinstance(x, Tensor):
            return np.asarray(x).view(Tensor)
        return x

    return tree.map_structure(view, value) if tree.is_nested(value) else view(value)


def returns_tensor(fn):
    """Decorates a public function so that its array results answer `.numpy()`.

    Called on arrays (eagerly), `fn`'s NumPy array or scalar result is viewed as a `Tensor`;
    inside a training step (a traced result) or for anything else (shapes, lists, None) the
    result is returned unchanged.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        out = fn(*args, **kwargs)
        if isbox(out) or not isinstance(out, (np.ndarray, np.generic)) or type(out) is Tensor:
            return out
        return np.asarray(out).view(Tensor)

    return wrapper
