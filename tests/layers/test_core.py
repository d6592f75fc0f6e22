"""Core layers: shapes, values, gradients, configs and bad input."""

import numpy as np
import pytest

from minikeras import layers
from minikeras.layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from tests.conftest import check_layer_gradients

rng = np.random.default_rng(0)


def test_dense_shapes_and_value():
    d = Dense(3)
    x = rng.normal(size=(4, 5)).astype("float32")
    y = d(x)
    assert y.shape == (4, 3) and y.dtype == np.float32
    k, b = d.get_weights()
    assert k.shape == (5, 3) and b.shape == (3,)
    np.testing.assert_allclose(y, x @ k + b, rtol=1e-6)
    assert [w.path for w in d.weights] == ["dense/kernel", "dense/bias"]
    assert d.count_params() == 18


def test_dense_on_3d_input_applies_to_last_axis():
    d = Dense(2, use_bias=False)
    assert d(np.ones((2, 3, 4))).shape == (2, 3, 2)
    assert len(d.weights) == 1


def test_dense_activation_and_float64_cast_to_float32():
    d = Dense(4, activation="relu")
    y = d(rng.normal(size=(3, 2)))  # float64 data is autocast to float32, as in Keras
    assert y.dtype == np.float32 and (y >= 0).all()


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid", "softmax"])
def test_dense_gradients(float64, activation):
    check_layer_gradients(Dense(3, activation=activation), rng.normal(size=(4, 5)) + 0.01)


def test_dense_gradients_3d(float64):
    check_layer_gradients(Dense(2), rng.normal(size=(2, 3, 4)))


def test_dense_config_round_trip():
    d = Dense(7, activation="relu", use_bias=False, name="hidden")
    config = d.get_config()
    assert config["units"] == 7 and config["activation"] == "relu" and config["name"] == "hidden"
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    clone = Dense.from_config(config)
    assert clone.get_config() == config
    assert layers.deserialize(layers.serialize(d)).units == 7


def test_dense_bad_arguments_and_input():
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(TypeError, match="Unrecognized keyword arguments passed to Dense"):
        Dense(3, unit=4)
    with pytest.raises(ValueError, match="activation.*'rellu'"):
        Dense(3, activation="rellu")
    d = Dense(3)
    d(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r'layer "dense_2".*expected axis -1 of input shape to have '
                                         r'value 5, but received input with shape \(2, 4\)'):
        d(np.ones((2, 4)))


def test_input_shapes_and_keras2_bare_int():
    assert Input((28, 28)).shape == (None, 28, 28)
    assert Input(shape=(3,), batch_size=8).shape == (8, 3)
    assert Input(batch_shape=(None, 5)).shape == (None, 5)
    with pytest.warns(DeprecationWarning):
        assert Input(10).shape == (None, 10)
    with pytest.raises(ValueError, match="shape"):
        Input()
    layer = InputLayer(input_shape=(4,))  # Keras 2 spelling
    assert layer.batch_shape == (None, 4)


def test_symbolic_calls_infer_shapes():
    x = Input((28, 28))
    assert Flatten()(x).shape == (None, 784)
    assert Reshape((7, -1))(x).shape == (None, 7, 112)
    assert Dense(5)(Flatten()(x)).shape == (None, 5)
    assert Dropout(0.5)(x).shape == (None, 28, 28)
    assert Activation("relu")(x).shape == (None, 28, 28)


def test_input_shape_and_input_dim_keras2_arguments():
    assert Dense(3, input_shape=(4,))._batch_input_shape == (None, 4)
    assert Dense(3, input_dim=6)._batch_input_shape == (None, 6)


def test_flatten_and_reshape_values():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(Flatten()(x), x.reshape(2, 12))
    np.testing.assert_array_equal(Reshape((4, 3))(x), x.reshape(2, 4, 3))
    np.testing.assert_array_equal(Reshape((-1,))(x), x.reshape(2, 12))
    with pytest.raises(ValueError, match="Reshape|reshape"):
        Reshape((5, 5))(x)
    with pytest.raises(ValueError, match="at most one -1"):
        Reshape((-1, -1))


def test_flatten_reshape_gradients(float64):
    check_layer_gradients(Flatten(), rng.normal(size=(2, 3, 4)))
    check_layer_gradients(Reshape((6, 2)), rng.normal(size=(2, 3, 4)))


def test_dropout_is_identity_at_inference_and_scales_in_training():
    x = np.ones((200, 50), dtype="float32")
    d = Dropout(0.4, seed=1)
    np.testing.assert_array_equal(d(x), x)
    y = d(x, training=True)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    assert abs(kept.mean() - 0.6) < 0.02
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.5)


def test_dropout_noise_shape_broadcasts_mask():
    y = Dropout(0.5, noise_shape=(None, 1), seed=0)(np.ones((100, 8)), training=True)
    assert all(len(set(row.tolist())) == 1 for row in y)


def test_activation_layer_config():
    a = Activation("tanh")
    assert a.get_config()["activation"] == "tanh"
    np.testing.assert_allclose(a(np.array([[0.5]])), np.tanh([[0.5]]), rtol=1e-6)


def test_custom_layer_written_for_keras_trains_through_ops():
    from minikeras import ops

    class Linear(layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones",
                                     name="w")

        def call(self, inputs):
            return ops.matmul(inputs, self.w)

    layer = Linear()
    np.testing.assert_allclose(layer(np.ones((1, 3))), [[3.0, 3.0]])
    assert layer.trainable_weights[0].path == "linear/w"


def test_variable_converted_to_numpy_inside_a_trace_raises_clear_error():
    import autograd.numpy as anp

    from minikeras.stateless_scope import StatelessScope
    from minikeras.autograd_internals import value_and_grads

    d = Dense(2)
    d(np.ones((1, 2)))

    def objective(values):
        with StatelessScope(zip(d.trainable_weights, values)):
            return anp.sum(np.asarray(d.kernel))

    with pytest.raises(TypeError, match="silently drop the gradient"):
        value_and_grads(objective, [w.numpy() for w in d.trainable_weights])
