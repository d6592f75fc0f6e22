"""`confusion_matrix`: counts checked by hand for ids, one-hot rows and model outputs, the
labels argument, and the printed table."""

import numpy as np
import pytest

from minikeras.utils import ConfusionMatrix, confusion_matrix

Y_TRUE = [0, 1, 2, 2, 1, 0, 2]
Y_PRED = [0, 2, 2, 2, 1, 1, 0]
# true 0: predicted 0 once, 1 once; true 1: 1 once, 2 once; true 2: 0 once, 2 twice.
EXPECTED = [[1, 1, 0], [0, 1, 1], [1, 0, 2]]


def test_counts_rows_true_columns_predicted():
    matrix = confusion_matrix(Y_TRUE, Y_PRED)
    assert isinstance(matrix, ConfusionMatrix) and isinstance(matrix, np.ndarray)
    assert matrix.dtype == np.int64 and matrix.tolist() == EXPECTED
    assert matrix.labels == [0, 1, 2] and matrix.sum() == len(Y_TRUE)


def test_one_hot_rows_and_model_outputs_are_read_as_their_argmax():
    one_hot = np.eye(3)[Y_TRUE]
    probabilities = np.eye(3)[Y_PRED] * 0.7 + 0.1  # rows of 0.8 / 0.1 / 0.1
    assert confusion_matrix(one_hot, probabilities).tolist() == EXPECTED
    logits = np.log(probabilities) - 3.0
    assert confusion_matrix(np.array(Y_TRUE), logits).tolist() == EXPECTED


def test_a_sigmoid_output_is_thresholded_at_one_half():
    y_true = np.array([0, 0, 1, 1, 1])
    sigmoid = np.array([[0.2], [0.7], [0.9], [0.4], [0.51]], np.float32)
    # true 0: 0.2 -> 0, 0.7 -> 1; true 1: 0.9 -> 1, 0.4 -> 0, 0.51 -> 1
    assert confusion_matrix(y_true, sigmoid).tolist() == [[1, 1], [1, 2]]
    assert confusion_matrix(y_true.astype(float), sigmoid[:, 0]).tolist() == [[1, 1], [1, 2]]


def test_labels_order_and_subset_and_names():
    assert confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0, 1]).tolist() == [
        [2, 1, 0], [0, 1, 1], [1, 0, 1]]
    # Samples whose class is not among the labels are left out.
    assert confusion_matrix(Y_TRUE, Y_PRED, labels=[0, 1]).tolist() == [[1, 1], [0, 1]]
    assert confusion_matrix([0, 1], [1, 1], labels=[0, 1, 5]).tolist() == [
        [0, 1, 0], [0, 1, 0], [0, 0, 0]]
    names = confusion_matrix(["cat", "dog", "dog"], ["cat", "cat", "dog"])
    assert names.labels == ["cat", "dog"] and names.tolist() == [[1, 0], [1, 1]]


def test_the_table_is_aligned_and_headed_by_the_labels():
    matrix = confusion_matrix([0, 0, 1, 10] * 30, [0, 1, 1, 10] * 30)
    assert str(matrix) == (
        "true \\ pred  0  1 10\n"
        "0           30 30  0\n"
        "1            0 30  0\n"
        "10           0  0 30")
    normalized = matrix / matrix.sum(axis=1, keepdims=True)
    assert str(normalized).splitlines()[1] == "0           0.5 0.5   0"
    assert str(matrix[0]) == "[30 30  0]"  # not square: printed as an array


def test_bad_input():
    with pytest.raises(ValueError, match="`y_true` holds 3 samples and `y_pred` 2"):
        confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="must not repeat a class"):
        confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1])
    with pytest.raises(ValueError, match=r"one class per sample .* shape \(2, 2, 2\)"):
        confusion_matrix(np.zeros((2, 2, 2)), [0, 1])
