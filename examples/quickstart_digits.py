"""Quick start with no network: an MLP learns the handwritten digits bundled with minikeras.

Run: `python -m minikeras examples/quickstart_digits.py` (a few seconds, about 97 % test
accuracy). The script is written for Keras; `python -m minikeras` runs it on minikeras, and
`keras.datasets.digits` is the one name real Keras lacks: the 1,797 8x8 digits of the UCI
optical-recognition set ship inside minikeras (CC BY 4.0), so nothing is downloaded.
"""

import numpy as np

import keras
from keras import layers

keras.utils.set_random_seed(0)  # the same weights, shuffling and result on every run

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
print(f"{len(x_train)} training and {len(x_test)} test images of shape {x_train.shape[1:]}")
x_train = x_train.reshape(-1, 64) / 16.0  # pixels are counts 0..16
x_test = x_test.reshape(-1, 64) / 16.0

model = keras.Sequential([
    keras.Input(shape=(64,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=30, batch_size=32, validation_split=0.1, verbose=2)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
predicted = np.argmax(model.predict(x_test[:10], verbose=0), axis=1)
print(f"first 10 test digits: {y_test[:10]}, predicted: {predicted}")
