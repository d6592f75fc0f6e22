"""Regenerate tests/golden/pipelines.json with REAL Keras 3: `fit`, `evaluate` and `predict`
fed by Python generators and `keras.utils.PyDataset`s (the epoch rules of Keras 3's
`EpochIterator`: `steps_per_epoch` consumed across epochs, "ran out of data", validation
restarting each epoch).

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_pipelines_golden.py

The model is `Sequential([Input((2,)), Dense(1)])` with fixed weights, SGD(0.01), mse; the
data are 16 fixed samples in 4 batches of 4. The suite only reads the JSON.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import json  # noqa: E402
import warnings  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
X = (np.arange(32, dtype="float32").reshape(16, 2) / 10).astype("float32")
Y = X.sum(axis=1, keepdims=True)
W = (np.array([0.5, 0.25, 1.0, 2.0], "float32")).reshape(4, 1)  # sample weights per batch row
KERNEL = np.array([[0.5], [-0.3]], "float32")
BIAS = np.array([0.1], "float32")


def model():
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m.set_weights([KERNEL, BIAS])
    m.compile(keras.optimizers.SGD(0.01), "mse")
    return m


def batch(i, weighted=False):
    part = slice(4 * i, 4 * i + 4)
    return (X[part], Y[part], W[:, 0]) if weighted else (X[part], Y[part])


class Batches(keras.utils.PyDataset):
    def __init__(self, weighted=False, **kwargs):
        super().__init__(**kwargs)
        self.weighted = weighted

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return batch(index, self.weighted)


def finite(n=4):
    for i in range(n):
        yield batch(i)


def endless():
    while True:
        for i in range(4):
            yield batch(i)


def f32(values):
    return [float(np.float32(v)) for v in np.ravel(values)]


def run(name, fn):
    m = model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(m)
    ran_out = sum("ran out of data" in str(w.message) for w in caught)
    case = {"name": name, "iterations": int(m.optimizer.iterations.numpy()),
            "final_weights": [f32(w) for w in m.get_weights()], "ran_out_warnings": ran_out}
    if isinstance(result, keras.callbacks.History):
        case["history"] = {k: f32(v) for k, v in result.history.items()}
    elif result is not None:
        case["result"] = f32(result)
    return case


CASES = [
    ("pydataset_two_epochs", lambda m: m.fit(Batches(), epochs=2, shuffle=False, verbose=0)),
    ("pydataset_steps_3_of_4", lambda m: m.fit(Batches(), epochs=2, steps_per_epoch=3,
                                               shuffle=False, verbose=0)),
    ("pydataset_steps_2_of_4", lambda m: m.fit(Batches(), epochs=3, steps_per_epoch=2,
                                               shuffle=False, verbose=0)),
    ("endless_generator_steps_3", lambda m: m.fit(endless(), epochs=2, steps_per_epoch=3,
                                                  verbose=0)),
    ("finite_generator_steps_3", lambda m: m.fit(finite(), epochs=2, steps_per_epoch=3,
                                                 verbose=0)),
    ("pydataset_sample_weights", lambda m: m.fit(Batches(weighted=True), epochs=2,
                                                 shuffle=False, verbose=0)),
    ("pydataset_validation_steps_2", lambda m: m.fit(
        Batches(), epochs=2, shuffle=False, verbose=0, validation_data=Batches(),
        validation_steps=2)),
    ("evaluate_pydataset_steps_2", lambda m: m.evaluate(Batches(), steps=2, verbose=0)),
    ("evaluate_generator", lambda m: m.evaluate(finite(), verbose=0)),
    ("predict_generator_of_x_tuples", lambda m: m.predict(((X[4 * i:4 * i + 4],)
                                                           for i in range(3)), verbose=0)),
]


def main():
    cases = [run(name, fn) for name, fn in CASES]
    meta = {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
            "backend": keras.backend.backend(), "floatx": keras.config.floatx(),
            "generated_by": "tests/golden/make_pipelines_golden.py"}
    data = {"meta": meta, "x": f32(X), "kernel": f32(KERNEL), "bias": f32(BIAS),
            "batch_sample_weight": f32(W), "cases": cases}
    with open(os.path.join(HERE, "pipelines.json"), "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
