"""The datasets bundled with minikeras (iris, digits): no network, fixed documented split."""

import gzip
import hashlib
import importlib.resources

import numpy as np
import pytest

from minikeras.datasets import digits, iris

DATA = importlib.resources.files("minikeras.datasets").joinpath("data")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    from minikeras.utils import file_utils

    monkeypatch.setattr(file_utils, "_fetch", lambda *a: pytest.fail("a bundled set downloaded"))


def test_files_are_the_documented_ones():
    readme = DATA.joinpath("README.md").read_text()
    assert "CC BY 4.0" in readme and "https://doi.org/10.24432/C56C76" in readme
    for name in ("iris.csv", "digits.csv.gz"):
        digest = hashlib.sha256(DATA.joinpath(name).read_bytes()).hexdigest()
        assert f"`{digest}`" in readme, name


def test_iris_shapes_dtypes_and_rows():
    (x_train, y_train), (x_test, y_test) = iris.load_data()
    assert x_train.shape == (120, 4) and x_test.shape == (30, 4)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    assert np.bincount(y).tolist() == [50, 50, 50]
    # Fisher's first flower (setosa) and last one (virginica), read off the file.
    rows = {tuple(r): c for r, c in zip(x.tolist(), y.tolist())}
    assert rows[tuple(np.float32([5.1, 3.5, 1.4, 0.2]).tolist())] == 0
    assert rows[tuple(np.float32([5.9, 3.0, 5.1, 1.8]).tolist())] == 2
    # Column means from the file's own summary table (5.84, 3.05, 3.76, 1.20 cm).
    np.testing.assert_allclose(x.mean(axis=0), [5.8433, 3.0573, 3.758, 1.1993], atol=1e-3)
    assert np.bincount(y_test).tolist() == [14, 7, 9]  # as the docstring says


def test_the_split_is_keras_s_shuffled_split():
    (x_train, y_train), (x_test, y_test) = iris.load_data(test_split=0.3, seed=7)
    raw = np.loadtxt(DATA.joinpath("iris.csv").open(), delimiter=",", skiprows=1)
    order = np.arange(150)
    np.random.RandomState(7).shuffle(order)
    np.testing.assert_array_equal(x_train, raw[order[:105], :4].astype(np.float32))
    np.testing.assert_array_equal(y_test, raw[order[105:], 4].astype(np.int64))
    (a, _), (b, _) = iris.load_data(test_split=0.0)
    assert a.shape == (150, 4) and b.shape == (0, 4)


def test_digits_shapes_dtypes_and_a_known_image():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.float32 and y_test.dtype == np.int64
    x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    assert x.min() == 0 and x.max() == 16 and sorted(set(y.tolist())) == list(range(10))
    with gzip.open(DATA.joinpath("digits.csv.gz").open("rb"), "rt") as f:
        first = [int(v) for v in f.readline().split(",")]
    # The file's first image is a 0; it is in the data, with its label.
    match = np.flatnonzero((x.reshape(-1, 64) == np.float32(first[:64])).all(axis=1))
    assert len(match) == 1 and y[match[0]] == first[64] == 0
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_bad_test_split():
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1"):
        digits.load_data(test_split=1)
