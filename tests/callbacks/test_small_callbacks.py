"""TerminateOnNaN, LambdaCallback, RemoteMonitor and History."""

import numpy as np
import pytest

from minikeras.callbacks import History, LambdaCallback, RemoteMonitor, TerminateOnNaN
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from minikeras.optimizers import SGD
from tests.callbacks.golden_model import FIT, X, Y, golden_model


def exploding_model():
    """A linear regression whose loss overflows to inf, then NaN, within a few steps."""
    model = Sequential([Input((4,)), Dense(1)])
    model.compile(SGD(1e6), "mse")
    return model


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_terminate_on_nan_stops_after_the_bad_batch(capsys):
    seen = []
    log = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(logs["loss"]))
    history = exploding_model().fit(X * 100, Y[:, :1] * 1e3, batch_size=2, epochs=5,
                                    verbose=0, callbacks=[log, TerminateOnNaN()])
    assert not np.isfinite(seen[-1]) and np.all(np.isfinite(seen[:-1]))
    assert len(history.history["loss"]) == 1  # the epoch ends, the next does not start
    assert f"Batch {len(seen) - 1}: Invalid loss, terminating training" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_terminate_on_nan_can_raise():
    with pytest.raises(RuntimeError, match=r"NaN or Inf loss encountered at batch \d+"):
        exploding_model().fit(X * 100, Y[:, :1] * 1e3, batch_size=2, epochs=5, verbose=0,
                              callbacks=[TerminateOnNaN(raise_error=True)])


def test_lambda_callback_calls_the_functions_it_was_given():
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_batch_end=lambda batch, logs: events.append(("batch_end", batch)),
        on_test_end=lambda logs: events.append("test_end"),
        on_train_end=lambda logs: events.append("train_end"))
    golden_model().fit(X, Y, callbacks=[cb], **dict(FIT, epochs=1))
    assert events == ["train_begin", ("batch_end", 0), ("batch_end", 1), ("batch_end", 2),
                      "test_end",
                      ("epoch_end", 0, ["accuracy", "loss", "val_accuracy", "val_loss"]),
                      "train_end"]


def test_lambda_callback_rejects_an_unknown_hook():
    with pytest.raises(TypeError, match="unknown hook `on_epoch_ends`"):
        LambdaCallback(on_epoch_ends=print)


def test_remote_monitor_is_not_supported():
    with pytest.raises(NotImplementedError, match="RemoteMonitor is not supported: minikeras "
                       "opens no network connection.*CSVLogger"):
        RemoteMonitor()


def test_history_records_every_epoch_and_is_the_models():
    model = golden_model()
    history = model.fit(X, Y, **dict(FIT, epochs=3))
    assert isinstance(history, History) and model.history is history
    assert history.epoch == [0, 1, 2] and history.params == {"verbose": 0, "epochs": 3,
                                                             "steps": 3}
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    resumed = model.fit(X, Y, initial_epoch=3, **dict(FIT, epochs=5))
    assert resumed.epoch == [3, 4]
