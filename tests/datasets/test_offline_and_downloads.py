"""Every downloadable dataset: Keras's file names and URLs, the offline message (naming the URL
and the cache path), verified downloads, and refusal of files that would run code."""

import hashlib
import os
import pickle

import numpy as np
import pytest

from minikeras.datasets import (boston_housing, california_housing, cifar10, cifar100,
                                fashion_mnist, imdb, mnist, reuters)
from minikeras.utils import file_utils
from minikeras.utils.file_utils import DownloadError
from tests.datasets.cache_files import object_array

BUCKET = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

# (loader, the first URL it needs, the cache path it downloads to, relative to KERAS_HOME)
LOADERS = [
    (mnist.load_data, BUCKET + "mnist.npz", "datasets/mnist.npz"),
    (fashion_mnist.load_data, BUCKET + "train-labels-idx1-ubyte.gz",
     "datasets/fashion-mnist/train-labels-idx1-ubyte.gz"),
    (cifar10.load_data, "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
     "datasets/cifar-10-batches-py-target_archive"),
    (cifar100.load_data, "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
     "datasets/cifar-100-python-target_archive"),
    (boston_housing.load_data, BUCKET + "boston_housing.npz", "datasets/boston_housing.npz"),
    (california_housing.load_data, BUCKET + "california_housing.npz",
     "datasets/california_housing.npz"),
    (imdb.load_data, BUCKET + "imdb.npz", "datasets/imdb.npz"),
    (imdb.get_word_index, BUCKET + "imdb_word_index.json", "datasets/imdb_word_index.json"),
    (reuters.load_data, BUCKET + "reuters.npz", "datasets/reuters.npz"),
    (reuters.get_word_index, BUCKET + "reuters_word_index.json",
     "datasets/reuters_word_index.json"),
]
IDS = [f"{fn.__module__.rsplit('.', 1)[1]}.{fn.__name__}" for fn, *_ in LOADERS]


@pytest.mark.parametrize("load, url, relative", LOADERS, ids=IDS)
def test_offline_error_names_the_url_and_the_cache_path(tmp_path, monkeypatch, load, url,
                                                        relative):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    asked = []

    def offline(origin, out):
        asked.append(origin)
        raise OSError("Network is unreachable")

    monkeypatch.setattr(file_utils, "_fetch", offline)
    with pytest.raises(DownloadError) as info:
        load()
    message = str(info.value)
    assert asked == [url]
    assert url in message and "Network is unreachable" in message
    assert str(tmp_path / "home" / relative) in message
    assert "offline" in message
    leftovers = [os.path.join(d, f) for d, _, files in os.walk(tmp_path / "home") for f in files]
    assert leftovers == []  # no partial file


# Run in a fresh interpreter (this suite's own guard stops connections one layer higher):
# urllib runs unmocked and the socket layer fails as on a machine with no network, so nothing
# ever leaves the process; each loader's message is printed as JSON.
OFFLINE_SCRIPT = """
import json, socket, sys
asked = []
def no_name_resolution(host, *args, **kwargs):
    asked.append(host)
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
def no_connection(*args, **kwargs):
    raise OSError(101, "Network is unreachable")
socket.getaddrinfo = no_name_resolution
socket.socket.connect = no_connection
from minikeras.datasets import *  # noqa
from minikeras.utils.file_utils import DownloadError
results = []
for module, function in json.loads(sys.argv[1]):
    del asked[:]
    try:
        getattr(globals()[module], function)()
        results.append(None)
    except DownloadError as e:
        results.append([str(e), list(asked)])
print(json.dumps(results))
"""


def test_offline_through_the_real_download_path(tmp_path):
    import json
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["KERAS_HOME"] = str(tmp_path / "home")
    calls = [[fn.__module__.rsplit(".", 1)[1], fn.__name__] for fn, *_ in LOADERS]
    out = subprocess.run([sys.executable, "-c", OFFLINE_SCRIPT, json.dumps(calls)], env=env,
                         capture_output=True, text=True, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout.splitlines()[-1])
    for (_, url, relative), result in zip(LOADERS, results):
        assert result is not None, f"{url}: no DownloadError"
        message, asked = result
        assert asked[:1] == [url.split("/")[2]]  # the URL's host was looked up, and failed
        assert url in message and "Temporary failure in name resolution" in message
        assert str(tmp_path / "home" / relative) in message
    assert not [f for _, _, files in os.walk(tmp_path / "home") for f in files]


