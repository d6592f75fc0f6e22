"""Functional and subclassed models: `get_config` / `from_config` / `to_json` round trips (same
config, and the same predictions once the weights are copied), Keras's rules for subclasses."""

import json

import numpy as np
import pytest

import minikeras
from minikeras import layers, saving
from minikeras.layers.base import reset_uids
from minikeras.models import Model, Sequential, model_from_json
from minikeras.models.model import Functional

from tests.saving.golden_configs import cases

RNG = np.random.default_rng(0)
X4 = RNG.normal(size=(5, 4)).astype("float32")
X3 = RNG.normal(size=(5, 3)).astype("float32")
FUNCTIONS = {"double": cases.double, "scale": cases.scale}


def inputs_for(model):
    arrays = [RNG.normal(size=(5,) + tuple(t.shape[1:])).astype("float32")
              for t in model.inputs]
    if isinstance(getattr(model, "_inputs_struct", None), dict):
        return dict(zip(sorted(model._inputs_struct), arrays))
    return arrays[0] if len(arrays) == 1 else arrays


def assert_same_predictions(a, b, x):
    if any(n.kwargs.get("training") for l in a.layers for n in l._inbound_nodes):
        return  # a Dropout called with training=True stays random when predicting
    for pa, pb in zip(minikeras.tree.flatten(a.predict(x, verbose=0)),
                      minikeras.tree.flatten(b.predict(x, verbose=0))):
        np.testing.assert_allclose(pa, pb, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(cases.model_cases(minikeras)))
def test_round_trip_config_json_and_predictions(name):
    reset_uids()
    model = cases.model_cases(minikeras)[name]()
    x = inputs_for(model) if model.built else X4 if "unbuilt" not in name else X4
    model.predict(x, verbose=0)  # builds the unbuilt Sequential
    config = model.get_config()
    with saving.custom_object_scope(FUNCTIONS):
        clone = type(model).from_config(config)
        from_json = model_from_json(model.to_json())
    for other in (clone, from_json):
        assert type(other) is type(model)
        assert other.get_config() == config
        assert [l.name for l in other.layers] == [l.name for l in model.layers]
        other.set_weights(model.get_weights())
        assert_same_predictions(model, other, x)


def test_model_inputs_outputs_give_a_functional():
    x = minikeras.Input((4,))
    model = Model(x, layers.Dense(2)(x))
    assert type(model) is Functional and isinstance(model, Model)
    assert model.name == "functional"
    assert type(Model(inputs=x, outputs=layers.Dense(2)(x))) is Functional
    config = saving.serialize_keras_object(model)
    assert (config["module"], config["class_name"], config["registered_name"]) == \
        ("keras.src.models.functional", "Functional", "Functional")
    assert saving.serialize_keras_object(Sequential([layers.Dense(1)]))["module"] == "keras"


def test_functional_config_layout():
    reset_uids()
    model = cases.model_cases(minikeras)["functional_two_inputs_shared"]()
    config = model.get_config()
    assert set(config) == {"name", "trainable", "layers", "input_layers", "output_layers"}
    shared = [l for l in config["layers"] if l["name"] == "shared"][0]
    assert [n["args"][0]["config"]["keras_history"] for n in shared["inbound_nodes"]] == \
        [["a", 0, 0], ["b", 0, 0], ["act", 0, 0]]
    assert shared["inbound_nodes"][0] == {
        "args": [{"class_name": "__keras_tensor__",
                  "config": {"shape": (None, 4), "dtype": "float32",
                             "keras_history": ["a", 0, 0]}}], "kwargs": {}}
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["head", 0, 0], ["shared", 2, 0]]


def test_only_the_models_own_calls_are_written():
    shared = layers.Dense(2, name="shared")
    a = minikeras.Input((2,), name="a")
    Model(a, shared(shared(a)))  # another model calls the layer twice first
    b = minikeras.Input((2,), name="b")
    model = Model(b, shared(b))
    config = model.get_config()
    entry = [l for l in config["layers"] if l["name"] == "shared"][0]
    assert len(entry["inbound_nodes"]) == 1
    assert config["output_layers"] == ["shared", 0, 0]  # its first call in this model
    clone = Model.from_config(config)
    clone.set_weights(model.get_weights())
    assert_same_predictions(model, clone, X4[:, :2])


def test_a_layer_shared_at_different_depths():
    a = layers.Dense(3, name="a")
    b = layers.Dense(3, name="b")
    x = minikeras.Input((3,), name="x")
    model = Model(x, a(b(a(b(x)))))  # A(B(A(B(x))))
    clone = Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    assert_same_predictions(model, clone, X3)


