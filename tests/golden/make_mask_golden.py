"""Regenerate tests/golden/masks.json with REAL Keras 3: how masks travel.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_mask_golden.py [section...]

(name sections, e.g. `losses`, to rebuild only those; the models take about 3 minutes.)

The models, layer arguments and eager calls are written once in tests/masks/mask_models.py,
as functions of the Keras module, so minikeras is tested on exactly what Keras was asked.
Recorded:

- `supports_masking`: the flag of every layer class both libraries have (and the arguments
  that change it).
- `eager`: for each eager call, the output's `_keras_mask` (or null), the output values, and
  the warnings Keras gave.
- `symbolic`: for each model, every layer's symbolic output mask shape (null: none), and the
  warnings given while the model was built.
- `models`: with seeded weights, `predict`, the output's eager `_keras_mask`, `evaluate`
  ([loss, metric]), one `train_on_batch` step with SGD(0.1) (its logs and the weights after
  it) and `evaluate` after the step. Keras 3's JAX trainer computes the *training* metrics
  on a `y_pred` that lost its mask (it leaves `jax.value_and_grad` as an auxiliary output);
  its TensorFlow and torch trainers mask them, as `evaluate` does (recorded to explain
  `train_on_batch_logs`; minikeras masks them).
- `losses`: loss objects called directly on a `y_pred` carrying a mask (set with Keras's
  `set_keras_mask`, the values at masked steps kept; one made by `Masking`), with the
  reductions and sample weights; `metrics`: the same for metric objects.
- `saved` (files in `masks/`): functional models whose masks feed a layer that takes `mask`
  (LSTM, Bidirectional, GlobalAveragePooling1D), saved as `.keras` (two also as `.h5`, which
  Keras 3 itself then fails to load: its `.h5` entries of operations have no module): Keras
  writes
  the operations that compute those masks (`NotEqual`, `Any`, `LogicalOr`, `Concatenate`...)
  into the config as entries of `layers`; recorded: the operations, `model.layers` and
  `predict`.
- `initial_state`: Keras 3 passes no mask to an RNN called with `initial_state=` (two
  tensor arguments: its rule fills `mask` only for a call with one): the outputs of a
  masked input with and without initial states, and of the unmasked input.

The suite never imports Keras or this script.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
import make_golden as mg  # noqa: E402  (number format and JSON layout of every fixture)
from tests.masks import mask_models as mm  # noqa: E402

import keras  # noqa: E402
from keras import layers  # noqa: E402

META = {**mg.META, "generated_by": "tests/golden/make_mask_golden.py"}


def mask_of(x):
    m = getattr(x, "_keras_mask", None)
    if m is None:
        from keras.src.backend import get_keras_mask
        m = get_keras_mask(x)
    return None if m is None else mg.tolist(mg.np_(m))


def values(x):
    if isinstance(x, (list, tuple)):
        return [values(v) for v in x]
    return mg.tolist(mg.np_(x))


def caught(fn):
    """`(result, sorted unique warning texts)` of `fn()`."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        result = fn()
    return result, sorted({str(item.message) for item in w
                           if "mask" in str(item.message)})


def supports_masking():
    out = {}
    for name, kwargs in mm.LAYER_SPECS.items():
        keras.backend.clear_session()
        out[name] = bool(mm.make_layer(keras, name, kwargs).supports_masking)
    for label, (name, kwargs) in mm.LAYER_VARIANTS.items():
        out[label] = bool(mm.make_layer(keras, name, kwargs).supports_masking)
    return out


def eager():
    out = {}
    for name, fn in mm.eager_cases(keras).items():
        keras.backend.clear_session()
        result, warned = caught(fn)
        out[name] = {"mask": mask_of(result), "output": values(result), "warnings": warned}
    return out


def symbolic_masks(model):
    """`{layer name: output mask shape or None}` (lists for several outputs)."""
    out = {}
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        outputs = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        shapes = []
        for t in outputs:
            m = getattr(t, "_keras_mask", None)
            shapes.append(None if m is None else list(m.shape))
        out[layer.name] = shapes[0] if len(shapes) == 1 else shapes
    return out


