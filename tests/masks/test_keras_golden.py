"""Masks against real Keras 3: tests/golden/masks.json (made by
tests/golden/make_mask_golden.py from the models and calls of tests/masks/mask_models.py).

Each layer's `supports_masking`; the `_keras_mask`, values and warnings of eager calls (merge
layers, wrappers, Sequential, user layers with and without `compute_mask`); for ten models,
the symbolic mask of every layer output, the warnings, `predict`, the output's mask,
`evaluate`, one SGD step (its loss and the weights after it) and `evaluate` after it; loss
and metric objects on a masked `y_pred` with every reduction.
"""

import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras.backend import clear_session
from minikeras.keras_mask import with_keras_mask
from tests.conftest import load_golden
from tests.masks import mask_models as mm

GOLDEN = load_golden("masks.json")
MODELS = GOLDEN["models"]


def mask_warnings(record):
    return sorted({str(w.message) for w in record if "mask" in str(w.message)})


def assert_mask(output, expected):
    mask = getattr(output, "_keras_mask", None)
    if expected is None:
        assert mask is None
    else:
        assert mask is not None, "the output carries no mask"
        np.testing.assert_array_equal(np.asarray(mask), np.asarray(expected, bool))


# ----------------------------------------------------------------------------- layers
@pytest.mark.parametrize("label", sorted(GOLDEN["supports_masking"]))
def test_supports_masking_is_keras_3s(label):
    if label in mm.LAYER_VARIANTS:
        name, kwargs = mm.LAYER_VARIANTS[label]
    else:
        name, kwargs = label, mm.LAYER_SPECS[label]
    layer = mm.make_layer(keras, name, kwargs)
    assert layer.supports_masking is GOLDEN["supports_masking"][label]


@pytest.mark.parametrize("name", sorted(GOLDEN["eager"]))
def test_eager_calls_give_keras_masks_values_and_warnings(name):
    expected = GOLDEN["eager"][name]
    clear_session()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        output = mm.eager_cases(keras)[name]()
    assert_mask(output, expected["mask"])
    np.testing.assert_allclose(np.asarray(output), np.asarray(expected["output"], np.float32),
                               rtol=1e-5, atol=2e-6)
    assert mask_warnings(record) == expected["warnings"]


# ----------------------------------------------------------------------------- models
def compiled(name):
    build, make_x, make_y, loss, metrics = mm.MODELS[name]
    clear_session()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model = build(keras)
    model.set_weights(mm.model_weights(model))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=metrics)
    return model, make_x(), make_y(), mask_warnings(record)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_symbolic_masks_and_build_warnings_are_keras(name):
    model, _, _, warned = compiled(name)
    symbolic = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        mask = getattr(layer.output, "_keras_mask", None)
        symbolic[layer.name] = None if mask is None else list(mask.shape)
        if mask is not None:
            assert mask.dtype == "bool"
    assert symbolic == MODELS[name]["symbolic"]
    assert warned == MODELS[name]["build_warnings"]
    # The weights are in Keras's order (Keras 3 also prefixes a Sequential's paths with the
    # model's name).
    assert [w.path.split("/")[-2:] for w in model.weights] == [
        p.split("/")[-2:] for p in MODELS[name]["weight_paths"]]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_predict_and_the_output_mask_are_keras(name):
    model, x, _, _ = compiled(name)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        output = model(x)
    assert mask_warnings(record) == MODELS[name]["call_warnings"]
    assert_mask(output, MODELS[name]["output_mask"])
    np.testing.assert_allclose(model.predict(x, verbose=0), MODELS[name]["predict"],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_masked_loss_and_one_sgd_step_are_keras(name):
    """`evaluate` (the masked loss and metric), one `train_on_batch` step of SGD(0.1): its
    loss, every weight after it, and `evaluate` after it."""
    expected = MODELS[name]
    model, x, y, _ = compiled(name)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected["evaluate"],
                               rtol=1e-5)
    logs = model.train_on_batch(x, y, return_dict=True)
    np.testing.assert_allclose(logs["loss"], expected["train_on_batch_logs"]["loss"],
                               rtol=1e-5)
    for got, want in zip(model.get_weights(), expected["weights_after_step"]):
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected["evaluate_after_step"],
                               rtol=1e-5)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_training_metrics_are_masked_as_evaluates(name):
    """The metric a training step logs is computed on the predictions before the step, as
    `evaluate` before it: masked (Keras 3's TensorFlow and torch trainers). Keras 3's JAX
    trainer loses the mask on the way to its training metrics; the fixture's
    `train_on_batch_logs` show it where the output is masked."""
    expected = MODELS[name]
    model, x, y, _ = compiled(name)
    logs = model.train_on_batch(x, y, return_dict=True)
    metric = next(k for k in logs if k != "loss")
    np.testing.assert_allclose(logs[metric], expected["evaluate"][1], rtol=1e-5)
    if expected["output_mask"] is None:
        np.testing.assert_allclose(logs[metric], expected["train_on_batch_logs"][metric],
                                   rtol=1e-5)


