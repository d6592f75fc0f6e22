"""pad_sequences against real Keras 3's `keras.utils.pad_sequences`
(tests/golden/preprocessing.json, made by tests/golden/make_preprocessing_golden.py)."""

import numpy as np
import pytest

from minikeras.preprocessing.sequence import pad_sequences
from tests.conftest import load_golden

GOLDEN = load_golden("preprocessing.json")["pad_sequences"]


def _kwargs(kwargs):
    return {k: (object if k == "dtype" and v == "object" else v) for k, v in kwargs.items()}


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: str(c["kwargs"]))
def test_same_as_keras(case):
    out = pad_sequences(case["sequences"], **_kwargs(case["kwargs"]))
    assert str(out.dtype) == case["dtype"]
    assert out.tolist() == case["out"]


@pytest.mark.parametrize("case", GOLDEN["errors"], ids=lambda c: c["error"][:40])
def test_same_errors_as_keras(case):
    keras_message = case["error"].split(": ", 1)[1]
    with pytest.raises(ValueError) as info:
        pad_sequences(case["sequences"], **case["kwargs"])
    # Keras's words come first; minikeras may add what it expected.
    assert str(info.value).startswith(keras_message.split(" not understood")[0])


def test_the_docstring_examples_by_hand():
    seqs = [[1], [2, 3], [4, 5, 6]]
    assert pad_sequences(seqs).tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(seqs, value=-1).tolist() == [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
    assert pad_sequences(seqs, padding="post").tolist() == [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    assert pad_sequences(seqs, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]
    assert pad_sequences(seqs).dtype == np.int32


def test_arrays_and_edge_lengths():
    out = pad_sequences([np.array([3, 4]), np.array([], dtype=int)], maxlen=3)
    assert out.tolist() == [[0, 3, 4], [0, 0, 0]]
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)  # Keras fails with a broadcast error
    assert pad_sequences([], maxlen=4).shape == (0, 4)
    with pytest.raises(ValueError, match="`sequences` is empty and `maxlen` is None"):
        pad_sequences([])
    with pytest.raises(ValueError, match="`sequences` must be iterable"):
        pad_sequences(5)


def test_keras_utils_and_preprocessing_spellings_are_one_function():
    import minikeras

    assert minikeras.utils.pad_sequences is pad_sequences
    assert minikeras.preprocessing.sequence.pad_sequences is pad_sequences


def test_keras_2_names_not_provided_say_so():
    with pytest.raises(NotImplementedError,
                       match=r"`keras.preprocessing.sequence.skipgrams` is not implemented in "
                             "minikeras"):
        from minikeras.preprocessing.sequence import skipgrams  # noqa: F401
