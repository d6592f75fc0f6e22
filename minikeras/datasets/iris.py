"""Iris: 150 flowers of 3 species, 4 measurements each, bundled with minikeras (no download).

R. A. Fisher's data (1936), from the UCI Machine Learning Repository, CC BY 4.0; the file and
its licence are in `minikeras/datasets/data/`.
"""

import numpy as np

from minikeras.datasets.bundled import read_csv
from minikeras.datasets.splits import check_test_split, shuffled_split

CLASS_NAMES = ("setosa", "versicolor", "virginica")
FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                 "petal width (cm)")


def load_data(test_split=0.2, seed=113):
    """Loads the iris dataset, split like Keras's `boston_housing.load_data`.

    The 150 rows are shuffled with `np.random.RandomState(seed)` and the first
    `int(150 * (1 - test_split))` train: 120 training and 30 test flowers by default. The split
    is not stratified; with the default seed the test set holds 14 setosa, 7 versicolor and 9
    virginica.

    Args:
        test_split: the fraction kept for testing, in [0, 1). Default 0.2, as Keras's datasets.
        seed: seed of the shuffle. Default 113, as Keras's datasets.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 features of shape `(n, 4)` in cm
        (`FEATURE_NAMES`) and int64 labels of shape `(n,)`: 0 setosa, 1 versicolor, 2 virginica
        (`CLASS_NAMES`).

    Raises:
        ValueError: for a `test_split` outside [0, 1).
    """
    check_test_split(test_split)
    table = read_csv("iris.csv", skip_header=True)
    x = table[:, :4].astype(np.float32)
    y = table[:, 4].astype(np.int64)
    return shuffled_split(x, y, test_split, seed)
