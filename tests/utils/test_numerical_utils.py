import numpy as np
import pytest

from minikeras.utils import normalize, to_categorical


def test_to_categorical_matches_keras_example():
    out = to_categorical([0, 1, 2, 3], num_classes=4)
    np.testing.assert_array_equal(out, np.eye(4))
    assert out.dtype == np.float64  # Keras 3 returns float64


def test_to_categorical_infers_num_classes():
    out = to_categorical(np.array([2, 0]))
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0]])


def test_to_categorical_squeezes_trailing_axis_of_one():
    out = to_categorical(np.array([[1], [0], [2]]), 3)
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out.argmax(-1), [1, 0, 2])


def test_to_categorical_keeps_leading_axes():
    labels = np.array([[0, 1], [2, 1]])
    out = to_categorical(labels, 3)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.argmax(-1), labels)


def test_to_categorical_scalar_label():
    np.testing.assert_array_equal(to_categorical(2, 3), [0, 0, 1])


def test_to_categorical_tf_keras_dtype_argument():
    out = to_categorical([1, 0], num_classes=2, dtype="float32")
    assert out.dtype == np.float32


def test_to_categorical_accepts_whole_floats_and_uint8():
    np.testing.assert_array_equal(to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])
    out = to_categorical(np.array([9], dtype=np.uint8), 10)
    assert out.shape == (1, 10) and out[0, 9] == 1


def test_to_categorical_empty_with_num_classes():
    assert to_categorical(np.zeros((0,), int), 3).shape == (0, 3)


@pytest.mark.parametrize(
    "labels, num_classes, match",
    [
        ([0, -1], None, "negative label: -1"),
        ([0, 1.5], None, "non-integer label: 1.5"),
        ([0, np.nan], 3, "non-integer label"),
        ([0, 3], 3, r"labels in \[0, 2\] for num_classes=3. Received a label of 3"),
        (["a"], 2, "dtype <U1"),
        ([], None, "empty"),
    ],
)
def test_to_categorical_errors(labels, num_classes, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(labels, num_classes)


def test_normalize_l2_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0]])


def test_normalize_axis_zero_and_l1():
    x = np.array([[1.0, 3.0], [3.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x, axis=0, order=1), [[0.25, 0.75], [0.75, 0.25], [0, 0]])


def test_normalize_1d_and_list_input_and_dtype():
    np.testing.assert_allclose(normalize([0.0, 2.0]), [0.0, 1.0])
    assert normalize(np.ones((2, 2), np.float32)).dtype == np.float32


def test_normalize_rejects_axis_none():
    with pytest.raises(ValueError, match="axis"):
        normalize(np.ones(3), axis=None)