def test_bad_functional_configs():
    model = cases.model_cases(minikeras)["functional_chain"]()
    config = model.get_config()
    broken = json.loads(json.dumps(config))
    broken["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"][0] = "nope"
    with pytest.raises(ValueError, match="unknown layer 'nope'"):
        Model.from_config(broken)
    loop = json.loads(json.dumps(config))
    loop["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["out", 0, 0]
    with pytest.raises(ValueError, match="either has loops or disconnected nodes"):
        Model.from_config(loop)


def test_two_layers_with_one_name_are_refused():
    x = minikeras.Input((2,), name="x")
    y = layers.Dense(2, name="same")(layers.Dense(2, name="same")(x))
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model'):
        Model(x, y)


def test_compile_config_round_trip():
    model = cases.model_cases(minikeras)["functional_chain"]()
    assert model.get_compile_config() == {}
    model.compile(optimizer=minikeras.optimizers.Adam(0.01), loss="mse",
                  metrics=["mae", minikeras.metrics.RootMeanSquaredError()])
    config = saving.serialize_keras_object(model)
    compiled = config["compile_config"]
    assert compiled["optimizer"]["class_name"] == "Adam" and compiled["loss"] == "mse"
    assert compiled["metrics"][0] == "mae"
    assert compiled["metrics"][1]["class_name"] == "RootMeanSquaredError"
    clone = saving.deserialize_keras_object(config)
    assert clone.compiled and type(clone.optimizer) is minikeras.optimizers.Adam
    assert np.isclose(clone.optimizer.learning_rate, 0.01)
    clone.fit(X4, X4[:, :1], epochs=1, verbose=0)


# ----------------------------------------------------------------------------- subclassed
class Regressor(Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="relu", name="hidden")
        self.out = layers.Dense(1, name="out")

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class AutoConfigured(Model):
    def __init__(self, units=4, activation="tanh", **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units, activation=activation, name="dense")

    def call(self, inputs):
        return self.dense(inputs)


class TakesALayer(Model):
    def __init__(self, head, **kwargs):
        super().__init__(**kwargs)
        self.head = head

    def call(self, inputs):
        return self.head(inputs)


class FunctionalSubclass(Model):
    """A subclass built the functional way, with Keras's `(*args, **kwargs)` constructor."""


def test_subclassed_model_with_get_config():
    model = Regressor(units=5, name="reg")
    model.predict(X4, verbose=0)
    config = model.get_config()
    assert config["units"] == 5 and config["name"] == "reg"
    clone = Regressor.from_config(config)
    assert clone.units == 5 and clone.name == "reg"
    entry = saving.serialize_keras_object(model)
    assert entry["build_config"]["input_shape"][1:] == (4,)  # the first call's shape
    assert entry["registered_name"] == "Regressor"
    rebuilt = saving.deserialize_keras_object(entry, custom_objects={"Regressor": Regressor})
    assert rebuilt.built and len(rebuilt.weights) == 4  # built from its build_config
    rebuilt.set_weights(model.get_weights())
    assert_same_predictions(model, rebuilt, X4)


def test_subclassed_model_automatic_config_records_the_given_arguments():
    model = AutoConfigured(units=6, activation="relu", name="auto")
    config = model.get_config()
    assert {k: config[k] for k in ("name", "units", "activation", "trainable")} == \
        {"name": "auto", "units": 6, "activation": "relu", "trainable": True}
    clone = AutoConfigured.from_config(config)
    assert clone.dense.units == 6


def test_subclassed_model_that_cannot_be_configured():
    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        TakesALayer(layers.Dense(1)).get_config()

    class Strict(Model):
        def __init__(self, size):
            super().__init__()
            self.size = size

        def get_config(self):
            return {"size": self.size, "extra": 1}

    with pytest.raises(TypeError, match="Unable to revive model from config"):
        Strict.from_config(Strict(2).get_config())


def test_functional_subclass_round_trips_as_its_class():
    x = minikeras.Input((4,), name="x")
    model = FunctionalSubclass(x, layers.Dense(2, name="d")(x), name="fs")
    config = model.get_config()
    assert "input_layers" in config
    clone = FunctionalSubclass.from_config(config)
    assert type(clone) is FunctionalSubclass
    clone.set_weights(model.get_weights())
    assert_same_predictions(model, clone, X4)


def test_model_from_json_needs_the_users_classes():
    reset_uids()
    classes = cases.custom_classes(minikeras)
    model = cases.custom_cases(minikeras, classes)["functional_registered_layer"]()
    text = model.to_json()
    clone = model_from_json(text)  # Demo>Scale is registered
    assert type(clone.get_layer("scale")) is classes["Scale"]
    auto = cases.custom_cases(minikeras, classes)["subclassed_auto_config"]()
    with pytest.raises(ValueError, match="AutoConfigured"):
        model_from_json(auto.to_json())
    again = model_from_json(auto.to_json(), custom_objects={
        "AutoConfigured": classes["AutoConfigured"]})
    assert type(again) is classes["AutoConfigured"]
