"""The training step: user layers written as in the Keras guides train with exact gradients,
the step is pure and returns its results as data, and softmax + cross-entropy fusion is decided
from the graph (models with a softmax in the middle, two softmax outputs, one output, two losses).

Reference gradients are computed independently: `autograd.grad` of the same model written as a
plain function of NumPy arrays, with no Layer, Variable or scope involved.
"""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

import minikeras as keras
from minikeras import backend as K
from minikeras import layers, ops, optimizers
from minikeras.trainers.step import TrainStep

pytestmark = pytest.mark.filterwarnings("ignore:.*do not sum to 1")

LR = 0.1


def _data(seed=0, n=8, features=4, classes=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
    return x, y


def _sgd_step(weights, grads):
    return [w - np.float32(LR) * g for w, g in zip(weights, grads)]


def _mse(pred, y):
    return anp.mean((pred - y) ** 2)


# ------------------------------------------------------------------ layers from the guides
class Linear(layers.Layer):
    """The Keras guide's first layer: `ops.matmul(inputs, self.w) + self.b`."""

    def __init__(self, units=3):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ComputeSum(layers.Layer):
    """The guide's non-trainable weight: a running total of the inputs it has seen."""

    def build(self, input_shape):
        self.total = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                     trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return inputs


def test_guide_linear_layer_trains_with_the_exact_gradient():
    x, y = _data()
    model = keras.Sequential([keras.Input((4,)), Linear(3)])
    model.compile(optimizer=optimizers.SGD(LR), loss="mse")
    w, b = model.get_weights()
    model.train_on_batch(x, y)
    gw, gb = grad(lambda p: _mse(x @ p[0] + p[1], y))([w, b])
    for got, want in zip(model.get_weights(), _sgd_step([w, b], [gw, gb])):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


OPERATOR_CALLS = {
    # each: (layer call on inputs x with a (4, 3) weight w and a scalar weight s, plain twin)
    "x @ w + s": (lambda x, w, s: x @ w + s, lambda x, w, s: anp.dot(x, w) + s),
    "x @ w - s": (lambda x, w, s: x @ w - s, lambda x, w, s: anp.dot(x, w) - s),
    "s - x @ w": (lambda x, w, s: s - x @ w, lambda x, w, s: s - anp.dot(x, w)),
    "(x @ w) * s": (lambda x, w, s: (x @ w) * s, lambda x, w, s: anp.dot(x, w) * s),
    "x * s @ w": (lambda x, w, s: x * s @ w, lambda x, w, s: anp.dot(x * s, w)),
    "(x @ w) / s": (lambda x, w, s: (x @ w) / s, lambda x, w, s: anp.dot(x, w) / s),
    "1 / s + x @ w": (lambda x, w, s: 1.0 / s + x @ w, lambda x, w, s: 1.0 / s + anp.dot(x, w)),
    "(x @ w) ** 2 * s": (lambda x, w, s: (x @ w) ** 2 * s, lambda x, w, s: anp.dot(x, w) ** 2 * s),
    "s ** 2 * ops.matmul": (lambda x, w, s: s ** 2 * ops.matmul(x, w),
                            lambda x, w, s: s ** 2 * anp.dot(x, w)),
    "K.dot(x, w) + s": (lambda x, w, s: K.dot(x, w) + s, lambda x, w, s: anp.dot(x, w) + s),
    "-w as matmul rhs": (lambda x, w, s: x @ -w * s, lambda x, w, s: anp.dot(x, -w) * s),
    "ops.where(x @ w > s - 1.5)": (
        lambda x, w, s: ops.where(x @ w > s - 1.5, x @ w, s * 0.5),
        lambda x, w, s: anp.where(anp.dot(x, w) > s - 1.5, anp.dot(x, w), s * 0.5)),
}


class Operators(layers.Layer):
    def __init__(self, expression):
        super().__init__()
        self.expression = expression

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 3), initializer="random_normal")
        self.s = self.add_weight(shape=(), initializer="ones")

    def call(self, inputs):
        return self.expression(inputs, self.w, self.s)


