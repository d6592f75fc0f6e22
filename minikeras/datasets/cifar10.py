"""CIFAR-10: 60,000 32x32 colour images in 10 classes (Krizhevsky, 2009)."""

import os

import numpy as np

from minikeras.datasets import cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")


def load_data():
    """Loads CIFAR-10: 50,000 training and 10,000 test images.

    Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship,
    9 truck (`CLASS_NAMES`). The archive is cached as Keras 3 caches it (see
    `minikeras.datasets.cifar`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, as Keras returns them: uint8 images of shape
        `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)` (channels first, `(n, 3, 32, 32)`, when
        `keras.config.image_data_format()` is `"channels_first"`), and uint8 labels of shape
        `(50000, 1)` and `(10000, 1)`.

    Raises:
        ValueError: a batch file is not a CIFAR-10 batch (the message names it).
        minikeras.utils.file_utils.DownloadError: nothing is cached and the download failed.
    """
    directory = cifar.batches_dir(FOLDER, ORIGIN, SHA256, TRAIN_BATCHES + ("test_batch",))
    train = [cifar.load_batch(os.path.join(directory, name), "labels", "CIFAR-10")
             for name in TRAIN_BATCHES]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([np.asarray(y, dtype=np.uint8) for _, y in train])
    x_test, y_test = cifar.load_batch(os.path.join(directory, "test_batch"), "labels", "CIFAR-10")
    y_train = y_train.reshape(-1, 1)
    y_test = np.asarray(y_test).reshape(-1, 1).astype(np.uint8)
    return (cifar.to_data_format(x_train), y_train), (cifar.to_data_format(x_test), y_test)
