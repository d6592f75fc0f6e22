"""California Housing prices: 20,640 census block groups, 8 features, median house value in $."""

from minikeras.datasets.cache import KERAS_DATASETS_URL, dataset_file
from minikeras.datasets.safe_load import load_xy
from minikeras.datasets.splits import check_test_split, shuffled_split

ORIGIN = KERAS_DATASETS_URL + "california_housing.npz"
SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
FEATURE_NAMES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup",
                 "Latitude", "Longitude")


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California Housing dataset (StatLib; the 1990 U.S. census).

    Features (`FEATURE_NAMES`): median income, house age, average rooms and bedrooms per
    household, population, average occupancy, latitude, longitude.

    Args:
        version: `"large"` (Keras default: all 20,640 samples) or `"small"` (the first 600,
            Keras's stand-in for `boston_housing`).
        path: the file's name in the cache. Keras default: `"california_housing.npz"`.
        test_split: the fraction kept for testing, in [0, 1). Keras default: 0.2.
        seed: seed of the shuffle before the split. Keras default: 113.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: features of shape `(n, 8)` and targets of shape
        `(n,)` (house values in dollars, about 15,000 to 500,000), with the dtypes stored in the
        file and the same split as Keras's for the same seed.

    Raises:
        ValueError: for another `version`, a `test_split` outside [0, 1), or a file that is not
            the dataset's.
        minikeras.utils.file_utils.DownloadError: the file is missing and cannot be downloaded.
    """
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError("Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version!r}")
    x, y = load_xy(dataset_file(path, ORIGIN, SHA256), "California Housing .npz", 8)
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)