@pytest.mark.parametrize("name", sorted(OPERATOR_CALLS))
def test_variables_carry_gradients_in_every_operator_position(name):
    layer_expr, plain_expr = OPERATOR_CALLS[name]
    x, y = _data(1)
    model = keras.Sequential([keras.Input((4,)), Operators(layer_expr)])
    model.compile(optimizer=optimizers.SGD(LR), loss="mse")
    w, s = model.get_weights()
    s = np.float32(1.5)  # away from 1 so that `* s` and `/ s` are not identities
    model.set_weights([w, s])
    model.train_on_batch(x, y)
    gw, gs = grad(lambda p: _mse(plain_expr(x, p[0], p[1]), y))([w, s])
    assert np.any(gw != 0) and gs != 0
    for got, want in zip(model.get_weights(), _sgd_step([w, s], [gw, gs])):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_non_trainable_weight_assigned_in_call_is_written_back_after_each_step():
    x, y = _data(2, n=10)
    counter = ComputeSum()
    model = keras.Sequential([keras.Input((4,)), counter, layers.Dense(3)])
    model.compile(optimizer=optimizers.SGD(LR), loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)  # 3 steps an epoch, every sample twice
    assert int(model.optimizer.iterations) == 6
    np.testing.assert_allclose(counter.total.numpy(), 2 * x.sum(axis=0), rtol=1e-5)
    assert counter.total in model.non_trainable_weights


class MixedModel(keras.Model):
    """A subclassed model whose call mixes layers, operators, `ops` and `K` on its weights."""

    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(5, activation="tanh")
        self.w = self.add_weight(shape=(5, 3), initializer="glorot_uniform", name="w")
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs):
        h = self.hidden(inputs)
        return ops.softmax(K.dot(h, self.w) * self.scale + ops.sum(self.w, axis=0))


def _mixed_plain(params, x):
    kernel, bias, w, scale = params
    h = anp.tanh(anp.dot(x, kernel) + bias)
    z = anp.dot(h, w) * scale + anp.sum(w, axis=0)
    e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
    return e / anp.sum(e, axis=-1, keepdims=True)


def _softmax_plain(z):
    e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
    return e / anp.sum(e, axis=-1, keepdims=True)


def _cce(p, y):
    p = anp.clip(p / anp.sum(p, axis=-1, keepdims=True), 1e-7, 1 - 1e-7)
    return anp.mean(-anp.sum(y * anp.log(p), axis=-1))


def test_subclassed_model_mixing_operators_and_ops_trains_with_the_exact_gradient():
    x, y = _data(3)
    model = MixedModel()
    model.compile(optimizer=optimizers.SGD(LR), loss="categorical_crossentropy")
    model(x)  # build
    before = [v.numpy() for v in model.trainable_variables]
    names = [v.path.rsplit("/", 1)[-1] for v in model.trainable_variables]
    assert names == ["w", "scale", "kernel", "bias"]
    kernel, bias, w, scale = before[2], before[3], before[0], before[1]
    grads = grad(lambda p: _cce(_mixed_plain(p, x), y))([kernel, bias, w, scale])
    model.train_on_batch(x, y)
    want = dict(zip(["kernel", "bias", "w", "scale"], _sgd_step([kernel, bias, w, scale], grads)))
    for name, var in zip(names, model.trainable_variables):
        np.testing.assert_allclose(var.numpy(), want[name], rtol=1e-5, atol=1e-6, err_msg=name)


# ------------------------------------------------------------------ the step as data
def test_step_is_pure_and_returns_the_new_state_as_data():
    x, y = _data(4)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.01), loss="categorical_crossentropy")
    step = TrainStep(model)
    state = step.state()
    copies = [[np.array(a) for a in part] for part in state]
    stored = [v.numpy() for v in model.weights + model.optimizer.variables]

    loss, logs, new_trainable, new_non_trainable, new_opt = step(*state, x, y, None, seed=0)
    # Nothing changed: neither the inputs nor any Variable.
    for part, part_copy in zip(state, copies):
        for a, b in zip(part, part_copy):
            np.testing.assert_array_equal(a, b)
    for v, before in zip(model.weights + model.optimizer.variables, stored):
        np.testing.assert_array_equal(v.numpy(), before)
    # The results are one Adam step from zero moments: x - a * m / (sqrt(v) + eps) with
    # m = 0.1 g, v = 0.001 g^2, a = lr * sqrt(1 - 0.999) / (1 - 0.9).
    assert int(new_opt[0]) == 1
    kernel, bias = state[0]
    g = grad(lambda p: _cce(_softmax_plain(anp.dot(x, p[0]) + p[1]), y))([kernel, bias])
    a = 0.01 * np.sqrt(1 - 0.999) / (1 - 0.9)
    for got, value, gi in zip(new_trainable, (kernel, bias), g):
        want = value - a * (0.1 * gi) / (np.sqrt(0.001 * gi * gi) + 1e-7)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    assert new_non_trainable == []
    p = logs["y_pred"]
    np.testing.assert_allclose(loss, np.mean(-np.log(p[y.astype(bool)])), rtol=1e-6)

    # A second step from the returned state leaves the first step's arrays untouched.
    first = [np.array(a) for a in new_trainable + new_opt]
    step(new_trainable, new_non_trainable, new_opt, x, y, None, seed=1)
    for a, b in zip(new_trainable + new_opt, first):
        np.testing.assert_array_equal(a, b)

    step.write_back(new_trainable, new_non_trainable, new_opt)
    np.testing.assert_array_equal(model.layers[-1].kernel.numpy(), new_trainable[0])
    assert int(model.optimizer.iterations) == 1


