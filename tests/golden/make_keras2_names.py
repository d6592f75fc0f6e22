"""The public names tf.keras 2 had that Keras 3 dropped, read from REAL tf.keras 2 (tf_keras).

    TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python tests/golden/make_keras2_names.py

Writes minikeras/keras2_names.json (inside the package: minikeras reads it at run time, with
keras_names.json, Keras 3's names): for each public module of tf.keras 2 (`tf_keras.layers`
written `keras.layers`), the public names Keras 3's module of the same name lacks. Course
code written for tf.keras 2 that reaches such a name then gets "`keras.X` is not implemented
in minikeras" rather than a bare AttributeError. Run it after make_api_golden.py's `names`.
"""

import json
import os
import types

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402

PACKAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "minikeras")


def public_modules(module, name, found):
    """`{module name: sorted public names}` of `module` and of the public modules under it
    (the generated protocol-buffer modules left out)."""
    names = sorted(n for n in dir(module) if not n.startswith("_") and n != "src")
    found[name] = names
    for n in names:
        value = getattr(module, n)
        if (isinstance(value, types.ModuleType) and value.__name__.startswith("tf_keras")
                and ".src" not in value.__name__ and "protobuf" not in value.__name__
                and f"{name}.{n}" not in found):
            public_modules(value, f"{name}.{n}", found)
    return found


def main():
    with open(os.path.join(PACKAGE, "keras_names.json"), encoding="utf-8") as f:
        keras3 = json.load(f)["modules"]
    modules = {}
    for name, names in sorted(public_modules(tf_keras, "keras", {}).items()):
        dropped = sorted(set(names) - set(keras3.get(name, ())))
        if dropped and "protobuf" not in name:
            modules[name] = dropped
    payload = {
        "meta": {"tf_keras": tf_keras.__version__, "tensorflow": tf.__version__,
                 "generated_by": "tests/golden/make_keras2_names.py"},
        "notes": "For each public module of tf.keras 2 (tf_keras), the public names that "
                 "Keras 3's module of the same name lacks (keras_names.json holds Keras 3's), "
                 "read by minikeras.keras_names.",
        "modules": modules,
    }
    path = os.path.join(PACKAGE, "keras2_names.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)}: {os.path.getsize(path)} bytes, "
          f"{sum(map(len, modules.values()))} names in {len(modules)} modules")


if __name__ == "__main__":
    main()
