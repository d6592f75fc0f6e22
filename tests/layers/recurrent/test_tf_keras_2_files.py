"""Recurrent models and tf.keras 2, both ways.

tests/golden/recurrent/tfkeras2_recurrent.h5 and .keras were written by tf.keras 2.21 (made by
tests/golden/recurrent/make_recurrent_golden.py): Embedding(mask_zero=True),
Bidirectional(LSTM), GRU with reset_after True and False, TimeDistributed(Dense), SimpleRNN,
LSTM, Dense, trained 2 epochs with Adam. They must predict here what tf.keras 2 predicted on
padded (masked) and unpadded ids, and train on from their Adam state to tf.keras 2's weights.

The reverse (optional, as tests/saving/test_golden_files.py's): the same model trained here,
saved as `.h5`, `.keras` and `.weights.h5`, loaded by real Keras 3 and tf.keras 2 through
tests/golden/saving/load_in_real_keras.py with the interpreters named by
MINIKERAS_KERAS3_PYTHON and MINIKERAS_TF_KERAS_PYTHON.
"""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess

import h5py
import numpy as np
import pytest

import minikeras as keras
from tests.conftest import load_golden

GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[2] / "golden"
FILES = GOLDEN_DIR / "recurrent"
TF2 = load_golden("recurrent/tfkeras2_recurrent.json")
IDS = np.asarray(TF2["ids"], np.int32)
IDS_UNPADDED = np.asarray(TF2["ids_unpadded"], np.int32)
Y = np.asarray(TF2["y"], np.float32)


def _script():
    """make_recurrent_golden.py, whose `sequence_model(keras)` builds the files' model from a
    keras module (it imports no Keras by itself)."""
    spec = importlib.util.spec_from_file_location("make_recurrent_golden",
                                                  FILES / "make_recurrent_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sequence_model = _script().sequence_model


def _assert_weights(got, expected, what):
    assert len(got) == len(expected), what
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=what)


@pytest.mark.parametrize("name", ["tfkeras2_recurrent.h5", "tfkeras2_recurrent.keras"])
def test_tf_keras_2_files_predict_what_tf_keras_2_predicted(name):
    model = keras.models.load_model(FILES / name)
    assert [type(layer).__name__ for layer in model.layers] == [
        "Embedding", "Bidirectional", "GRU", "GRU", "TimeDistributed", "SimpleRNN", "LSTM",
        "Dense"]
    assert [layer.reset_after for layer in model.layers[2:4]] == [True, False]
    np.testing.assert_allclose(model.predict(IDS, verbose=0), TF2["predict"], rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_allclose(model.predict(IDS_UNPADDED, verbose=0), TF2["predict_unpadded"],
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["tfkeras2_recurrent.h5", "tfkeras2_recurrent.keras"])
def test_tf_keras_2_files_train_on_from_their_adam_state(name):
    """The `.keras` holds tf.keras 2's optimizer layout (iteration, m and v of each variable,
    no learning rate: 47 arrays for 23 variables), read because its metadata says 2.21."""
    model = keras.models.load_model(FILES / name)
    assert int(model.optimizer.iterations) == TF2["iterations"] == 4
    model.fit(IDS, Y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    _assert_weights(model.get_weights(), TF2["weights_after_one_more_epoch"], name)


def test_a_fresh_optimizer_would_end_elsewhere():
    """What the test above checks is the restored state: without it the weights differ."""
    model = keras.models.load_model(FILES / "tfkeras2_recurrent.h5")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(IDS, Y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    assert not np.allclose(model.get_weights()[1], TF2["weights_after_one_more_epoch"][1],
                           rtol=2e-5, atol=2e-6)


def test_tf_keras_2_h5_cell_weight_names_load_into_the_built_model():
    """The `.h5` names the cells' weights as tf.keras 2 does (`gru/gru_cell/kernel:0`,
    `bidirectional/forward_lstm/lstm_cell/kernel:0`); `load_weights` puts them, by order, into
    the same model built here."""
    with h5py.File(FILES / "tfkeras2_recurrent.h5") as f:
        assert f["model_weights/bidirectional"].attrs["weight_names"][0] in (
            b"bidirectional/forward_lstm/lstm_cell/kernel:0",
            "bidirectional/forward_lstm/lstm_cell/kernel:0")
    model = sequence_model(keras)
    model.load_weights(FILES / "tfkeras2_recurrent.h5")
    np.testing.assert_allclose(model.predict(IDS, verbose=0), TF2["predict"], rtol=1e-6,
                               atol=1e-6)


# ---------------------------------------------------------------------------- the reverse
REAL_KERAS = {"keras3": os.environ.get("MINIKERAS_KERAS3_PYTHON"),
              "tf.keras 2": os.environ.get("MINIKERAS_TF_KERAS_PYTHON")}


def _trained_here(directory):
    keras.utils.set_random_seed(3)
    model = sequence_model(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(IDS, Y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    for suffix in (".h5", ".keras", ".weights.h5"):
        (model.save_weights if suffix == ".weights.h5" else model.save)(
            directory / f"mk_recurrent{suffix}")
    return model


@pytest.mark.parametrize("which", sorted(REAL_KERAS))
def test_files_written_here_load_and_train_on_in_real_keras(which, tmp_path):
    python = REAL_KERAS[which]
    if not python or not shutil.which(python):
        pytest.skip(f"real {which} not available (set its interpreter in the environment)")
    model = _trained_here(tmp_path)
    # tf.keras 2 reads the legacy `.h5` only (not Keras 3's `.keras` or `.weights.h5`).
    names = ["mk_recurrent.h5"] if which == "tf.keras 2" else [
        "mk_recurrent.h5", "mk_recurrent.keras", "mk_recurrent.weights.h5"]
    spec = {"model": "recurrent_sequence", "inputs": ["ids"], "train": ["ids", "y", 3]}
    data = {"arrays": {"ids": IDS.tolist(), "ids_unpadded": IDS_UNPADDED.tolist(),
                       "y": Y.tolist()}, "files": {name: spec for name in names}}
    (tmp_path / "data.json").write_text(json.dumps(data))
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [python, str(GOLDEN_DIR / "saving" / "load_in_real_keras.py"), which,
         f"@{tmp_path / 'data.json'}", *[str(tmp_path / n) for n in names]],
        capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    expected = model.predict(IDS, verbose=0)
    for name in names:
        got = outcome[str(tmp_path / name)]
        assert got.get("error") is None, (name, got)
        np.testing.assert_allclose(got["predict"], expected, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    # Training on from the optimizer state written here: tf.keras 2 from the `.h5` (its legacy
    # Adam's layout), Keras 3 from the `.keras` (Keras 3 cannot fit after loading any `.h5`
    # with optimizer weights).
    trained_on = "mk_recurrent.h5" if which == "tf.keras 2" else "mk_recurrent.keras"
    got = outcome[str(tmp_path / trained_on)]
    assert got["iterations"] == 4 and got["learning_rate"] == pytest.approx(0.01)
    model.fit(IDS, Y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    _assert_weights(model.get_weights(), got["weights_after_one_more_epoch"], trained_on)
