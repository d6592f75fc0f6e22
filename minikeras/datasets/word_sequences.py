"""What IMDB and Reuters share: texts stored as lists of word ranks, re-indexed Keras's way.

In the cached `.npz` files word `r` is the r-th most frequent word (1-based). `load_data`
shifts every rank by `index_from`, prepends `start_char`, drops sequences of `maxlen` words or
more, and replaces words outside `[skip_top, num_words)` by `oov_char` (or drops them when
`oov_char` is None), in that order, exactly as Keras does.
"""

import json
import warnings

import numpy as np


def legacy_num_words(num_words, kwargs, what):
    """tf.keras 2 accepted `nb_words=` (Keras 1's name) with a warning; other names are errors."""
    if "nb_words" in kwargs:
        warnings.warn(f"The `nb_words` argument in `{what}.load_data` has been renamed "
                      "`num_words`.", DeprecationWarning, stacklevel=3)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"{what}.load_data() got unexpected keyword arguments: {sorted(kwargs)}")
    return num_words


def shift(sequences, start_char, index_from):
    """Adds `index_from` to every word and puts `start_char` (unless None) in front."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in s] for s in sequences]
    return [[w + index_from for w in s] for s in sequences]


def drop_long(maxlen, sequences, labels):
    """Keeps the sequences shorter than `maxlen` (strictly, counting `start_char`) and their
    labels, as Keras's `remove_long_seq`; `maxlen` None or 0 keeps everything. Raises a
    ValueError when none is kept (Keras fails later, with "max() arg is an empty sequence")."""
    if not maxlen:
        return sequences, labels
    kept = [i for i, s in enumerate(sequences) if len(s) < maxlen]
    if not kept:
        raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                         "sequence was kept. Increase maxlen.")
    return [sequences[i] for i in kept], np.asarray(labels)[kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Maps the words outside `[skip_top, num_words)` to `oov_char`, or drops them if None.

    With no `num_words` the bound is the largest index present, and (as in Keras) that largest
    word itself is then out of range too.
    """
    if not num_words:
        num_words = max((max(s) for s in sequences if s), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in s] for s in sequences]
    return [[w for w in s if skip_top <= w < num_words] for s in sequences]


def object_array(sequences):
    """A 1-D object array of lists (np.array would make a 2-D int array if all lengths agree)."""
    out = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        out[i] = list(s)
    return out


def as_int_lists(array, path, what):
    """The rows of a cached object array as lists of ints, checked."""
    try:
        return [[int(w) for w in row] for row in array]
    except (TypeError, ValueError) as e:
        raise ValueError(f"{path} is not a valid {what} file: the sequences must be lists of "
                         f"word indices ({e}).") from e


def read_word_index(path, what):
    """A `{word: rank}` dict from Keras's JSON word index."""
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} is not a valid {what} word index ({e}). Delete it to "
                         "download it again.") from e
    if not isinstance(index, dict):
        raise ValueError(f"{path} is not a valid {what} word index: expected a JSON object "
                         f"mapping words to indices, received a {type(index).__name__}.")
    return index
