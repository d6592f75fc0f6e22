"""Seconds per epoch of a 1M-row × 10-feature regression at batch 4096 (245 steps per epoch).

Run: `python benchmarks/large_batch_regression.py [--epochs N] [--keras-python PATH] [--blas-threads N]
[--busy-cores N]`.

Dense(64, relu) → Dense(64, relu) → Dense(1), Adam, mean squared error, on synthetic data
(a noisy linear target, seeded). Where `mnist_mlp_epoch.py` measures the per-step overhead of
small products, this measures large ones, where BLAS threading can matter. Same command line
and output as `mnist_mlp_epoch.py` (whose helpers it uses): with `--keras-python`, the same model
is trained by real Keras in a subprocess right after and the ratio of the best epochs is printed.
"""

import inspect

import numpy as np

from mnist_mlp_epoch import EpochTimer, main
from minikeras.backend import set_random_seed
from minikeras.layers import Dense
from minikeras.models import Sequential

ROWS, FEATURES, BATCH = 1_000_000, 10, 4096
STEPS = int(np.ceil(ROWS / BATCH))


def make_data(rows=1_000_000, features=10):
    """The same float32 data in both processes: `y = x @ w + noise`, seeded."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, features), dtype=np.float32)
    w = rng.standard_normal((features, 1), dtype=np.float32)
    return x, x @ w + 0.1 * rng.standard_normal((rows, 1), dtype=np.float32)


# Run by real Keras in its own interpreter (never imported here): prints one time per epoch.
KERAS_SCRIPT = "import sys, time\nimport numpy as np, keras\n" + inspect.getsource(make_data) + """
x, y = make_data()
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        print(time.perf_counter() - self.start, flush=True)
model.fit(x, y, epochs=int(sys.argv[1]), batch_size=4096, verbose=0, callbacks=[Timer()])
"""


def minikeras_epochs(epochs):
    set_random_seed(0)
    x, y = make_data(ROWS, FEATURES)
    model = Sequential([Dense(64, activation="relu", input_shape=(FEATURES,)),
                        Dense(64, activation="relu"), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    timer = EpochTimer()
    model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0, callbacks=[timer])
    return timer.times


if __name__ == "__main__":
    main(__doc__, minikeras_epochs, KERAS_SCRIPT, STEPS, target=None)
