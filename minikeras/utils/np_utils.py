"""Keras 2's `keras.utils.np_utils` (removed in Keras 3): `to_categorical` and `normalize`.

Course code writes `from keras.utils.np_utils import to_categorical` or
`keras.utils.np_utils.to_categorical(...)`; both reach the same functions as `keras.utils`.
"""

from minikeras.utils.numerical_utils import normalize, to_categorical

__all__ = ["normalize", "to_categorical"]
