"""Ctrl-C during fit stops at a batch boundary with the last finished step's weights, runs
on_train_end and re-raises; an exception in a callback names it and leaves the model usable."""

import os
import signal
import time
import traceback

import numpy as np
import pytest

from minikeras.callbacks import Callback
from minikeras.trainers import step as step_module
from minikeras.trainers.interrupt import StopAtBatchBoundary
from tests.callbacks.golden_model import FIT, X, Y, Recorder, golden_model


class AtBatch(Callback):
    """Calls `action(model)` in `hook` at (epoch, batch) and records the weights after every
    training batch."""

    def __init__(self, hook, epoch, batch, action):
        super().__init__()
        self.hook, self.at, self.action = hook, (epoch, batch), action
        self.epoch = None
        self.weights_after_batch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def _maybe(self, hook, batch):
        if hook == self.hook and (self.epoch, batch) == self.at:
            self.action(self.model)

    def on_train_batch_begin(self, batch, logs=None):
        self._maybe("on_train_batch_begin", batch)

    def on_train_batch_end(self, batch, logs=None):
        self.weights_after_batch.append(self.model.get_weights())
        self._maybe("on_train_batch_end", batch)

    def on_test_batch_begin(self, batch, logs=None):
        self._maybe("on_test_batch_begin", batch)


def ctrl_c(model):
    os.kill(os.getpid(), signal.SIGINT)


def assert_weights(model, weights):
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_ctrl_c_in_a_batch_finishes_it_then_stops_and_reraises():
    model = golden_model()
    at = AtBatch("on_train_batch_begin", 1, 1, ctrl_c)  # Ctrl-C while batch 1 starts
    rec = Recorder()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, callbacks=[at, rec], **dict(FIT, epochs=3))
    # Epoch 0 (3 batches) and batches 0 and 1 of epoch 1 ran; batch 2 never started.
    assert int(model.optimizer.iterations) == 5 and len(at.weights_after_batch) == 5
    assert_weights(model, at.weights_after_batch[-1])
    hooks = [e[0] for e in rec.events]
    assert hooks[-3:] == ["on_train_batch_begin", "on_train_batch_end", "on_train_end"]
    epoch0_logs = [e for e in rec.events if e[0] == "on_epoch_end"][0][2]
    assert rec.events[-1][2] == epoch0_logs  # the last finished epoch's logs
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    model.fit(X, Y, **FIT)  # and the model trains on


def test_ctrl_c_during_validation_stops_before_the_epoch_ends():
    model = golden_model()
    rec = Recorder()
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, callbacks=[AtBatch("on_test_batch_begin", 1, 0, ctrl_c), rec],
                  **dict(FIT, epochs=3))
    hooks = [e[0] for e in rec.events]
    assert hooks.count("on_epoch_end") == 1 and hooks[-1] == "on_train_end"
    assert hooks[-3:-1] == ["on_test_batch_begin", "on_test_batch_end"]


def test_an_interrupt_inside_a_step_keeps_the_last_finished_steps_weights(monkeypatch):
    # Where the SIGINT handler is not ours (another thread, a custom handler), the
    # KeyboardInterrupt can arrive inside a step: the step is pure, so nothing is half-written.
    calls = []
    real_call = step_module.TrainStep.__call__

    def interrupted_on_the_fifth_step(self, *args):
        calls.append(1)
        result = real_call(self, *args)  # computed, not yet written back
        if len(calls) == 5:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(step_module.TrainStep, "__call__", interrupted_on_the_fifth_step)
    model = golden_model()
    at = AtBatch("none", 0, 0, None)
    ended = []
    at.on_train_end = lambda logs=None: ended.append(logs)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, callbacks=[at], **dict(FIT, epochs=3))
    assert int(model.optimizer.iterations) == 4 and len(at.weights_after_batch) == 4
    assert_weights(model, at.weights_after_batch[-1])
    assert len(ended) == 1


def test_a_second_ctrl_c_raises_at_once():
    with StopAtBatchBoundary() as interrupt:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)
        assert interrupt.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01)
        with pytest.raises(KeyboardInterrupt):
            interrupt.check()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_custom_sigint_handler_is_left_alone():
    def mine(signum, frame):
        pass

    previous = signal.signal(signal.SIGINT, mine)
    try:
        with StopAtBatchBoundary() as interrupt:
            assert signal.getsignal(signal.SIGINT) is mine
            interrupt.check()
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, previous)


class Faulty(Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise ZeroDivisionError("a bug in the callback")


def test_an_exception_in_a_callback_names_it_and_leaves_the_model_usable():
    model = golden_model()
    at = AtBatch("none", 0, 0, None)
    ended = []
    at.on_train_end = lambda logs=None: ended.append(logs)
    with pytest.raises(ZeroDivisionError) as info:
        model.fit(X, Y, callbacks=[at, Faulty()], **dict(FIT, epochs=4))
    text = "".join(traceback.format_exception(info.value))
    assert "Raised in callback Faulty.on_epoch_end (epoch 1)." in text
    assert "in on_epoch_end" in text  # the callback's own frame
    assert not ended  # as Keras: on_train_end only after a finished (or interrupted) fit
    assert_weights(model, at.weights_after_batch[-1])
    assert int(model.optimizer.iterations) == 6
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    loss = model.evaluate(X, Y, verbose=0)[0]
    history = model.fit(X, Y, **dict(FIT, epochs=2))
    assert np.isfinite(loss) and len(history.history["loss"]) == 2


def test_the_note_is_added_once_through_nested_callback_lists():
    from minikeras.callbacks import CallbackList

    with pytest.raises(ZeroDivisionError) as info:
        golden_model().fit(X, Y, callbacks=[CallbackList([Faulty()])], **dict(FIT, epochs=2))
    assert info.value.__notes__ == ["Raised in callback Faulty.on_epoch_end (epoch 1)."]


def test_fit_in_another_thread_leaves_signals_alone():
    import threading

    errors, histories = [], []

    def train():
        try:
            histories.append(golden_model().fit(X, Y, **FIT))
        except Exception as e:  # signal.signal raises ValueError outside the main thread
            errors.append(e)

    thread = threading.Thread(target=train)
    thread.start()
    thread.join()
    assert not errors and len(histories[0].history["loss"]) == 2
