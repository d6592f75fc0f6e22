"""Every Keras optimizer on the same model, from the same starting weights, at its defaults.

The MLP of the quick start (64 -> 64 relu -> 10 softmax) on the bundled 8x8 digits (no
network) is trained once per optimizer for the same epochs, on the same batches in the same
order; the table gives the training loss after the first and the last epoch, the test
accuracy and the time, and a picture of the loss curves is saved when matplotlib is there.

What it shows: at their default learning rates Lion, SGD with momentum and the Adam family
learn fastest; plain SGD (0.01) is slower, and Adagrad, Ftrl and Adadelta (all at
learning_rate=0.001 in Keras 3) barely move the loss in this budget: a default learning rate
is part of the algorithm. Adafactor's loss is nan from the first epoch, as in real Keras 3 on
this model (checked): the weights of the always-blank corner pixels get exactly zero
gradients, their factored second moment underflows to zero in float32, and 0 / 0 is NaN.
The whole run (20 epochs each, about 6 s on a 2-core CPU): test accuracy Lion 0.989, Adam
0.972, SGD 0.919, Adagrad 0.519, Adadelta 0.086.

Run: `python -m minikeras examples/optimizer_comparison.py`. Set `MINIKERAS_EXAMPLE_EPOCHS`
to train less and `MINIKERAS_EXAMPLE_OUTPUT` to save the picture elsewhere (the tests do).
(`benchmarks/optimizers.py` compares the same optimizers on 2-D test functions and against
real Keras's trajectories.)
"""

import os
import time

import keras
from keras import layers

EPOCHS = int(os.environ.get("MINIKERAS_EXAMPLE_EPOCHS", 20))
OUTPUT = os.environ.get("MINIKERAS_EXAMPLE_OUTPUT", ".")

OPTIMIZERS = {
    "SGD": keras.optimizers.SGD(),
    "SGD + momentum": keras.optimizers.SGD(momentum=0.9),
    "RMSprop": keras.optimizers.RMSprop(),
    "Adagrad": keras.optimizers.Adagrad(),
    "Adadelta": keras.optimizers.Adadelta(),
    "Adam": keras.optimizers.Adam(),
    "AdamW": keras.optimizers.AdamW(),
    "Adamax": keras.optimizers.Adamax(),
    "Nadam": keras.optimizers.Nadam(),
    "Ftrl": keras.optimizers.Ftrl(),
    "Adafactor": keras.optimizers.Adafactor(),
    "Lion": keras.optimizers.Lion(),
    "Lamb": keras.optimizers.Lamb(),
}

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.reshape(-1, 64) / 16.0
x_test = x_test.reshape(-1, 64) / 16.0

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
initial_weights = model.get_weights()
model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
untrained_loss, _ = model.evaluate(x_train, y_train, verbose=0)
print(f"Training loss before training: {untrained_loss:.4f}")

curves, results = {}, {}
for name, optimizer in OPTIMIZERS.items():
    model.set_weights(initial_weights)  # every optimizer starts from the same point
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    keras.utils.set_random_seed(1)  # and sees the batches in the same order
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    curves[name] = history.history["loss"]
    results[name] = (history.history["loss"][0], history.history["loss"][-1], accuracy,
                     seconds)

print(f"\n{'optimizer':<16}{'learning rate':>14}{'loss epoch 1':>14}{f'loss epoch {EPOCHS}':>14}"
      f"{'test accuracy':>15}{'seconds':>9}")
for name, (first, last, accuracy, seconds) in sorted(results.items(),
                                                     key=lambda item: -item[1][2]):
    learning_rate = float(OPTIMIZERS[name].learning_rate)
    print(f"{name:<16}{learning_rate:>14g}{first:>14.4f}{last:>14.4f}{accuracy:>15.4f}"
          f"{seconds:>9.1f}")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no picture of the loss curves.")
else:
    figure, ax = plt.subplots(figsize=(8, 5))
    for i, (name, losses) in enumerate(curves.items()):  # 10 colours: dashes after them
        ax.plot(range(1, EPOCHS + 1), losses, label=name, linestyle="-" if i < 10 else "--")
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log",
           title="The same MLP, each optimizer at its defaults")
    ax.legend(fontsize=8, ncol=2)
    path = os.path.join(OUTPUT, "optimizer_comparison.png")
    figure.savefig(path, dpi=100)
    print(f"Saved the loss curves to {path}")
