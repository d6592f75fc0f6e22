"""Every layer's config round trip (`from_config(get_config())` gives the same config and, with
the weights copied, the same outputs), `Lambda`, the automatic config of user layers and build
configs."""

import warnings

import numpy as np
import pytest

import minikeras
from minikeras import layers, saving
from minikeras.layers.base import reset_uids

from tests.saving.golden_configs import cases

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 6)).astype("float32")


def every_layer():
    return {name: build for name, build in cases.layer_cases(minikeras).items()
            if not name.startswith("input_layer")}


@pytest.mark.parametrize("name", sorted(every_layer()))
def test_round_trip_same_config_and_same_outputs(name):
    reset_uids()
    layer = every_layer()[name]()
    x = X.astype(layer.dtype)
    if isinstance(layer, layers.Reshape):
        x = x.reshape(4, 6)
    if isinstance(layer, layers.Lambda) and layer._output_shape is not None:
        x = x[:, :3]
    y = layer(x)
    config = layer.get_config()
    with saving.custom_object_scope({"double": cases.double, "scale": cases.scale}):
        clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(y), rtol=1e-6)
    again = saving.deserialize_keras_object(saving.serialize_keras_object(layer),
                                            custom_objects={"double": cases.double,
                                                            "scale": cases.scale})
    assert type(again) is type(layer) and again.get_config() == config


@pytest.mark.parametrize("name", ["input_layer", "input_layer_batch_shape",
                                  "input_layer_int32"])
def test_input_layers_round_trip(name):
    layer = cases.layer_cases(minikeras)[name]()
    clone = layers.InputLayer.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.output_tensor.shape == layer.output_tensor.shape
    assert clone.output_tensor.dtype == layer.output_tensor.dtype


def test_thresholded_relu_keras_2_layer_round_trips():
    layer = layers.ThresholdedReLU(theta=0.5, name="t")
    clone = layers.deserialize(layers.serialize(layer))
    assert clone.theta == 0.5 and clone.get_config() == layer.get_config()


def test_base_config_is_keras_3s():
    layer = layers.Dense(2, name="d", trainable=False, dtype="float64",
                         activity_regularizer="l2")
    config = layer.get_config()
    assert config["name"] == "d" and config["trainable"] is False
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                               "config": {"name": "float64"}, "registered_name": None}
    assert config["activity_regularizer"]["class_name"] == "L2"
    assert "batch_input_shape" not in layers.Dense(2, input_shape=(3,)).get_config()
    assert "activity_regularizer" not in layers.Dense(2).get_config()


