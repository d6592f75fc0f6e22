"""fashion_mnist.load_data on gzipped IDX files written into a temporary Keras cache."""

import gzip

import numpy as np
import pytest

from minikeras.datasets import fashion_mnist
from tests.datasets.cache_files import write_idx

NAMES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def write_all(cache, n_train=4, n_test=3):
    rng = np.random.default_rng(1)
    arrays = (rng.integers(0, 10, n_train), rng.integers(0, 256, (n_train, 28, 28)),
              rng.integers(0, 10, n_test), rng.integers(0, 256, (n_test, 28, 28)))
    for name, array in zip(NAMES, arrays):
        write_idx(cache / "fashion-mnist" / name, array)
    return arrays


def test_keras_file_names_urls_and_published_md5s():
    assert fashion_mnist.CACHE_SUBDIR == "datasets/fashion-mnist"
    assert [name for name, _ in fashion_mnist.FILES] == list(NAMES)
    assert dict(fashion_mnist.FILES)["train-images-idx3-ubyte.gz"] == \
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d"
    assert len(fashion_mnist.CLASS_NAMES) == 10 and fashion_mnist.CLASS_NAMES[9] == "Ankle boot"


def test_reads_the_idx_files_as_keras_does(cache):
    y_train, x_train, y_test, x_test = write_all(cache)
    (xa, ya), (xb, yb) = fashion_mnist.load_data()
    np.testing.assert_array_equal(xa, x_train)
    np.testing.assert_array_equal(ya, y_train)
    np.testing.assert_array_equal(xb, x_test)
    np.testing.assert_array_equal(yb, y_test)
    assert xa.dtype == ya.dtype == xb.dtype == yb.dtype == np.uint8
    assert xa.shape == (4, 28, 28) and ya.shape == (4,) and xb.shape == (3, 28, 28)
    xa[0, 0, 0] = 7  # writable, unlike the read-only arrays np.frombuffer gives Keras


def test_the_idx_header_is_read_big_endian(cache):
    write_all(cache)
    raw = gzip.open(cache / "fashion-mnist" / NAMES[1]).read()
    assert raw[:4] == b"\x00\x00\x08\x03" and raw[4:8] == (4).to_bytes(4, "big")
    assert raw[8:16] == (28).to_bytes(4, "big") * 2


@pytest.mark.parametrize("break_file, match", [
    (lambda p: p.write_bytes(b"not gzip at all"), "is not a gzipped IDX file"),
    (lambda p: write_idx(p, np.zeros((2, 28, 28))), "is not an IDX file of labels"),
    (lambda p: write_idx(p, np.zeros(5)), "holds 5 labels"),
])
def test_broken_files_are_named(cache, break_file, match):
    write_all(cache)
    path = cache / "fashion-mnist" / NAMES[0]
    break_file(path)
    with pytest.raises(ValueError, match=match) as info:
        fashion_mnist.load_data()
    assert "train-labels-idx1-ubyte.gz" in str(info.value)


def test_images_of_another_size_are_refused(cache):
    write_all(cache)
    write_idx(cache / "fashion-mnist" / NAMES[3], np.zeros((3, 14, 14)))
    with pytest.raises(ValueError, match=r"shape \(3, 14, 14\).*expected 28x28"):
        fashion_mnist.load_data()
