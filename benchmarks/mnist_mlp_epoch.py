"""Seconds per epoch of the course MNIST MLP (batch 32, 54 000 samples after validation_split=0.1).

Run: `python benchmarks/mnist_mlp_epoch.py [--epochs N]`. Prints seconds per epoch and ms per
step for each epoch, and the best. Target on a 2-core laptop CPU: at most 1.0 s per epoch
(real Keras 3 measured on the same machine: about 1.4 s with JAX, 3.9 s with TensorFlow).
Uses real MNIST from the Keras cache when present, else random data of the same shape.
"""

import argparse
import time

import numpy as np

from minikeras.backend import set_random_seed
from minikeras.callbacks import Callback
from minikeras.layers import Dense, Flatten
from minikeras.models import Sequential


def load():
    try:
        from minikeras.datasets import mnist

        (x, y), _ = mnist.load_data()
    except Exception:  # no cached MNIST: the timing does not depend on the values
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (60000, 28, 28)), rng.integers(0, 10, 60000)
    return x / 255.0, np.eye(10)[y]


class EpochTimer(Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)

    def on_train_begin(self, logs=None):
        self.times = []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    set_random_seed(0)
    x, y = load()
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                        Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x, y, epochs=args.epochs, batch_size=32, validation_split=0.1, verbose=0,
              callbacks=[timer])
    steps = int(np.ceil(54000 / 32))
    for i, t in enumerate(timer.times):
        print(f"epoch {i + 1}: {t:.3f} s/epoch, {1000 * t / steps:.3f} ms/step")
    best = min(timer.times)
    print(f"best: {best:.3f} s/epoch, {1000 * best / steps:.3f} ms/step "
          f"(target <= 1.0 s/epoch; Keras 3 JAX ~1.4 s, TensorFlow ~3.9 s: "
          f"ratio vs JAX {1.4 / best:.2f}x)")


if __name__ == "__main__":
    main()