@pytest.mark.parametrize("dtype, expected", [
    (None, "float32"), ("float64", "float64"), (np.float64, "float64"),
    ({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float16"}}, "float16"),
    ({"class_name": "Policy", "config": {"name": "mixed_float16"}}, "float32"),
    ("mixed_bfloat16", "float32")])
def test_dtype_arguments_and_policies(dtype, expected):
    assert layers.Dense(2, dtype=dtype).dtype == expected


# ----------------------------------------------------------------------------- Lambda
def test_lambda_runs_its_function_with_arguments_mask_and_training():
    def fn(x, mask=None, training=None, k=1.0):
        return x * k + (1.0 if training else 0.0)

    layer = layers.Lambda(fn, arguments={"k": 2.0})
    np.testing.assert_allclose(layer(X), X * 2)
    np.testing.assert_allclose(layer(X, training=True), X * 2 + 1)


def test_lambda_output_shapes():
    x = minikeras.Input((6,))
    assert layers.Lambda(cases.double)(x).shape == (None, 6)  # inferred
    assert layers.Lambda(cases.double, output_shape=(6,))(x).shape == (None, 6)
    assert layers.Lambda(cases.double, output_shape=lambda s: (s[0], 6))(x).shape == (None, 6)
    assert layers.Lambda(lambda t: t[:, :2])(x).shape == (None, 2)


def test_lambda_in_a_model_trains():
    x = minikeras.Input((6,))
    y = layers.Dense(1)(layers.Lambda(minikeras.ops.tanh)(x))
    model = minikeras.Model(x, y)
    model.compile("sgd", "mse")
    before = model.evaluate(X, np.ones((4, 1)), verbose=0)
    model.fit(X, np.ones((4, 1)), epochs=5, verbose=0)
    assert model.evaluate(X, np.ones((4, 1)), verbose=0) < before


def test_lambda_function_resolved_from_ops_and_activations():
    config = layers.Lambda(minikeras.ops.tanh, name="t").get_config()
    assert config["function"]["config"] == "tanh"
    assert layers.Lambda.from_config(config).function in (minikeras.ops.tanh,
                                                          minikeras.activations.tanh)


def test_lambda_of_a_python_lambda_warns_writes_keras_bytecode_and_is_refused():
    layer = layers.Lambda(lambda x: x + 1, name="lam")
    with pytest.warns(UserWarning, match="Lambda layer 'lam' wraps a Python lambda"):
        config = layer.get_config()
    assert config["function"]["class_name"] == "__lambda__"
    assert set(config["function"]["config"]) == {"code", "defaults", "closure"}
    with pytest.raises(ValueError, match=r"^Requested the deserialization of a `Lambda` layer "
                                         r"whose `function` is a Python lambda\. This carries a "
                                         r"potential risk of arbitrary code execution and thus it "
                                         r"is disallowed by default\."):
        layers.Lambda.from_config(config)
    with pytest.raises(ValueError, match="register_keras_serializable"):
        layers.Lambda.from_config(config, safe_mode=False)


def test_lambda_named_function_needs_custom_objects_or_registration():
    def triple(x):
        return 3 * x

    config = layers.Lambda(triple, name="lam").get_config()
    with pytest.raises(ValueError, match=r"Unknown function: 'triple'"):
        layers.Lambda.from_config(config)
    assert layers.Lambda.from_config(config, custom_objects={"triple": triple}).function \
        is triple
    with saving.custom_object_scope({"triple": triple}):
        assert layers.Lambda.from_config(config).function is triple


def test_lambda_rejects_what_is_not_callable():
    with pytest.raises(TypeError, match="must be callable"):
        layers.Lambda(3)


# ----------------------------------------------------------------------------- user layers
class Scaled(layers.Layer):
    """No get_config: Keras 3 writes its plain constructor arguments."""

    def __init__(self, factor=2.0, offsets=(1, 2), mode="a", **kwargs):
        super().__init__(**kwargs)
        self.factor, self.offsets, self.mode = factor, offsets, mode

    def call(self, inputs):
        return inputs * self.factor


class HoldsALayer(layers.Layer):
    def __init__(self, inner, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner


class NoNameArgument(layers.Layer):
    def __init__(self, size=3):
        super().__init__()
        self.size = size


def test_user_layer_without_get_config_gets_keras_automatic_config():
    layer = Scaled(3.0, mode="b", name="s")
    config = layer.get_config()
    assert config == {"name": "s", "factor": 3.0, "offsets": (1, 2), "mode": "b",
                      "trainable": True, "dtype": layer.get_config()["dtype"]}
    clone = Scaled.from_config(config)
    assert (clone.factor, clone.mode, clone.name) == (3.0, "b", "s")
    # `name` could not be passed back (as in Keras, `trainable` and `dtype` are written anyway)
    assert NoNameArgument(size=4).get_config()["size"] == 4
    assert "name" not in NoNameArgument(size=4).get_config()


def test_user_layer_with_other_arguments_must_write_get_config():
    with pytest.raises(NotImplementedError, match=r"Object HoldsALayer was created by passing "
                                                  r"non-serializable argument values"):
        HoldsALayer(layers.Dense(2)).get_config()


def test_build_config_round_trip():
    layer = layers.PReLU(name="p")
    assert layer.get_build_config() is None
    layer(np.zeros((2, 3, 4), "float32"))
    assert layer.get_build_config() == {"input_shape": (2, 3, 4)}
    clone = layers.PReLU.from_config(layer.get_config())
    clone.build_from_config({"input_shape": [None, 3, 4]})
    assert clone.built and clone.alpha.shape == (3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layers.Activation("relu").get_build_config() is None  # built at creation
