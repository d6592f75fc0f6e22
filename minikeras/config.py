"""Global settings: float type, fuzz factor and image layout (Keras defaults), BLAS threads.

Importing it applies minikeras's two process-wide policies, once: one BLAS thread
(`minikeras.blas`) and glibc's malloc thresholds (`minikeras.allocator`).
"""

from minikeras import allocator, blas  # noqa: F401 (allocator: imported for its policy)

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def floatx():
    """Returns the default float type as a string (Keras default: `'float32'`)."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float type: `'float16'`, `'float32'` or `'float64'`."""
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx type: {value!r}. Expected 'float16', 'float32' or 'float64'.")
    _FLOATX = str(value)


def epsilon():
    """Returns the fuzz factor used in numeric expressions (Keras default: `1e-7`)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Returns `'channels_last'` (Keras default) or `'channels_first'`."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the image layout: `'channels_last'` or `'channels_first'`."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"Unknown data_format: {data_format!r}. Expected 'channels_last' or 'channels_first'."
        )
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format):
    """Returns `data_format`, or the global default when it is None."""
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"Invalid data_format: {data_format!r}. Expected 'channels_last' or 'channels_first'."
        )
    return data_format


def blas_threads():
    """Returns the number of OpenBLAS threads minikeras computes with: inside `fit`,
    `evaluate`, `predict` and the `*_on_batch` methods (1 by default; the rest of the time the
    process keeps its own count). When `OPENBLAS_NUM_THREADS`, `GOTO_NUM_THREADS` or
    `OMP_NUM_THREADS` is set, minikeras leaves OpenBLAS's count alone and this returns that
    count. None when NumPy is not on OpenBLAS. See `minikeras.blas` for why.
    """
    chosen = blas.policy_threads()
    return blas.threads() if chosen is None else chosen


def set_blas_threads(n):
    """Sets the number of OpenBLAS threads minikeras computes with (see `blas_threads`).

    OpenBLAS has one count for the whole process: while some thread is inside `fit`,
    `evaluate` or `predict`, every NumPy product in the process runs on this count.

    Args:
        n: a positive integer.

    Raises:
        ValueError: if `n` is not a positive integer.
        RuntimeError: if NumPy's BLAS is not OpenBLAS (MKL, Accelerate): set that library's own
            variable (`MKL_NUM_THREADS`, `VECLIB_MAXIMUM_THREADS`) before starting Python.
    """
    blas.set_policy_threads(n)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
