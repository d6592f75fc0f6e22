"""minikeras writes the configs real Keras 3 writes, and reads them back.

The references (tests/golden/saving/configs/*.json) are `keras.saving.serialize_keras_object`
of the objects of cases.py, made by Keras 3.15.1 (make_configs.py).
"""

import warnings

import numpy as np
import pytest

import minikeras
from minikeras.layers.base import reset_uids
from minikeras.saving import deserialize_keras_object, serialize_keras_object

from tests.saving.golden_configs import cases, differences, golden, normalised

LAYERS, OBJECTS, MODELS = golden("layers"), golden("objects"), golden("models")
CUSTOM = cases.custom_classes(minikeras)
FUNCTIONS = {"double": cases.double, "scale": cases.scale}

# Where minikeras writes more than Keras 3.15 on purpose: Keras drops these arguments from the
# config (a round trip through Keras loses them) although its constructors accept them, so
# Keras reads minikeras's config back with the value kept.
DELIBERATE = {"init_identity": ["$.config.gain"], "loss_scce": ["$.config.axis"],
              "loss_huber": ["$.config.delta"]}


def extra_keys(found):
    """The paths of the differences, which must all be keys minikeras adds."""
    assert all(": extra (" in d for d in found), found
    return [d.split(":")[0] for d in found]


def ours(build):
    reset_uids()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return normalised(serialize_keras_object(build()))


@pytest.mark.parametrize("name", sorted(cases.layer_cases(minikeras)))
def test_layer_configs_are_keras_3s(name):
    assert differences(ours(cases.layer_cases(minikeras)[name]), LAYERS[name]) == []


@pytest.mark.parametrize("name", sorted(cases.object_cases(minikeras)))
def test_configs_of_initializers_regularizers_constraints_losses_metrics_optimizers(name):
    found = differences(ours(cases.object_cases(minikeras)[name]), OBJECTS[name])
    assert extra_keys(found) == DELIBERATE.get(name, [])


@pytest.mark.parametrize("name", cases.ACTIVATIONS)
def test_activations_are_written_by_name(name):
    assert minikeras.activations.serialize(minikeras.activations.get(name)) == \
        OBJECTS[f"activation_{name}"]


@pytest.mark.parametrize("name", sorted(cases.model_cases(minikeras)))
def test_model_configs_and_layer_order_are_keras_3s(name):
    reset_uids()
    model = cases.model_cases(minikeras)[name]()
    assert differences(normalised(serialize_keras_object(model)), MODELS[name]["config"]) == []
    assert [layer.name for layer in model.layers] == MODELS[name]["layer_names"]


@pytest.mark.parametrize("name", sorted(cases.custom_cases(minikeras, CUSTOM)))
def test_user_classes_configs_are_keras_3s(name):
    reset_uids()
    model = cases.custom_cases(minikeras, CUSTOM)[name]()
    assert differences(normalised(serialize_keras_object(model)), MODELS[name]["config"]) == []


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_reads_keras_layer_configs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = deserialize_keras_object(LAYERS[name], custom_objects=FUNCTIONS)
        assert differences(normalised(serialize_keras_object(layer)), LAYERS[name]) == []


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_reads_keras_object_configs(name):
    obj = deserialize_keras_object(OBJECTS[name])
    if isinstance(OBJECTS[name], str):  # an activation's name: the name comes back
        assert obj == OBJECTS[name]
        return
    again = normalised(serialize_keras_object(obj))
    assert extra_keys(differences(again, OBJECTS[name])) == DELIBERATE.get(name, [])


@pytest.mark.parametrize("name", sorted(cases.model_cases(minikeras)))
def test_reads_keras_model_configs(name):
    """Keras 3's own config of each model gives back the same model (same config, same layer
    order), which then runs."""
    reset_uids()
    config = MODELS[name]["config"]
    model = deserialize_keras_object(config, custom_objects=FUNCTIONS)
    assert differences(normalised(serialize_keras_object(model)), config) == []
    assert [layer.name for layer in model.layers] == MODELS[name]["layer_names"]
    assert MODELS[name]["round_trip_equal"]  # Keras itself gives the same config back


@pytest.mark.parametrize("name", sorted(cases.custom_cases(minikeras, CUSTOM)))
def test_reads_keras_configs_of_user_classes(name):
    reset_uids()
    config = MODELS[name]["config"]
    model = deserialize_keras_object(config, custom_objects=CUSTOM)
    assert type(model).__name__ == config["class_name"]
    assert differences(normalised(serialize_keras_object(model)), config) == []


def test_the_fixtures_say_where_they_come_from():
    import json
    from tests.saving.golden_configs import HERE
    for name in ("layers", "objects", "models"):
        meta = json.loads((HERE / f"{name}.json").read_text())["meta"]
        assert meta["keras"].startswith("3.") and meta["backend"] == "jax"
        assert meta["generated_by"] == "tests/golden/saving/configs/make_configs.py"


def test_functional_models_from_keras_configs_predict():
    config = MODELS["functional_two_inputs_shared"]["config"]
    model = deserialize_keras_object(config)
    a, b = np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")
    head, again = model.predict([a, b], verbose=0)
    assert head.shape == (2, 2) and again.shape == (2, 4)
