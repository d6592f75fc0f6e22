"""ReduceLROnPlateau: its decisions on scripted sequences, compared with real Keras 3's
(tests/golden/callbacks/monitor_decisions.json), and in `fit`."""

import warnings

import pytest

from minikeras.callbacks import ReduceLROnPlateau
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from minikeras.optimizers import SGD
from minikeras.optimizers.schedules import ExponentialDecay
from tests.callbacks.golden_model import FIT, X, Y, golden_model
from tests.callbacks.scripted import run_scripted
from tests.conftest import load_golden

DECISIONS = load_golden("callbacks/monitor_decisions.json")


@pytest.mark.parametrize("case", DECISIONS["reduce_lr_on_plateau"], ids=lambda c: c["name"])
def test_decisions_match_keras(case):
    """patience, cooldown, min_lr (compared in float32: a rate at min_lr stays), min_delta,
    auto mode, a missing monitor; the rate logged is the one before the reduction."""
    result = run_scripted(ReduceLROnPlateau(monitor=case["monitor"], **case["kwargs"]),
                          case["values"], case["monitor"])
    assert result == {k: case[k] for k in ("epochs", "weights_epoch_after_train_end",
                                           "stopped_epoch")}


def test_reduces_the_learning_rate_in_fit_and_logs_it(capsys):
    plateau = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0,
                                verbose=1)
    model = golden_model(lr=0.1)
    history = model.fit(X, Y, callbacks=[plateau], **dict(FIT, epochs=3))
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.025)
    out = capsys.readouterr().out
    assert "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05000000074505806." in out


def test_factor_must_be_below_one():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0. Received factor=1"):
        ReduceLROnPlateau(factor=1.0)


def test_keras2_epsilon_is_min_delta():
    with pytest.warns(DeprecationWarning, match="`epsilon` is deprecated"):
        assert ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5


def test_a_schedule_cannot_be_reduced():
    model = Sequential([Input((4,)), Dense(3, activation="softmax")])
    model.compile(SGD(ExponentialDecay(0.1, 10, 0.9)), "categorical_crossentropy")
    plateau = ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10.0)
    with pytest.raises(TypeError, match="Raised in callback ReduceLROnPlateau.on_epoch_end") \
            as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y, epochs=3, verbose=0, callbacks=[plateau])
    assert "LearningRateSchedule" in str(info.value) or "schedule" in str(info.value)