# Published hashes, from Keras 3's source (fashion-mnist: the Fashion-MNIST release's MD5s).
HASHES = {
    "mnist": (mnist.SHA256, "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
    "cifar10": (cifar10.SHA256,
                "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
    "cifar100": (cifar100.SHA256,
                 "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
    "boston": (boston_housing.SHA256,
               "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"),
    "california": (california_housing.SHA256,
                   "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"),
    "imdb": (imdb.SHA256, "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_index": (imdb.WORD_INDEX_MD5, "bfafd718b763782e994055a2d397834f"),
    "reuters": (reuters.SHA256,
                "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    "reuters_index": (reuters.WORD_INDEX_MD5, "4d44cc38712099c9e383dc6e5f11a921"),
    "fashion_t10k_labels": (dict(fashion_mnist.FILES)["t10k-labels-idx1-ubyte.gz"],
                            "bb300cfdad3c16e7a12a480ee83cd310"),
}


@pytest.mark.parametrize("name", sorted(HASHES))
def test_published_hashes(name):
    ours, keras = HASHES[name]
    assert ours == keras


def _serve(tmp_path, monkeypatch, module, contents):
    """Points `module.ORIGIN` at a local file holding `contents`; returns its sha256."""
    served = tmp_path / "served.bin"
    served.write_bytes(contents)
    monkeypatch.setattr(module, "ORIGIN", served.as_uri())
    return hashlib.sha256(contents).hexdigest()


def _npz_bytes(tmp_path, **arrays):
    path = tmp_path / "made.npz"
    np.savez(path, **arrays)
    return path.read_bytes()


def test_a_verified_download_is_kept_and_then_read_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    data = _npz_bytes(tmp_path, x=np.arange(26.0).reshape(2, 13), y=np.array([1.0, 2.0]))
    monkeypatch.setattr(boston_housing, "SHA256", _serve(tmp_path, monkeypatch, boston_housing,
                                                         data))
    (x_train, _), (x_test, _) = boston_housing.load_data(test_split=0.5)
    assert sorted([x_train[0, 0], x_test[0, 0]]) == [0.0, 13.0]
    assert (tmp_path / "home" / "datasets" / "boston_housing.npz").read_bytes() == data
    monkeypatch.setattr(file_utils, "_fetch", lambda *a: pytest.fail("downloaded twice"))
    boston_housing.load_data()


def test_a_corrupted_download_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    _serve(tmp_path, monkeypatch, reuters, b"not the real reuters.npz")  # hash stays Keras's
    with pytest.raises(ValueError, match="corrupted") as info:
        reuters.load_data()
    assert reuters.SHA256 in str(info.value)
    assert os.listdir(tmp_path / "home" / "datasets") == []


class Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("loader, file, arrays", [
    (imdb.load_data, "imdb.npz",
     {"x_train": object_array([[1]]), "y_train": np.zeros(1), "y_test": np.zeros(1),
      "x_test": np.array([Boom()], dtype=object)}),
    (reuters.load_data, "reuters.npz", {"x": np.array([Boom()], dtype=object), "y": np.zeros(1)}),
    (boston_housing.load_data, "boston_housing.npz",
     {"x": np.array([Boom()], dtype=object), "y": np.zeros(1)}),
], ids=["imdb", "reuters", "boston_housing"])
def test_cached_files_that_would_run_code_are_refused(cache, monkeypatch, loader, file, arrays):
    np.savez(cache / file, **arrays)
    ran = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd))
    with pytest.raises(ValueError) as info:
        loader()
    assert str(cache / file) in str(info.value) and ran == []
    assert "refusing to load `posix.system`" in str(info.value) or \
        "object array" in str(info.value)


def test_a_raw_pickle_instead_of_an_npz_is_refused(cache, monkeypatch):
    (cache / "imdb.npz").write_bytes(pickle.dumps(Boom()))
    ran = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd))
    with pytest.raises(ValueError, match="imdb.npz is not a valid IMDB .npz file"):
        imdb.load_data()
    assert ran == []
