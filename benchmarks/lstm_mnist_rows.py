"""Milliseconds per step of the course LSTM: MNIST images read row by row as sequences.

Run: `python benchmarks/lstm_mnist_rows.py [--epochs N] [--samples N] [--keras-python PATH]
[--keras-backend jax] [--blas-threads N] [--busy-cores N]`.

`LSTM(64)` over 28 time steps of 28 pixels -> `Dense(10, softmax)`, Adam, categorical
cross-entropy, batch 64, on the first `--samples` training images (default 12 800: 200 steps
per epoch, to keep runs short on a shared machine). Prints seconds per epoch and ms per step
for each epoch and the best. Target on the 2-core machine: at most 1.0x real Keras 3 with the
JAX backend (about 4.2 ms per step); the hand-written NumPy floor is 3.6-3.9 ms. With
`--keras-python` (the interpreter of a virtualenv with Keras 3 and JAX) the same model is
trained by real Keras in a subprocess right after, and the ratio of the best epochs is printed.

Uses real MNIST from the Keras cache when present, else random data of the same shape. The
command line is `mnist_mlp_epoch.main`'s.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_mlp_epoch as common  # noqa: E402  (the shared command line and timing)

from minikeras import config  # noqa: E402
from minikeras.backend import set_random_seed  # noqa: E402
from minikeras.layers import LSTM, Dense, Input  # noqa: E402
from minikeras.models import Sequential  # noqa: E402

BATCH = 64

# Run by real Keras in its own interpreter (never imported here): prints one time per epoch.
# `{samples}` is filled in by `keras_script`.
KERAS_SCRIPT = """
import os, sys, time
import numpy as np, keras
n = {samples}
path = os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets",
                    "mnist.npz")
if os.path.exists(path):
    with np.load(path) as d:
        x, y = d["x_train"][:n] / 255.0, np.eye(10)[d["y_train"][:n]]
else:
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (n, 28, 28)) / 255.0, np.eye(10)[rng.integers(0, 10, n)]
x, y = x.astype("float32"), y.astype("float32")
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((28, 28)), keras.layers.LSTM(64),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        print(time.perf_counter() - self.start, flush=True)
model.fit(x, y, epochs=int(sys.argv[1]), batch_size=64, verbose=0, callbacks=[Timer()])
"""


def keras_script(samples):
    return KERAS_SCRIPT.replace("{samples}", str(int(samples)))


def load(n):
    x, y = common.load()
    return x[:n].astype("float32"), y[:n].astype("float32")


def minikeras_epochs(epochs, samples):
    set_random_seed(0)
    x, y = load(samples)
    model = Sequential([Input((28, 28)), LSTM(64), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    timer = common.EpochTimer()
    model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0, callbacks=[timer])
    return timer.times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--keras-python", help="interpreter of a virtualenv with Keras 3")
    parser.add_argument("--keras-backend", default="jax")
    parser.add_argument("--blas-threads", type=int,
                        help="OpenBLAS threads for minikeras (default: minikeras's policy)")
    parser.add_argument("--busy-cores", type=int, default=0,
                        help="keep N other processes spinning during both runs (a busy machine)")
    args = parser.parse_args()
    if args.blas_threads:
        config.set_blas_threads(args.blas_threads)
    print(f"minikeras BLAS threads: {config.blas_threads()}, busy cores: {args.busy_cores}")
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(args.busy_cores)]
    try:
        common.compare(args, lambda epochs: minikeras_epochs(epochs, args.samples),
                       keras_script(args.samples), int(np.ceil(args.samples / BATCH)), None)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


if __name__ == "__main__":
    main()
