"""The hooks fit/evaluate/predict call, their order, arguments, logs and params, compared with
what real Keras 3 calls on the same model and data (tests/golden/callbacks/event_order.json,
made by tests/golden/callbacks/make_callbacks_golden.py)."""

import numpy as np
import pytest

from minikeras.callbacks import (Callback, CallbackList, History, LearningRateScheduler,
                                 ProgbarLogger, ReduceLROnPlateau)
from minikeras.callbacks.callback import HOOKS
from tests.callbacks.golden_model import EVENTS, FIT, X, Y, Recorder, golden_model

CASES = EVENTS["cases"]


def assert_events(actual, expected):
    """Same hooks in the same order with the same arguments and log keys; values to float32
    rounding (the two libraries sum in different orders)."""
    assert [e[:2] for e in actual] == [e[:2] for e in expected]
    for got, want in zip(actual, expected):
        where = f"{got[0]}({got[1]})"
        assert (got[2] is None) == (want[2] is None), where
        assert list(got[2]) == list(want[2]), where  # keys, in order
        for key, value in want[2].items():
            assert got[2][key] == (value if isinstance(value, dict) else
                                   pytest.approx(value, rel=2e-6, abs=1e-7)), (where, key)
        assert got[3:] == want[3:], where


def test_fit_with_validation_calls_the_hooks_keras_calls():
    rec = Recorder()
    history = golden_model().fit(X, Y, callbacks=[rec], **FIT)
    assert_events(rec.events, CASES["fit"]["events"])
    assert rec.params_seen == CASES["fit"]["params"]  # the validation pass keeps fit's params
    assert history.history == {k: pytest.approx(v, rel=2e-6) for k, v in
                               CASES["fit"]["history"].items()}


def test_keras2_batch_hooks_are_called_for_training_batches_only():
    class Legacy(Callback):
        def __init__(self):
            super().__init__()
            self.events = []

        def on_batch_begin(self, batch, logs=None):
            self.events.append(["on_batch_begin", batch, logs])

        def on_batch_end(self, batch, logs=None):
            self.events.append(["on_batch_end", batch, logs])

    legacy = Legacy()
    golden_model().fit(X, Y, callbacks=[legacy], **FIT)
    assert_events(legacy.events, CASES["fit"]["legacy_events"])


def test_stop_training_in_a_batch_ends_the_epoch_validates_and_stops():
    case = CASES["fit_stop_in_batch"]

    class StopAt(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == (case["stop_at"]["epoch"], case["stop_at"]["batch"]):
                self.model.stop_training = True

    rec = Recorder()
    golden_model().fit(X, Y, callbacks=[StopAt(), rec], **case["fit_kwargs"])
    assert_events(rec.events, case["events"])


@pytest.mark.parametrize("method", ["evaluate", "predict"])
def test_evaluate_and_predict_call_their_hooks(method):
    case = CASES[method]
    rec = Recorder()
    getattr(golden_model(), method)(X, *([Y] if method == "evaluate" else []), verbose=0,
                                    callbacks=[rec], **case["kwargs"])
    assert_events(rec.events, case["events"])
    assert rec.params_seen == case["params"]


def test_learning_rate_changes_show_in_logs_and_history():
    case = CASES["learning_rate_logs"]
    rec = Recorder()
    sched = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    plateau = ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10.0)
    model = golden_model()
    history = model.fit(X, Y, callbacks=[sched, plateau, rec], **case["fit_kwargs"])
    assert list(history.history) == list(case["history"])
    for key, values in case["history"].items():
        assert history.history[key] == pytest.approx(values, rel=2e-6), key
    assert [e[2] for e in rec.events if e[0] == "on_epoch_end"] == [
        {k: pytest.approx(v, rel=2e-6) for k, v in logs.items()}
        for logs in case["epoch_end_logs"]]
    assert float(model.optimizer.learning_rate) == pytest.approx(case["final_learning_rate"])


