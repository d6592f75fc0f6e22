"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing (Zalando, MIT licence).

Keras caches the four gzipped IDX files of the original release in
`$KERAS_HOME/datasets/fashion-mnist/` (default `~/.keras/datasets/fashion-mnist/`), downloaded from
Keras's bucket. Keras checks no hash for them; minikeras checks each download against the MD5
that the Fashion-MNIST release publishes for the same file.
"""

import gzip
import os
import zlib

import numpy as np

from minikeras.datasets.cache import KERAS_DATASETS_URL, dataset_file

CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
# (file, md5 published in github.com/zalandoresearch/fashion-mnist's README), in Keras's order.
FILES = (
    ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
)
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")

# IDX magic numbers: 0x08 = unsigned bytes, then the number of dimensions.
_LABELS_MAGIC, _IMAGES_MAGIC = 0x00000801, 0x00000803


def load_data():
    """Loads the Fashion-MNIST dataset, a drop-in replacement for MNIST.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
    7 Sneaker, 8 Bag, 9 Ankle boot (`CLASS_NAMES`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes `(60000, 28, 28)`,
        `(60000,)`, `(10000, 28, 28)`, `(10000,)`, as Keras returns them.

    Raises:
        ValueError: a cached file is not a gzipped IDX file of the right kind (the message
            names it).
        minikeras.utils.file_utils.DownloadError: a file is missing and cannot be downloaded;
            the message names the URL and where to place the file.
    """
    paths = [dataset_file(name, KERAS_DATASETS_URL + name, md5, cache_subdir=CACHE_SUBDIR)
             for name, md5 in FILES]
    y_train = _read_idx(paths[0], _LABELS_MAGIC)
    x_train = _read_idx(paths[1], _IMAGES_MAGIC)
    y_test = _read_idx(paths[2], _LABELS_MAGIC)
    x_test = _read_idx(paths[3], _IMAGES_MAGIC)
    for x, y, x_path, y_path in ((x_train, y_train, paths[1], paths[0]),
                                 (x_test, y_test, paths[3], paths[2])):
        if len(x) != len(y):
            raise ValueError(f"{x_path} holds {len(x)} images but {y_path} holds {len(y)} "
                             "labels; expected as many of each.")
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path, magic):
    """Reads a gzipped IDX file of unsigned bytes: labels (n,) or images (n, 28, 28)."""
    kind = "labels" if magic == _LABELS_MAGIC else "images"
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path} is not a gzipped IDX file ({e}). Delete it to download it "
                         "again.") from e
    ndim = 1 if kind == "labels" else 3
    header = 4 + 4 * ndim
    if len(data) < header or int.from_bytes(data[:4], "big") != magic:
        raise ValueError(f"{path} is not an IDX file of {kind}: expected the magic number "
                         f"{magic:#010x}, received {data[:4].hex() or 'an empty file'}.")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if kind == "images" and dims[1:] != (28, 28) or len(data) - header != int(np.prod(dims)):
        raise ValueError(f"{path} is not a valid Fashion-MNIST {kind} file: its header says "
                         f"shape {dims} and it holds {len(data) - header} bytes of data; "
                         "expected 28x28 images.")
    # From a bytearray, so the arrays are writable (Keras's, read from bytes, are read-only).
    return np.frombuffer(bytearray(data), np.uint8, offset=header).reshape(dims)
