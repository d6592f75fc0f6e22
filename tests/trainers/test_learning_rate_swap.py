"""A learning rate replaced during `fit` by one of another kind (a callable or a schedule by a
float, or the reverse) keeps training with the new rate from the next step on.

The learning rate is an entry of the optimizer's state only while it is a float, so the swap
changes the state's layout; the training step must follow the optimizer's current layout, not
the one it had when `fit` started. References: SGD written out by hand in NumPy, and runs that
had a float learning rate from the start.
"""

import numpy as np
import pytest

import minikeras as keras
from minikeras.callbacks import Callback, LearningRateScheduler, ReduceLROnPlateau
from minikeras.optimizers.schedules import ExponentialDecay

N, BATCH, EPOCHS = 32, 8, 3
STEPS = N // BATCH  # steps per epoch


def _data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(N, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    return x, y


def _linear_model(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.set_weights([np.array([[0.2], [0.1], [-0.3]], np.float32),
                       np.array([0.05], np.float32)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _hand_sgd(x, y, rates):
    """SGD on the linear model's MSE, written out: `rates[t]` is the rate of step t."""
    kernel = np.array([[0.2], [0.1], [-0.3]], np.float32)
    bias = np.array([0.05], np.float32)
    for t, rate in enumerate(rates):
        start = (t % STEPS) * BATCH
        xb, yb = x[start:start + BATCH], y[start:start + BATCH]
        error = xb @ kernel + bias - yb
        kernel = kernel - np.float32(rate) * (2 / BATCH * xb.T @ error)
        bias = bias - np.float32(rate) * (2 / BATCH * error.sum(axis=0))
    return kernel, bias


class SetAtEpochEnd(Callback):
    """`model.optimizer.learning_rate = new` at the end of the first epoch, as course code
    does in its own callbacks."""

    def __init__(self, new):
        super().__init__()
        self.new = new

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.model.optimizer.learning_rate = self.new


def _decay(step):  # ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5) at step `step`
    return np.float32(0.05) * np.float32(0.5) ** np.float32(step / 2)


CASES = {  # (learning rate at the start, its replacement, the rate of each step after)
    "callable to float": (lambda: 0.1, 0.01, lambda step: 0.01),
    "float to callable": (0.1, lambda: 0.01, lambda step: 0.01),
    "float to schedule": (0.1, ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5), _decay),
    "callable to schedule": (lambda: 0.1, ExponentialDecay(0.05, decay_steps=2,
                                                           decay_rate=0.5), _decay),
    "schedule to callable": (ExponentialDecay(0.1, decay_steps=1000, decay_rate=1.0),
                             lambda: 0.01, lambda step: 0.01),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_learning_rate_of_another_kind_set_by_a_callback_trains_with_the_new_rate(case):
    first, replacement, rate_after = CASES[case]
    x, y = _data()
    model = _linear_model(keras.optimizers.SGD(learning_rate=first))
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
              callbacks=[SetAtEpochEnd(replacement)])
    rates = [0.1] * STEPS + [rate_after(step) for step in range(STEPS, EPOCHS * STEPS)]
    kernel, bias = _hand_sgd(x, y, rates)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.get_weights()[1], bias, rtol=1e-5, atol=1e-7)
    assert int(model.optimizer.iterations) == EPOCHS * STEPS
    np.testing.assert_allclose(float(model.optimizer.learning_rate), rate_after(EPOCHS * STEPS),
                               rtol=1e-6)


def _adam_model(learning_rate, **kwargs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1)])
    model.set_weights([np.linspace(-1, 1, w.size, dtype=np.float32).reshape(w.shape)
                       for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate, **kwargs),
                  loss="mse")
    return model


OPTIONS = {"plain": {}, "use_ema": {"use_ema": True, "ema_overwrite_frequency": 3},
           "accumulation": {"gradient_accumulation_steps": 2}}


@pytest.mark.parametrize("options", list(OPTIONS))
@pytest.mark.parametrize("callback", ["scheduler", "plateau"])
def test_callbacks_that_set_a_float_continue_a_callable_learning_rate_exactly(options, callback):
    """LearningRateScheduler (which sets a float before the first step) and ReduceLROnPlateau
    (after the first epoch) on an optimizer created with a callable: the weights and the whole
    optimizer state (Adam's moments, the moving averages, the accumulators, which sit after the
    learning rate in the state) end as those of a run that had a float rate from the start."""
    def callbacks():
        if callback == "scheduler":
            return [LearningRateScheduler(lambda epoch, lr: 0.1 if epoch == 0 else 0.01)]
        return [ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)]

    x, y = _data()
    swapped = _adam_model(lambda: 0.1, **OPTIONS[options])
    reference = _adam_model(0.1, **OPTIONS[options])
    history = swapped.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
                          callbacks=callbacks())
    expected = reference.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
                             callbacks=callbacks())
    assert history.history == expected.history
    for got, want in zip(swapped.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, want)
    names = [v.name for v in swapped.optimizer.variables]
    assert names[:2] == ["iteration", "learning_rate"]  # the float rate is in the state now
    assert len(names) == len(reference.optimizer.variables)
    for got, want in zip(swapped.optimizer.get_weights(), reference.optimizer.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_a_swap_between_two_fits_and_within_train_on_batch_calls():
    """The step built by the next `fit` or `train_on_batch` sees the layout of the moment."""
    x, y = _data()
    model = _linear_model(keras.optimizers.SGD(learning_rate=lambda: 0.1))
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    model.optimizer.learning_rate = 0.01
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    model.optimizer.learning_rate = lambda: 0.1
    for start in range(0, N, BATCH):
        model.train_on_batch(x[start:start + BATCH], y[start:start + BATCH])
    kernel, bias = _hand_sgd(x, y, [0.1] * STEPS + [0.01] * STEPS + [0.1] * STEPS)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.get_weights()[1], bias, rtol=1e-5, atol=1e-7)


def test_a_schedule_cannot_be_replaced_by_a_float_during_fit_as_in_keras():
    """Keras 3 refuses to replace a `LearningRateSchedule` by a float (it would silently drop
    the schedule); the error reaches the caller of `fit`, naming the reason."""
    x, y = _data()
    model = _linear_model(keras.optimizers.SGD(
        learning_rate=ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)))
    with pytest.raises(TypeError, match="created with a `LearningRateSchedule`.*not settable"):
        model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0,
                  callbacks=[SetAtEpochEnd(0.01)])
