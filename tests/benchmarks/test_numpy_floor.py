"""The floor benchmark (benchmarks/numpy_floor.py) runs the epoch minikeras runs: after two steps
its weights are `fit`'s (hand-written gradients and Adam), and its validation loss and accuracy
are `evaluate`'s."""

import pathlib
import sys

import numpy as np

import minikeras as keras

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"


def load_floor():
    sys.path.insert(0, str(BENCH))  # numpy_floor imports its sibling mnist_mlp_epoch
    try:
        import numpy_floor
    finally:
        sys.path.remove(str(BENCH))
    return numpy_floor


def test_two_floor_steps_match_two_minikeras_steps():
    floor = load_floor()
    rng = np.random.default_rng(3)
    x = rng.random((64, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    x_val = rng.random((40, 784), dtype=np.float32)
    y_val = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 40)]
    weights = [rng.normal(0, 0.05, (784, 128)).astype(np.float32),
               rng.normal(0, 0.05, 128).astype(np.float32),
               rng.normal(0, 0.05, (128, 10)).astype(np.float32),
               rng.normal(0, 0.05, 10).astype(np.float32)]
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.set_weights(weights)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    # The floor shuffles; giving minikeras the same order makes both run the same two batches.
    order = np.random.default_rng(7).permutation(64)
    model.fit(x[order], y[order], batch_size=32, epochs=1, shuffle=False, verbose=0)
    floor_weights = [w.copy() for w in weights]
    val_loss, val_acc = floor.epoch(x, y, x_val, y_val, floor_weights, floor.Adam(floor_weights),
                                    np.random.default_rng(7))

    for ours, theirs, initial in zip(model.get_weights(), floor_weights, weights):
        assert np.abs(theirs - initial).max() > 1e-3  # two Adam steps of lr 1e-3 moved them
        np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-6)
    expected_loss, expected_acc = model.evaluate(x_val, y_val, batch_size=32, verbose=0)
    np.testing.assert_allclose(val_loss, expected_loss, rtol=1e-5)
    assert np.float32(val_acc) == np.float32(expected_acc)
