"""Boston Housing prices: 506 districts, 13 features, the median home value in k$.

Keras's warning applies: one feature ("B") encodes an assumption about race; use this dataset
only to discuss such problems. `california_housing.load_data(version="small")` is the suggested
replacement.
"""

from minikeras.datasets.cache import KERAS_DATASETS_URL, dataset_file
from minikeras.datasets.safe_load import load_xy
from minikeras.datasets.splits import check_test_split, shuffled_split

ORIGIN = KERAS_DATASETS_URL + "boston_housing.npz"
SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset (from StatLib, Carnegie Mellon University).

    Args:
        path: the file's name in the cache. Keras default: `"boston_housing.npz"`.
        test_split: the fraction kept for testing, in [0, 1). Keras default: 0.2.
        seed: seed of the shuffle before the split. Keras default: 113.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 features of shape `(n, 13)` and targets
        of shape `(n,)` (prices in k$, 5 to 50), 404 training and 102 test samples by default,
        the same split as Keras's for the same seed.

    Raises:
        ValueError: for a `test_split` outside [0, 1), or a file that is not the dataset's.
        minikeras.utils.file_utils.DownloadError: the file is missing and cannot be downloaded.
    """
    check_test_split(test_split)
    return shuffled_split(*load_xy(dataset_file(path, ORIGIN, SHA256), "Boston Housing .npz", 13),
                          test_split, seed)

