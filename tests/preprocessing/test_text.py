"""Tokenizer and the word helpers: hand-derived small cases (Keras 2's algorithm worked through
by hand) and real Keras's outputs on a small corpus (tests/golden/preprocessing.json, from the
Keras 2 Tokenizer that Keras 3.15 still ships)."""

import json
import math

import numpy as np
import pytest

from minikeras.preprocessing.text import (Tokenizer, hashing_trick, text_to_word_sequence,
                                          tokenizer_from_json)
from tests.conftest import load_golden

GOLDEN = load_golden("preprocessing.json")["tokenizer"]
TEXTS, NEW_TEXTS = GOLDEN["texts"], GOLDEN["new_texts"]


def test_by_hand():
    # "b a b" and "a c b": counts b 3, a 2, c 1 -> indices b 1, a 2, c 3 (by count).
    # "c a" and "a c" tie on count...: the stable sort keeps first appearance: x before y.
    tok = Tokenizer()
    tok.fit_on_texts(["b a b", "a c b", "x y"])
    assert tok.word_index == {"b": 1, "a": 2, "c": 3, "x": 4, "y": 5}
    assert tok.word_docs == {"b": 2, "a": 2, "c": 1, "x": 1, "y": 1}
    assert tok.index_docs == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    assert tok.texts_to_sequences(["c b z a"]) == [[3, 1, 2]]  # z is unknown: dropped
    # num_words=3 keeps indices 1 and 2 only.
    tok.num_words = 3
    assert tok.texts_to_sequences(["c b z a"]) == [[1, 2]]
    m = tok.texts_to_matrix(["b b c a", ""], mode="count")
    assert m.shape == (2, 3) and m.tolist() == [[0, 2, 1], [0, 0, 0]]
    # c (index 3) is cut by num_words before counting, so the sequence has 3 words.
    assert tok.texts_to_matrix(["b b c a"], mode="freq").tolist() == [[0, 2 / 3, 1 / 3]]
    assert tok.texts_to_matrix(["b b c a"], mode="binary").tolist() == [[0, 1, 1]]
    # tfidf of b (count 2, in 2 of 3 documents): (1 + ln 2) * ln(1 + 3 / (1 + 2))
    tfidf = tok.texts_to_matrix(["b b c a"], mode="tfidf")
    assert tfidf[0, 1] == pytest.approx((1 + math.log(2)) * math.log(2))
    assert tfidf[0, 2] == pytest.approx(1 * math.log(1 + 3 / 3))  # a: once, in 2 of 3


def test_oov_token_takes_index_1_by_hand():
    tok = Tokenizer(num_words=3, oov_token="<unk>")
    tok.fit_on_texts(["b a b", "a c b"])
    assert tok.word_index == {"<unk>": 1, "b": 2, "a": 3, "c": 4}
    # a (3) and c (4) are >= num_words, z unknown: all become <unk> (1).
    assert tok.texts_to_sequences(["c b z a"]) == [[1, 2, 1, 1]]
    assert tok.sequences_to_texts([[2, 3, 9]]) == ["b <unk> <unk>"]


def test_text_to_word_sequence_by_hand():
    assert text_to_word_sequence("Hello, World!  It's  me.") == ["hello", "world", "it's", "me"]
    assert text_to_word_sequence("a-b_c", filters="-", split="_") == ["a", "b", "c"]
    assert text_to_word_sequence("ABC def", lower=False) == ["ABC", "def"]


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: str(c["kwargs"]))
def test_same_as_keras(case):
    tok = Tokenizer(**case["kwargs"])
    tok.fit_on_texts(TEXTS)
    state = case["state"]
    assert tok.word_index == state["word_index"]
    assert list(tok.word_index) == list(state["word_index"])
    assert {str(k): v for k, v in tok.index_word.items()} == state["index_word"]
    assert [list(kv) for kv in tok.word_counts.items()] == state["word_counts"]
    assert dict(tok.word_docs) == state["word_docs"]
    assert {str(k): v for k, v in tok.index_docs.items()} == state["index_docs"]
    assert tok.document_count == state["document_count"]
    assert tok.texts_to_sequences(TEXTS + NEW_TEXTS) == case["sequences"]
    assert tok.sequences_to_texts(tok.texts_to_sequences(NEW_TEXTS)) == case["texts_back"]
    for mode, expected in case["matrices"].items():
        got = tok.texts_to_matrix(TEXTS + NEW_TEXTS, mode=mode)
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0, err_msg=mode)
    config, expected = tok.get_config(), dict(case["config"])
    # word_docs follows the iteration order of a set of strings, which changes with Python's
    # hash seed (in Keras too): compare those two as dicts.
    for key in ("word_docs", "index_docs"):
        assert json.loads(config.pop(key)) == json.loads(expected.pop(key))
    assert config == expected


def test_config_round_trip():
    tok = Tokenizer(num_words=6, oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    again = tokenizer_from_json(tok.to_json())
    assert again.word_index == tok.word_index and again.index_word == tok.index_word
    assert again.texts_to_sequences(NEW_TEXTS) == tok.texts_to_sequences(NEW_TEXTS)
    np.testing.assert_array_equal(again.texts_to_matrix(NEW_TEXTS, mode="tfidf"),
                                  tok.texts_to_matrix(NEW_TEXTS, mode="tfidf"))


def test_token_lists_sequences_and_helpers_as_keras():
    tok = Tokenizer()
    tok.fit_on_texts([["Hello", "World", "hello"], ["world"]])
    assert tok.word_index == GOLDEN["token_lists"]["word_index"]
    tok = Tokenizer(num_words=8)
    tok.fit_on_sequences([[1, 2, 2, 5], [5, 7], [3]])
    assert {str(k): v for k, v in tok.index_docs.items()} == \
        GOLDEN["fit_on_sequences"]["state"]["index_docs"]
    np.testing.assert_allclose(tok.sequences_to_matrix([[1, 2, 2, 5], [7, 7, 7], []],
                                                       mode="tfidf"),
                               GOLDEN["fit_on_sequences"]["tfidf"], rtol=1e-15)
    words = [text_to_word_sequence(t) for t in TEXTS]
    words.append(text_to_word_sequence("Keep,Case;Here", lower=False, filters=","))
    assert words == GOLDEN["text_to_word_sequence"]
    assert hashing_trick("the cat sat on the mat", 17, hash_function="md5") == \
        GOLDEN["hashing_trick_md5"]


def test_errors():
    with pytest.raises(ValueError, match="Specify a dimension"):
        Tokenizer().texts_to_matrix(["a"])
    with pytest.raises(ValueError, match="Fit the Tokenizer on some data before using tfidf"):
        Tokenizer(num_words=3).texts_to_matrix(["a"], mode="tfidf")
    tok = Tokenizer()
    tok.fit_on_texts(["a"])
    with pytest.raises(ValueError, match="Unknown vectorization mode: 'counts'"):
        tok.texts_to_matrix(["a"], mode="counts")
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        Tokenizer(num_word=3)
    with pytest.warns(DeprecationWarning, match="renamed `num_words`"):
        assert Tokenizer(nb_words=4).num_words == 4
