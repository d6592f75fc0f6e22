"""MNIST handwritten digits, loaded from the Keras cache (downloaded once)."""

import numpy as np

from minikeras.datasets.cache import KERAS_DATASETS_URL, dataset_file
from minikeras.datasets.safe_load import load_npz

ORIGIN = KERAS_DATASETS_URL + "mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset: 60,000 training and 10,000 test 28x28 images.

    The file is looked up in `$KERAS_HOME/datasets` (default
    `~/.keras/datasets`), where real Keras caches it too, and downloaded from
    Keras's URL only if missing. The sha256 checks the download; a file already
    in the cache is trusted, so a copy placed there by hand works offline even
    if it was compressed differently from the official one.

    Args:
        path: File name in the cache. Keras default: `"mnist.npz"`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes
        `(60000, 28, 28)`, `(60000,)`, `(10000, 28, 28)`, `(10000,)`; pixels
        in 0..255 and labels in 0..9.

    Raises:
        ValueError: if the file is not an MNIST `.npz` (the message names it).
        minikeras.utils.file_utils.DownloadError: if it is missing and cannot
            be downloaded (the message says where to place it).
    """
    path = dataset_file(path, ORIGIN, SHA256)
    # No object arrays: MNIST is four uint8 arrays, and nothing in the file is ever unpickled.
    arrays = load_npz(path, "MNIST .npz", allow_objects=False)
    _check(arrays, path)
    train = (arrays["x_train"], arrays["y_train"])
    test = (arrays["x_test"], arrays["y_test"])
    return train, test


def _check(arrays, path):
    """Raises ValueError naming `path` unless it holds the four MNIST arrays."""
    for split in ("train", "test"):
        x, y = arrays.get(f"x_{split}"), arrays.get(f"y_{split}")
        if x is None or y is None:
            raise ValueError(
                f"{path} is not a valid MNIST .npz file: expected arrays "
                "x_train, y_train, x_test, y_test. "
                f"Received: {sorted(arrays)}"
            )
        if x.dtype != np.uint8 or y.dtype != np.uint8:
            raise ValueError(
                f"{path} is not a valid MNIST .npz file: expected uint8 arrays. "
                f"Received x_{split}: {x.dtype}, y_{split}: {y.dtype}"
            )
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != x.shape[:1]:
            raise ValueError(
                f"{path} is not a valid MNIST .npz file: expected x_{split} of "
                f"shape (n, 28, 28) and y_{split} of shape (n,). "
                f"Received {x.shape} and {y.shape}"
            )
