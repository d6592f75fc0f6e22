"""Core layers: shapes, values, gradients, configs and bad input."""

import numpy as np
import pytest

from minikeras import layers
from minikeras.layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from tests.conftest import check_layer_gradients


def test_dense_shapes_and_value():
    d = Dense(3)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
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
    x = np.random.default_rng(1).normal(size=(3, 2))
    y = d(x)  # float64 data is autocast to float32, as in Keras
    assert y.dtype == np.float32 and (y >= 0).all()


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid", "softmax"])
def test_dense_gradients(float64, activation):
    x = np.random.default_rng(2).normal(size=(4, 5)) + 0.01
    check_layer_gradients(Dense(3, activation=activation), x)


def test_dense_gradients_3d(float64):
    check_layer_gradients(Dense(2), np.random.default_rng(3).normal(size=(2, 3, 4)))


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
    rng = np.random.default_rng(4)
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


@pytest.mark.parametrize("bias_by", ["ops.add", "operator +"])
def test_custom_layer_written_for_keras_trains_through_ops(bias_by):
    """The Keras guide's layer (`ops.matmul(inputs, self.w) + self.b`) trains unchanged: three
    SGD steps on MSE give the weights and losses of the same steps done by hand in NumPy.
    The bias is added with `ops.add` and with `+` (a Variable as an operand of a traced array)."""
    from minikeras import ops, optimizers
    from minikeras.models import Sequential

    class Linear(layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones",
                                     name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

        def call(self, inputs):
            if bias_by == "ops.add":
                return ops.add(ops.matmul(inputs, self.w), self.b)
            return ops.matmul(inputs, self.w) + self.b

    rng = np.random.default_rng(7)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 2)).astype("float32")
    layer = Linear()
    model = Sequential([Input((3,)), layer])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    assert [w.path for w in layer.trainable_weights] == ["linear/w", "linear/b"]

    # By hand, in float64: loss = mean(r**2) over all 16 entries, r = x @ w + b - y, so
    # dloss/dw = 2 x^T r / 16 and dloss/db = 2 sum_rows(r) / 16; SGD: v -= 0.1 * grad.
    xs, ys = x.astype(np.float64), y.astype(np.float64)
    w, b = np.ones((3, 2)), np.zeros(2)
    expected_losses = []
    for _ in range(3):
        r = xs @ w + b - ys
        expected_losses.append(np.mean(r ** 2))  # Keras reports the loss before the update
        w, b = w - 0.1 * 2 * xs.T @ r / r.size, b - 0.1 * 2 * r.sum(axis=0) / r.size
    final_loss = np.mean((xs @ w + b - ys) ** 2)

    losses = [model.train_on_batch(x, y) for _ in range(3)]
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
    assert model.optimizer.iterations == 3
    got_w, got_b = layer.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_b, b, rtol=1e-5, atol=1e-6)
    # The three steps lowered the loss by exactly the amount the hand-made steps did.
    evaluated = model.evaluate(x, y, verbose=0)
    assert evaluated == pytest.approx(final_loss, rel=1e-5)
    assert losses[0] - evaluated == pytest.approx(expected_losses[0] - final_loss, rel=1e-4)
    assert expected_losses[0] - final_loss > 0.1 * expected_losses[0]  # a real decrease


def test_variable_converted_to_numpy_inside_a_trace_raises_clear_error():
    import autograd.numpy as anp

    from minikeras.stateless_scope import StatelessScope
    from minikeras.autograd_internals import value_and_grads

    d = Dense(2)
    d(np.ones((1, 2)))

    def objective(values):
        with StatelessScope(zip(d.trainable_weights, values)):
            return anp.sum(np.asarray(d.kernel)), None

    with pytest.raises(TypeError, match="silently drop the gradient"):
        value_and_grads(objective, [w.numpy() for w in d.trainable_weights])


def test_dropout_rate_one_outputs_zeros_with_no_gradient():
    # Keras: Dropout(1.0) drops everything in training (not NaN from 0/0) and is the identity
    # at inference; nothing flows back through it.
    import autograd.numpy as anp

    from minikeras.autograd_internals import value_and_grads
    from minikeras.stateless_scope import StatelessScope

    x = np.arange(6, dtype="float32").reshape(2, 3) + 1
    d = Dropout(1.0, seed=0)
    np.testing.assert_array_equal(d(x, training=True), np.zeros((2, 3), "float32"))
    np.testing.assert_array_equal(d(x), x)

    def objective(values):
        with StatelessScope(training=True, seed=0):
            return anp.sum(d(values[0]) + values[0] * 0.0), None

    (loss, _), (grad,) = value_and_grads(objective, [x])
    assert float(loss) == 0.0
    np.testing.assert_array_equal(grad, np.zeros((2, 3)))


def test_a_layer_wired_onto_an_input_of_the_wrong_rank_fails_when_wired():
    """The InputSpec is checked for a single symbolic input (its shape is a tuple)."""
    with pytest.raises(ValueError, match=r'layer "zero_padding2d.*expected ndim=4, found ndim=3\. '
                                         r"Full shape received: \(None, 4, 4\)"):
        layers.ZeroPadding2D(name="zero_padding2d")(Input((4, 4)))
