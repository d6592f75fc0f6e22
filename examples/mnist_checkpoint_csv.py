"""Checkpoints and a training log, as course code writes them: keep the best model (by
validation accuracy), the weights of every epoch under a name made from its metrics, a CSV of
every epoch's logs, and a learning rate halved when the validation loss stalls. Then reload
the best model and evaluate it.

Run: `python -m minikeras examples/mnist_checkpoint_csv.py` (writes into `mnist_checkpoints/`; 10 epochs, the
learning rate halved after epoch 8, the best model about 98.1 % accurate on the test set).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less and
`MINIKERAS_EXAMPLE_OUTPUT` to write elsewhere (the tests do).
"""

import csv
import os

import keras
from keras.callbacks import CSVLogger, ModelCheckpoint, ReduceLROnPlateau
from keras.datasets import mnist
from keras.layers import Dense, Dropout, Flatten, Input
from keras.models import Sequential, load_model

EPOCHS = int(os.environ.get("MINIKERAS_EXAMPLE_EPOCHS", 10))
SAMPLES = int(os.environ.get("MINIKERAS_EXAMPLE_SAMPLES", 60000))
OUTPUT = os.environ.get("MINIKERAS_EXAMPLE_OUTPUT", "mnist_checkpoints")

keras.utils.set_random_seed(0)

(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train, y_train = X_train[:SAMPLES] / 255.0, y_train[:SAMPLES]
X_test = X_test / 255.0

model = Sequential([
    Input((28, 28)),
    Flatten(),
    Dense(128, activation="relu"),
    Dropout(0.2),
    Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

best_path = os.path.join(OUTPUT, "best.keras")
callbacks = [
    # The whole model (architecture, weights, optimizer state) whenever val_accuracy improves.
    ModelCheckpoint(best_path, monitor="val_accuracy", save_best_only=True, verbose=1),
    # The weights of every epoch, named from the epoch and its validation loss.
    ModelCheckpoint(os.path.join(OUTPUT, "weights.{epoch:02d}-{val_loss:.2f}.weights.h5"),
                    save_weights_only=True),
    ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, verbose=1),
    CSVLogger(os.path.join(OUTPUT, "training.csv")),
]
model.fit(X_train, y_train, epochs=EPOCHS, batch_size=32, validation_split=0.1,
          callbacks=callbacks, verbose=2)

with open(os.path.join(OUTPUT, "training.csv")) as f:
    rows = list(csv.DictReader(f))
print(f"training.csv columns: {list(rows[0])}")
for row in rows:
    print(f"epoch {int(row['epoch']) + 1}: val_accuracy {float(row['val_accuracy']):.4f}, "
          f"learning_rate {float(row['learning_rate']):.6f}")
print(f"weights files: {sorted(f for f in os.listdir(OUTPUT) if f.endswith('.weights.h5'))}")

best = load_model(best_path)
loss, accuracy = best.evaluate(X_test, y_test, verbose=0)
print(f"Best model: test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
