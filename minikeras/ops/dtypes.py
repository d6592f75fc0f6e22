"""Keras 3's dtype rules for `keras.ops`, in one place: what a Python list or number becomes,
the dtype two arguments meet in, and which results leave the integers.

Checked against real Keras 3 (tests/golden/backend_ops.json):

- Python floats (and lists of them) become `floatx()`, ints int32, bools bool.
- Arguments meet in the widest float among them; integers and booleans never widen a float
  (int32 with float16 gives float16); a Python float makes integers floatx, a Python int makes
  booleans int32, and otherwise Python numbers take the array's dtype ("weak" types).
- Integer and boolean inputs of functions with real-valued results (`mean`, `std`, `var`,
  `sqrt`, `exp`, `log`, `sin`, `cos`, `tanh`) are computed in `floatx()`.
- `sum`, `prod` and `cumsum` accumulate booleans, int8 and int16 in int32 (uint8 and uint16 in
  uint32), and keep int32 as int32 where NumPy would widen it to int64.

One departure: Keras on JAX (64-bit types off) turns float64 and int64 into float32 and int32;
minikeras keeps 64-bit arrays as they are, as Keras's NumPy backend does for most functions.
"""

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.variables import unwrap

# Keyed by dtype objects, not names: `dtype.name` takes microseconds, and these run on every
# call of the ops functions.
_ACCUMULATE = {np.dtype(k): np.dtype(v) for k, v in (
    ("bool", "int32"), ("int8", "int32"), ("int16", "int32"), ("uint8", "uint32"),
    ("uint16", "uint32"))}


def is_python_number(x):
    return isinstance(x, (bool, int, float))


def _python_number(x):
    if isinstance(x, bool):
        return np.asarray(x)
    if isinstance(x, int):
        return np.asarray(x, dtype=np.int32 if -2**31 <= x < 2**31 else np.int64)
    return np.asarray(x, dtype=config.floatx())


def convert(x):
    """`x` as Keras 3's `convert_to_tensor` sees it: a `Variable` gives its value (traced inside
    a training step); a Python number or (nested) list follows the rules above; a list holding
    arrays is stacked (keeping their gradients); arrays are returned as they are."""
    x = unwrap(x)
    if is_python_number(x):
        return _python_number(x)
    if isinstance(x, (list, tuple)):
        values = [convert(v) if isinstance(v, (list, tuple)) else unwrap(v) for v in x]
        if any(hasattr(v, "shape") and not isinstance(v, np.ndarray) for v in values):
            return anp.stack([convert(v) for v in values])  # traced values: keep the graph
        array = np.asarray(values)
        if array.dtype == np.float64 and not _holds_float64(values):
            return array.astype(config.floatx())
        if array.dtype == np.int64 and array.size and -2**31 <= array.min() \
                and array.max() < 2**31:
            return array.astype(np.int32)
        return array
    return x


def _holds_float64(values):
    """Whether a list's entries include a float64 array (kept), rather than Python floats."""
    return any(getattr(v, "dtype", None) == np.float64 for v in values)


def dtype_of(x):
    return np.dtype(x.dtype) if hasattr(x, "dtype") else np.asarray(x).dtype


def result_type(*values):
    """The dtype `values` (arrays, or Python numbers as weak types) meet in (module doc)."""
    strong = [dtype_of(v) for v in values if not is_python_number(v)]
    weak = {type(v) for v in values if is_python_number(v)}
    floats = [d for d in strong if d.kind == "f"]
    if floats:
        return max(floats, key=lambda d: d.itemsize)  # float16 < float32 < float64
    if float in weak:
        return np.dtype(config.floatx())
    ints = [d for d in strong if d.kind in "iu"]
    if ints:
        return np.result_type(*ints)
    if int in weak:
        return np.dtype(np.int32)
    return np.dtype(bool) if strong or bool in weak else np.dtype(config.floatx())


def cast(x, dtype):
    """`x` in `dtype` (unchanged, not copied, when it already is)."""
    return x if dtype_of(x) == dtype else x.astype(dtype)


def promote(*values):
    """The arguments of a function of several arrays, cast to their `result_type`; Python
    numbers stay Python numbers (NumPy then applies them in that dtype)."""
    converted, common, uniform, python_float = [], None, True, False
    for v in values:  # one plain loop: this runs on every call of a binary op
        if isinstance(v, (bool, int, float)):
            python_float = python_float or isinstance(v, float)
        else:
            v = convert(v)
            if common is None:
                common = v.dtype
            elif v.dtype != common:
                uniform = False
        converted.append(v)
    # One dtype (the common case): Python numbers never widen a float, and an int only
    # becomes a float through a Python float.
    if uniform and common is not None and (
            common.kind == "f" or common.kind in "iu" and not python_float):
        return converted
    dtype = result_type(*converted)
    return [v if is_python_number(v) else cast(v, dtype) for v in converted]


def real(x):
    """`x` converted, integers and booleans as `floatx()`: the input of a real-valued function."""
    x = convert(x)
    return x.astype(config.floatx()) if dtype_of(x).kind in "biu" else x


def accumulator(x):
    """The dtype `sum`, `prod` and `cumsum` of `x` are computed in (module doc)."""
    dtype = dtype_of(x)
    return _ACCUMULATE.get(dtype, dtype)


def axis_argument(axis):
    """Keras takes a list of axes where NumPy wants a tuple."""
    return tuple(axis) if isinstance(axis, list) else axis