def model_case(name):
    build, make_x, make_y, loss, metrics = mm.MODELS[name]
    keras.backend.clear_session()
    model, warned = caught(lambda: build(keras))
    weights = mm.model_weights(model)
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=metrics)
    x, y = make_x(), make_y()
    eager_out, eager_warned = caught(lambda: model(x))
    entry = {
        "symbolic": symbolic_masks(model), "build_warnings": warned,
        "call_warnings": eager_warned,
        "weight_paths": [w.path for w in model.weights],
        "y": mg.tolist(y), "predict": values(model.predict(x, verbose=0)),
        "output_mask": mask_of(eager_out),
        "evaluate": values(model.evaluate(x, y, verbose=0)),
    }
    logs = model.train_on_batch(x, y, return_dict=True)
    entry["train_on_batch_logs"] = {k: float(v) for k, v in sorted(logs.items())}
    entry["weights_after_step"] = [mg.tolist(w) for w in model.get_weights()]
    entry["evaluate_after_step"] = values(model.evaluate(x, y, verbose=0))
    return entry


def _with_mask(y_pred, pad):
    """`y_pred` as a tensor whose `_keras_mask` is `~pad` (its values kept at masked steps)."""
    from keras.src.backend.common.masking import set_keras_mask
    y_pred = keras.ops.convert_to_tensor(np.asarray(y_pred, "float32"))
    set_keras_mask(y_pred, keras.ops.convert_to_tensor(~pad))
    return y_pred


PAD = np.array([[0, 0, 0, 1, 1], [0, 0, 1, 0, 0], [1, 1, 0, 0, 0]], bool)


def losses():
    """Loss and metric objects on a `y_pred` carrying the mask `~PAD` (values kept at the
    masked steps, so that they would show if counted), and one made by `Masking`."""
    y = mm.data((3, 5, 2), 11)
    raw = mm.data((3, 5, 2), 12)
    pred = _with_mask(raw, PAD)
    sw_nt = mm.data((3, 5), 13, 1.0) + 1.0
    sw_n = np.array([1.0, 2.0, 0.5], "float32")
    probs = mg.np_(keras.ops.softmax(mm.data((3, 5, 3), 14, 2.0)))
    labels = np.random.RandomState(15).randint(0, 3, (3, 5))
    bin_true = (mm.data((3, 5, 1), 16) > 0).astype("float32")
    bin_pred = mg.np_(keras.ops.sigmoid(mm.data((3, 5, 1), 17, 2.0)))
    via_masking = layers.Masking()(np.where(PAD[..., None], 0.0, raw).astype("float32"))
    cases = []

    def add(name, fn):
        try:
            cases.append({"name": name, "value": values(fn())})
        except Exception as e:  # noqa: BLE001 (the error is the recorded answer)
            cases.append({"name": name, "error": mg.err_str(e)})

    L = keras.losses
    add("mse", lambda: L.MeanSquaredError()(y, pred))
    add("mse_unmasked", lambda: L.MeanSquaredError()(y, raw))
    add("mse_via_masking_layer", lambda: L.MeanSquaredError()(y, via_masking))
    add("mse_sum", lambda: L.MeanSquaredError(reduction="sum")(y, pred))
    add("mse_none", lambda: L.MeanSquaredError(reduction=None)(y, pred))
    add("mse_mean", lambda: L.MeanSquaredError(reduction="mean")(y, pred))
    add("mse_sample_weight_nt", lambda: L.MeanSquaredError()(y, pred, sample_weight=sw_nt))
    add("mse_sample_weight_n", lambda: L.MeanSquaredError()(y, pred, sample_weight=sw_n))
    add("mse_mean_with_sample_weight_nt", lambda: L.MeanSquaredError(
        reduction="mean_with_sample_weight")(y, pred, sample_weight=sw_nt))
    add("mae", lambda: L.MeanAbsoluteError()(y, pred))
    add("sparse_cce", lambda: L.SparseCategoricalCrossentropy()(labels, _with_mask(probs, PAD)))
    add("bce", lambda: L.BinaryCrossentropy()(bin_true, _with_mask(bin_pred, PAD)))
    add("mse_all_masked", lambda: L.MeanSquaredError()(y, _with_mask(raw, np.ones((3, 5),
                                                                                 bool))))
    add("mse_function", lambda: L.mean_squared_error(y, pred))
    M = keras.metrics
    metrics = []

    def metric(name, m, *batches):
        for args in batches:
            m.update_state(*args)
        metrics.append({"name": name, "value": values(m.result())})

    metric("mean_absolute_error", M.MeanAbsoluteError(), (y, pred), (y, pred, sw_nt))
    metric("mean_squared_error", M.MeanSquaredError(), (y, pred))
    metric("sparse_categorical_accuracy", M.SparseCategoricalAccuracy(),
           (labels, _with_mask(probs, PAD)))
    metric("binary_accuracy", M.BinaryAccuracy(), (bin_true, _with_mask(bin_pred, PAD)))
    metric("mean_absolute_error_unmasked", M.MeanAbsoluteError(), (y, raw))
    return {"y": mg.tolist(y), "y_pred": mg.tolist(raw), "pad": PAD.astype(int).tolist(),
            "sample_weight_nt": mg.tolist(sw_nt), "sample_weight_n": mg.tolist(sw_n),
            "probs": mg.tolist(probs), "labels": labels.tolist(),
            "bin_true": mg.tolist(bin_true), "bin_pred": mg.tolist(bin_pred),
            "cases": cases, "metrics": metrics}


