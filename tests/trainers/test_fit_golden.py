"""End-to-end training semantics against real Keras 3 (tests/golden/fit_mlp.json).

A tiny MLP with fixed initial weights is trained with shuffle=False, so every number — the
batch-size-weighted epoch loss, validation on the last 25 %, sample and class weights, the
final weights, evaluate and predict — must match Keras to float32 precision.
"""

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from tests.conftest import load_golden

GOLDEN = load_golden("fit_mlp.json")
CASES = {case["name"]: case for case in GOLDEN["cases"]}


def train(case):
    model = Sequential([Input((4,)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    model.set_weights([np.array(w, dtype="float32") for w in GOLDEN["init_weights"]])
    spec = case["compile"]
    optimizer = getattr(optimizers, spec["optimizer_class"])(**spec["optimizer"])
    model.compile(optimizer=optimizer, loss=spec["loss"], metrics=spec["metrics"])
    kwargs = dict(case["fit_kwargs"])
    if "sample_weight" in case:
        kwargs["sample_weight"] = np.array(case["sample_weight"])
    if "class_weight" in case:
        kwargs["class_weight"] = {int(k): v for k, v in case["class_weight"].items()}
    x, y = np.array(GOLDEN["x"]), np.array(GOLDEN["y"])
    return model, model.fit(x, y, **kwargs), x, y


@pytest.mark.parametrize("name", sorted(CASES))
def test_fit_matches_keras(name):
    case = CASES[name]
    model, history, x, y = train(case)
    assert list(history.history) == case["history_keys_in_order"]
    for key, values in case["history"].items():
        np.testing.assert_allclose(history.history[key], values, rtol=2e-5, atol=1e-6, err_msg=key)
    for got, want in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-6)
    assert model.optimizer.iterations == case["optimizer_iterations"]
    np.testing.assert_allclose(model.predict(x, verbose=0), case["predict"], rtol=1e-4, atol=1e-6)

    result = model.evaluate(x, y, verbose=0)
    if case["evaluate_type"] == "float":
        assert isinstance(result, float)
    else:
        assert isinstance(result, list)
    np.testing.assert_allclose(result, case["evaluate"], rtol=1e-4, atol=1e-6)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(as_dict) == case["evaluate_dict_keys_in_order"]
    for key, value in case["evaluate_dict"].items():
        np.testing.assert_allclose(as_dict[key], value, rtol=1e-4, atol=1e-6)


def test_history_epoch_and_params():
    _, history, _, _ = train(CASES["sgd_cce_accuracy"])
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
