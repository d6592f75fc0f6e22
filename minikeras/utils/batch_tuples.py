"""The batch tuples of data pipelines: `(x,)`, `(x, y)` or `(x, y, sample_weight)`, as
`keras.utils.pack_x_y_sample_weight` / `unpack_x_y_sample_weight` read and write them (what
a `train_step` override receives as `data`)."""


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` of a batch, with None for what it does not hold, as
    `keras.utils.unpack_x_y_sample_weight`.

    Args:
        data: `x` (an array or a dict of arrays), or a tuple (or list) `(x,)`, `(x, y)` or
            `(x, y, sample_weight)`.

    Raises:
        ValueError: for a tuple of another length.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, "
                     f"sample_weight)`, found a tuple of {len(data)} elements: "
                     f"{str(data)[:200]}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch tuple `(x,)`, `(x, y)` or `(x, y, sample_weight)`, as
    `keras.utils.pack_x_y_sample_weight`."""
    if y is None:
        # A list or tuple `x` (several inputs) stays one element, as Keras keeps it.
        return x if not isinstance(x, (list, tuple)) else (x,)
    if sample_weight is None:
        return x, y
    return x, y, sample_weight
