"""`keras.preprocessing.text`: Keras 2's `Tokenizer` and word-splitting helpers.

Keras 3 dropped this module (its `TextVectorization` layer replaces it); course code still uses
it, so it is here with Keras 2's exact behaviour:

- Words are split by `text_to_word_sequence`: lower-cased, every character of `filters`
  replaced by `split`, split on `split`, empty strings dropped.
- `fit_on_texts` counts words; `word_index` ranks them by count, most frequent first, ties in
  order of first appearance (a stable sort), from 1 (0 is left for padding). An `oov_token`
  takes index 1 and pushes the others up by one.
- `num_words` does not shrink `word_index`: it only drops (or maps to `oov_token`) the words of
  index `num_words` or more when texts are converted.
"""

import collections
import hashlib
import json
import warnings

import numpy as np

from minikeras.preprocessing.unavailable import module_getattr

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Splits a text into words, as Keras 2.

    Args:
        input_text: the text.
        filters: characters replaced by `split` (Keras default: punctuation, tabs, newlines;
            not the apostrophe).
        lower: lower-case the text first. Keras default: True.
        split: the separator. Keras default: `" "`.

    Returns:
        The list of non-empty words.
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                  analyzer=None):
    """Maps each word of `text` to `hash(word) % (n - 1) + 1`, as Keras 2.

    Args:
        text: the text.
        n: the size of the hashing space; indices fall in `[1, n - 1]`.
        hash_function: None (Keras default: Python's `hash`, which differs from one process to
            the next unless `PYTHONHASHSEED` is set), `"md5"` (stable), or a function.
        filters, lower, split: as in `text_to_word_sequence`.
        analyzer: a function splitting the text instead of `text_to_word_sequence`.

    Returns:
        The list of word indices.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(word):
            return int(hashlib.md5(word.encode()).hexdigest(), 16)
    words = (text_to_word_sequence(text, filters=filters, lower=lower, split=split)
             if analyzer is None else analyzer(text))
    return [hash_function(w) % (n - 1) + 1 for w in words]


def one_hot(input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" ", analyzer=None):
    """`hashing_trick` with Python's `hash` (Keras 2's misleadingly named word hasher)."""
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split, analyzer=analyzer)


class Tokenizer:
    """Turns texts into sequences of word indices or into word-count matrices (Keras 2).

    Args:
        num_words: keep only the words of index below `num_words` when converting texts (the
            `num_words - 1` most frequent); None (Keras default) keeps all.
        filters: characters removed from texts (Keras default: punctuation, tabs, newlines).
        lower: lower-case the texts. Keras default: True.
        split: the word separator. Keras default: `" "`.
        char_level: every character is a token. Keras default: False.
        oov_token: a token (index 1) that replaces unknown words in `texts_to_sequences`;
            None (Keras default) drops them.
        analyzer: a function splitting a text into tokens instead of the built-in splitting.
        **kwargs: `nb_words` (Keras 1's name of `num_words`) and `document_count`.

    Attributes:
        word_index: `{word: index}`, indices from 1 by decreasing count.
        index_word: `{index: word}`.
        word_counts: `{word: count}` in order of first appearance.
        word_docs: `{word: number of texts containing it}`.
        index_docs: `{index: number of texts containing it}`.
        document_count: how many texts (or sequences) were fitted.
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, analyzer=None, **kwargs):
        if "nb_words" in kwargs:
            warnings.warn("The `nb_words` argument in `Tokenizer` has been renamed `num_words`.",
                          DeprecationWarning, stacklevel=2)
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}
        self.analyzer = analyzer

    def _tokens(self, text):
        """A text's tokens: its characters (char_level, or a list of tokens as given, both
        lower-cased if `lower`), or its words."""
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower,
                                     split=self.split)

    def fit_on_texts(self, texts):
        """Counts the words of `texts` (strings, or lists of tokens) and rebuilds the indices."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for w in tokens:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(tokens):
                self.word_docs[w] += 1
        # A stable sort: equal counts keep the order in which the words first appeared.
        ranked = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in ranked]
        # dict() keeps the last index of a word listed twice (an oov_token that is also a
        # word of the texts), as Keras's dict(zip(...)) does.
        self.word_index = dict(zip(vocabulary, range(1, len(vocabulary) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, count in list(self.word_docs.items()):
            self.index_docs[self.word_index[w]] = count

    def fit_on_sequences(self, sequences):
        """Counts in how many sequences each index occurs (for `tfidf` on sequences)."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        """Returns one list of word indices per text (unknown words dropped or `oov_token`)."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Yields `texts_to_sequences`'s lists one by one."""
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            vector = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is None:
                    if self.oov_token is not None:
                        vector.append(oov_index)
                elif self.num_words and i >= self.num_words:
                    if oov_index is not None:
                        vector.append(oov_index)
                else:
                    vector.append(i)
            yield vector

    def sequences_to_texts(self, sequences):
        """Returns one space-joined text per sequence of indices."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Yields `sequences_to_texts`'s texts one by one."""
        oov_index = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for i in seq:
                word = self.index_word.get(i)
                if word is None:
                    if self.oov_token is not None:
                        words.append(self.index_word[oov_index])
                elif self.num_words and i >= self.num_words:
                    if oov_index is not None:
                        words.append(self.index_word[oov_index])
                else:
                    words.append(word)
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """`sequences_to_matrix(texts_to_sequences(texts), mode)`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Returns a float64 matrix `(len(sequences), num_words)` of word scores.

        Args:
            sequences: lists of word indices.
            mode: `"binary"` (Keras default: 1 where the word occurs), `"count"`, `"freq"`
                (count / sequence length) or `"tfidf"` (`(1 + log(count)) *
                log(1 + document_count / (1 + documents containing the word))`).

        Columns are word indices: `num_words` columns, or `len(word_index) + 1` when
        `num_words` is None; indices beyond are ignored, column 0 stays 0.

        Raises:
            ValueError: for another mode, for a tokenizer neither fitted nor given
                `num_words`, or for `tfidf` before any fit.
        """
        if mode not in ("binary", "count", "tfidf", "freq"):
            raise ValueError(f"Unknown vectorization mode: {mode!r}; expected one of "
                             "'binary', 'count', 'tfidf', 'freq'.")
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError("Specify a dimension (`num_words` argument), or fit on some text "
                             "data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if not len(seq):
                continue
            counts = collections.Counter(j for j in seq if j < num_words)
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:  # tfidf, weighting scheme 2 of en.wikipedia.org/wiki/Tf-idf
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = (1 + np.log(c)) * idf
        return x

    def get_config(self):
        """Keras 2's config: the settings and the fitted tables as JSON strings."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """Returns `{"class_name": "Tokenizer", "config": get_config()}` as a JSON string;
        `kwargs` go to `json.dumps`."""
        return json.dumps({"class_name": self.__class__.__name__, "config": self.get_config()},
                          **kwargs)


def tokenizer_from_json(json_string):
    """Rebuilds a `Tokenizer` from `Tokenizer.to_json()` (of Keras 2 or minikeras)."""
    config = dict(json.loads(json_string).get("config"))
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = word_counts
    tokenizer.word_docs = word_docs
    tokenizer.index_docs = index_docs
    tokenizer.word_index = word_index
    tokenizer.index_word = index_word
    return tokenizer


# A tf.keras 2 name of this module that minikeras lacks says so (keras2_names.json).
__getattr__ = module_getattr(__name__, ())
