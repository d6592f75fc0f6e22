"""`keras.saving.serialize_keras_object` / `deserialize_keras_object`: Keras 3's forms, the
older ones, and what a config can never make minikeras do."""

import sys
import warnings

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.saving import deserialize_keras_object, serialize_keras_object
from minikeras.saving.serialization_lib import UnknownObjectError


def test_plain_values_and_containers():
    assert serialize_keras_object(None) is None
    assert serialize_keras_object([1, "a", 2.5, True]) == [1, "a", 2.5, True]
    assert serialize_keras_object((1, 2)) == (1, 2)
    assert serialize_keras_object({"a": np.float32(1.5), "b": np.int64(3)}) == \
        {"a": 1.5, "b": 3}
    assert deserialize_keras_object({"a": [1, 2], "b": None}) == {"a": [1, 2], "b": None}


def test_keras_special_values():
    array = np.arange(6, dtype="int32").reshape(2, 3)
    config = serialize_keras_object(array)
    assert config == {"class_name": "__numpy__",
                      "config": {"value": [[0, 1, 2], [3, 4, 5]], "dtype": "int32"}}
    back = deserialize_keras_object(config)
    assert back.dtype == np.int32 and np.array_equal(back, array)
    for value in (b"bytes", slice(1, None, 2), Ellipsis):
        assert deserialize_keras_object(serialize_keras_object(value)) == value


def test_symbolic_tensors_name_their_layer_node_and_index():
    x = minikeras.Input((4,), name="x")
    config = serialize_keras_object(layers.Dense(2, name="d")(x))
    assert config == {"class_name": "__keras_tensor__",
                      "config": {"shape": (None, 2), "dtype": "float32",
                                 "keras_history": ["d", 0, 0]}}
    reference = deserialize_keras_object(config)
    assert (reference.layer_name, reference.node_index, reference.tensor_index) == ("d", 0, 0)


def test_functions_keras_3s_form():
    assert serialize_keras_object(minikeras.activations.relu) == {
        "module": "builtins", "class_name": "function", "config": "relu",
        "registered_name": "function"}
    config = serialize_keras_object(minikeras.losses.mean_squared_error)
    assert deserialize_keras_object(config) is minikeras.losses.mean_squared_error
    assert deserialize_keras_object({"module": "builtins", "class_name": "function",
                                     "config": "relu", "registered_name": "function"}) is \
        minikeras.activations.relu


def test_user_class_of_main_has_no_module():
    cls = type("Thing", (layers.Layer,), {"__module__": "__main__"})
    config = serialize_keras_object(cls(name="t"))
    assert config["module"] is None and config["registered_name"] == "Thing"


def test_unknown_class_error_is_a_value_error_and_a_type_error_naming_the_class():
    config = {"module": "my_project.layers", "class_name": "Mystery", "config": {},
              "registered_name": "Mystery"}
    with pytest.raises(ValueError) as info:
        deserialize_keras_object(config)
    message = str(info.value)
    assert "Mystery" in message and "my_project.layers" in message
    assert "custom_objects" in message and "register_keras_serializable" in message
    assert isinstance(info.value, TypeError) and isinstance(info.value, UnknownObjectError)
    with pytest.raises(ValueError, match=r"Unknown layer: 'Mystery'"):
        layers.deserialize({"class_name": "Mystery", "config": {}})
    with pytest.raises(ValueError, match=r"Unknown layer: 'Mystery'"):
        minikeras.Sequential.from_config({"name": "s", "layers": [
            {"class_name": "Mystery", "config": {}}]})


def test_a_config_never_imports_a_module():
    assert "antigravity" not in sys.modules
    config = {"module": "antigravity", "class_name": "fly", "config": {},
              "registered_name": None}
    with pytest.raises(ValueError, match="Could not locate class 'fly'"):
        deserialize_keras_object(config)
    with pytest.raises(ValueError, match="Could not locate function 'system'"):
        deserialize_keras_object({"module": "os", "class_name": "function",
                                  "config": "system", "registered_name": "function"})
    assert "antigravity" not in sys.modules


def test_a_user_module_never_gives_a_keras_class_by_accident():
    config = {"module": "my_project.layers", "class_name": "Dense", "config": {"units": 2},
              "registered_name": "Dense"}
    with pytest.raises(ValueError, match="Could not locate class 'Dense'"):
        deserialize_keras_object(config)
    assert type(deserialize_keras_object(config, custom_objects={"Dense": layers.Dense})) \
        is layers.Dense


def test_module_objects_are_looked_up_first():
    class Special(layers.Dense):
        pass

    config = {"class_name": "Dense", "config": {"units": 2}}
    assert type(deserialize_keras_object(config, module_objects={"Dense": Special})) is Special
    with pytest.raises(TypeError, match="unexpected keyword"):
        deserialize_keras_object(config, nonsense=1)


def test_a_lambda_is_written_as_keras_does_with_a_warning_and_never_read():
    with pytest.warns(UserWarning, match="Python bytecode"):
        config = serialize_keras_object(lambda x: x + 1)
    assert config["class_name"] == "__lambda__" and isinstance(config["config"]["code"], str)
    for safe_mode in (True, False):
        with pytest.raises(ValueError, match="minikeras accepts `safe_mode=False` but never runs code stored in a file"):
            deserialize_keras_object(config, safe_mode=safe_mode)


def test_objects_without_get_config_are_refused():
    with pytest.raises(TypeError, match="must implement the `get_config\\(\\)` method"):
        serialize_keras_object(object())

    class BadConfig(layers.Layer):
        def get_config(self):
            return ["not", "a", "dict"]

    with pytest.raises(TypeError, match="should return a dict"):
        serialize_keras_object(BadConfig())


def test_build_config_builds_the_layer_when_read():
    layer = layers.Dense(3, name="d")
    layer(np.zeros((2, 5), "float32"))
    config = serialize_keras_object(layer)
    assert config["build_config"] == {"input_shape": (2, 5)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clone = deserialize_keras_object(config)
    assert clone.built and clone.kernel.shape == (5, 3)


def test_families_serialize_as_the_generic_function():
    init = minikeras.initializers.HeNormal(seed=3)
    assert minikeras.initializers.serialize(init) == serialize_keras_object(init)
    reg = minikeras.regularizers.L2(0.1)
    assert minikeras.regularizers.serialize(reg) == serialize_keras_object(reg)
    con = minikeras.constraints.MaxNorm(2.0)
    assert minikeras.constraints.serialize(con) == serialize_keras_object(con)
    adam = minikeras.optimizers.Adam()
    assert minikeras.optimizers.serialize(adam) == serialize_keras_object(adam)
    assert serialize_keras_object(init)["module"] == "keras.initializers"
