"""The K functions: Keras 2 semantics, Variables, gradients, and course-code patterns."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

import minikeras as keras
from minikeras import backend as K
from minikeras.variables import Variable
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from tests.conftest import central_difference_grad

rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4)).astype("float32")


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "std", "var", "prod"])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (-1, True), ([0, 1], False)])
def test_reductions(name, axis, keepdims):
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = getattr(np, name)(X, axis=np_axis, keepdims=keepdims)
    out = getattr(K, name)(X, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert np.shape(out) == np.shape(expected)


def test_bool_means_and_logic():
    b = X > 0
    assert K.mean(b) == pytest.approx(b.mean()) and K.mean(b).dtype == np.float32
    np.testing.assert_array_equal(K.any(b, axis=1), b.any(axis=1))
    np.testing.assert_array_equal(K.all(b, axis=0, keepdims=True), b.all(axis=0, keepdims=True))
    np.testing.assert_array_equal(K.argmax(X), X.argmax(-1))
    np.testing.assert_array_equal(K.argmin(X, axis=0), X.argmin(0))
    for name in ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal"):
        np.testing.assert_array_equal(getattr(K, name)(X, 0.1), getattr(np, name)(X, 0.1))


def test_elementwise():
    np.testing.assert_allclose(K.square(X), X ** 2)
    np.testing.assert_allclose(K.abs(X), np.abs(X))
    np.testing.assert_allclose(K.sqrt(np.array([4.0, -1.0])), [2.0, 0.0])  # negatives give 0
    np.testing.assert_allclose(K.pow(np.array([2.0, 3.0]), 3), [8.0, 27.0])
    np.testing.assert_allclose(K.exp(K.log(np.array([2.0, 5.0]))), [2.0, 5.0])
    np.testing.assert_array_equal(K.round(np.array([0.5, 1.5, 2.5, -0.5])), [0, 2, 2, -0])
    np.testing.assert_array_equal(K.sign(np.array([-2.0, 0.0, 3.0])), [-1, 0, 1])
    np.testing.assert_allclose(K.maximum(X, 0), np.maximum(X, 0))
    np.testing.assert_allclose(K.minimum(X, 0), np.minimum(X, 0))
    np.testing.assert_allclose(K.clip(X, -0.5, 0.5), np.clip(X, -0.5, 0.5))
    np.testing.assert_allclose(K.clip(X, None, 0.2), np.minimum(X, 0.2))
    np.testing.assert_allclose(K.clip(X, 0.3, 0.1), np.full_like(X, 0.3))  # max < min: min wins
    assert K.square(2.0).dtype == np.float32  # Python numbers become floatx()


def test_activation_functions_and_keras2_variants():
    np.testing.assert_allclose(K.sigmoid(X), 1 / (1 + np.exp(-X)), rtol=1e-6)
    np.testing.assert_allclose(K.tanh(X), np.tanh(X), rtol=1e-6)
    np.testing.assert_allclose(K.softmax(X).sum(-1), 1, rtol=1e-6)
    np.testing.assert_allclose(K.softplus(X), np.logaddexp(X, 0), rtol=1e-6)
    np.testing.assert_allclose(K.softsign(X), X / (1 + np.abs(X)), rtol=1e-6)
    # Keras 2 `K.relu(x, alpha=...)` and `K.hard_sigmoid` (0.2x + 0.5).
    np.testing.assert_allclose(K.relu(np.array([-2.0, 3.0]), alpha=0.1), [-0.2, 3.0])
    np.testing.assert_allclose(K.relu(np.array([-2.0, 3.0]), max_value=2.0), [0.0, 2.0])
    np.testing.assert_allclose(K.hard_sigmoid(np.array([1.0, -3.0, 3.0])), [0.7, 0.0, 1.0])
    np.testing.assert_allclose(K.elu(np.array([-1.0, 2.0]), alpha=0.5),
                               [0.5 * np.expm1(-1.0), 2.0])
    np.testing.assert_allclose(np.linalg.norm(K.l2_normalize(X, axis=1), axis=1), 1, rtol=1e-6)


def test_crossentropies_take_the_target_first():
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    logits = np.array([[1.0, 2.0, 0.5], [0.2, -1.0, 3.0]])
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.log((p * t).sum(-1))
    np.testing.assert_allclose(K.categorical_crossentropy(t, p), expected, rtol=1e-6)
    np.testing.assert_allclose(K.categorical_crossentropy(t, logits, from_logits=True), expected,
                               rtol=1e-6)
    # Unnormalized "probabilities" are rescaled to sum to 1, then clipped to [eps, 1 - eps].
    np.testing.assert_allclose(K.categorical_crossentropy(t, 2 * p), expected, rtol=1e-6)
    assert K.categorical_crossentropy(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == \
        pytest.approx(-np.log(1e-7))
    np.testing.assert_allclose(K.sparse_categorical_crossentropy(np.array([1, 0]), p), expected,
                               rtol=1e-6)
    np.testing.assert_allclose(K.sparse_categorical_crossentropy(np.array([[1], [0]]), logits,
                                                                 from_logits=True), expected,
                               rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        K.categorical_crossentropy(t, p[:, :2])
    y, q = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.0])
    qc = np.clip(q, 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(K.binary_crossentropy(y, q),
                               -(y * np.log(qc + 1e-7) + (1 - y) * np.log(1 - qc + 1e-7)))
    z = np.array([2.0, -1.0, 0.3])
    np.testing.assert_allclose(K.binary_crossentropy(y, z, from_logits=True),
                               -(y * np.log(1 / (1 + np.exp(-z))) +
                                 (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))), rtol=1e-6)


def test_shapes_and_reshaping():
    x = rng.normal(size=(2, 3, 4))
    assert K.int_shape(x) == (2, 3, 4) and K.shape(x)[0] == 2 and K.ndim(x) == 3
    assert K.int_shape(Input((5,))) == (None, 5)
    assert K.int_shape(Variable(np.zeros((2, 2)))) == (2, 2)
    assert K.dtype(X) == "float32" and K.count_params(x) == 24
    assert K.reshape(x, (6, 4)).shape == (6, 4)
    assert K.flatten(x).shape == (24,) and K.batch_flatten(x).shape == (2, 12)
    assert K.expand_dims(X).shape == (3, 4, 1) and K.expand_dims(X, 0).shape == (1, 3, 4)
    assert K.squeeze(np.zeros((3, 1)), 1).shape == (3,)
    assert K.transpose(x).shape == (4, 3, 2)
    assert K.permute_dimensions(x, (0, 2, 1)).shape == (2, 4, 3)
    assert K.concatenate([X, X]).shape == (3, 8)
    assert K.concatenate([X, X], axis=0).shape == (6, 4)
    assert K.stack([X, X]).shape == (2, 3, 4)
    assert K.tile(X, (2, 1)).shape == (6, 4)
    assert K.repeat_elements(X, 2, axis=1).shape == (3, 8)
    np.testing.assert_array_equal(K.gather(X, [2, 0]), X[[2, 0]])
    np.testing.assert_array_equal(K.one_hot(np.array([0, 2]), 3), np.eye(3)[[0, 2]])


def test_products():
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 4, 6))
    out = K.dot(a, b)
    assert out.shape == (2, 3, 5, 6)  # x.shape[:-1] + y.shape[:-2] + y.shape[-1:], as Keras
    np.testing.assert_allclose(out, np.einsum("abk,ckd->abcd", a, b))
    np.testing.assert_allclose(K.dot(X, X.T), X @ X.T, rtol=1e-6)
    u, v = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    bd = K.batch_dot(u, v, axes=1)
    assert bd.shape == (5, 1)  # two 2-D inputs give (batch, 1)
    np.testing.assert_allclose(bd[:, 0], (u * v).sum(1))
    m, n = rng.normal(size=(5, 3, 4)), rng.normal(size=(5, 4, 2))
    np.testing.assert_allclose(K.batch_dot(m, n), m @ n)
    np.testing.assert_allclose(K.batch_dot(m, m, axes=(2, 2)), m @ m.transpose(0, 2, 1))
    np.testing.assert_allclose(K.batch_dot(m, u, axes=(2, 1)), np.einsum("bij,bj->bi", m, u))
    with pytest.raises(ValueError, match="batch"):
        K.batch_dot(u, v[:4])
    with pytest.raises(ValueError, match="axis 0"):
        K.batch_dot(u, v, axes=0)


def test_creation_and_casting():
    assert K.zeros((2, 3)).dtype == np.float32 and K.ones(4).shape == (4,)
    assert K.zeros_like(X).shape == X.shape and K.ones_like(X, dtype="int32").dtype == np.int32
    assert K.eye(3).dtype == np.float32 and K.eye((2, 3)).shape == (2, 3)
    c = K.constant(1.5, shape=(2, 2))
    assert c.dtype == np.float32 and c.shape == (2, 2) and c[0, 0] == 1.5
    assert K.cast(X, "float16").dtype == np.float16 and K.cast_to_floatx([1, 2]).dtype == np.float32
    np.testing.assert_array_equal(K.arange(3), [0, 1, 2])
    assert K.random_normal((100,), seed=1).dtype == np.float32
    np.testing.assert_array_equal(K.random_uniform((3,), seed=2), K.random_uniform((3,), seed=2))
    assert K.floatx() == "float32" and K.epsilon() == 1e-7  # the existing config functions


def test_switch():
    out = K.switch(np.array([True, False]), np.array([[1.0, 1.0], [1.0, 1.0]]),
                   np.zeros((2, 2)))
    np.testing.assert_array_equal(out, [[1, 1], [0, 0]])  # condition broadcast from the left
    assert K.switch(np.array(False), lambda: 1.0, lambda: 2.0) == 2.0


def test_variables_get_and_set_value():
    v = K.variable([[1.0, 2.0]], name="w")
    assert isinstance(v, Variable) and v.dtype == "float32" and K.is_variable(v)
    np.testing.assert_array_equal(K.get_value(v), [[1.0, 2.0]])
    np.testing.assert_array_equal(K.eval(v), [[1.0, 2.0]])
    K.set_value(v, [[3.0, 4.0]])
    np.testing.assert_array_equal(v.numpy(), [[3.0, 4.0]])
    np.testing.assert_allclose(K.sum(v * 2), 14.0)
    np.testing.assert_allclose(K.mean(v, axis=1), [3.5])  # functions read Variables
    K.batch_set_value([(v, [[0.0, 1.0]])])
    assert K.batch_get_value([v])[0].tolist() == [[0.0, 1.0]]
    K.update_add(v, np.ones((1, 2)))
    np.testing.assert_array_equal(v.numpy(), [[1.0, 2.0]])
    with pytest.raises(TypeError, match="expects a Variable"):
        K.set_value(np.zeros(2), 1.0)


def test_set_value_on_the_optimizer_learning_rate():
    model = Sequential([Input((4,)), Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    lr = K.get_value(model.optimizer.learning_rate)
    assert isinstance(lr, np.float32) and lr == pytest.approx(0.1)
    assert f"{lr:.3f}" == "0.100"
    K.set_value(model.optimizer.learning_rate, 0.01)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    assert K.get_value(model.optimizer.learning_rate) == pytest.approx(0.01)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    before = model.get_weights()[0]
    g_model = Sequential([Input((4,)), Dense(1)])
    g_model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    g_model.set_weights(model.get_weights())
    model.train_on_batch(x, y)
    g_model.train_on_batch(x, y)
    np.testing.assert_allclose(model.get_weights()[0], g_model.get_weights()[0], rtol=1e-6)
    assert not np.allclose(before, model.get_weights()[0])


def test_set_value_on_a_schedule_explains():
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    opt = keras.optimizers.SGD(sched)
    with pytest.raises(TypeError, match="schedule"):
        K.set_value(opt.learning_rate, 0.01)


def test_gradients_flow_through_k_functions():
    def loss(w):
        y = K.dot(X.astype(np.float64), w)
        return K.mean(K.square(K.tanh(y) - 0.5)) + K.sum(K.abs(w)) * 0.01 + \
            K.mean(K.categorical_crossentropy(np.eye(2)[[0, 1, 0]], K.softmax(y)))

    w = rng.normal(size=(4, 2))
    np.testing.assert_allclose(grad(loss)(w), central_difference_grad(loss, w), rtol=1e-5,
                               atol=1e-8)
    g = grad(lambda w: anp.sum(K.stop_gradient(w) * w))(w)
    np.testing.assert_allclose(g, w)  # only the second factor is differentiated


def test_custom_metric_and_loss_written_with_k_train():
    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

    def my_loss(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1) + 0.0 * K.sum(K.abs(y_pred), axis=-1)

    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1))).astype("float32")
    model = Sequential([Input((4,)), Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=my_loss, metrics=[rmse])
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] and "rmse" in history.history


def test_k_function_reads_an_intermediate_layer():
    model = Sequential([Input((4,)), Dense(3, activation="relu"), Dense(2)])
    get_hidden = K.function([model.inputs[0]], [model.layers[0].output])
    hidden = get_hidden([X])[0]
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(hidden, np.maximum(X @ kernel + bias, 0), rtol=1e-5, atol=1e-6)
    single = K.function(model.inputs[0], model.layers[1].output)
    np.testing.assert_allclose(single(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_k_function_with_model_input():
    model = Sequential([Input((4,)), Dense(3, activation="relu"), Dense(2)])
    assert K.function([model.input], [model.layers[0].output])([X])[0].shape == (3, 3)
