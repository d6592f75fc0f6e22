"""Array helpers of `keras.utils`: `to_categorical` and `normalize`."""

import operator

import numpy as np


def to_categorical(x, num_classes=None, dtype=None):
    """Converts a class vector (integers) to a one-hot class matrix.

    Args:
        x: Array-like of class labels, integers from 0 to `num_classes - 1`
            (floats holding whole numbers are accepted). A trailing axis of
            size 1, as in labels of shape `(n, 1)`, is dropped like Keras does.
        num_classes: Total number of classes. If `None` (the Keras default),
            it is inferred as `max(x) + 1`.
        dtype: dtype of the result. Keras 3 has no such argument and returns
            float64, which is what `None` (the default) gives; tf.keras 2's
            `dtype='float32'` is accepted because course code passes it.

    Returns:
        A NumPy array of shape `x.shape + (num_classes,)` (after dropping a
        trailing axis of size 1), with a 1 at each label's position.

    Raises:
        ValueError: if a label is negative, not a whole number, or not below
            `num_classes`.
    """
    labels = _as_int_labels(x)
    shape = labels.shape
    # Keras squeezes (n, 1) label columns so the result is (n, classes).
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)

    if flat.size and flat.min() < 0:
        raise ValueError(
            "to_categorical expects class labels >= 0. "
            f"Received a negative label: {int(flat.min())}"
        )
    if not num_classes:  # None (or 0, as in Keras): infer from the data
        if not flat.size:
            raise ValueError(
                "to_categorical cannot infer `num_classes` from an empty "
                "array of labels; pass `num_classes`."
            )
        num_classes = int(flat.max()) + 1
    else:
        num_classes = operator.index(num_classes)
        if flat.size and flat.max() >= num_classes:
            raise ValueError(
                f"to_categorical expects labels in [0, {num_classes - 1}] "
                f"for num_classes={num_classes}. "
                f"Received a label of {int(flat.max())}"
            )

    categorical = np.zeros((flat.size, num_classes), dtype=dtype or "float64")
    categorical[np.arange(flat.size), flat] = 1
    return categorical.reshape(shape + (num_classes,))


def _as_int_labels(x):
    """Returns `x` as an int64 array, refusing values that are not integers."""
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        return arr.astype("int64")
    if arr.dtype.kind == "f":
        # Keras would silently truncate 1.7 to class 1; a fractional label is
        # almost always a mistake (e.g. passing probabilities), so say so.
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            raise ValueError(
                "to_categorical expects integer class labels. "
                f"Received a non-integer label: {arr[bad].flat[0].item()}"
            )
        return arr.astype("int64")
    raise ValueError(
        "to_categorical expects integer class labels. "
        f"Received an array of dtype {arr.dtype}"
    )


def normalize(x, axis=-1, order=2):
    """Normalizes an array to unit norm along an axis.

    Args:
        x: Array to normalize.
        axis: Axis along which to normalize. Keras default: -1.
        order: Order of the norm (`ord` of `np.linalg.norm`), e.g. 2 for the
            L2 norm (the Keras default) or 1 for L1.

    Returns:
        A normalized copy of `x` as a NumPy array. Slices whose norm is zero
        stay zero instead of becoming NaN.
    """
    x = np.asarray(x)
    if axis is None:
        raise ValueError("normalize expects an integer `axis`. Received: None")
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    # Keras divides zero vectors by 1 so they stay zero.
    return x / np.where(norm == 0, 1, norm)
