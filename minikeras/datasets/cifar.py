"""What CIFAR-10 and CIFAR-100 share: finding the extracted batches in the cache, reading one.

The archives from www.cs.toronto.edu hold "python version" batches: each file is a dict pickled
by Python 2 (`data`: a uint8 array of shape (n, 3072), the 1024 red, 1024 green and 1024 blue
pixels of each image row by row; the labels: a list of ints; a batch label and file names as
bytes). They are read with `safe_load.RestrictedUnpickler`, which rebuilds those types and
refuses every other global, so a tampered file cannot run code (Keras 3.15 restricts its
unpickler the same way; older Keras called `pickle.load`).

Two cache layouts are found, so a cache filled by either Keras works offline:
- Keras 3: the archive `datasets/<name>-target_archive`, extracted into
  `datasets/<name>-target/<name>/`.
- tf.keras 2: the archive `datasets/<name>.tar.gz`, extracted into `datasets/<name>/`.
A missing dataset is downloaded the Keras 3 way.
"""

import os

import numpy as np

from minikeras import config
from minikeras.datasets.cache import DownloadError, cache_dir, dataset_file
from minikeras.datasets.safe_load import load_pickle
from minikeras.utils.file_utils import get_file


def batches_dir(name, origin, sha256, files):
    """Returns the directory holding the extracted batch `files` of the archive folder `name`.

    Args:
        name: the folder inside the archive (`"cifar-10-batches-py"`, `"cifar-100-python"`).
        origin: the archive's URL.
        sha256: the archive's published sha256, checked on download.
        files: the batch files the loader needs.

    Raises:
        DownloadError: nothing is cached and the download failed; the message names the URL,
            the archive's path and the extracted folder that would do instead.
        ValueError: the extracted folder lacks some of `files`.
    """
    keras3 = os.path.join(cache_dir(), f"{name}-target", name)
    keras2 = os.path.join(cache_dir(), name)
    for directory in (keras3, keras2):
        if all(os.path.isfile(os.path.join(directory, f)) for f in files):
            return directory
    if os.path.isfile(keras2 + ".tar.gz") and not os.path.exists(keras3):
        get_file(name, origin, untar=True, file_hash=sha256, verify_cache=False)
        directory = keras2
    else:
        try:
            directory = os.path.join(dataset_file(f"{name}-target", origin, sha256, extract=True),
                                     name)
        except DownloadError as e:
            raise DownloadError(
                f"{e} (the {os.path.basename(origin)} archive, renamed), or extract the archive "
                f"so that {keras3} holds its files.") from e
    missing = [f for f in files if not os.path.isfile(os.path.join(directory, f))]
    if missing:
        raise ValueError(f"{directory} lacks the files {missing} of {os.path.basename(origin)}. "
                         "Delete it (and the archive next to it) to download the dataset again.")
    return directory


def load_batch(path, label_key, what):
    """Reads one pickled batch.

    Args:
        path: the batch file.
        label_key: `"labels"` (CIFAR-10), `"fine_labels"` or `"coarse_labels"` (CIFAR-100).
        what: the dataset's name, for error messages.

    Returns:
        `(data, labels)`: uint8 images of shape `(n, 3, 32, 32)` and the list of n labels.

    Raises:
        ValueError: naming `path`, when the file is not a batch of that dataset.
    """
    batch = load_pickle(path, f"{what} batch", encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"{path} is not a valid {what} batch: expected a pickled dict, "
                         f"received a {type(batch).__name__}.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or labels is None:
        raise ValueError(f"{path} is not a valid {what} batch: expected the keys 'data' (an "
                         f"array) and {label_key!r}. Received keys {sorted(map(str, batch))}.")
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32 \
            or len(labels) != len(data):
        raise ValueError(f"{path} is not a valid {what} batch: expected uint8 data of shape "
                         f"(n, 3072) and n labels. Received data {data.dtype} {data.shape} and "
                         f"{len(labels)} labels.")
    return data.reshape(len(data), 3, 32, 32), labels


def to_data_format(x):
    """Channels-first batches -> the layout `keras.config.image_data_format()` asks for."""
    if config.image_data_format() == "channels_last":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return x
