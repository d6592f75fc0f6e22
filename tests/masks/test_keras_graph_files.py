"""Functional models Keras 3 saved whose masks feed a layer that takes `mask` (LSTM,
Bidirectional, GlobalAveragePooling1D): Keras writes the operations computing those masks
(`NotEqual`, `Any`, `LogicalOr`, `Concatenate`...) into the config as entries of `layers`,
and the layer's node reads their result as `mask=`. Files in tests/golden/masks/, predictions
in tests/golden/masks.json (`saved`), both made by tests/golden/make_mask_golden.py."""

import json
import os
import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras.backend import clear_session
from minikeras.models.graph_ops import GraphOperation, is_operation_config
from tests.conftest import GOLDEN, load_golden
from tests.masks import mask_models as mm

SAVED = load_golden("masks.json")["saved"]
FILES = [(name, ext) for name in sorted(SAVED)
         for ext in ((".keras", ".h5") if name in mm.SAVED_H5 else (".keras",))]


def load(name, ext):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No training configuration found"
        return keras.models.load_model(os.path.join(GOLDEN, "masks", name + ext))


@pytest.mark.parametrize("name,ext", FILES)
def test_keras_graph_with_mask_operations_loads_and_predicts_what_keras_predicted(name, ext):
    model = load(name, ext)
    x = mm.SAVED[name][1]()
    np.testing.assert_allclose(model.predict(x, verbose=0), SAVED[name]["predict"], rtol=1e-5,
                               atol=1e-6)
    assert [layer.name for layer in model.layers] == SAVED[name]["layers"]  # no operation
    operations = [node.layer.class_name for node in model._nodes
                  if isinstance(node.layer, GraphOperation)]
    assert sorted(operations) == sorted(SAVED[name]["operations"])


@pytest.mark.parametrize("name,ext", FILES)
def test_saved_again_the_operations_are_written_back(name, ext, tmp_path):
    """Saved here in both formats, the config holds the operations again (with their module:
    Keras 3's `.h5` reader finds them only through it) and the model predicts the same."""
    model = load(name, ext)
    x = mm.SAVED[name][1]()
    expected = model.predict(x, verbose=0)
    entries = model.get_config()["layers"]
    assert sorted(e["class_name"] for e in entries if is_operation_config(e)) == \
        sorted(SAVED[name]["operations"])
    for out_ext in (".keras", ".h5"):
        path = str(tmp_path / f"again{out_ext}")
        model.save(path)
        np.testing.assert_allclose(load_path(path).predict(x, verbose=0), expected, rtol=1e-6)
    if out_ext == ".h5":
        import h5py
        with h5py.File(path) as f:
            written = json.loads(f.attrs["model_config"])["config"]["layers"]
        assert all(e.get("module") == "keras.src.ops.numpy" for e in written
                   if e["class_name"] in ("NotEqual", "Any", "LogicalOr"))


def load_path(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return keras.models.load_model(path)


def test_from_config_rebuilds_the_operations():
    model = load("masking_concat_lstm", ".keras")
    again = keras.Model.from_config(model.get_config())
    again.set_weights(model.get_weights())
    x = mm.padded(1)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_loaded_graph_trains_as_the_same_model_built_here():
    """The mask reaches the LSTM through the operation's node in a training step too: one
    SGD step of the loaded tagger equals Keras's step on the model built from the same
    weights (masks.json `models`)."""
    clear_session()
    model = load("embedding_lstm_sequence", ".keras")
    expected = load_golden("masks.json")["models"]["embedding_lstm_sequence"]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    y = mm.MODELS["embedding_lstm_sequence"][2]()
    logs = model.train_on_batch(mm.TOKENS, y, return_dict=True)
    np.testing.assert_allclose(logs["loss"], expected["train_on_batch_logs"]["loss"], rtol=1e-5)
    np.testing.assert_allclose(logs["accuracy"], expected["evaluate"][1], rtol=1e-6)
    for got, want in zip(model.get_weights(), expected["weights_after_step"]):
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-5, atol=1e-7)


def test_summary_of_a_loaded_graph_lists_its_layers():
    lines = []
    load("two_masks_add_lstm", ".keras").summary(print_fn=lines.append)
    text = "\n".join(lines)
    # Dense(2) twice on 4 features (2 * 10) and LSTM(2) on 2 (4 gates * 2 * (2 + 2 + 1)).
    assert "lstm (LSTM)" in text and "Total params: 60" in text
    assert "not_equal" not in text  # the operations are no layers (Keras lists them)


def test_an_operation_minikeras_lacks_is_named():
    entry = {"module": "keras.src.ops.numpy", "class_name": "Einsum",
             "config": {"name": "einsum"}}
    assert is_operation_config(entry)
    from minikeras.models import graph_ops
    with pytest.raises(NotImplementedError, match="'Einsum'.*NotEqual"):
        graph_ops.from_config(entry)


def test_the_layer_concatenate_is_not_taken_for_the_operation():
    """In `.h5` configs (no module) only the config's `trainable` tells them apart."""
    assert is_operation_config({"class_name": "Concatenate", "config": {"name": "c", "axis": -1}})
    assert not is_operation_config({"class_name": "Concatenate", "config": {
        "name": "c", "trainable": True, "axis": -1}})
