"""Regenerate tests/golden/datasets.json: what REAL Keras 3's dataset loaders return for tiny
files written in each dataset's cache format.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_datasets_golden.py

The inputs (word-rank sequences, labels, housing rows) come from a fixed NumPy seed and are
stored in the JSON too: the tests write the same `.npz` files into a temporary Keras cache and
compare minikeras's loaders with Keras's outputs. Keras's `get_file` is replaced by a function
that returns the cached path (the tiny files do not match the official hashes, and nothing may
be downloaded). The test suite never imports Keras or this script.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import json  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
from keras.src.datasets import (boston_housing, california_housing, imdb,  # noqa: E402
                                reuters)

HERE = os.path.dirname(os.path.abspath(__file__))


def object_array(rows):
    out = np.empty(len(rows), dtype=object)
    for i, r in enumerate(rows):
        out[i] = list(r)
    return out


def sequences(rng, n, vocab):
    return [[int(w) for w in rng.integers(1, vocab, rng.integers(1, 10))] for _ in range(n)]


def main():
    rng = np.random.default_rng(2024)
    inputs = {
        "imdb": {"x_train": sequences(rng, 12, 25), "y_train": rng.integers(0, 2, 12).tolist(),
                 "x_test": sequences(rng, 8, 25), "y_test": rng.integers(0, 2, 8).tolist()},
        "reuters": {"x": sequences(rng, 15, 25), "y": rng.integers(0, 46, 15).tolist()},
        "boston_housing": {"x": np.round(rng.normal(size=(21, 13)), 3).tolist(),
                           "y": np.round(rng.uniform(5, 50, 21), 2).tolist()},
        "california_housing": {"x": np.round(rng.normal(size=(30, 8)), 3).tolist(),
                               "y": np.round(rng.uniform(1e4, 5e5, 30), 0).tolist()},
    }
    # One word of the highest rank appears exactly once: Keras's default num_words bound
    # (the largest index present) then turns that very word into oov_char.
    inputs["imdb"]["x_test"][0].append(25)
    inputs["reuters"]["x"][0].append(25)

    home = tempfile.mkdtemp()
    datasets = os.path.join(home, "datasets")
    os.makedirs(datasets)
    np.savez(os.path.join(datasets, "imdb.npz"),
             **{k: object_array(v) if k.startswith("x") else np.array(v, dtype=np.int64)
                for k, v in inputs["imdb"].items()})
    np.savez(os.path.join(datasets, "reuters.npz"), x=object_array(inputs["reuters"]["x"]),
             y=np.array(inputs["reuters"]["y"], dtype=np.int64))
    for name in ("boston_housing", "california_housing"):
        np.savez(os.path.join(datasets, f"{name}.npz"), x=np.array(inputs[name]["x"]),
                 y=np.array(inputs[name]["y"]))

    def cached(fname=None, origin=None, **kwargs):
        return os.path.join(datasets, fname)

    for module in (boston_housing, california_housing, imdb, reuters):
        module.get_file = cached

    def record(loader, kwargs):
        try:
            (x_train, y_train), (x_test, y_test) = loader(**kwargs)
        except Exception as e:  # noqa: BLE001 - the error is the reference
            return {"kwargs": kwargs, "error": f"{type(e).__name__}: {e}"}
        out = {"kwargs": kwargs}
        for key, value in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test),
                           ("y_test", y_test)):
            value = np.asarray(value) if not isinstance(value, np.ndarray) else value
            out[key] = [list(map(int, s)) for s in value] if value.dtype == object \
                else value.tolist()
            out[key + "_dtype"] = str(value.dtype)
            out[key + "_shape"] = list(value.shape)
        return out

    word_cases = [{}, {"num_words": 10}, {"skip_top": 2, "num_words": 12}, {"maxlen": 6},
                  {"oov_char": None, "num_words": 8}, {"start_char": None, "index_from": 0},
                  {"start_char": None, "index_from": 2, "seed": 7},
                  {"num_words": 9, "skip_top": 4, "oov_char": 1, "start_char": 5},
                  {"maxlen": 2}]
    cases = {
        "imdb": [record(imdb.load_data, kw) for kw in word_cases],
        "reuters": [record(reuters.load_data, kw) for kw in
                    word_cases + [{"test_split": 0.4}, {"test_split": 0.0, "seed": 1}]],
        "boston_housing": [record(boston_housing.load_data, kw) for kw in
                           ({}, {"test_split": 0.3, "seed": 5}, {"test_split": 0.0})],
        "california_housing": [record(california_housing.load_data, kw) for kw in
                               ({}, {"version": "small", "test_split": 0.5, "seed": 3})],
    }
    payload = {
        "meta": {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
                 "backend": keras.backend.backend(),
                 "generated_by": "tests/golden/make_datasets_golden.py"},
        "reuters_label_names": list(reuters.get_label_names()),
        "inputs": inputs,
        "cases": cases,
    }
    with open(os.path.join(HERE, "datasets.json"), "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print("wrote tests/golden/datasets.json")


if __name__ == "__main__":
    main()
