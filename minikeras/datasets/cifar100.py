"""CIFAR-100: 60,000 32x32 colour images in 100 classes grouped in 20 superclasses."""

import os

import numpy as np

from minikeras.datasets import cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
FOLDER = "cifar-100-python"


def load_data(label_mode="fine"):
    """Loads CIFAR-100: 50,000 training and 10,000 test images.

    Args:
        label_mode: `"fine"` (Keras default: the 100 classes) or `"coarse"` (the 20
            superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, as Keras returns them: uint8 images of shape
        `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)` (channels first when
        `keras.config.image_data_format()` is `"channels_first"`), and int64 labels of shape
        `(50000, 1)` and `(10000, 1)` (Keras leaves CIFAR-100's labels int64, CIFAR-10's uint8).

    Raises:
        ValueError: for another `label_mode`, or a file that is not a CIFAR-100 batch.
        minikeras.utils.file_utils.DownloadError: nothing is cached and the download failed.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                         f"Received: label_mode={label_mode!r}.")
    directory = cifar.batches_dir(FOLDER, ORIGIN, SHA256, ("train", "test"))
    key = f"{label_mode}_labels"
    x_train, y_train = cifar.load_batch(os.path.join(directory, "train"), key, "CIFAR-100")
    x_test, y_test = cifar.load_batch(os.path.join(directory, "test"), key, "CIFAR-100")
    y_train = np.reshape(np.asarray(y_train, dtype=np.int64), (-1, 1))
    y_test = np.reshape(np.asarray(y_test, dtype=np.int64), (-1, 1))
    return (cifar.to_data_format(x_train), y_train), (cifar.to_data_format(x_test), y_test)
