"""Regenerate tests/golden/training_flag.json with REAL Keras 3: which `training` value a layer
receives in each way of calling it, and what a functional node recorded with
`training=True` (Keras 3 writes `"kwargs": {"training": true}` for it) does at inference.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_training_flag_golden.py

The suite only reads the JSON.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import json  # noqa: E402
import warnings  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
X = np.ones((2, 3), "float32")


def probe_class(default):
    class Probe(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        if default:
            def call(self, x, training=True):
                self.seen.append(training)
                return x
        else:
            def call(self, x, training=None):
                self.seen.append(training)
                return x

    return Probe


def flags(default):
    """`{context: [training values the probe received]}`."""
    Probe = probe_class(default)
    out = {}

    probe = Probe()
    probe(X)
    out["direct_call"] = probe.seen

    probe = Probe()
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(probe(inputs)))
    model.compile("sgd", "mse")
    runs = {"functional_eager": lambda: model(X),
            "functional_eager_training_false": lambda: model(X, training=False),
            "functional_predict": lambda: model.predict(X, verbose=0),
            "functional_evaluate": lambda: model.evaluate(X, np.zeros((2, 1)), verbose=0),
            "functional_train_on_batch": lambda: model.train_on_batch(X, np.zeros((2, 1)))}
    for name, run in runs.items():
        probe.seen.clear()
        run()
        out[name] = list(dict.fromkeys(bool(v) if v is not None and not isinstance(v, bool)
                                       else v for v in probe.seen))

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x):
            return self.probe(x)

    sub = Sub()
    sub(X)
    out["subclassed_eager"] = sub.probe.seen[-1:]
    sub(X, training=False)
    out["subclassed_training_false"] = sub.probe.seen[-1:]
    return out


def recorded_true():
    """A functional model whose RandomRotation node was recorded with training=True."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.RandomRotation(0.5, seed=2)(inputs, training=True)
    outputs = keras.layers.Dense(2)(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    images = np.random.default_rng(1).random((3, 6, 6, 1)).astype("float32")
    plain = model.layers[-1](model.layers[-2](images))
    return {
        "config_json": model.to_json(),
        "dense_weights": [w.tolist() for w in model.layers[-1].get_weights()],
        "images": images.tolist(),
        "predict_equals_model_without_rotation": bool(np.allclose(
            model.predict(images, verbose=0), np.asarray(plain), atol=1e-6)),
        "eager_call_rotates": bool(not np.allclose(np.asarray(model(images)),
                                                   np.asarray(plain), atol=1e-6)),
        "eager_training_false_rotates": bool(not np.allclose(
            np.asarray(model(images, training=False)), np.asarray(plain), atol=1e-6)),
    }


def eager_flip():
    """Whether an eager `model(x)` of a Sequential holding RandomFlip flips (some of 8 calls)."""
    keras.utils.set_random_seed(1)
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.RandomFlip("horizontal")])
    eager = [not np.array_equal(np.asarray(model(image)), image) for _ in range(8)]
    predicted = [not np.array_equal(model.predict(image, verbose=0), image) for _ in range(4)]
    return {"eager_model_call_flips": any(eager), "predict_flips": any(predicted)}


def main():
    meta = {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
            "backend": keras.backend.backend(), "floatx": keras.config.floatx(),
            "generated_by": "tests/golden/make_training_flag_golden.py"}
    data = {"meta": meta, "flags_default_true": flags(True), "flags_default_none": flags(False),
            "recorded_true": recorded_true(), "random_flip": eager_flip()}
    with open(os.path.join(HERE, "training_flag.json"), "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