def test_arrays_read_from_a_variable_keep_their_values_through_fit():
    x, y = _data(5)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    kernel = model.layers[0].kernel
    held = kernel.value
    snapshot = np.array(held)
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    np.testing.assert_array_equal(held, snapshot)
    assert np.any(kernel.numpy() != snapshot)


# ------------------------------------------------------------------ softmax + cross-entropy
def _probabilities(logits):
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_softmax_in_the_middle_is_not_mistaken_for_the_output_softmax():
    # The model of the issue: the old id()-keyed side channel gave 0.642 instead of 1.103.
    x, y = _data(6)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="softmax"),
                              layers.Dense(4), layers.Dense(3, activation="sigmoid")])
    model.compile(optimizer=optimizers.SGD(LR), loss="categorical_crossentropy")
    (k1, b1, k2, b2, k3, b3) = model.get_weights()

    def plain(params):
        k1, b1, k2, b2, k3, b3 = params
        h = anp.exp(anp.dot(x, k1) + b1)
        h = h / anp.sum(h, axis=-1, keepdims=True)
        p = 1 / (1 + anp.exp(-(anp.dot(anp.dot(h, k2) + b2, k3) + b3)))
        return _cce(p, y)

    params = [k1, b1, k2, b2, k3, b3]
    expected = float(plain(params))
    for _ in range(30):  # allocation-dependent before: repeat
        assert model.test_on_batch(x, y) == pytest.approx(expected, rel=1e-6)
    model.train_on_batch(x, y)
    for got, want in zip(model.get_weights(), _sgd_step(params, grad(plain)(params))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _two_output_model():
    inputs = keras.Input((4,))
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    a = layers.Dense(3, activation="softmax", name="a")(hidden)
    b = layers.Dense(2, activation="softmax", name="b")(hidden)
    return keras.Model(inputs, [a, b])


def _two_output_plain(params, x):
    k, bias, ka, ba, kb, bb = params
    h = anp.maximum(anp.dot(x, k) + bias, 0)

    def softmax(z):
        e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
        return e / anp.sum(e, axis=-1, keepdims=True)

    return softmax(anp.dot(h, ka) + ba), softmax(anp.dot(h, kb) + bb)


def test_two_softmax_outputs_each_fused_give_the_exact_gradient():
    x, ya = _data(7)
    yb = np.eye(2, dtype=np.float32)[np.random.default_rng(8).integers(0, 2, len(x))]
    model = _two_output_model()
    model.compile(optimizer=optimizers.SGD(LR), loss=["categorical_crossentropy"] * 2,
                  loss_weights=[1.0, 0.5])
    params = model.get_weights()

    def plain(p):
        pa, pb = _two_output_plain(p, x)
        return _cce(pa, ya) + 0.5 * _cce(pb, yb)

    total, loss_a, loss_b = model.test_on_batch(x, [ya, yb])
    assert total == pytest.approx(float(plain(params)), rel=1e-6)
    pa, pb = _two_output_plain(params, x)
    assert (loss_a, loss_b) == pytest.approx((float(_cce(pa, ya)), float(_cce(pb, yb))), rel=1e-6)
    model.train_on_batch(x, [ya, yb])
    for got, want in zip(model.get_weights(), _sgd_step(params, grad(plain)(params))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_one_softmax_output_used_by_two_losses_sums_both_gradients():
    x, y = _data(9)
    inputs = keras.Input((4,))
    p = layers.Dense(3, activation="softmax", name="p")(inputs)
    model = keras.Model(inputs, [p, p])
    model.compile(optimizer=optimizers.SGD(LR), loss=["categorical_crossentropy", "mse"])
    params = model.get_weights()

    def plain(params):
        z = anp.dot(x, params[0]) + params[1]
        e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
        probs = e / anp.sum(e, axis=-1, keepdims=True)
        return _cce(probs, y) + _mse(probs, y)

    model.train_on_batch(x, [y, y])
    for got, want in zip(model.get_weights(), _sgd_step(params, grad(plain)(params))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