def test_the_jax_trainer_difference_shows_in_the_fixture():
    """Where the output is masked and padded steps exist, Keras 3 JAX's training metric
    differs from its own `evaluate` (the unmasked mean); minikeras logs the masked one."""
    differs = [name for name, case in MODELS.items()
               if case["output_mask"] is not None and not np.isclose(
                   case["train_on_batch_logs"][next(k for k in case["train_on_batch_logs"]
                                                    if k != "loss")], case["evaluate"][1])]
    assert "sequential_masking_dense" in differs and "embedding_lstm_sequence" in differs


def test_fit_history_averages_the_masked_metric_over_unmasked_steps():
    """Two batches with different numbers of unmasked steps (a learning rate of 0 keeps the
    predictions fixed): the epoch's accuracy is the mean over every unmasked step, and its
    loss the mean of the batches' masked losses weighted by batch size, as Keras 3's."""
    model, x, y, _ = compiled("embedding_lstm_sequence")
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    probs = model.predict(x, verbose=0).astype(np.float64)
    keep = mm.TOKEN_MASK
    hits = (probs.argmax(-1) == y) & keep
    per_step = -np.log(np.take_along_axis(probs, y[..., None], -1)[..., 0])
    first, second = slice(0, 3), slice(3, 4)
    loss = (3 * per_step[first][keep[first]].mean() + per_step[second][keep[second]].mean()) / 4
    history = model.fit(x, y, batch_size=3, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["accuracy"][0], hits.sum() / keep.sum(), rtol=1e-6)
    np.testing.assert_allclose(history["loss"][0], loss, rtol=1e-5)
    assert hits.sum() / keep.sum() != (probs.argmax(-1) == y).mean()  # the mask matters


# ----------------------------------------------------------------------------- losses
LOSSES = GOLDEN["losses"]


def _f32(key):
    return np.asarray(LOSSES[key], np.float32)


def loss_inputs():
    pad = np.asarray(LOSSES["pad"], bool)
    raw = _f32("y_pred")
    return {"y": _f32("y"), "raw": raw, "pad": pad, "pred": with_keras_mask(raw, ~pad),
            "sw_nt": _f32("sample_weight_nt"), "sw_n": _f32("sample_weight_n"),
            "probs": with_keras_mask(_f32("probs"), ~pad),
            "labels": np.asarray(LOSSES["labels"]), "bin_true": _f32("bin_true"),
            "bin_pred": with_keras_mask(_f32("bin_pred"), ~pad)}


def loss_case(name, v):
    L = keras.losses
    mse = L.MeanSquaredError
    return {
        "mse": lambda: mse()(v["y"], v["pred"]),
        "mse_unmasked": lambda: mse()(v["y"], v["raw"]),
        "mse_via_masking_layer": lambda: mse()(v["y"], keras.layers.Masking()(
            np.where(v["pad"][..., None], 0.0, v["raw"]).astype("float32"))),
        "mse_sum": lambda: mse(reduction="sum")(v["y"], v["pred"]),
        "mse_none": lambda: mse(reduction=None)(v["y"], v["pred"]),
        "mse_mean": lambda: mse(reduction="mean")(v["y"], v["pred"]),
        "mse_sample_weight_nt": lambda: mse()(v["y"], v["pred"], sample_weight=v["sw_nt"]),
        "mse_sample_weight_n": lambda: mse()(v["y"], v["pred"], sample_weight=v["sw_n"]),
        "mse_mean_with_sample_weight_nt": lambda: mse(reduction="mean_with_sample_weight")(
            v["y"], v["pred"], sample_weight=v["sw_nt"]),
        "mae": lambda: L.MeanAbsoluteError()(v["y"], v["pred"]),
        "sparse_cce": lambda: L.SparseCategoricalCrossentropy()(v["labels"], v["probs"]),
        "bce": lambda: L.BinaryCrossentropy()(v["bin_true"], v["bin_pred"]),
        "mse_all_masked": lambda: mse()(v["y"], with_keras_mask(v["raw"],
                                                                np.zeros((3, 5), bool))),
        "mse_function": lambda: L.mean_squared_error(v["y"], v["pred"]),
    }[name]


