"""mode='auto': the direction of a monitored quantity, as real Keras 3 infers it from the
compiled metric (tests/golden/callbacks/monitor_decisions.json, `auto_mode`)."""

import pytest

from minikeras.callbacks.monitor import MonitorCallback, infer_mode
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from tests.callbacks.golden_model import X, Y
from tests.conftest import load_golden

AUTO = load_golden("callbacks/monitor_decisions.json")["auto_mode"]


def fitted(metric):
    model = Sequential([Input((4,)), Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=[metric])
    model.fit(X, Y, epochs=1, verbose=0)
    return model


@pytest.mark.parametrize("metric", sorted(AUTO))
def test_auto_mode_asks_the_compiled_metric_as_keras(metric):
    model = fitted(metric)
    key = AUTO[metric]["log_key"]
    assert key in model.metrics_names
    assert infer_mode("val_" + key, model) == AUTO[metric]["mode"]
    assert infer_mode(key, model) == AUTO[metric]["mode"]


@pytest.mark.parametrize("monitor, mode", [
    ("val_loss", "min"), ("loss", "min"), ("dense_1_loss", "min"), ("val_acc", "max"),
    ("val_accuracy_1", "max"), ("output_auc", "max"), ("val_mean_absolute_error", "min"),
    ("f1_score", "max"), ("val_precision_2", "max"), ("val_recall", "max"),
])
def test_without_a_compiled_metric_the_name_decides(monitor, mode):
    # Keras 3 raises for a name that is not a compiled metric; tf.keras read the name.
    assert infer_mode(monitor, None) == mode


def test_a_name_that_says_nothing_asks_for_a_mode():
    with pytest.raises(ValueError, match=r"monitor='val_score'.*Pass `mode='max'`"):
        infer_mode("val_score", fitted("accuracy"))


def test_a_custom_function_metric_is_read_by_its_name():
    def my_error(y_true, y_pred):
        return abs(y_true - y_pred).mean(axis=-1)

    assert infer_mode("val_my_error", fitted(my_error)) == "min"


def test_min_delta_counts_against_the_direction():
    cb = MonitorCallback(mode="min", min_delta=-0.1)
    assert cb.min_delta == 0.1
    assert cb._is_improvement(0.85, 1.0) and not cb._is_improvement(0.95, 1.0)
    assert cb._is_improvement(5.0, None)
    cb = MonitorCallback(mode="max", min_delta=0.1)
    assert cb._is_improvement(1.15, 1.0) and not cb._is_improvement(1.05, 1.0)
