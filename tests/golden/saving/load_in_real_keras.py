"""Loads files written by minikeras in REAL Keras and prints what it predicts, as one JSON line.

Run by tests/saving/test_golden_files.py::test_minikeras_files_load_in_real_keras with the
interpreter named by MINIKERAS_KERAS3_PYTHON (Keras 3) or MINIKERAS_TF_KERAS_PYTHON (tf.keras 2):

    python load_in_real_keras.py {keras3|tf.keras 2} '<{"x_test", "x", "y"} as JSON>' file ...

A `.weights.h5` file is loaded into the test's MLP (Input(4), Dense(5, relu), Dense(3,
softmax)), built here. Each file gives `{"predict": ..., "learning_rate": ...}` or
`{"error": ...}`; a compiled model also gives `weights_after_one_more_epoch`, trained on with
`fit(x, y, batch_size=8, epochs=1, shuffle=False)` from the optimizer state it loaded (or
`fit_error`).
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

data = {k: np.asarray(v, dtype="float32") for k, v in json.loads(data_json).items()}
x = data["x_test"]
out = {}
for path in files:
    try:
        if path.endswith(".weights.h5"):
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                                      keras.layers.Dense(3, activation="softmax")])
            model.load_weights(path)
        else:
            model = keras.models.load_model(path)
        entry = {"predict": model.predict(x, verbose=0).tolist()}
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            entry["learning_rate"] = float(np.asarray(optimizer.learning_rate))
            entry["optimizer"] = type(optimizer).__name__
            if getattr(model, "compiled", True) and "y" in data and \
                    model.output_shape[-1] == data["y"].shape[-1]:
                try:
                    model.fit(data["x"], data["y"], batch_size=8, epochs=1, shuffle=False,
                              verbose=0)
                    entry["weights_after_one_more_epoch"] = [w.tolist()
                                                             for w in model.get_weights()]
                except Exception as e:  # Keras 3.15 cannot fit after loading any .h5 with
                    # optimizer weights (its own too): it builds the optimizer on no variables
                    entry["fit_error"] = f"{type(e).__name__}: {e}"[:500]
        out[path] = entry
    except Exception as e:  # the test reports it
        out[path] = {"error": f"{type(e).__name__}: {e}"[:2000]}
print(json.dumps(out))
