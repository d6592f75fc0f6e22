"""EarlyStopping: its decisions on scripted metric sequences, compared with real Keras 3's
(tests/golden/callbacks/monitor_decisions.json), and in `fit`."""

import numpy as np
import pytest

from minikeras.callbacks import EarlyStopping
from tests.callbacks.golden_model import FIT, X, Y, golden_model
from tests.callbacks.scripted import WeightsAtEpochEnd, run_scripted
from tests.conftest import load_golden

DECISIONS = load_golden("callbacks/monitor_decisions.json")


@pytest.mark.parametrize("case", DECISIONS["early_stopping"], ids=lambda c: c["name"])
def test_decisions_match_keras(case):
    """patience, min_delta, baseline, start_from_epoch, restore at the end (also without
    stopping), min/max/auto modes and a missing monitor, epoch by epoch."""
    result = run_scripted(EarlyStopping(monitor=case["monitor"], **case["kwargs"]),
                          case["values"], case["monitor"])
    assert result == {k: case[k] for k in ("epochs", "weights_epoch_after_train_end",
                                           "stopped_epoch")}


def test_restores_the_best_weights_at_the_end_even_without_stopping():
    # val_loss falls then rises with lr 2.0 on this data; patience is never exhausted.
    seen = WeightsAtEpochEnd()
    stop = EarlyStopping(monitor="val_loss", patience=100, restore_best_weights=True)
    model = golden_model(lr=2.0)
    history = model.fit(X, Y, callbacks=[seen, stop], **dict(FIT, epochs=6))
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert best < len(val_loss) - 1 and stop.stopped_epoch == 0
    assert stop.best_epoch == best and stop.best == val_loss[best]
    for got, want in zip(model.get_weights(), seen.weights[best]):
        np.testing.assert_array_equal(got, want)


def test_stops_fit_and_says_so_when_verbose(capsys):
    stop = EarlyStopping(monitor="loss", patience=1, min_delta=10.0, verbose=1,
                         restore_best_weights=True)
    history = golden_model().fit(X, Y, callbacks=[stop], **dict(FIT, epochs=10))
    assert len(history.history["loss"]) == 2 and stop.stopped_epoch == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "Epoch 2: early stopping",
        "Restoring model weights from the end of the best epoch: 1."]


def test_instances_can_be_reused_across_fits():
    stop = EarlyStopping(monitor="loss", patience=1, min_delta=10.0)
    model = golden_model()
    for _ in range(2):
        assert len(model.fit(X, Y, callbacks=[stop], **dict(FIT, epochs=5)).history["loss"]) == 2


def test_a_missing_monitor_warns_with_the_available_keys_and_never_stops():
    stop = EarlyStopping(monitor="val_acc", patience=0)
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_acc` which "
                      "is not available. Available metrics are: accuracy,loss,val_accuracy,"
                      "val_loss"):
        history = golden_model().fit(X, Y, callbacks=[stop], **dict(FIT, epochs=3))
    assert len(history.history["loss"]) == 3


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="EarlyStopping mode 'maximum' is unknown, fallback "
                      "to auto mode."):
        assert EarlyStopping(mode="maximum").mode == "auto"
