"""How the K functions read their arguments: arrays, Python numbers and lists, or `Variable`s.

Every K function accepts any of these, as Keras 2's backend does (a Variable stands for its
current value, or for the value being differentiated inside a training step). They are read
as `keras.ops` reads them (ops/dtypes.py): one rule for both namespaces, Keras's own (Python
floats and lists of them are `floatx()`, Python ints int32, as TensorFlow made them).
"""

import numpy as np

from minikeras import config
from minikeras.ops.dtypes import axis_argument as as_axis  # noqa: F401 (K's name for it)
from minikeras.ops.dtypes import convert as to_array  # noqa: F401 (K's name for it)


def floatx_dtype(dtype):
    """`dtype` as a NumPy dtype, `floatx()` when None."""
    return np.dtype(dtype or config.floatx())
