"""The registry of the user's objects: `register_keras_serializable`, `custom_object_scope`,
`get_custom_objects`, as `keras.saving` and `keras.utils` have them."""

import threading

import numpy as np
import pytest

import minikeras
from minikeras import layers, saving, utils
from minikeras.object_registration import (_GLOBAL_CUSTOM_NAMES, _GLOBAL_CUSTOM_OBJECTS,
                                           get_registered_object)


@pytest.fixture(autouse=True)
def _clean_registry():
    objects, names = dict(_GLOBAL_CUSTOM_OBJECTS), dict(_GLOBAL_CUSTOM_NAMES)
    yield
    _GLOBAL_CUSTOM_OBJECTS.clear()
    _GLOBAL_CUSTOM_OBJECTS.update(objects)
    _GLOBAL_CUSTOM_NAMES.clear()
    _GLOBAL_CUSTOM_NAMES.update(names)


def test_the_same_functions_in_keras_saving_and_keras_utils():
    for name in ("register_keras_serializable", "custom_object_scope", "CustomObjectScope",
                 "get_custom_objects", "get_registered_name", "get_registered_object"):
        assert getattr(saving, name) is getattr(utils, name)
    assert minikeras.saving is saving


def test_registered_names_are_package_and_name():
    @saving.register_keras_serializable()
    class Plain(layers.Layer):
        pass

    @saving.register_keras_serializable(package="my_package", name="Renamed")
    class Other(layers.Layer):
        pass

    @saving.register_keras_serializable("fns")
    def my_fn(x):
        return x

    assert saving.get_registered_name(Plain) == "Custom>Plain"
    assert saving.get_registered_name(Other) == "my_package>Renamed"
    assert saving.get_registered_name(my_fn) == "fns>my_fn"
    assert saving.get_registered_name(layers.Dense) == "Dense"  # not registered: its name
    assert saving.get_registered_object("my_package>Renamed") is Other
    assert saving.get_custom_objects()["fns>my_fn"] is my_fn
    assert saving.get_registered_object("nothing") is None


def test_a_class_without_get_config_cannot_be_registered():
    with pytest.raises(ValueError, match="Cannot register a class that does not have a "
                                         "get_config"):
        saving.register_keras_serializable()(type("NoConfig", (), {}))


def test_lookup_order_scope_registry_custom_objects_module_objects():
    def a():
        pass

    def b():
        pass

    def c():
        pass

    assert get_registered_object("f", {"f": a}, {"f": b}) is a
    assert get_registered_object("f", None, {"f": b}) is b
    saving.get_custom_objects()["f"] = c
    assert get_registered_object("f", {"f": a}) is c
    with saving.custom_object_scope({"f": b}):
        assert get_registered_object("f", {"f": a}) is b


def test_scopes_nest_and_restore():
    def f():
        pass

    def g():
        pass

    with saving.custom_object_scope({"f": f}):
        with saving.CustomObjectScope({"g": g}, None):
            assert get_registered_object("f") is f and get_registered_object("g") is g
        assert get_registered_object("g") is None
    assert get_registered_object("f") is None
    assert "f" not in saving.get_custom_objects()


def test_scopes_belong_to_their_thread():
    seen = []

    def other_thread():
        seen.append(get_registered_object("f"))

    with saving.custom_object_scope({"f": len}):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert seen == [None]


@saving.register_keras_serializable(package="RegTests")
def halve(x):
    return x / 2


def test_a_registered_activation_round_trips_through_a_layer_config():
    saving.register_keras_serializable(package="RegTests")(halve)  # the fixture cleared it
    layer = layers.Dense(2, activation=halve, name="d")
    config = layer.get_config()
    assert config["activation"] == {"module": "builtins", "class_name": "function",
                                    "config": "RegTests>halve", "registered_name": "function"}
    clone = layers.Dense.from_config(config)
    assert clone.activation is halve


def test_a_scoped_activation_and_initializer_round_trip():
    class MyInit(minikeras.initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return np.full(shape, 0.25, dtype=dtype or "float32")

        def get_config(self):
            return {}

    def cube(x):
        return x ** 3

    layer = layers.Dense(2, activation=cube, kernel_initializer=MyInit(), name="d")
    config = saving.serialize_keras_object(layer)
    assert config["config"]["kernel_initializer"]["registered_name"] == "MyInit"
    with pytest.raises(ValueError, match=r"'cube'.*pass it in `custom_objects`"):
        saving.deserialize_keras_object(config)
    with pytest.raises(ValueError, match=r"Unknown initializer class: 'MyInit'.*"
                                         r"register_keras_serializable"):
        saving.deserialize_keras_object(config, custom_objects={"cube": cube})
    with saving.custom_object_scope({"MyInit": MyInit, "cube": cube}):
        clone = saving.deserialize_keras_object(config)
    assert clone.activation is cube and type(clone.kernel_initializer) is MyInit
    clone = saving.deserialize_keras_object(config, custom_objects={"MyInit": MyInit,
                                                                    "cube": cube})
    clone.build((None, 3))
    np.testing.assert_array_equal(clone.kernel.numpy(), np.full((3, 2), 0.25))


def test_a_bare_name_finds_the_registered_package_name():
    # Keras <= 3.6 wrote a registered function's bare name
    saving.register_keras_serializable(package="RegTests")(halve)
    config = {"module": "builtins", "class_name": "function", "config": "halve",
              "registered_name": "function"}
    assert saving.deserialize_keras_object(config) is halve
    assert minikeras.activations.get(config) is halve


def test_registered_optimizer_loss_metric_and_schedule():
    @saving.register_keras_serializable(package="RegTests")
    class MyAdam(minikeras.optimizers.Adam):
        pass

    @saving.register_keras_serializable(package="RegTests")
    class MyLoss(minikeras.losses.MeanSquaredError):
        pass

    @saving.register_keras_serializable(package="RegTests")
    class MyDecay(minikeras.optimizers.schedules.ExponentialDecay):
        pass

    for obj in (MyAdam(learning_rate=0.5), MyLoss(), MyDecay(0.1, 10, 0.5)):
        config = saving.serialize_keras_object(obj)
        assert config["registered_name"] == f"RegTests>{type(obj).__name__}"
        assert type(saving.deserialize_keras_object(config)) is type(obj)
    assert type(minikeras.optimizers.deserialize(saving.serialize_keras_object(MyAdam()))) \
        is MyAdam
    assert type(minikeras.losses.get(saving.serialize_keras_object(MyLoss()))) is MyLoss
    assert type(minikeras.optimizers.schedules.deserialize(
        saving.serialize_keras_object(MyDecay(0.1, 10, 0.5)))) is MyDecay
