"""Sequence models through every file format: minikeras's own round trips (`.keras`, `.h5`,
`.weights.h5`) and the files real Keras 3 wrote (tests/golden/recurrent/, made by
tests/golden/make_rnn_golden.py), which must predict what Keras predicted."""

import pathlib

import numpy as np
import pytest

from minikeras import layers
from minikeras.models import Sequential, load_model
from tests.layers.recurrent.golden_cases import GOLDEN

FILES = pathlib.Path(__file__).resolve().parents[2] / "golden" / "recurrent"
T, D = 5, 4


def _sequence_model():
    return Sequential([
        layers.Input((T, D)),
        layers.Masking(),
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.TimeDistributed(layers.Dense(2)),
        layers.GRU(3, reset_after=False, return_sequences=True, go_backwards=True),
        layers.RNN([layers.LSTMCell(2), layers.SimpleRNNCell(2)], return_sequences=True),
        layers.SimpleRNN(2),
        layers.Dense(1),
    ])


def _text_model():
    return Sequential([layers.Input((6,), dtype="int32"),
                       layers.Embedding(10, 4, mask_zero=True), layers.LSTM(3),
                       layers.Dense(1, activation="sigmoid")])


def _data(seed=0):
    x = np.random.default_rng(seed).normal(size=(4, T, D)).astype("float32")
    x[0, 3:] = 0.0
    return x


@pytest.mark.parametrize("extension", [".keras", ".h5"])
@pytest.mark.parametrize("make, data", [
    (_sequence_model, _data), (_text_model, lambda: np.array(GOLDEN["saved"]["text_ids"]))])
def test_models_round_trip(tmp_path, extension, make, data):
    model = make()
    model.compile(optimizer="adam", loss="mse")
    x = data()
    model.fit(x, np.zeros((len(x), 1), "float32"), epochs=1, verbose=0)
    path = tmp_path / f"model{extension}"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.get_config() == model.get_config()
    assert [w.path for w in loaded.weights] == [w.path for w in model.weights]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("extension", [".weights.h5", ".h5"])
def test_weights_round_trip(tmp_path, extension):
    model, other = _sequence_model(), _sequence_model()
    path = tmp_path / f"model{extension}"
    model.save_weights(path)
    other.load_weights(path)
    x = _data(1)
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def _keras_architecture():
    return Sequential([
        layers.Input((T, D)),
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.GRU(3, return_sequences=True, reset_after=False),
        layers.TimeDistributed(layers.Dense(2)),
        layers.SimpleRNN(2),
    ])


@pytest.mark.parametrize("name", ["keras3_sequence.keras", "keras3_sequence.h5"])
def test_files_keras_wrote_predict_what_keras_predicted(name):
    saved = GOLDEN["saved"]
    model = load_model(FILES / name)
    x = np.asarray(saved["x"], np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), saved["predict"], rtol=1e-5,
                               atol=1e-6)
    # Keras 3's paths have a `sequential/` prefix; minikeras's start at the layer.
    assert [w.path for w in model.weights] == [p.split("/", 1)[1]
                                               for p in saved["weight_paths"]]


def test_weights_file_keras_wrote_loads_into_the_same_architecture():
    saved = GOLDEN["saved"]
    model = _keras_architecture()
    model.load_weights(FILES / "keras3_sequence.weights.h5")
    x = np.asarray(saved["x"], np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), saved["predict"], rtol=1e-5,
                               atol=1e-6)


def test_text_model_keras_wrote_predicts_with_its_embedding_mask():
    saved = GOLDEN["saved"]
    model = load_model(FILES / "keras3_text.keras")
    ids = np.asarray(saved["text_ids"])
    np.testing.assert_allclose(model.predict(ids, verbose=0), saved["text_predict"],
                               rtol=1e-5, atol=1e-6)
