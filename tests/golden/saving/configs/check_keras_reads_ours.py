"""Checks that REAL Keras 3 rebuilds every config minikeras writes (an optional dev step, like
make_configs.py; the test suite never runs it).

Run with the Keras virtualenv, from the repository root; minikeras runs in the Python given by
`--minikeras-python` (default `python`), which writes the configs to a temporary file:

    KERAS_BACKEND=jax /work/kerasenv/bin/python \\
        tests/golden/saving/configs/check_keras_reads_ours.py --minikeras-python python

Covered: every case of cases.py (layers, initializers, ..., optimizers, models compiled with
Adam/mse/mae), and tf.keras 2 / Keras 2 configs read by minikeras and written back.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))

WRITE_WITH_MINIKERAS = r'''
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
import minikeras
from minikeras.layers.base import reset_uids
from minikeras.saving import serialize_keras_object
from tests.saving.golden_configs import cases
from tests.saving import legacy_configs
out = {}
for name, build in cases.model_cases(minikeras).items():
    reset_uids()
    model = build()
    if not model.built:
        model.predict(np.zeros((2, 4), "float32"), verbose=0)
    model.compile("adam", "mse", metrics=["mae"])
    out["model_" + name] = serialize_keras_object(model)
for name, build in cases.layer_cases(minikeras).items():
    reset_uids()
    out["layer_" + name] = serialize_keras_object(build())
for name, build in cases.object_cases(minikeras).items():
    out["object_" + name] = serialize_keras_object(build())
for name in ("TF2_SEQUENTIAL", "TF2_FUNCTIONAL", "TF2_SINGLE_OUTPUT", "TF2_NESTED",
             "TF213_SEQUENTIAL", "KERAS22_SEQUENTIAL", "KERAS22_MODEL"):
    reset_uids()
    model = minikeras.models.model_from_json(getattr(legacy_configs, name))
    out["legacy_" + name] = serialize_keras_object(model)
json.dump(out, open(sys.argv[1], "w"))
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minikeras-python", default="python")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "configs.json")
        subprocess.run([args.minikeras_python, "-c", WRITE_WITH_MINIKERAS, path], cwd=ROOT,
                       check=True)
        with open(path) as f:
            configs = json.load(f)
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras
    sys.path.insert(0, HERE)
    import cases
    warnings.filterwarnings("ignore")
    functions = {"double": cases.double, "scale": cases.scale}
    failures = 0
    for name, config in configs.items():
        try:
            keras.saving.deserialize_keras_object(config, custom_objects=functions)
        except Exception as e:  # report every failure, not only the first
            failures += 1
            print(f"Keras cannot read {name}: {type(e).__name__}: {str(e)[:300]}")
    print(f"Keras {keras.__version__} read {len(configs) - failures} of {len(configs)} configs "
          "written by minikeras.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
