"""IMDB movie reviews: 50,000 reviews labelled positive (1) or negative (0), as word indices."""

import numpy as np

from minikeras.datasets import word_sequences as ws
from minikeras.datasets.cache import KERAS_DATASETS_URL, dataset_file
from minikeras.datasets.safe_load import load_npz

ORIGIN = KERAS_DATASETS_URL + "imdb.npz"
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = KERAS_DATASETS_URL + "imdb_word_index.json"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB dataset (Maas et al., 2011): 25,000 training and 25,000 test reviews.

    Each review is a list of word indices: index `i + index_from` is the i-th most frequent
    word of the training set, 0 is left for padding, `start_char` starts every review and
    `oov_char` stands for the words cut by `num_words` / `skip_top`.

    Args:
        path: the file's name in the cache. Keras default: `"imdb.npz"`.
        num_words: keep only the `num_words` most frequent words (indices below `num_words`);
            None (Keras default) keeps all.
        skip_top: also cut the indices below `skip_top`. Keras default: 0.
        maxlen: drop the reviews of `maxlen` words or more (`start_char` counted); None
            (Keras default) keeps all.
        seed: seed of the shuffle of each split. Keras default: 113.
        start_char: the index put in front of every review (None: none). Keras default: 1.
        oov_char: the index that replaces cut words (None: cut words are dropped). Keras
            default: 2.
        index_from: the offset added to every word index. Keras default: 3.
        **kwargs: only `nb_words`, Keras 1's name of `num_words` (with a DeprecationWarning).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, as Keras returns them: `x_*` 1-D object arrays of
        lists of ints, `y_*` integer arrays of 0/1 labels.

    Raises:
        ValueError: `maxlen` leaves no review in a split, or the file is not Keras's `imdb.npz`.
        TypeError: for an unknown keyword argument.
        minikeras.utils.file_utils.DownloadError: the file is missing and cannot be downloaded.
    """
    num_words = ws.legacy_num_words(num_words, kwargs, "imdb")
    path = dataset_file(path, ORIGIN, SHA256)
    arrays = load_npz(path, "IMDB .npz")
    missing = {"x_train", "y_train", "x_test", "y_test"} - set(arrays)
    if missing:
        raise ValueError(f"{path} is not a valid IMDB .npz file: it lacks the arrays "
                         f"{sorted(missing)}. Received {sorted(arrays)}.")
    rng = np.random.RandomState(seed)
    splits = []
    for split in ("train", "test"):  # one generator: the test shuffle follows the train one
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if len(x) != len(y):
            raise ValueError(f"{path} is not a valid IMDB .npz file: x_{split} holds {len(x)} "
                             f"reviews and y_{split} {len(y)} labels.")
        indices = np.arange(len(x))
        rng.shuffle(indices)
        x = ws.shift(ws.as_int_lists(x[indices], path, "IMDB .npz"), start_char, index_from)
        x, y = ws.drop_long(maxlen, x, y[indices])
        splits.append((x, y))
    (x_train, y_train), (x_test, y_test) = splits
    # The vocabulary bound is computed over both splits together, as in Keras.
    xs = ws.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    n = len(x_train)
    return ((ws.object_array(xs[:n]), labels[:n]), (ws.object_array(xs[n:]), labels[n:]))


def get_word_index(path="imdb_word_index.json"):
    """Returns the `{word: index}` dict of the IMDB dataset (before `index_from` is added).

    Args:
        path: the file's name in the cache. Keras default: `"imdb_word_index.json"`.

    Raises:
        ValueError: the file is not a JSON word index.
        minikeras.utils.file_utils.DownloadError: the file is missing and cannot be downloaded.
    """
    return ws.read_word_index(dataset_file(path, WORD_INDEX_ORIGIN, WORD_INDEX_MD5), "IMDB")
