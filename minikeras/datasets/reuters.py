"""Reuters newswires: 11,228 newswires labelled over 46 topics, as word indices."""

import numpy as np

from minikeras.datasets import word_sequences as ws
from minikeras.datasets.cache import KERAS_DATASETS_URL, dataset_file
from minikeras.datasets.safe_load import load_npz
from minikeras.datasets.splits import check_test_split

ORIGIN = KERAS_DATASETS_URL + "reuters.npz"
SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = KERAS_DATASETS_URL + "reuters_word_index.json"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"

# The 46 topics in label order (Keras's `get_label_names`).
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the Reuters newswire topic dataset (from Reuters-21578).

    Each newswire is a list of word indices, indexed as in `imdb.load_data`; the labels are
    topic numbers 0..45 (`get_label_names()`).

    Args:
        path: the file's name in the cache. Keras default: `"reuters.npz"`.
        num_words: keep only the indices below `num_words`; None (Keras default) keeps all.
        skip_top: also cut the indices below `skip_top`. Keras default: 0.
        maxlen: drop the newswires of `maxlen` words or more (`start_char` counted); None
            (Keras default) keeps all.
        test_split: the fraction kept for testing, in [0, 1). Keras default: 0.2.
        seed: seed of the shuffle before the split. Keras default: 113.
        start_char: the index put in front of every newswire (None: none). Keras default: 1.
        oov_char: the index that replaces cut words (None: they are dropped). Keras default: 2.
        index_from: the offset added to every word index. Keras default: 3.
        **kwargs: only `nb_words`, Keras 1's name of `num_words` (with a DeprecationWarning).

    Returns:
        `(x_train, y_train), (x_test, y_test)`, as Keras returns them: `x_*` 1-D object arrays of
        lists of ints, `y_*` integer arrays of topics; the first `int(n * (1 - test_split))`
        shuffled newswires train.

    Raises:
        ValueError: for a `test_split` outside [0, 1), a `maxlen` that leaves no newswire, or a
            file that is not Keras's `reuters.npz`.
        TypeError: for an unknown keyword argument.
        minikeras.utils.file_utils.DownloadError: the file is missing and cannot be downloaded.
    """
    num_words = ws.legacy_num_words(num_words, kwargs, "reuters")
    check_test_split(test_split)
    path = dataset_file(path, ORIGIN, SHA256)
    arrays = load_npz(path, "Reuters .npz")
    xs, labels = arrays.get("x"), arrays.get("y")
    if xs is None or labels is None or len(xs) != len(labels):
        raise ValueError(f"{path} is not a valid Reuters .npz file: expected arrays x and y of "
                         f"the same length. Received { {k: v.shape for k, v in arrays.items()} }.")
    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs = ws.shift(ws.as_int_lists(xs[indices], path, "Reuters .npz"), start_char, index_from)
    xs, labels = ws.drop_long(maxlen, xs, labels[indices])
    xs = ws.limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return ((ws.object_array(xs[:cut]), labels[:cut]), (ws.object_array(xs[cut:]), labels[cut:]))


def get_word_index(path="reuters_word_index.json"):
    """Returns the `{word: index}` dict of the Reuters dataset (before `index_from` is added).

    Args:
        path: the file's name in the cache. Keras default: `"reuters_word_index.json"`.

    Raises:
        ValueError: the file is not a JSON word index.
        minikeras.utils.file_utils.DownloadError: the file is missing and cannot be downloaded.
    """
    return ws.read_word_index(dataset_file(path, WORD_INDEX_ORIGIN, WORD_INDEX_MD5), "Reuters")


def get_label_names():
    """Returns the 46 topic names, in label order (a tuple, as in Keras)."""
    return LABEL_NAMES
