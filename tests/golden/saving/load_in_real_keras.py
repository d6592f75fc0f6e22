"""Loads files written by minikeras in REAL Keras and prints what it predicts, as one JSON line.

Run by tests/saving/test_golden_files.py::test_minikeras_files_load_in_real_keras with the
interpreter named by MINIKERAS_KERAS3_PYTHON (Keras 3) or MINIKERAS_TF_KERAS_PYTHON (tf.keras 2):

    python load_in_real_keras.py {keras3|tf.keras 2} <data> file ...

`<data>` is JSON, or `@path` of a JSON file: `{"x_test", "x", "y"}` (the MLP's arrays) and
optionally `"arrays": {name: array}` and `"files": {file name: spec}`, where a spec says what a
file needs: `"model"` (a builder of vision_models.py, or `recurrent_sequence`,
../recurrent/make_recurrent_golden.py's recurrent model, for a weights-only file), `"inputs"`
(names in `arrays`) and `"train"` (`[x name, y name, batch size]`). Without a spec, a file
predicts `x_test`, a `.weights.h5` file is loaded into the test's MLP (Input(4), Dense(5,
relu), Dense(3, softmax)) built here, and training uses `x`, `y` and batches of 8.

Each file gives `{"predict": ..., "learning_rate": ...}` or `{"error": ...}`; a compiled model
also gives `iterations` and `weights_after_one_more_epoch`, trained on with `fit(...,
epochs=1, shuffle=False)` from the optimizer state it loaded (or `fit_error`).
"""

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")
which, data_json, files = sys.argv[1], sys.argv[2], sys.argv[3:]
if which == "tf.keras 2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras
else:
    import keras
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "recurrent")]
import make_recurrent_golden  # noqa: E402
import vision_models  # noqa: E402

BUILDERS = {**vision_models.BUILDERS, "recurrent_sequence": make_recurrent_golden.sequence_model}

if data_json.startswith("@"):
    with open(data_json[1:]) as f:
        data_json = f.read()
raw = json.loads(data_json)
data = {k: np.asarray(raw[k], dtype="float32") for k in ("x_test", "x", "y") if k in raw}
# Integer arrays (token ids) stay integers; the others are float32.
arrays = {k: (lambda a: a if a.dtype.kind in "iu" else a.astype("float32"))(np.asarray(v))
          for k, v in raw.get("arrays", {}).items()}
specs = raw.get("files", {})


def mlp():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                             keras.layers.Dense(3, activation="softmax")])


out = {}
for path in files:
    spec = specs.get(os.path.basename(path), {})
    inputs = [arrays[k] for k in spec["inputs"]] if "inputs" in spec else [data["x_test"]]
    inputs = inputs[0] if len(inputs) == 1 else inputs
    if "train" in spec:
        x_name, y_name, batch_size = spec["train"]
        train = arrays[x_name], arrays[y_name], batch_size
    else:
        train = (data["x"], data["y"], 8) if "y" in data else None
    try:
        if path.endswith(".weights.h5"):
            model = BUILDERS[spec["model"]](keras) if "model" in spec else mlp()
            model.load_weights(path)
        else:
            model = keras.models.load_model(path)
        entry = {"predict": model.predict(inputs, verbose=0).tolist()}
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            entry["learning_rate"] = float(np.asarray(optimizer.learning_rate))
            entry["optimizer"] = type(optimizer).__name__
            entry["iterations"] = int(np.asarray(optimizer.iterations))
            if getattr(model, "compiled", True) and train is not None and \
                    model.output_shape[-1] == train[1].shape[-1]:
                try:
                    model.fit(train[0], train[1], batch_size=train[2], epochs=1,
                              shuffle=False, verbose=0)
                    entry["weights_after_one_more_epoch"] = [w.tolist()
                                                             for w in model.get_weights()]
                except Exception as e:  # Keras 3.15 cannot fit after loading any .h5 with
                    # optimizer weights (its own too): it builds the optimizer on no variables
                    entry["fit_error"] = f"{type(e).__name__}: {e}"[:500]
        out[path] = entry
    except Exception as e:  # the test reports it
        out[path] = {"error": f"{type(e).__name__}: {e}"[:2000]}
print(json.dumps(out))