def test_history_and_progbar_come_after_the_users_callbacks():
    model = golden_model()
    user = Recorder()
    callbacks = model._callback_list([user], verbose=1, epochs=1, steps=3, fit=True)
    assert [type(cb) for cb in callbacks.callbacks] == [Recorder, History, ProgbarLogger]
    assert model._callback_list([user], 0, 1, 3).callbacks == [user]  # evaluate/predict


def test_a_callback_list_is_a_callback_and_can_be_passed_to_fit():
    rec = Recorder()
    callbacks = CallbackList([rec], add_history=True)
    history = golden_model().fit(X, Y, callbacks=callbacks, **FIT)
    assert history is callbacks.history and len(history.history["loss"]) == 2
    assert rec.params_seen["on_train_begin"] == {"verbose": 0, "epochs": 2, "steps": 3}
    assert all(hook in vars(CallbackList) for hook in HOOKS)


def test_a_single_callback_need_not_be_in_a_list():
    rec = Recorder()
    golden_model().fit(X, Y, callbacks=rec, **FIT)
    assert rec.events[0][0] == "on_train_begin"


def test_callbacks_must_be_callbacks():
    with pytest.raises(TypeError, match="must be a list of `keras.callbacks.Callback`"):
        golden_model().fit(X, Y, callbacks=[print], **FIT)


def test_hooks_set_on_an_instance_are_called():
    seen = []
    cb = Callback()
    cb.on_epoch_end = lambda epoch, logs=None: seen.append(epoch)
    cb.on_batch_end = lambda batch, logs=None: seen.append(("batch", batch))
    golden_model().fit(X, Y, callbacks=[cb], **dict(FIT, epochs=1))
    assert seen == [("batch", 0), ("batch", 1), ("batch", 2), 0]


def test_logs_a_callback_adds_are_seen_by_later_callbacks_of_the_same_hook_only():
    class Adds(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["extra"] = float(epoch)

    rec = Recorder()
    history = golden_model().fit(X, Y, callbacks=[Adds(), rec], **FIT)
    assert history.history["extra"] == [0.0, 1.0]
    assert all("extra" in e[2] for e in rec.events if e[0] == "on_epoch_end")
    assert "extra" not in rec.events[-1][2]  # on_train_end gets fit's own copy, as in Keras


def test_unused_batch_hooks_cost_no_logs():
    model = golden_model()
    callbacks = model._callback_list([Callback()], 0, 1, 3, fit=True)
    assert not callbacks.listens("on_train_batch_end")
    assert callbacks.listens("on_epoch_end")  # History
    calls = []
    model._logs = lambda: calls.append(1) or {}
    model.fit(X, Y, callbacks=[Callback()], **dict(FIT, validation_split=0.0, epochs=1))
    assert len(calls) == 1  # the epoch's logs only, not one per batch


def test_logs_values_are_python_floats():
    rec = Recorder()
    golden_model().fit(X, Y, callbacks=[rec], **FIT)
    for hook, _, logs, *_ in rec.events:
        assert all(type(v) is float for v in logs.values()), hook
    np.testing.assert_equal(len(rec.events), len(CASES["fit"]["events"]))


def test_predict_passes_each_batchs_outputs_even_for_several_outputs():
    from minikeras.callbacks import LambdaCallback
    from minikeras.layers import Dense, Input
    from minikeras.models import Model

    inputs = Input((4,))
    model = Model(inputs, [Dense(2)(inputs), Dense(3)(inputs)])
    seen = []
    model.predict(X, batch_size=8, verbose=0, callbacks=[LambdaCallback(
        on_predict_batch_end=lambda batch, logs: seen.append(logs["outputs"]))])
    assert [[o.shape for o in outputs] for outputs in seen] == [
        [(8, 2), (8, 3)], [(8, 2), (8, 3)], [(4, 2), (4, 3)]]
