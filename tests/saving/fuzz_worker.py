"""Loads damaged model files in a separate process (a crash or hang in HDF5 must not take the
test run with it) and reports, one JSON line per file, what happened.

Run by test_fuzz.py: `python fuzz_worker.py <reference.npz>`, then one path per stdin line.
For each path it prints `{"path", "outcome", "type", "message", "seconds"}` where outcome is
`refused` (an exception), `identical` (loaded, and predictions, weights and optimizer state all
equal the reference's) or `different` (loaded, but something differs).
"""

import json
import sys
import time
import warnings

import numpy as np

import minikeras as keras
from minikeras.saving import hdf5_probe

# A file that makes HDF5 hang is refused after this long (5 s instead of a minute: the test
# waits for it).
hdf5_probe.PROBE_SECONDS = 5


def model_state(model, x):
    optimizer = getattr(model, "optimizer", None)
    return ([w.numpy() for w in model.weights],
            optimizer.get_weights() if optimizer is not None else [],
            model.predict(x, verbose=0))


def same(a, b):
    return len(a) == len(b) and all(
        np.shape(p) == np.shape(q) and np.array_equal(np.asarray(p), np.asarray(q))
        for p, q in zip(a, b))


def load(path):
    if path.endswith(".weights.h5"):
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
        model.load_weights(path)
        return model
    return keras.models.load_model(path)


def main():
    reference = np.load(sys.argv[1])
    x = reference["x"]
    expected = ([reference[k] for k in sorted(reference.files, key=_order) if k.startswith("w")],
                [reference[k] for k in sorted(reference.files, key=_order) if k.startswith("o")],
                reference["predict"])
    for line in sys.stdin:
        path = line.strip()
        start = time.perf_counter()
        entry = {"path": path}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = model_state(load(path), x)
            identical = all(same(g, e) for g, e in zip(got[:2], expected[:2])) and \
                np.array_equal(got[2], expected[2])
            entry["outcome"] = "identical" if identical else "different"
        except Exception as e:  # the test judges the type and message
            entry.update(outcome="refused", type=type(e).__name__,
                         valueerror=isinstance(e, ValueError), message=str(e)[:500])
        entry["seconds"] = time.perf_counter() - start
        print(json.dumps(entry), flush=True)


def _order(key):
    return (key[0], int(key[1:])) if key[1:].isdigit() else (key, 0)


if __name__ == "__main__":
    main()
