"""`Tensor`: the NumPy array that eager calls return, with tf.keras's `.numpy()`.

Course code written for tf.keras writes `model(x).numpy()` and `loss_fn(y, p).numpy()`. A
`Tensor` is an ordinary `np.ndarray` (a view, no copy) that also answers `.numpy()`; `predict`
and `evaluate` keep returning plain NumPy values, as in Keras.
"""

import numpy as np

from minikeras import tree


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
