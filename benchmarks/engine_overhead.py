"""Microseconds per `fit` step of a model whose math is negligible: the engine's own overhead.

Run: `python benchmarks/engine_overhead.py [--epochs N] [--verbose 0|1|2] [--profile N]`.

The model is `Dense(10, softmax)` on 32 features, Adam, categorical cross-entropy and
`metrics=['accuracy']`, batch 64, 200 steps per epoch: its matrix products take a few
microseconds, so what is measured is what every small model pays per step (autograd's tracing
and backward pass, the loss and layer calls, the optimizer's bookkeeping, metrics, callbacks,
the progress bar, batching and write-back). Each epoch is its own `fit` call; the script prints
microseconds per step for each, the best and the median. With `--profile N` it then runs
cProfile over the same epochs and lists the N functions with the most time of their own.
Timings are noisy on a shared machine: compare two versions in alternating runs.
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import statistics
import time

import numpy as np

import minikeras as keras

BATCH, STEPS, FEATURES, CLASSES = 64, 200, 32, 10


def build_model():
    """The tiny model, seeded: every run trains the same weights."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((FEATURES,)),
                              keras.layers.Dense(CLASSES, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    return model


def data():
    """Random inputs and one-hot targets for `STEPS` batches."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH * STEPS, FEATURES)).astype("float32")
    y = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, BATCH * STEPS)]
    return x, y


def time_epochs(model, x, y, epochs, verbose):
    """Microseconds per step of each of `epochs` one-epoch `fit` calls (output discarded)."""
    times = []
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for _ in range(epochs):
            start = time.perf_counter()
            model.fit(x, y, batch_size=BATCH, epochs=1, verbose=verbose)
            times.append((time.perf_counter() - start) / STEPS * 1e6)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    parser.add_argument("--profile", type=int, default=0,
                        help="list the N functions with the most own time (default 0: none)")
    args = parser.parse_args()
    x, y = data()
    model = build_model()
    time_epochs(model, x, y, 1, args.verbose)  # warm-up: builds and first-call costs
    times = time_epochs(model, x, y, args.epochs, args.verbose)
    print("us/step per epoch:", " ".join(f"{t:.1f}" for t in times))
    print(f"best {min(times):.1f} us/step, median {statistics.median(times):.1f} us/step")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        time_epochs(model, x, y, args.epochs, args.verbose)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile)
        print(f"cProfile over {args.epochs * STEPS} steps (its own overhead inflates every "
              "figure about twofold):")
        print(out.getvalue())


if __name__ == "__main__":
    main()