@pytest.mark.parametrize("name", [c["name"] for c in LOSSES["cases"] if "value" in c])
def test_losses_of_a_masked_y_pred_are_keras(name):
    expected = next(c for c in LOSSES["cases"] if c["name"] == name)["value"]
    got = loss_case(name, loss_inputs())()
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected, np.float32), rtol=2e-6,
                               atol=1e-7)


def test_per_sample_weights_with_a_per_step_mask_weigh_each_samples_steps():
    """Keras 3 raises a broadcasting error for `(N,)` weights and a `(N, T)` mask; here each
    sample's weight weighs its unmasked steps: `sum(w_i * l_it * m_it) / sum(m)`."""
    case = next(c for c in LOSSES["cases"] if c["name"] == "mse_sample_weight_n")
    assert "Incompatible shapes" in case["error"]
    v = loss_inputs()
    got = keras.losses.MeanSquaredError()(v["y"], v["pred"], sample_weight=v["sw_n"])
    per_step = ((v["raw"].astype(np.float64) - v["y"]) ** 2).mean(-1)
    keep = ~v["pad"]
    want = (v["sw_n"][:, None] * per_step * keep).sum() / keep.sum()
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("name", [m["name"] for m in LOSSES["metrics"]])
def test_metrics_of_a_masked_y_pred_are_keras(name):
    v = loss_inputs()
    M = keras.metrics
    batches = {
        "mean_absolute_error": (M.MeanAbsoluteError(), [(v["y"], v["pred"]),
                                                        (v["y"], v["pred"], v["sw_nt"])]),
        "mean_squared_error": (M.MeanSquaredError(), [(v["y"], v["pred"])]),
        "sparse_categorical_accuracy": (M.SparseCategoricalAccuracy(),
                                        [(v["labels"], v["probs"])]),
        "binary_accuracy": (M.BinaryAccuracy(), [(v["bin_true"], v["bin_pred"])]),
        "mean_absolute_error_unmasked": (M.MeanAbsoluteError(), [(v["y"], v["raw"])]),
    }
    metric, updates = batches[name]
    for args in updates:
        metric.update_state(*args)
    expected = next(m for m in LOSSES["metrics"] if m["name"] == name)["value"]
    np.testing.assert_allclose(float(metric.result()), expected, rtol=2e-6)


# ----------------------------------------------------------------------------- initial_state
def test_a_masked_rnn_with_initial_states_ignores_the_mask_as_keras_3():
    """Keras 3 fills `mask` only for a call with one tensor argument: an RNN called with
    `initial_state=` on a masked input runs unmasked (the fixture's `masked_with_initial_state`
    equals its unmasked output; tf.keras 2 masked it). An explicit `mask=` still applies.
    The functional case: tests/layers/recurrent/test_masks_with_initial_state.py."""
    case = GOLDEN["initial_state"]
    np.testing.assert_allclose(case["masked_with_initial_state"],
                               case["unmasked_with_initial_state"], rtol=1e-6)
    assert not np.allclose(case["masked_explicit_mask_with_initial_state"],
                           case["unmasked_with_initial_state"], rtol=1e-3)
    x = mm.padded(1)
    masked = keras.layers.Masking()(x)
    lstm = keras.layers.LSTM(2, return_sequences=True)
    h0 = np.asarray(case["h0"], np.float32)
    lstm(x)
    lstm.set_weights([mm.data(tuple(w.shape), 22 + i, 0.5) for i, w in enumerate(lstm.weights)])
    np.testing.assert_allclose(lstm(masked, initial_state=[h0, h0]),
                               case["masked_with_initial_state"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(lstm(masked, initial_state=[h0, h0], mask=masked._keras_mask),
                               case["masked_explicit_mask_with_initial_state"], rtol=1e-5,
                               atol=1e-7)
