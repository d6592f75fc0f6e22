"""Sequential: config round trips (issue 7, defect 3) and Keras's `output_shape`/`input_shape`."""

import numpy as np
import pytest

from minikeras.layers import Dense, Dropout, Input
from minikeras.models import Sequential

X = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")


def with_input():
    return Sequential([Input((4,)), Dense(5, activation="relu"), Dropout(0.5), Dense(2)])


def with_input_shape():
    return Sequential([Dense(5, activation="tanh", input_shape=(4,)), Dense(2)])


def unbuilt():
    return Sequential([Dense(5, activation="relu"), Dense(2, activation="softmax")])


@pytest.mark.parametrize("make", [with_input, with_input_shape, unbuilt])
def test_from_config_round_trips(make):
    model = make()
    config = model.get_config()
    clone = Sequential.from_config(config)
    assert clone.get_config() == config
    assert [type(l) for l in clone.layers] == [type(l) for l in model.layers]
    assert clone.built == model.built
    model.predict(X, verbose=0)  # builds the unbuilt ones from the data
    clone.predict(X, verbose=0)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X, verbose=0), model.predict(X, verbose=0))


def test_from_config_keeps_the_input_layer_and_build_input_shape():
    config = with_input().get_config()
    assert [entry["class_name"] for entry in config["layers"]] == ["InputLayer", "Dense", "Dropout",
                                                                   "Dense"]
    assert config["build_input_shape"] == (None, 4)
    clone = Sequential.from_config(config)
    assert clone.input_shape == (None, 4) and clone.output_shape == (None, 2)


def test_from_config_reads_keras_configs_without_an_input_layer():
    # tf.keras 2 writes only `build_input_shape`; Keras 2.2 a bare list of layers.
    dense = {"class_name": "Dense", "config": {"name": "d", "units": 3}}
    model = Sequential.from_config({"name": "m", "layers": [dense], "build_input_shape": [None, 7]})
    assert model.name == "m" and model.built and model.output_shape == (None, 3)
    assert model.layers[0].kernel.shape == (7, 3)
    legacy = Sequential.from_config([dense])
    assert not legacy.built and [l.name for l in legacy.layers] == ["d"]


def test_from_config_custom_layer_and_bad_entry():
    class Twice(Dense):
        pass

    model = Sequential([Input((3,)), Twice(2)])
    clone = Sequential.from_config(model.get_config(), custom_objects={"Twice": Twice})
    assert type(clone.layers[0]) is Twice
    with pytest.raises(ValueError, match="Unknown layer: 'Twice'"):
        Sequential.from_config(model.get_config())
    with pytest.raises(ValueError, match=r"Each entry of a Sequential config's `layers` must be a "
                                         r"dict with 'class_name' and 'config'\. Received: 3"):
        Sequential.from_config({"name": "m", "layers": [3]})


def test_output_shape_and_input_shape():
    assert with_input().output_shape == (None, 2)
    assert with_input().input_shape == (None, 4)
    assert Sequential([Input((28, 28)), Dense(10)]).output_shape == (None, 28, 10)
    model = unbuilt()
    with pytest.raises(AttributeError, match=r"^Sequential model 'sequential_\d+' has no defined "
                                             r"output shape yet\.$"):
        model.output_shape
    with pytest.raises(AttributeError, match=r"has no defined input shape yet\."):
        model.input_shape
    model.predict(X, verbose=0)
    assert model.output_shape == (None, 2) and model.input_shape == (None, 4)


def test_from_config_reads_a_keras3_config():
    # Trimmed from Keras 3.15.1's `Sequential([Input((4,)), Dense(3, activation="relu"),
    # Dropout(0.5)]).get_config()` (JAX backend): `module`/`registered_name` entries, dtype
    # policies, InputLayer's `optional` and Dense's `quantization_config`.
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
              "registered_name": None}
    config = {
        "name": "sequential", "trainable": True, "dtype": policy, "build_input_shape": [None, 4],
        "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 4], "dtype": "float32", "sparse": False,
                        "ragged": False, "name": "input_layer", "optional": False}},
            {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "build_config": {"input_shape": [None, 4]},
             "config": {"name": "dense", "trainable": True, "dtype": policy, "units": 3,
                        "activation": "relu", "use_bias": True,
                        "kernel_initializer": {"module": "keras.initializers",
                                               "class_name": "GlorotUniform",
                                               "config": {"seed": None, "input_axes": None,
                                                          "output_axes": None},
                                               "registered_name": None},
                        "bias_initializer": {"module": "keras.initializers",
                                             "class_name": "Zeros", "config": {},
                                             "registered_name": None},
                        "kernel_regularizer": None, "bias_regularizer": None,
                        "kernel_constraint": None, "bias_constraint": None,
                        "quantization_config": None}},
            {"module": "keras.layers", "class_name": "Dropout", "registered_name": None,
             "config": {"name": "dropout", "trainable": True, "dtype": policy, "rate": 0.5,
                        "seed": None, "noise_shape": None}},
        ],
    }
    model = Sequential.from_config(config)
    assert model.input_shape == (None, 4) and model.output_shape == (None, 3)
    assert [(type(l).__name__, l.name) for l in model.layers] == [("Dense", "dense"),
                                                                  ("Dropout", "dropout")]
    assert model.layers[0].get_config()["activation"] == "relu" and model.layers[1].rate == 0.5


@pytest.mark.parametrize("name", ["sequential_input", "sequential_unbuilt",
                                  "sequential_built_by_build", "sequential_input_shape"])
def test_from_config_of_the_configs_keras_3_writes(name):
    # tests/golden/saving/configs/models.json: real Keras 3.15's `serialize_keras_object`
    from tests.saving.golden_configs import differences, golden, normalised
    entry = golden("models")[name]["config"]
    model = Sequential.from_config(entry["config"])
    assert model.built == ("build_input_shape" in entry["config"])
    assert differences(normalised(model.get_config()), entry["config"]) == []
    assert normalised(model.get_build_config()) == entry.get("build_config")
    if model.built:
        assert model.predict(np.zeros((2,) + model.input_shape[1:], "float32"),
                             verbose=0).shape[0] == 2
