"""Standardizing the tuple and string arguments of convolution and pooling layers, with
Keras's rules and messages (`keras/src/utils/argument_validation.py`)."""

import numpy as np


def standardize_tuple(value, n, name, allow_zero=False):
    """Returns `value` as a tuple of `n` integers (an int is repeated `n` times).

    Args:
        value: an int, or an iterable of `n` ints.
        n: the length of the tuple (the number of spatial axes).
        name: the argument's name, for the error message (e.g. `'kernel_size'`).
        allow_zero: whether 0 is accepted (default False: every entry must be positive).

    Raises:
        ValueError: for a wrong length, a non-integer or an out-of-range entry.
    """
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n or not all(isinstance(v, (int, np.integer)) and
                                       not isinstance(v, bool) for v in values):
            raise ValueError(message)
        values = tuple(int(v) for v in values)
    low = 0 if allow_zero else 1
    if any(v < low for v in values):
        raise ValueError(f"{message}, including values {[v for v in values if v < low]} that "
                         f"do not satisfy `value {'>=' if allow_zero else '>'} 0`")
    return values


def standardize_padding(value, allow_causal=False):
    """Returns the padding in lower case: `'valid'`, `'same'` (or `'causal'` when allowed)."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be one of {allowed}. "
                         f"Received: padding={value!r}")
    return padding
