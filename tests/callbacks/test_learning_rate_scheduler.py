"""LearningRateScheduler: `schedule(epoch)` and `schedule(epoch, lr)`, set at each epoch's
start, logged as `learning_rate` at its end."""

import numpy as np
import pytest

from minikeras.callbacks import Callback, LearningRateScheduler
from tests.callbacks.golden_model import FIT, X, Y, golden_model


class RateAtEachBatch(Callback):
    def __init__(self):
        super().__init__()
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        self.rates.append(float(self.model.optimizer.learning_rate))


def test_schedule_of_the_epoch():
    seen = RateAtEachBatch()
    history = golden_model().fit(X, Y, callbacks=[
        LearningRateScheduler(lambda epoch: 0.1 if epoch < 1 else 0.01), seen],
        **dict(FIT, epochs=3))
    assert seen.rates == pytest.approx([0.1] * 3 + [0.01] * 6)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.01, 0.01])


def test_schedule_of_the_epoch_and_the_current_rate(capsys):
    def schedule(epoch, lr):
        return lr if epoch < 1 else lr * np.exp(-1.0)

    model = golden_model(lr=0.1)
    history = model.fit(X, Y, callbacks=[LearningRateScheduler(schedule, verbose=1)],
                        **dict(FIT, epochs=3))
    assert history.history["learning_rate"] == pytest.approx(
        [0.1, 0.1 * np.exp(-1), 0.1 * np.exp(-2)], rel=1e-6)
    assert "\nEpoch 2: LearningRateScheduler setting learning rate to 0.0367879" in (
        capsys.readouterr().out)


def test_a_type_error_inside_a_two_argument_schedule_is_not_swallowed():
    def schedule(epoch, lr):
        return lr + "oops"

    with pytest.raises(TypeError, match="Raised in callback LearningRateScheduler"):
        golden_model().fit(X, Y, callbacks=[LearningRateScheduler(schedule)], **FIT)


@pytest.mark.parametrize("value", [np.float32(0.01), 1, np.array(0.5)])
def test_numbers_of_any_kind_are_accepted(value):
    model = golden_model()
    model.fit(X, Y, callbacks=[LearningRateScheduler(lambda epoch: value)], **FIT)
    assert float(model.optimizer.learning_rate) == pytest.approx(float(value))


@pytest.mark.parametrize("value", ["0.01", None, [0.01], True])
def test_the_schedule_must_return_a_number(value):
    with pytest.raises(ValueError, match="output of the `schedule` function should be a float"):
        golden_model().fit(X, Y, callbacks=[LearningRateScheduler(lambda epoch: value)], **FIT)


def test_the_schedule_must_be_callable():
    with pytest.raises(TypeError, match="`schedule` must be a function"):
        LearningRateScheduler(0.01)
