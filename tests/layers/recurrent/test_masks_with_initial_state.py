"""A recurrent layer called with `initial_state=` on a masked input, in a functional model:
Keras 3 passes no automatic mask to a call with two tensor arguments, so the padded steps
are computed (tf.keras 2 masked them); an explicit `mask=` still applies, and the outputs
still carry the input's mask. Values from Keras 3.15.1 (JAX) in
tests/golden/recurrent/masks_initial_state.json, with the model Keras saved
(keras3_initial_state.keras); made by tests/golden/recurrent/make_recurrent_golden.py."""

import importlib.util
import pathlib

import numpy as np
import pytest

import minikeras as keras
from minikeras.keras_mask import get_keras_mask
from tests.conftest import load_golden

FILES = pathlib.Path(__file__).resolve().parents[2] / "golden" / "recurrent"
GOLDEN = load_golden("recurrent/masks_initial_state.json")
IDS = np.asarray(GOLDEN["ids"], np.int32)
STATES = [np.asarray(s, np.float32) for s in GOLDEN["states"]]


def _model():
    spec = importlib.util.spec_from_file_location("make_recurrent_golden",
                                                  FILES / "make_recurrent_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.initial_state_model(keras)
    model.set_weights([np.asarray(w, np.float32) for w in GOLDEN["weights"]])
    return model


def _assert_outputs(got, expected):
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_functional_model_runs_unmasked_as_keras_3():
    model = _model()
    _assert_outputs(model.predict([IDS, *STATES], verbose=0), GOLDEN["predict"])
    _assert_outputs(GOLDEN["predict"], GOLDEN["eager_unmasked"])  # Keras: no mask applied
    masked = GOLDEN["eager_explicit_mask"]
    assert all(not np.allclose(a, b, atol=1e-3) for a, b in zip(GOLDEN["predict"], masked))


def test_outputs_still_carry_the_mask_and_nodes_record_initial_state():
    model = _model()
    assert GOLDEN["symbolic_output_has_mask"] == [True, True]
    assert [get_keras_mask(t) is not None for t in model.outputs] == [True, True]
    nodes = {layer["name"]: layer["inbound_nodes"][0]
             for layer in model.get_config()["layers"] if layer["name"] in GOLDEN["node_kwargs"]}
    for name, keys in GOLDEN["node_kwargs"].items():
        assert set(keys) <= set(nodes[name]["kwargs"]), name  # `initial_state`, as Keras
        assert len(nodes[name]["args"]) == 1  # the sequence alone


@pytest.mark.parametrize("layer_name, index, states", [("lstm", 0, slice(0, 2)),
                                                       ("bidirectional", 1, slice(2, 4))])
def test_eager_calls_mask_only_with_an_explicit_mask(layer_name, index, states):
    model = _model()
    embedded = model.get_layer("embedding")(IDS)
    assert get_keras_mask(embedded) is not None
    layer = model.get_layer(layer_name)
    np.testing.assert_allclose(layer(embedded, initial_state=STATES[states]),
                               GOLDEN["eager_unmasked"][index], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(embedded, initial_state=STATES[states], mask=IDS != 0),
                               GOLDEN["eager_explicit_mask"][index], rtol=1e-5, atol=1e-6)


def test_the_file_keras_saved_loads_and_predicts_the_same(tmp_path):
    model = keras.models.load_model(FILES / "keras3_initial_state.keras")
    _assert_outputs(model.predict([IDS, *STATES], verbose=0), GOLDEN["predict"])
    model.save(tmp_path / "again.keras")
    again = keras.models.load_model(tmp_path / "again.keras")
    _assert_outputs(again.predict([IDS, *STATES], verbose=0), GOLDEN["predict"])


def test_the_state_inputs_feed_the_layers():
    """The states are tensor arguments of the recorded call: the loss depends on them."""
    model = _model()
    x = [IDS, *STATES]
    y = [np.zeros((3, 6, 3), np.float32), np.zeros((3, 6, 4), np.float32)]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = model.evaluate(x, y, verbose=0)
    shifted = model.evaluate([IDS, STATES[0] + 0.5, *STATES[1:]], y, verbose=0)
    assert before[0] != pytest.approx(shifted[0], rel=1e-4)
