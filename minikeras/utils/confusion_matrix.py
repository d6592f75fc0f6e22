"""`confusion_matrix`: counts of each (true class, predicted class) pair, printed as a table.

Not a Keras function (scikit-learn has one; TensorFlow has `tf.math.confusion_matrix`): the
table course code prints after `predict`. It takes what a Keras model gives: class ids,
one-hot rows or probabilities (the argmax of each row; one sigmoid column or a 1-D vector of
probabilities is thresholded at 0.5).
"""

import numpy as np

from minikeras.autograd_internals import getval
from minikeras.variables import unwrap


class ConfusionMatrix(np.ndarray):
    """The matrix `confusion_matrix` returns: an integer `np.ndarray` (rows: true classes,
    columns: predicted classes) that prints as a table headed by its `labels`.

    Attributes:
        labels: the class of each row and column, in order.
    """

    def __array_finalize__(self, obj):
        self.labels = getattr(obj, "labels", None)

    def table(self):
        """The matrix as aligned text: one row per true class, one column per prediction."""
        labels = self.labels
        values = self.view(np.ndarray)
        if labels is None or values.shape != (len(labels), len(labels)):
            return str(values)
        cells = [[_cell(v) for v in row] for row in values]
        names = [str(label) for label in labels]
        corner = "true \\ pred"
        first = max([len(corner)] + [len(n) for n in names])
        width = max([len(n) for n in names] + [len(c) for row in cells for c in row])
        lines = [corner.ljust(first) + "".join(" " + n.rjust(width) for n in names)]
        for name, row in zip(names, cells):
            lines.append(name.ljust(first) + "".join(" " + c.rjust(width) for c in row))
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def __reduce__(self):  # pickles as a plain array: labels are for printing
        return self.view(np.ndarray).__reduce__()


def _cell(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    return str(value)


def _class_ids(y, name):
    """Class ids from ids, one-hot rows or probabilities."""
    y = np.asarray(getval(unwrap(y)))
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"confusion_matrix: `{name}` must hold one class per sample (ids, "
                         f"one-hot rows or probabilities); received shape {y.shape}.")
    if y.dtype.kind == "f" and np.any(y != np.round(y)):
        return (y > 0.5).astype(np.int64)  # probabilities of the positive class
    return y.astype(np.int64) if y.dtype.kind in "fb" else y


def confusion_matrix(y_true, y_pred, labels=None):
    """Counts how often each true class was predicted as each class.

    Args:
        y_true: the true classes: ids (shape `(n,)`) or one-hot rows (`(n, classes)`).
        y_pred: the predictions: ids, one-hot rows, or what `model.predict` returns
            (probabilities or logits: the largest of each row is the prediction; one column
            of sigmoid probabilities, or a vector of them, is read as class 1 above 0.5).
        labels: the classes to count, in the order of the rows and columns (default None:
            every class found in `y_true` or `y_pred`, sorted). Samples whose true or
            predicted class is not in `labels` are not counted.

    Returns:
        A `ConfusionMatrix` (an int64 `np.ndarray` of shape `(len(labels), len(labels))`):
        entry `[i, j]` is the number of samples of class `labels[i]` predicted as
        `labels[j]`. `print(matrix)` shows it as a table.

    Raises:
        ValueError: when `y_true` and `y_pred` hold different numbers of samples.
    """
    true, pred = _class_ids(y_true, "y_true"), _class_ids(y_pred, "y_pred")
    if len(true) != len(pred):
        raise ValueError(f"confusion_matrix: `y_true` holds {len(true)} samples and `y_pred` "
                         f"{len(pred)}; they must hold the same number.")
    labels = np.union1d(true, pred) if labels is None else np.asarray(labels)
    if len(np.unique(labels)) != len(labels):
        raise ValueError(f"confusion_matrix: `labels` must not repeat a class; received "
                         f"{labels.tolist()}.")
    index = {label: i for i, label in enumerate(labels.tolist())}
    rows = np.array([index.get(t, -1) for t in true.tolist()], dtype=np.int64)
    cols = np.array([index.get(p, -1) for p in pred.tolist()], dtype=np.int64)
    counted = (rows >= 0) & (cols >= 0)
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(matrix, (rows[counted], cols[counted]), 1)
    matrix = matrix.view(ConfusionMatrix)
    matrix.labels = labels.tolist()
    return matrix
