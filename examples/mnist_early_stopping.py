"""The course's early-stopping MLP: a 512-256-128-64-10 network on MNIST that stops training
once the validation loss has not improved for 3 epochs, and keeps the best epoch's weights.

Run: `python -m minikeras examples/mnist_early_stopping.py` (stops after 10 of its 50 epochs,
restoring epoch 7: about 97.9 % test accuracy).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
"""

import os

import numpy as np

import keras
from keras.callbacks import EarlyStopping
from keras.datasets import mnist
from keras.layers import Dense, Input
from keras.models import Sequential
from keras.utils import to_categorical

EPOCHS = int(os.environ.get("MINIKERAS_EXAMPLE_EPOCHS", 50))
SAMPLES = int(os.environ.get("MINIKERAS_EXAMPLE_SAMPLES", 60000))

keras.utils.set_random_seed(0)

(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train = X_train[:SAMPLES].reshape(-1, 784).astype("float32") / 255
X_test = X_test.reshape(-1, 784).astype("float32") / 255
y_train, y_test = to_categorical(y_train[:SAMPLES], 10), to_categorical(y_test, 10)

model = Sequential([
    Input((784,)),
    Dense(512, activation="relu"),
    Dense(256, activation="relu"),
    Dense(128, activation="relu"),
    Dense(64, activation="relu"),
    Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

# Stop when val_loss has not improved for 3 epochs; put back the weights of the best epoch
# (Keras 3 does so even when training runs to the last epoch without stopping).
early_stopping = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True,
                               verbose=1)
history = model.fit(X_train, y_train, epochs=EPOCHS, batch_size=128, validation_split=0.2,
                    callbacks=[early_stopping], verbose=2)

epochs_run = len(history.history["loss"])
best = int(np.argmin(history.history["val_loss"]))
print(f"Trained {epochs_run} of {EPOCHS} epochs; best val_loss "
      f"{history.history['val_loss'][best]:.4f} at epoch {best + 1}")
loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