def initial_state():
    keras.backend.clear_session()
    x = mm.padded(1)
    masked = layers.Masking()(x)
    lstm = layers.LSTM(2, return_sequences=True)
    h0 = mm.data((mm.B, 2), 21)
    lstm(x)
    lstm.set_weights([mm.data(tuple(w.shape), 22 + i, 0.5) for i, w in enumerate(lstm.weights)])
    return {"h0": mg.tolist(h0),
            "masked_with_initial_state": values(lstm(masked, initial_state=[h0, h0])),
            "unmasked_with_initial_state": values(lstm(x, initial_state=[h0, h0])),
            "masked_explicit_mask_with_initial_state": values(
                lstm(masked, initial_state=[h0, h0], mask=masked._keras_mask))}


def saved():
    """Keras 3's files of functional models whose config holds mask operations, and what
    they predict."""
    out = {}
    os.makedirs(os.path.join(HERE, "masks"), exist_ok=True)
    for name, (build, make_x) in mm.SAVED.items():
        keras.backend.clear_session()
        model = build(keras)
        model.set_weights(mm.model_weights(model))
        for ext in (".keras", ".h5") if name in mm.SAVED_H5 else (".keras",):
            model.save(os.path.join(HERE, "masks", name + ext))
        layer_entries = json.loads(model.to_json())["config"]["layers"]
        out[name] = {"predict": values(model.predict(make_x(), verbose=0)),
                     "operations": [e["class_name"] for e in layer_entries
                                    if e.get("module", "").startswith("keras.src.ops")],
                     "layers": [layer.name for layer in model.layers]}
    return out


SECTIONS = {
    "supports_masking": supports_masking,
    "eager": eager,
    "models": lambda: {name: model_case(name) for name in mm.MODELS},
    "losses": losses,
    "initial_state": initial_state,
    "saved": saved,
}


def main(names):
    """Rebuilds the named sections (default: all), keeping the others of the current file."""
    mg.META.update(META)
    path = os.path.join(HERE, "masks.json")
    current = {}
    if names and os.path.exists(path):
        with open(path) as f:
            current = json.load(f)
    payload = {}
    for name, make in SECTIONS.items():
        payload[name] = make() if not names or name in names else current[name]
    mg.write_json("masks.json", payload)


if __name__ == "__main__":
    main(sys.argv[1:])
