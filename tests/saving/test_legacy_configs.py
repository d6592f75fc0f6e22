"""Reading the configs tf.keras 2 and Keras 2 wrote (hand-written in legacy_configs.py)."""

import json
import warnings

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.models import Model, Sequential, model_from_json
from minikeras.saving import deserialize_keras_object

from tests.saving import legacy_configs as legacy
from tests.saving.golden_configs import cases

X4 = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")


def test_tf_keras_2_sequential():
    model = model_from_json(legacy.TF2_SEQUENTIAL)
    assert type(model) is Sequential and model.name == "sequential"
    assert [l.name for l in model.layers] == ["dense", "dropout", "dense_1"]
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert model.layers[0].activation is minikeras.activations.relu
    assert model.predict(X4, verbose=0).shape == (3, 2)
    # written back in Keras 3's layout, which Keras 3 reads
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][0]["config"]["batch_shape"] == (None, 4)
    assert "batch_input_shape" not in config["layers"][1]["config"]


def test_tf_keras_2_functional_with_a_shared_layer():
    model = model_from_json(legacy.TF2_FUNCTIONAL)
    assert type(model) is minikeras.models.model.Functional
    # Keras's order: by depth from the outputs, then in the order a walk from them meets them
    assert [l.name for l in model.layers] == ["a", "b", "shared", "head", "act"]
    shared = model.get_layer("shared")
    assert len(shared._inbound_nodes) == 2
    head, act = model.predict([X4, X4 + 1], verbose=0)
    assert head.shape == (3, 2) and act.shape == (3, 4)
    # the shared layer's second call feeds `act`: same weights, other input
    expected = np.tanh((X4 + 1) @ shared.kernel.numpy() + shared.bias.numpy())
    np.testing.assert_allclose(act, expected, rtol=1e-5, atol=1e-6)


def test_tf_keras_2_lists_of_one_input_and_output_become_single_tensors():
    model = model_from_json(legacy.TF2_SINGLE_OUTPUT)
    assert model.predict(X4, verbose=0).shape == (3, 1)  # an array, not a list
    node = model.get_layer("drop")._inbound_nodes[0]
    assert node.kwargs == {"training": True}


def test_tf_keras_2_nested_models_count_their_own_graph_as_node_0():
    model = model_from_json(legacy.TF2_NESTED)
    assert [l.name for l in model.layers] == ["x", "inner", "seq"]
    seq_out, inner_out = model.predict(X4, verbose=0)
    assert seq_out.shape == (3, 2) and inner_out.shape == (3, 3)
    inner = model.get_layer("inner")
    np.testing.assert_allclose(inner_out, inner.predict(X4, verbose=0), rtol=1e-6)
    # written back the Keras 3 way: the nested functional model's first call is node 1 in
    # `output_layers` only
    config = model.get_config()
    assert config["output_layers"] == [["seq", 0, 0], ["inner", 1, 0]]
    seq_entry = [l for l in config["layers"] if l["name"] == "seq"][0]
    assert seq_entry["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["inner", 0, 0]


def test_tf_keras_2_13_sequential_with_modules():
    model = model_from_json(legacy.TF213_SEQUENTIAL)
    assert model.input_shape == (None, 4) and model.layers[0].units == 3


def test_keras_2_2_sequential_list_and_model_class():
    model = model_from_json(legacy.KERAS22_SEQUENTIAL)
    assert model.input_shape == (None, 4) and model.output_shape == (None, 1)
    init = model.layers[0].kernel_initializer
    assert type(init).__name__ == "VarianceScaling" and init.mode == "fan_avg"
    functional = model_from_json(legacy.KERAS22_MODEL)
    assert [l.name for l in functional.layers] == ["input_1", "dense_1"]
    assert functional.predict(X4, verbose=0).shape == (3, 2)


def test_tf_keras_2_lambda_stored_as_bytecode_is_refused():
    with pytest.raises(ValueError, match=r"Requested the deserialization of a `Lambda` layer "
                                         r"whose `function` is a Python lambda\. This carries a "
                                         r"potential risk of arbitrary code execution"):
        deserialize_keras_object(json.loads(legacy.TF2_LAMBDA_BYTECODE))
    with pytest.raises(ValueError, match="accepts `safe_mode=False` but never runs code stored in a file"):
        deserialize_keras_object(json.loads(legacy.TF2_LAMBDA_BYTECODE), safe_mode=False)


def test_tf_keras_2_lambda_of_a_named_function():
    config = json.loads(legacy.TF2_LAMBDA_NAMED)
    with pytest.raises(ValueError, match=r"Unknown function: 'double'.*custom_objects"):
        deserialize_keras_object(config)
    layer = deserialize_keras_object(config, custom_objects={"double": cases.double})
    np.testing.assert_allclose(layer(X4), 2 * X4)


def test_tf_keras_2_user_layers_by_name_and_registered_name():
    classes = cases.custom_classes(minikeras)
    layer = deserialize_keras_object(json.loads(legacy.TF2_CUSTOM),
                                     custom_objects={"Scale": classes["Scale"]})
    assert layer.factor == 3.0
    # 'Demo>Scale' is registered by cases.custom_classes
    layer = deserialize_keras_object(json.loads(legacy.TF2_CUSTOM_REGISTERED))
    assert type(layer) is classes["Scale"] and layer.name == "scale"


def test_tf_keras_2_mixed_precision_policy_reads_as_float32():
    layer = deserialize_keras_object(json.loads(legacy.TF2_MIXED_PRECISION_DENSE))
    assert layer.dtype == "float32"


def test_tf_keras_2_leaky_relu_alpha():
    config = {"class_name": "LeakyReLU", "config": {"name": "leaky", "trainable": True,
                                                    "dtype": "float32", "alpha": 0.2}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        layer = layers.deserialize(config)
    assert layer.negative_slope == 0.2


def test_model_from_config_tf_keras_2_api():
    model = minikeras.models.model_from_config(json.loads(legacy.TF2_SEQUENTIAL))
    assert isinstance(model, Model)
    with pytest.raises(ValueError, match="must be a dict with 'class_name'"):
        minikeras.models.model_from_config([1, 2])


def test_model_from_json_bad_text():
    with pytest.raises(ValueError, match="could not be parsed"):
        model_from_json("{not json")
