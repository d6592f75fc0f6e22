"""imdb, reuters, boston_housing and california_housing against REAL Keras 3.

tests/golden/datasets.json holds tiny input files' contents and what Keras 3.15's loaders
returned for them with several argument sets (tests/golden/make_datasets_golden.py). Here the
same files are written into a temporary Keras cache and minikeras's loaders must return the
same values and dtypes.
"""

import warnings

import numpy as np
import pytest

from minikeras.datasets import boston_housing, california_housing, imdb, reuters
from tests.conftest import load_golden
from tests.datasets.cache_files import object_array

GOLDEN = load_golden("datasets.json")
LOADERS = {"imdb": imdb, "reuters": reuters, "boston_housing": boston_housing,
           "california_housing": california_housing}


def write_inputs(cache):
    inputs = GOLDEN["inputs"]
    np.savez(cache / "imdb.npz",
             **{k: object_array(v) if k.startswith("x") else np.array(v, dtype=np.int64)
                for k, v in inputs["imdb"].items()})
    np.savez(cache / "reuters.npz", x=object_array(inputs["reuters"]["x"]),
             y=np.array(inputs["reuters"]["y"], dtype=np.int64))
    for name in ("boston_housing", "california_housing"):
        np.savez(cache / f"{name}.npz", x=np.array(inputs[name]["x"]),
                 y=np.array(inputs[name]["y"]))


CASES = [(name, case) for name, cases in GOLDEN["cases"].items() for case in cases]


@pytest.mark.parametrize("name, case", CASES,
                         ids=[f"{n}-{c['kwargs']}" for n, c in CASES])
def test_same_values_and_dtypes_as_keras(cache, name, case):
    write_inputs(cache)
    loader = LOADERS[name].load_data
    if "error" in case:
        # Keras's reuters fails with "max() arg is an empty sequence" when maxlen keeps
        # nothing; minikeras says what imdb says in that case.
        with pytest.raises(ValueError, match=r"no sequence was kept. Increase maxlen"):
            loader(**case["kwargs"])
        return
    (x_train, y_train), (x_test, y_test) = loader(**case["kwargs"])
    for key, value in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test),
                       ("y_test", y_test)):
        assert str(value.dtype) == case[key + "_dtype"], key
        if value.dtype == object:
            assert [list(s) for s in value] == case[key], key
            assert all(type(w) is int for s in value for w in s)
            # Keras builds np.array(lists, dtype=object), which turns into a 2-D array when
            # every list has the same length; minikeras always returns one list per entry.
            assert value.shape == (len(case[key]),)
        else:
            assert value.shape == tuple(case[key + "_shape"]), key
            np.testing.assert_array_equal(value, np.array(case[key]).reshape(value.shape),
                                          err_msg=key)


def test_the_largest_index_is_out_of_vocabulary_by_default_as_in_keras(cache):
    write_inputs(cache)
    _, (x_test, _) = imdb.load_data()
    # x_test's first review ends in the only word of rank 25 (index 28): Keras's default
    # bound is the largest index present, so that word itself becomes oov_char (2).
    assert 28 not in {w for s in x_test for w in s}
    assert 2 in x_test.tolist()[[25 in s for s in GOLDEN["inputs"]["imdb"]["x_test"]].index(True)]


def test_reuters_label_names_are_keras_s():
    assert list(reuters.get_label_names()) == GOLDEN["reuters_label_names"]
    assert len(reuters.get_label_names()) == 46


def test_nb_words_is_keras_1_s_num_words(cache):
    write_inputs(cache)
    with pytest.warns(DeprecationWarning, match="renamed `num_words`"):
        (x_old, _), _ = imdb.load_data(nb_words=10)
    (x_new, _), _ = imdb.load_data(num_words=10)
    assert x_old.tolist() == x_new.tolist()
    with pytest.raises(TypeError, match=r"unexpected keyword arguments: \['nmu_words'\]"):
        reuters.load_data(nmu_words=10)


@pytest.mark.parametrize("module, kwargs", [
    (boston_housing, {"test_split": 1.0}), (california_housing, {"test_split": -0.1}),
    (reuters, {"test_split": 1.5})])
def test_test_split_is_checked(cache, module, kwargs):
    with pytest.raises(ValueError, match="Invalid `test_split` argument"):
        module.load_data(**kwargs)


def test_california_version_is_checked(cache):
    with pytest.raises(ValueError, match="`version` must be one of 'small', 'large'. "
                                         "Received: version='medium'"):
        california_housing.load_data(version="medium")


def test_word_indexes_are_read_from_the_cache(cache):
    (cache / "imdb_word_index.json").write_text('{"the": 1, "and": 2}')
    (cache / "reuters_word_index.json").write_text('{"said": 3}')
    assert imdb.get_word_index() == {"the": 1, "and": 2}
    assert reuters.get_word_index() == {"said": 3}
    (cache / "imdb_word_index.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="imdb_word_index.json is not a valid IMDB word index"):
        imdb.get_word_index()


def test_housing_files_with_wrong_arrays_are_named(cache):
    np.savez(cache / "boston_housing.npz", x=np.zeros((5, 8)), y=np.zeros(5))
    with pytest.raises(ValueError, match=r"boston_housing.npz is not a valid Boston Housing "
                                         r".npz file: expected arrays x of shape \(n, 13\)"):
        boston_housing.load_data()


def test_imdb_without_its_arrays_is_named(cache):
    np.savez(cache / "imdb.npz", x=object_array([[1]]), y=np.zeros(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"imdb.npz is not a valid IMDB .npz file: it "
                                             r"lacks the arrays \['x_test', 'x_train'"):
            imdb.load_data()
