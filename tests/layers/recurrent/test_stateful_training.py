"""Stateful recurrent layers through `predict`, `evaluate` and `fit`: the states carry from one
batch to the next, as Keras 3 on TensorFlow and tf.keras 2 carry them (both recorded in
tests/golden/recurrent/stateful.json by tests/golden/recurrent/make_recurrent_golden.py; Keras 3
on JAX drops them, see the README there)."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from tests.conftest import load_golden

GOLDEN = load_golden("recurrent/stateful.json")
B, T, D = 2, 3, 4


def _model(case):
    model = keras.Sequential([keras.Input(batch_shape=(B, T, D)),
                              layers.LSTM(3, stateful=True, return_sequences=True),
                              layers.GRU(2, stateful=True), layers.Dense(1)])
    model.set_weights([np.asarray(w, np.float32) for w in case["initial_weights"]])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def _states(model):
    return [s.numpy() for layer in model.layers[:2] for s in layer.states]


def _assert_close(got, expected, what):
    assert len(got) == len(expected), what
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=what)


@pytest.fixture(params=["keras3_tensorflow", "tfkeras2"])
def case(request):
    return GOLDEN[request.param]


def test_the_two_kerases_agree_and_carrying_matters(case):
    """Both writers give the same numbers, and a per-batch restart from zeros (Keras 3 on
    JAX) would not: the first batch agrees, the later ones do not."""
    other = GOLDEN["tfkeras2"]
    np.testing.assert_allclose(case["predict"], other["predict"], rtol=1e-6)
    model = _model(case)
    x = np.asarray(case["x"], np.float32)
    restarted = []
    for start in range(0, len(x), B):
        for layer in model.layers[:2]:
            layer.reset_states()
        restarted.append(model.predict(x[start:start + B], batch_size=B, verbose=0))
    restarted = np.concatenate(restarted)
    np.testing.assert_allclose(restarted[:B], case["predict"][:B], rtol=1e-5, atol=1e-6)
    assert np.abs(restarted[B:] - np.asarray(case["predict"][B:])).min() > 1e-3


def test_predict_carries_the_states_across_batches_and_calls(case):
    model = _model(case)
    x = np.asarray(case["x"], np.float32)
    np.testing.assert_allclose(model.predict(x, batch_size=B, verbose=0), case["predict"],
                               rtol=1e-5, atol=1e-6)
    _assert_close(_states(model), case["states_after_predict"], "states after predict")
    # A second predict goes on from the states the first left.
    np.testing.assert_allclose(model.predict(x, batch_size=B, verbose=0),
                               case["predict_again"], rtol=1e-5, atol=1e-6)
    for layer in model.layers[:2]:
        layer.reset_states()
    np.testing.assert_allclose(model.predict(x, batch_size=B, verbose=0),
                               case["predict_after_reset"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(case["predict_after_reset"], case["predict"], rtol=1e-6)


def test_evaluate_carries_the_states(case):
    model = _model(case)
    loss = model.evaluate(np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32),
                          batch_size=B, verbose=0)
    assert loss == pytest.approx(case["evaluate"], rel=1e-5)
    _assert_close(_states(model), case["states_after_evaluate"], "states after evaluate")


def test_fit_carries_the_states_across_batches_and_epochs(case):
    model = _model(case)
    history = model.fit(np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32),
                        batch_size=B, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], case["fit_loss"], rtol=1e-5)
    _assert_close(model.get_weights(), case["weights_after_fit"], "weights after fit")
    _assert_close(_states(model), case["states_after_fit"], "states after fit")


def test_train_on_batch_steps_equal_fit(case):
    model = _model(case)
    x, y = np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32)
    for _ in range(2):
        for start in range(0, len(x), B):
            model.train_on_batch(x[start:start + B], y[start:start + B])
    _assert_close(model.get_weights(), case["weights_after_fit"], "weights")
    _assert_close(_states(model), case["states_after_fit"], "states")


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.lstm = layers.LSTM(3, stateful=True, return_sequences=True)
        self.gru = layers.GRU(2, stateful=True)
        self.dense = layers.Dense(1)

    def call(self, x):
        return self.dense(self.gru(self.lstm(x)))


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_a_subclassed_model_learning_its_outputs_does_not_advance_the_states(case, method):
    # A subclassed model's outputs are learnt from one call on the first batch before the
    # first step; that call must leave the states as they were, so the model follows Keras's
    # numbers as the Sequential model does.
    model = _Subclassed()
    model(np.zeros((B, T, D), np.float32))
    model.set_weights([np.asarray(w, np.float32) for w in case["initial_weights"]])
    model.lstm.reset_states()
    model.gru.reset_states()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x, y = np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32)
    if method == "fit":
        model.fit(x, y, batch_size=B, epochs=2, shuffle=False, verbose=0)
        _assert_close(model.get_weights(), case["weights_after_fit"], "weights after fit")
        _assert_close(_states(model), case["states_after_fit"], "states after fit")
    else:
        loss = model.evaluate(x, y, batch_size=B, verbose=0)
        assert loss == pytest.approx(case["evaluate"], rel=1e-5)
        _assert_close(_states(model), case["states_after_evaluate"], "states after evaluate")


def test_gradient_monitor_leaves_the_states_alone(case):
    # The monitor measures gradients on its sample at each epoch's end; the next epoch must
    # start from the states the data left, so fit follows Keras's numbers as without it.
    model = _model(case)
    x, y = np.asarray(case["x"], np.float32), np.asarray(case["y"], np.float32)
    monitor = keras.callbacks.GradientMonitor(x[:B], y[:B])
    history = model.fit(x, y, batch_size=B, epochs=2, shuffle=False, verbose=0,
                        callbacks=[monitor])
    np.testing.assert_allclose(history.history["loss"], case["fit_loss"], rtol=1e-5)
    _assert_close(model.get_weights(), case["weights_after_fit"], "weights after fit")
    _assert_close(_states(model), case["states_after_fit"], "states after fit")
