"""Models with several inputs and outputs, shared layers and nested models, trained from the
initial weights of `functional.json` and compared with what real Keras 3 logged, returned and
ended with (see tests/golden/make_functional_golden.py)."""

import numpy as np
import pytest

from minikeras import optimizers, tree
from tests.models.functional_models import GOLDEN, MODELS, arrays, golden_data

CASES = {case["name"]: case for case in GOLDEN["cases"]}
SINGLE_OUTPUT = ("sequential_of_functional", "subclassed_bn", "subclassed_bn_implicit")
# (case, model): each case with its own model, and the subclassed model that leaves
# `training` to the call context against the numbers Keras computed for the one passing it
# explicitly (Keras's TensorFlow and torch trainers propagate it; its JAX trainer, which made
# the fixtures, does not: see make_functional_golden.py).
RUNS = [(name, case["model"]) for name, case in CASES.items()] + [
    ("subclassed_bn", "subclassed_bn_implicit")]


def compiled(case, model_name=None):
    model = MODELS[model_name or case["model"]]()
    model.set_weights([np.asarray(w, dtype=np.float32) for w in case["init_weights"]])
    model.compile(optimizers.SGD(0.1), **case["compile"])
    return model


def assert_logs(got, expected, what):
    assert list(got) == sorted(expected), what
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-6, atol=1e-6, err_msg=f"{what}: {key}")


def assert_weights(model, expected):
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, np.asarray(want, dtype=np.float32), rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_layers_and_weights_in_keras_order(name):
    case = CASES[name]
    model = MODELS[case["model"]]()
    assert [layer.name for layer in model.layers] == case["layers"]
    # Keras 3 paths carry the enclosing Sequential's name ('head/head_dense/kernel');
    # the layer and variable names must be the same, in the same order.
    assert [w.path for w in model.weights] == ["/".join(p.split("/")[-2:])
                                               for p in case["weight_paths"]]
    assert [w.path for w in model.trainable_weights] == [
        "/".join(p.split("/")[-2:]) for p in case["trainable_weight_paths"]]


@pytest.mark.parametrize("name, model_name", RUNS)
def test_train_on_batch_matches_keras_step_by_step(name, model_name):
    """Each step's logs (the loss and metrics of the batch before its SGD update) and the
    weights after four steps: the per-output losses, their weights and the gradients of
    shared and nested layers all enter these numbers (and BatchNormalization's moving
    statistics, which only move in training mode)."""
    case = CASES[name]
    model = compiled(case, model_name)
    x, y = arrays(case["model"], case["data_as"])
    xs, ys = tree.map_structure(lambda a: a[:6], x), tree.map_structure(lambda a: a[:6], y)
    kwargs = {"sample_weight": golden_data()[4][:6]} if case["sample_weight"] else {}
    for step, expected in enumerate(case["train_on_batch_logs"]):
        assert_logs(model.train_on_batch(xs, ys, return_dict=True, **kwargs), expected,
                    f"step {step}")
    np.testing.assert_allclose(model.train_on_batch(xs, ys, **kwargs),
                               case["train_on_batch_list_after_3_steps"], rtol=1e-6, atol=1e-6)
    assert_weights(model, case["weights_after_4_steps"])


@pytest.mark.parametrize("name, model_name", RUNS)
def test_fit_history_evaluate_predict_match_keras(name, model_name):
    case = CASES[name]
    model = compiled(case, model_name)
    x, y = arrays(case["model"], case["data_as"])
    kwargs = {"sample_weight": golden_data()[4]} if case["sample_weight"] else {}
    history = model.fit(x, y, **case["fit_kwargs"], **kwargs).history
    assert list(history) == case["history_keys_in_order"]
    for key, values in case["history"].items():
        np.testing.assert_allclose(history[key], values, rtol=1e-5, atol=1e-6, err_msg=key)
    assert_weights(model, case["final_weights"])

    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), case["evaluate"],
                               rtol=1e-5, atol=1e-6)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == case["evaluate_dict_keys_in_order"]
    # `metrics_names` names evaluate's list (Keras 3 gives ['loss', 'compile_metrics', ...]).
    named = dict(zip(model.metrics_names, model.evaluate(x, y, verbose=0)))
    assert named.keys() == case["evaluate_dict"].keys()
    for key, value in case["evaluate_dict"].items():
        np.testing.assert_allclose(named[key], value, rtol=1e-5, atol=1e-6, err_msg=key)

    predicted, expected = model.predict(x, verbose=0), case["predict"]
    if case["model"] in SINGLE_OUTPUT:  # one output: one array
        predicted, expected = [predicted], [expected]
    elif isinstance(expected, dict):  # a dict of outputs predicts a dict
        assert isinstance(predicted, dict) and list(predicted) == list(expected)
        predicted, expected = list(predicted.values()), list(expected.values())
    else:  # a list of outputs predicts a list
        assert isinstance(predicted, list) and len(predicted) == len(expected)
    for got, want in zip(predicted, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_output_names_are_the_producing_layers():
    """Functional models name their outputs after the layers; a subclassed model has none.
    (A Sequential here names its last layer, where Keras 3's has no `output_names`.)"""
    for case in CASES.values():
        if case["model"] != "sequential_of_functional":
            assert MODELS[case["model"]]().output_names == case["output_names"], case["name"]
