"""mnist.load_data tests: a tiny fake mnist.npz in a temporary KERAS_HOME; the
real data only when it is already in the cache. Never touches the network."""

import hashlib
import os
import pickle
import urllib.error
import urllib.request

import numpy as np
import pytest

from minikeras.datasets import mnist
from minikeras.utils import file_utils
from minikeras.utils.file_utils import DownloadError


def fake_arrays(n_train=5, n_test=3):
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


@pytest.fixture
def datasets_dir(tmp_path, monkeypatch):
    """`$KERAS_HOME/datasets` in a temporary KERAS_HOME; downloads forbidden."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    directory = tmp_path / "keras_home" / "datasets"
    directory.mkdir(parents=True)

    def no_download(*args, **kwargs):
        raise AssertionError("load_data tried to download")

    monkeypatch.setattr(file_utils, "_fetch", no_download)
    return directory


def test_keras_origin_and_hash():
    assert mnist.ORIGIN == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert mnist.SHA256 == "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def test_loads_a_cached_file_without_checking_its_hash(datasets_dir):
    arrays = fake_arrays()
    np.savez_compressed(datasets_dir / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == y_train.dtype == x_test.dtype == np.uint8
    assert x_test.shape == (3, 28, 28) and y_train.shape == (5,)


def test_path_argument_names_the_cached_file(datasets_dir):
    np.savez(datasets_dir / "digits.npz", **fake_arrays())
    (x_train, _), _ = mnist.load_data(path="digits.npz")
    assert x_train.shape == (5, 28, 28)


def test_download_is_verified_and_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    served = tmp_path / "served.npz"
    np.savez(served, **fake_arrays())
    monkeypatch.setattr(mnist, "ORIGIN", served.as_uri())
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(served.read_bytes()).hexdigest())
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (5, 28, 28)
    assert (tmp_path / "home" / "datasets" / "mnist.npz").exists()


def test_corrupted_download_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    served = tmp_path / "served.npz"
    np.savez(served, **fake_arrays())
    monkeypatch.setattr(mnist, "ORIGIN", served.as_uri())  # hash stays Keras's
    with pytest.raises(ValueError, match="corrupted"):
        mnist.load_data()
    assert os.listdir(tmp_path / "home" / "datasets") == []


def test_offline_error_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))

    def offline(url):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    assert mnist.ORIGIN in str(info.value)
    assert str(tmp_path / "home" / "datasets" / "mnist.npz") in str(info.value)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda a: a.pop("y_test"), "expected arrays x_train, y_train, x_test, y_test"),
        (lambda a: a.update(x_train=a["x_train"].astype(np.float32)), "expected uint8"),
        (lambda a: a.update(y_train=a["y_train"][:2]), r"shape \(n, 28, 28\)"),
        (lambda a: a.update(x_test=a["x_test"][:, :14]), r"Received \(3, 14, 28\)"),
    ],
)
def test_wrong_contents_are_reported_with_the_file_name(datasets_dir, change, match):
    arrays = fake_arrays()
    change(arrays)
    np.savez(datasets_dir / "mnist.npz", **arrays)
    with pytest.raises(ValueError, match=match) as info:
        mnist.load_data()
    assert str(datasets_dir / "mnist.npz") in str(info.value)


class Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize(
    "write",
    [
        lambda p: np.savez(p, x_train=np.array([Boom()], dtype=object)),
        lambda p: p.write_bytes(pickle.dumps(Boom())),
        lambda p: np.save(open(p, "wb"), np.zeros((2, 28, 28), np.uint8)),
        lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"),
    ],
    ids=["pickled-array-in-npz", "pickle", "npy-not-npz", "broken-zip"],
)
def test_hostile_or_broken_files_are_refused(datasets_dir, write, monkeypatch):
    write(datasets_dir / "mnist.npz")
    ran = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd))
    with pytest.raises(ValueError, match="is not a valid MNIST .npz file") as info:
        mnist.load_data()
    assert str(datasets_dir / "mnist.npz") in str(info.value)
    assert ran == []  # nothing in the file was executed


def _real_mnist_home():
    """A KERAS_HOME-like directory already holding datasets/mnist.npz, or None."""
    for home in (os.environ.get("KERAS_HOME"), os.path.expanduser("~/.keras")):
        if home and os.path.isfile(os.path.join(home, "datasets", "mnist.npz")):
            return home
    return None


@pytest.mark.skipif(_real_mnist_home() is None, reason="mnist.npz is not in the Keras cache")
def test_real_mnist_from_the_cache(monkeypatch):
    monkeypatch.setenv("KERAS_HOME", _real_mnist_home())
    monkeypatch.setattr(file_utils, "_fetch", lambda *a: pytest.fail("downloaded"))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_train.max() == 255 and set(np.unique(y_test)) == set(range(10))
