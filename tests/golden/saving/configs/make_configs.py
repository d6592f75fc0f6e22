"""Writes the reference configs of tests/golden/saving/configs/*.json with REAL Keras 3.

The test suite only reads the JSON files; it never imports Keras or this script. Run from the
repository root, with Keras 3 and JAX in a virtualenv outside the repository:

    KERAS_BACKEND=jax /work/kerasenv/bin/python tests/golden/saving/configs/make_configs.py

Each case of cases.py is built after `keras.backend.clear_session()` (fresh automatic names)
and written as `keras.saving.serialize_keras_object(obj)`, JSON-normalised (tuples become
lists). Models also record `layer_names` (`[l.name for l in model.layers]`) and whether
`keras.Model.from_config` / `Sequential.from_config` gives back the same config.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402

warnings.filterwarnings("ignore")
META = {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
        "backend": keras.backend.backend(),
        "generated_by": "tests/golden/saving/configs/make_configs.py"}


def normalised(config):
    return json.loads(json.dumps(config))


def fresh():
    keras.backend.clear_session()


def serialize_cases(builders):
    out = {}
    for name, build in builders.items():
        fresh()
        out[name] = normalised(keras.saving.serialize_keras_object(build()))
    return out


def model_entry(model):
    config = normalised(keras.saving.serialize_keras_object(model))
    fresh()
    revived = keras.saving.deserialize_keras_object(  # Keras pops keys: give it a copy
        normalised(config), custom_objects={"double": cases.double, "scale": cases.scale})
    return {"config": config, "layer_names": [l.name for l in model.layers],
            "round_trip_equal": normalised(revived.get_config()) == config["config"]}


def write(name, cases_):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"meta": META, "cases": cases_}, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    write("layers.json", serialize_cases(cases.layer_cases(keras)))
    objects = serialize_cases(cases.object_cases(keras))
    for name in cases.ACTIVATIONS:
        objects[f"activation_{name}"] = keras.activations.serialize(
            keras.activations.get(name))
    write("objects.json", objects)
    models = {}
    for name, build in cases.model_cases(keras).items():
        fresh()
        models[name] = model_entry(build())
    classes = cases.custom_classes(keras)
    for name, build in cases.custom_cases(keras, classes).items():
        fresh()
        model = build()
        entry = {"config": normalised(keras.saving.serialize_keras_object(model)),
                 "layer_names": [l.name for l in model.layers]}
        models[name] = entry
    write("models.json", models)


if __name__ == "__main__":
    main()
