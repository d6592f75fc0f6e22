"""A subclassed model's `train_step` / `test_step` / `predict_step` overrides drive `fit`,
`evaluate` and `predict`, in Keras 3's TensorFlow style (`tf.GradientTape`), its JAX style
(`train_step(self, state, data)` with `stateless_call` / `compute_loss_and_updates` and
`keras.value_and_grad`), and tf.keras 2's (`compiled_loss`, `compiled_metrics`).

An override that computes what the default step computes must train to the same weights; one
that adds a loss term must move them by that term's gradient, derived by hand.
"""

import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras import ops
from minikeras import tensorflow_shim as tf
from minikeras.layers import BatchNormalization, Dense, Input
from minikeras.models import Model, Sequential

RNG = np.random.default_rng(21)
X = RNG.normal(size=(24, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
BATCH = 8
LR = 0.05


class Net(Model):
    """Dense(4, tanh, L2 kernel penalty) -> Dense(1, L1 activity penalty)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(4, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01))
        self.out = Dense(1, activity_regularizer=keras.regularizers.L1(0.001))

    def call(self, x, training=None):
        return self.out(self.hidden(x))


class TapeStep(Net):
    """Keras 3's TensorFlow-backend guide, verbatim in spirit."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class JaxGuideStep(Model):
    """Keras 3's JAX-backend guide verbatim, `jax.value_and_grad` read as
    `keras.value_and_grad`. Its `compute_loss` runs outside the stateless call, so (in Keras
    as here) it sees neither the layers' activity penalties nor traced weights for the
    regularization penalties: the guide's form equals the default step only for a model
    without them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = Dense(4, activation="tanh")
        self.out = Dense(1)

    def call(self, x, training=None):
        return self.out(self.hidden(x))

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                 training=False):
        y_pred, non_trainable_variables = self.stateless_call(
            trainable_variables, non_trainable_variables, x, training=training)
        loss = self.compute_loss(x, y, y_pred)
        return loss, (y_pred, non_trainable_variables)

    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = \
            state
        x, y = data
        grad_fn = keras.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y, training=True)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        logs = {m.name: m.result() for m in self.metrics}
        return logs, (trainable_variables, non_trainable_variables, optimizer_variables,
                      metrics_variables)


class JaxGuideDefault(JaxGuideStep):
    """The same model with the default step, for comparison."""

    train_step = Model.train_step


class JaxStep(Net):
    """The JAX form with the trainer's own `compute_loss_and_updates` (Keras 3's JAX trainer
    signature), which computes the loss inside the stateless call: penalties included."""

    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = \
            state
        x, y = data
        grad_fn = keras.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables, metrics_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, metrics_variables, x, y,
            training=True)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        self.compute_metrics(x, y, y_pred)
        self.metrics[0].update_state(loss)  # the loss tracker
        return self.get_metrics_result(), (trainable_variables, non_trainable_variables,
                                           optimizer_variables, metrics_variables)


class StatelessInDataStep(Net):
    """The stateless form inside a one-argument `train_step`: Keras 3's JAX trainer's own
    `compute_loss_and_updates`, differentiated, then the eager `optimizer.apply`."""

    def train_step(self, data):
        x, y = data
        trainable = [v.numpy() for v in self.trainable_variables]
        non_trainable = [v.numpy() for v in self.non_trainable_variables]
        grad_fn = keras.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable, _)), grads = grad_fn(
            trainable, non_trainable, [], x, y, None, training=True)
        self.optimizer.apply(grads, self.trainable_variables)
        for v, value in zip(self.non_trainable_variables, non_trainable):
            v.assign(value)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
        return self.compute_metrics(x, y, y_pred)


class Keras2Step(Net):
    """tf.keras 2's guide: `compiled_loss` / `compiled_metrics`."""

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class SuperStep(Net):
    """An override that counts its calls and defers to the default step."""

    calls = 0

    def train_step(self, data):
        SuperStep.calls += 1
        return super().train_step(data)


def make(cls, metrics=("mae",)):
    keras.utils.set_random_seed(4)
    model = cls()
    model(X[:1])  # built now: the same initial weights whatever happens next
    model.compile(optimizer=keras.optimizers.SGD(LR), loss="mse", metrics=list(metrics))
    return model


def trained(cls, epochs=2, **kwargs):
    model = make(cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        history = model.fit(X, Y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0,
                            **kwargs)
    return model, history.history


@pytest.fixture(scope="module")
def default_run():
    return trained(Net)


@pytest.mark.parametrize("cls", [TapeStep, JaxStep, StatelessInDataStep, Keras2Step,
                                 SuperStep], ids=lambda c: c.__name__)
def test_an_override_computing_the_default_step_trains_to_the_same_weights(cls, default_run):
    ref_model, ref_history = default_run
    model, history = trained(cls)
    for w, r in zip(model.get_weights(), ref_model.get_weights()):
        np.testing.assert_allclose(w, r, rtol=1e-6, atol=1e-7)
    assert sorted(history) == ["loss", "mae"]
    for key in history:  # equal batches: Keras's batch-size weighting changes nothing
        np.testing.assert_allclose(history[key], ref_history[key], rtol=1e-6)
    assert int(model.optimizer.iterations) == 6


def test_the_jax_guides_train_step_trains_as_the_default_step():
    ref_model, ref_history = trained(JaxGuideDefault)
    model, history = trained(JaxGuideStep)
    for w, r in zip(model.get_weights(), ref_model.get_weights()):
        np.testing.assert_allclose(w, r, rtol=1e-6, atol=1e-7)
    for key in ref_history:
        np.testing.assert_allclose(history[key], ref_history[key], rtol=1e-6)


def test_fit_calls_the_override_once_per_batch():
    SuperStep.calls = 0
    trained(SuperStep, epochs=3)
    assert SuperStep.calls == 9


class ExtraTerm(TapeStep):
    """The default loss plus `C * sum(kernel ** 2)` of the output layer."""

    C = 0.3

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        base = super().compute_loss(x, y, y_pred, sample_weight, training)
        return base + self.C * ops.sum(ops.square(self.out.kernel))


def test_an_extra_loss_term_moves_the_weights_by_its_hand_derived_gradient():
    ref = make(Net)
    model = make(ExtraTerm)
    k0 = model.get_weights()[2]  # out/kernel
    ref.train_on_batch(X[:BATCH], Y[:BATCH])
    model.train_on_batch(X[:BATCH], Y[:BATCH])
    # d/dk of C * sum(k^2) = 2 C k: one SGD step subtracts LR * 2 C k0 more from the output
    # kernel; every other weight gets exactly the default step's update.
    expected = ref.get_weights()
    expected[2] = expected[2] - LR * 2 * ExtraTerm.C * k0
    for w, e in zip(model.get_weights(), expected):
        np.testing.assert_allclose(w, e, rtol=1e-6, atol=1e-7)
    assert not np.allclose(model.get_weights()[2], ref.get_weights()[2])


class LowLevel(Model):
    """Keras 3's guide at a lower level: no compiled loss, the metrics held as attributes."""

    def __init__(self):
        super().__init__()
        self.dense = Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(self.loss_fn(y, y_pred))
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}


def test_metrics_held_as_attributes_are_tracked_and_reset_each_epoch():
    keras.utils.set_random_seed(8)
    model = LowLevel()
    model(X[:1])
    model.compile(optimizer=keras.optimizers.SGD(LR))
    history = model.fit(X, Y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                        validation_data=(X[:BATCH], Y[:BATCH])).history
    # As Keras 3: compile's loss tracker, then the metrics held as attributes (the guide
    # lists its own by overriding the `metrics` property).
    assert [m.name for m in model.metrics] == ["loss", "loss", "mae"]
    assert model.metrics[1] is model.loss_tracker and model.metrics[2] is model.mae_metric
    keras.utils.set_random_seed(8)
    ref = Sequential([Input((3,)), Dense(1)])
    ref(X[:1])
    ref.compile(optimizer=keras.optimizers.SGD(LR), loss="mse", metrics=["mae"])
    ref_history = ref.fit(X, Y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                          validation_data=(X[:BATCH], Y[:BATCH])).history
    for w, r in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(w, r, rtol=1e-6, atol=1e-7)
    assert sorted(history) == sorted(ref_history)
    for key in history:  # each epoch starts from reset metrics, as in Keras
        np.testing.assert_allclose(history[key], ref_history[key], rtol=1e-6)
    assert model.evaluate(X, Y, batch_size=BATCH, verbose=0) == pytest.approx(
        ref.evaluate(X, Y, batch_size=BATCH, verbose=0), rel=1e-6)


class Doubling(Net):
    def predict_step(self, data):
        x, = data
        return self(x, training=False) * 2.0


def test_predict_step_override_is_used_by_predict_and_predict_on_batch():
    model = make(Doubling)
    ref = make(Net)
    np.testing.assert_allclose(model.predict(X, batch_size=BATCH, verbose=0),
                               2 * ref.predict(X, batch_size=BATCH, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X[:3]), 2 * ref.predict_on_batch(X[:3]),
                               rtol=1e-6)


class ZeroTest(Net):
    def test_step(self, data):
        x, y = data
        return {"loss": 0.0, "custom": float(len(x))}


def test_test_step_override_is_used_by_evaluate_and_validation():
    model = make(ZeroTest)
    assert model.evaluate(X, Y, batch_size=BATCH, verbose=0) == [0.0, 8.0]
    assert model.evaluate(X[:5], Y[:5], verbose=0, return_dict=True) == {"loss": 0.0,
                                                                         "custom": 5.0}
    history = model.fit(X, Y, batch_size=BATCH, verbose=0, validation_data=(X[:3], Y[:3]))
    assert history.history["val_custom"] == [3.0]
    assert model.test_on_batch(X[:4], Y[:4]) == [0.0, 4.0]


def test_compute_loss_adds_the_regularization_and_activity_penalties():
    model = make(Net)
    y_pred = model(X[:BATCH])
    kernel, out = model.hidden.kernel.numpy(), np.asarray(y_pred)
    expected = (np.mean((Y[:BATCH] - out) ** 2) + 0.01 * np.sum(kernel ** 2)
                + 0.001 * np.sum(np.abs(out)) / BATCH)
    assert float(model.compute_loss(X[:BATCH], Y[:BATCH], y_pred)) == pytest.approx(
        expected, rel=1e-6)


def test_stateless_call_uses_the_given_values_and_changes_nothing():
    keras.utils.set_random_seed(2)
    inputs = Input((3,))
    model = Model(inputs, Dense(2)(BatchNormalization()(inputs)))
    before = [w.copy() for w in model.get_weights()]
    trainable = [np.ones_like(v.numpy()) for v in model.trainable_variables]
    non_trainable = [v.numpy() for v in model.non_trainable_variables]
    out, new_non_trainable = model.stateless_call(trainable, non_trainable, X, training=True)
    # BatchNormalization in training mode: gamma 1, beta 1 -> the normalized batch plus one.
    mean, var = X.mean(axis=0), X.var(axis=0)
    normalized = (X - mean) / np.sqrt(var + 1e-3) + 1.0
    np.testing.assert_allclose(out, normalized @ np.ones((3, 2)) + 1.0, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(new_non_trainable[0], 0.01 * mean, rtol=1e-5)  # moving mean
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    with pytest.raises(ValueError, match="has 4 trainable variables; received 1 values"):
        model.stateless_call(trainable[:1], non_trainable, X)


def test_value_and_grad_has_jaxs_contract():
    def f(params, x, scale=1.0):
        w, b = params
        return scale * ops.sum((x @ w + b) ** 2), "aux"

    w, b = np.ones((3, 1), "float32"), np.zeros((1,), "float32")
    (value, aux), (gw, gb) = keras.value_and_grad(f, has_aux=True)([w, b], X[:2], scale=2.0)
    z = X[:2] @ w + b
    assert value == pytest.approx(2 * np.sum(z ** 2), rel=1e-6) and aux == "aux"
    np.testing.assert_allclose(gw, 4 * X[:2].T @ z, rtol=1e-5)
    np.testing.assert_allclose(gb, [4 * np.sum(z)], rtol=1e-5)
    value, (g0, g1) = keras.value_and_grad(lambda a, b: ops.sum(a * b), argnums=(0, 1))(
        np.float32(3.0), np.float32(5.0))
    assert (value, g0, g1) == (15.0, 5.0, 3.0)
