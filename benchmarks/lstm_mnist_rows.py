"""Milliseconds per training step of the course's recurrent models, against real Keras.

Run: `python benchmarks/lstm_mnist_rows.py [--model lstm|gru|text] [--epochs N] [--samples N]
[--keras-python PATH] [--keras-backend jax] [--blas-threads N] [--busy-cores N]`.

- `lstm` (default): MNIST images read row by row, `LSTM(64)` over 28 steps of 28 pixels ->
  `Dense(10, softmax)`, Adam, categorical cross-entropy, batch 64. Target on the 2-core
  machine: at most 1.0x real Keras 3 with the JAX backend (4.1-4.7 ms per step); the
  hand-written NumPy floor (`lstm_numpy_floor.py`) is 4.1-4.5 ms on the same machine.
- `gru`: the same with `GRU(64)`.
- `text`: padded token sequences (100 ids from a vocabulary of 5000, the first 20-100 of them
  padding), `Embedding(5000, 64, mask_zero=True)` -> `LSTM(64)` -> `Dense(1, sigmoid)`,
  binary cross-entropy, batch 64.

Each run trains on the first `--samples` sequences (default 12 800: 200 steps per epoch, to
keep runs short on a shared machine) and prints seconds per epoch and ms per step for each
epoch and the best. With `--keras-python` (the interpreter of a virtualenv with Keras 3 and
JAX) the same model, built by the same code, is trained by real Keras in a subprocess right
after, and the ratio of the best epochs is printed. MNIST comes from the Keras cache when
present, else random pixels of the same shape.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist_mlp_epoch as common  # noqa: E402  (the shared comparison and epoch timer)

import minikeras  # noqa: E402
from minikeras import config  # noqa: E402

BATCH = 64

# The data and the model of each benchmark, as code that runs unchanged with `keras` bound to
# minikeras here and to real Keras in the subprocess: both train exactly the same thing.
DATA = {
    "mnist": """
path = os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets",
                    "mnist.npz")
if os.path.exists(path):
    with np.load(path) as d:
        x, y = d["x_train"][:n] / 255.0, np.eye(10)[d["y_train"][:n]]
else:
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (n, 28, 28)) / 255.0, np.eye(10)[rng.integers(0, 10, n)]
x, y = x.astype("float32"), y.astype("float32")
""",
    "text": """
rng = np.random.default_rng(0)
x = rng.integers(1, 5000, (n, 100)).astype("int32")
starts = rng.integers(20, 100, n)
x[np.arange(100) < starts[:, None]] = 0  # pre-padding, as pad_sequences writes it
y = (rng.random((n, 1)) < 0.5).astype("float32")
""",
}
MODELS = {
    "lstm": ("mnist", """keras.Sequential([keras.Input((28, 28)), keras.layers.LSTM(64),
                                          keras.layers.Dense(10, activation="softmax")])""",
             "categorical_crossentropy"),
    "gru": ("mnist", """keras.Sequential([keras.Input((28, 28)), keras.layers.GRU(64),
                                         keras.layers.Dense(10, activation="softmax")])""",
            "categorical_crossentropy"),
    "text": ("text", """keras.Sequential([keras.Input((100,), dtype="int32"),
                                          keras.layers.Embedding(5000, 64, mask_zero=True),
                                          keras.layers.LSTM(64),
                                          keras.layers.Dense(1, activation="sigmoid")])""",
             "binary_crossentropy"),
}

# Run by real Keras in its own interpreter (never imported here): prints one time per epoch.
KERAS_SCRIPT = """
import os, sys, time
import numpy as np, keras
n = {samples}
{data}
keras.utils.set_random_seed(0)
model = {model}
model.compile(optimizer="adam", loss="{loss}", metrics=["accuracy"])
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        print(time.perf_counter() - self.start, flush=True)
model.fit(x, y, epochs=int(sys.argv[1]), batch_size={batch}, verbose=0, callbacks=[Timer()])
"""


def keras_script(name, samples):
    data, model, loss = MODELS[name]
    return KERAS_SCRIPT.format(samples=int(samples), data=DATA[data], model=model, loss=loss,
                               batch=BATCH)


def minikeras_epochs(name, epochs, samples):
    data, model_code, loss = MODELS[name]
    space = {"np": np, "os": os, "n": samples, "keras": minikeras}
    exec(DATA[data], space)  # noqa: S102 (this file's own code, shared with the Keras run)
    minikeras.utils.set_random_seed(0)
    model = eval(model_code, space)  # noqa: S307
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    timer = common.EpochTimer()
    model.fit(space["x"], space["y"], epochs=epochs, batch_size=BATCH, verbose=0,
              callbacks=[timer])
    return timer.times


def main():
    def add_arguments(parser):
        parser.add_argument("--model", choices=sorted(MODELS), default="lstm")
        parser.add_argument("--samples", type=int, default=12800)

    args = common.command_line(__doc__, add_arguments)
    print(f"model {args.model}, minikeras BLAS threads: {config.blas_threads()}, busy cores: "
          f"{args.busy_cores}")
    with common.busy_cores(args.busy_cores):
        common.compare(args, lambda epochs: minikeras_epochs(args.model, epochs, args.samples),
                       keras_script(args.model, args.samples),
                       int(np.ceil(args.samples / BATCH)), None)


if __name__ == "__main__":
    main()
