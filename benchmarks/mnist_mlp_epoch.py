"""Seconds per epoch of the course MNIST MLP (batch 32, 54 000 samples after validation_split=0.1).

Run: `python benchmarks/mnist_mlp_epoch.py [--epochs N] [--keras-python PATH] [--blas-threads N]
[--busy-cores N]`.

Prints seconds per epoch and ms per step for each epoch, and the best. Target on a 2-core
laptop CPU: at most 1.0 s per epoch. With `--keras-python` (the interpreter of a virtualenv that
has Keras 3 and JAX), the same model is also trained by real Keras in a subprocess on the same
machine, and the ratio of the best epochs is printed: on a shared machine, only a same-time
comparison means anything.

Uses real MNIST from the Keras cache when present, else random data of the same shape.
`EpochTimer`, `keras_epochs`, `report` and `main` are shared with `large_batch_regression.py`.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time

import numpy as np

from minikeras import config
from minikeras.backend import set_random_seed
from minikeras.callbacks import Callback
from minikeras.layers import Dense, Flatten
from minikeras.models import Sequential

STEPS = int(np.ceil(54000 / 32))

# Run by real Keras in its own interpreter (never imported here): prints one time per epoch.
KERAS_SCRIPT = """
import os, sys, time
import numpy as np, keras
path = os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets",
                    "mnist.npz")
if os.path.exists(path):
    with np.load(path) as d:
        x, y = d["x_train"] / 255.0, np.eye(10)[d["y_train"]]
else:
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (60000, 28, 28)) / 255.0, np.eye(10)[rng.integers(0, 10, 60000)]
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                          keras.layers.Dense(128, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        print(time.perf_counter() - self.start, flush=True)
model.fit(x, y, epochs=int(sys.argv[1]), batch_size=32, validation_split=0.1, verbose=0,
          callbacks=[Timer()])
"""


def load():
    try:
        from minikeras.datasets import mnist

        (x, y), _ = mnist.load_data()
    except Exception:  # no cached MNIST: the timing does not depend on the values
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (60000, 28, 28)), rng.integers(0, 10, 60000)
    return x / 255.0, np.eye(10)[y]


class EpochTimer(Callback):
    """Wall time of each epoch (training and validation)."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def minikeras_epochs(epochs):
    set_random_seed(0)
    x, y = load()
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.1, verbose=0,
              callbacks=[timer])
    return timer.times


def keras_epochs(python, epochs, backend, script=KERAS_SCRIPT):
    """Runs `script` (which prints one time per epoch) with real Keras in `python`."""
    env = dict(os.environ, KERAS_BACKEND=backend)
    out = subprocess.run([python, "-c", script, str(epochs)], capture_output=True,
                         text=True, env=env, check=True).stdout
    return [float(line) for line in out.split()]


def report(name, times, steps=STEPS):
    for i, t in enumerate(times):
        print(f"{name} epoch {i + 1}: {t:.3f} s/epoch, {1000 * t / steps:.3f} ms/step")
    best = min(times)
    print(f"{name} best: {best:.3f} s/epoch, {1000 * best / steps:.3f} ms/step")
    return best


def compare(args, train, keras_script, steps, target):
    """Times minikeras, then (with `--keras-python`) real Keras, and prints their ratio."""
    ours = report("minikeras", train(args.epochs), steps)
    if target is not None:
        print(f"target <= {target} s/epoch: {'met' if ours <= target else 'not met'}")
    if args.keras_python:
        # Keras's first epoch includes compilation: the best epoch is the fair comparison.
        theirs = report(f"keras-{args.keras_backend}",
                        keras_epochs(args.keras_python, args.epochs, args.keras_backend,
                                     keras_script), steps)
        print(f"minikeras / keras-{args.keras_backend} time ratio: {ours / theirs:.2f} "
              f"({'faster' if ours < theirs else 'slower'})")


def command_line(description, add_arguments=None):
    """The epoch benchmarks' shared arguments (plus `add_arguments(parser)`'s), parsed, with
    `--blas-threads` applied."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    if add_arguments is not None:
        add_arguments(parser)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--keras-python", help="interpreter of a virtualenv with Keras 3")
    parser.add_argument("--keras-backend", default="jax")
    parser.add_argument("--blas-threads", type=int,
                        help="OpenBLAS threads for minikeras (default: minikeras's policy)")
    parser.add_argument("--busy-cores", type=int, default=0,
                        help="keep N other processes spinning during both runs (a busy machine)")
    args = parser.parse_args()
    if args.blas_threads:
        config.set_blas_threads(args.blas_threads)
    return args


@contextlib.contextmanager
def busy_cores(n):
    """Keeps `n` other processes spinning for the duration (a busy machine)."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def main(description=__doc__, train=minikeras_epochs, keras_script=KERAS_SCRIPT, steps=STEPS,
         target=1.0):
    """Command line shared by the epoch benchmarks: time minikeras, then optionally real Keras."""
    args = command_line(description)
    print(f"minikeras BLAS threads: {config.blas_threads()}, busy cores: {args.busy_cores}")
    with busy_cores(args.busy_cores):
        compare(args, train, keras_script, steps, target)


if __name__ == "__main__":
    main()
