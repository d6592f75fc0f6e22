"""Milliseconds per training step of the classic Keras `mnist_cnn.py` model, batch 128.

Run: `python benchmarks/mnist_cnn_step.py [--steps N] [--epochs N] [--keras-python PATH]
[--keras-backend tensorflow|jax]`.

The model: Conv2D(32, 3x3, relu) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2x2) -> Dropout(0.25)
-> Flatten -> Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax), categorical
cross-entropy, `Adadelta(learning_rate=1.0)`, batch 128 (the course script). Each "epoch" is
`--steps` steps over the first `steps * 128` MNIST training images (random data of the same
shape when MNIST is not cached); the best epoch gives ms per step. Prints the peak resident
memory of the process. With `--keras-python` (an interpreter with Keras 3 and the chosen
backend) the same model is trained by real Keras in a subprocess, and the same-run ratio is
printed: on a shared machine only a same-time comparison means anything.

Target (issue 14): at most real Keras 3 with the TensorFlow backend (66-68 ms per step measured
on the 2-core machine; the NumPy floors of PERF_NOTES are 71-110 ms).
"""

import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np

BATCH = 128

# Run by real Keras in its own interpreter (never imported here): prints one time per epoch.
KERAS_SCRIPT = """
import os, sys, time
import numpy as np, keras
steps, epochs = int(sys.argv[1]), int(sys.argv[2])
path = os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets",
                    "mnist.npz")
n = steps * 128
if os.path.exists(path):
    with np.load(path) as d:
        x, y = d["x_train"][:n], d["y_train"][:n]
else:
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (n, 28, 28)), rng.integers(0, 10, n)
x = (x.reshape(-1, 28, 28, 1) / 255.0).astype("float32")
y = np.eye(10, dtype="float32")[y]
keras.utils.set_random_seed(0)
L = keras.layers
model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, (3, 3), activation="relu"),
    L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)), L.Dropout(0.25),
    L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5),
    L.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adadelta(1.0),
              metrics=["accuracy"])
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        print(time.perf_counter() - self.start, flush=True)
model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, shuffle=False, callbacks=[Timer()])
import resource
print("rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, flush=True)
"""


def load(n):
    """The first `n` MNIST training images as `(n, 28, 28, 1)` float32 in [0, 1], one-hot labels."""
    try:
        from minikeras.datasets import mnist

        (x, y), _ = mnist.load_data()
        x, y = x[:n], y[:n]
    except Exception:  # no cached MNIST: the timing does not depend on the values
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (n, 28, 28)), rng.integers(0, 10, n)
    return (x.reshape(-1, 28, 28, 1) / 255.0).astype("float32"), np.eye(10, dtype="float32")[y]


def build_model():
    """The course model, built with minikeras."""
    import minikeras as keras

    layers = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25), layers.Flatten(), layers.Dense(128, activation="relu"),
        layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adadelta(1.0),
                  metrics=["accuracy"])
    return model


def minikeras_epochs(steps, epochs):
    """Seconds of each epoch of `steps` training steps."""
    import minikeras as keras

    keras.utils.set_random_seed(0)
    x, y = load(steps * BATCH)
    model = build_model()
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0, shuffle=False,
              callbacks=[Timer()])
    return times


def keras_epochs(python, steps, epochs, backend):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([python, "-c", KERAS_SCRIPT, str(steps), str(epochs)],
                         capture_output=True, text=True, env=env, check=True).stdout.split("\n")
    rss = [float(line.split()[1]) for line in out if line.startswith("rss")]
    return [float(line) for line in out if line and not line.startswith("rss")], rss[0]


def report(name, times, steps, rss_mb):
    per_step = [1000 * t / steps for t in times]
    print(f"{name}: ms/step per epoch {', '.join(f'{t:.1f}' for t in per_step)}; best "
          f"{min(per_step):.1f} ms/step; peak RSS {rss_mb:.0f} MB")
    return min(per_step)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="steps per epoch (default 30)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--keras-python", help="interpreter of a virtualenv with Keras 3")
    parser.add_argument("--keras-backend", default="tensorflow")
    args = parser.parse_args()
    ours = report("minikeras", minikeras_epochs(args.steps, args.epochs), args.steps,
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print("target <= 66 ms/step (Keras 3 TensorFlow on the 2-core machine): "
          f"{'met' if ours <= 66 else 'not met'}")
    if args.keras_python:
        times, rss = keras_epochs(args.keras_python, args.steps, args.epochs,
                                  args.keras_backend)
        theirs = report(f"keras-{args.keras_backend}", times, args.steps, rss)
        print(f"minikeras / keras-{args.keras_backend} time ratio: {ours / theirs:.2f}")


if __name__ == "__main__":
    sys.exit(main())
