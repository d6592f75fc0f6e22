"""The train/test split Keras's regression datasets use (and the bundled quick-start sets)."""

import numpy as np


def check_test_split(test_split):
    """Raises ValueError unless `0 <= test_split < 1`, with Keras's words."""
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 "
                         "and 1 (exclusive of 1).")


def shuffled_split(x, y, test_split, seed):
    """Shuffles `(x, y)` with `np.random.RandomState(seed)`, then cuts off the test part.

    The first `int(n * (1 - test_split))` shuffled samples train, the rest test, exactly as
    Keras's `boston_housing` and `california_housing` do, so the same seed gives the same split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: new arrays (copies).
    """
    check_test_split(test_split)
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
