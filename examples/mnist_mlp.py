"""The first model of every deep-learning course: an MLP on MNIST, written exactly as for Keras.

Run: `python -m minikeras examples/mnist_mlp.py` (10 epochs, about 97.8 % test accuracy).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
"""

import os

import numpy as np

import keras
from keras.datasets import mnist
from keras.layers import Dense, Flatten
from keras.models import Sequential
from keras.utils import to_categorical

EPOCHS = int(os.environ.get("MINIKERAS_EXAMPLE_EPOCHS", 10))
SAMPLES = int(os.environ.get("MINIKERAS_EXAMPLE_SAMPLES", 60000))

keras.utils.set_random_seed(0)  # the same weights, shuffling and result on every run

(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train, y_train = X_train[:SAMPLES], y_train[:SAMPLES]
X_train, X_test = X_train / 255.0, X_test / 255.0
y_train, y_test = to_categorical(y_train), to_categorical(y_test)

model = Sequential([
    Flatten(input_shape=(28, 28)),
    Dense(128, activation="relu"),
    Dense(10, activation="softmax"),
])
model.summary()
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=EPOCHS, validation_split=0.1)

y_pred = model.predict(X_test)
loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
print(f"Test loss: {loss:.4f} - test accuracy: {accuracy:.4f}")
print(f"Predicted classes of the first 10 test images: {np.argmax(y_pred[:10], axis=1)}")
