"""Digits: 1,797 8x8 images of handwritten digits, bundled with minikeras (no download).

The test set of the UCI "Optical Recognition of Handwritten Digits" dataset (Alpaydin and
Kaynak, 1998), CC BY 4.0; the file and its licence are in `minikeras/datasets/data/`. Each pixel
counts the "on" pixels of a 4x4 block of a 32x32 bitmap, so pixels are integers 0..16.
"""

import numpy as np

from minikeras.datasets.bundled import read_csv
from minikeras.datasets.splits import check_test_split, shuffled_split


def load_data(test_split=0.2, seed=113):
    """Loads the digits dataset, split like Keras's `boston_housing.load_data`.

    The 1,797 images are shuffled with `np.random.RandomState(seed)` and the first
    `int(1797 * (1 - test_split))` train: 1,437 training and 360 test images by default. Divide
    the pixels by 16 to bring them into [0, 1].

    Args:
        test_split: the fraction kept for testing, in [0, 1). Default 0.2, as Keras's datasets.
        seed: seed of the shuffle. Default 113, as Keras's datasets.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 images of shape `(n, 8, 8)` with pixels
        0..16 (like `mnist.load_data`'s `(n, 28, 28)`), and int64 labels 0..9 of shape `(n,)`.

    Raises:
        ValueError: for a `test_split` outside [0, 1).
    """
    check_test_split(test_split)
    table = read_csv("digits.csv.gz", skip_header=False)
    x = table[:, :64].reshape(-1, 8, 8).astype(np.float32)
    y = table[:, 64].astype(np.int64)
    return shuffled_split(x, y, test_split, seed)
