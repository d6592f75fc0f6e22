"""A convolutional autoencoder on MNIST, as in the Keras examples ("Convolutional autoencoder
for image denoising", without the noise): Conv2D + MaxPooling2D encoder, Conv2DTranspose
decoder, trained to reproduce its input with binary cross-entropy.

Run: `python -m minikeras examples/conv_autoencoder.py` (10 epochs on 60 000 images).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
"""

import os

import numpy as np
import keras
from keras import layers
from keras.datasets import mnist

epochs = int(os.environ.get("MINIKERAS_EXAMPLE_EPOCHS", 10))
samples = int(os.environ.get("MINIKERAS_EXAMPLE_SAMPLES", 60000))

(train_data, _), (test_data, _) = mnist.load_data()
train_data = train_data[:samples].astype("float32")[..., None] / 255.0
test_data = test_data[:2000].astype("float32")[..., None] / 255.0

keras.utils.set_random_seed(0)
inputs = layers.Input(shape=(28, 28, 1))
# Encoder
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(inputs)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
# Decoder
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

autoencoder = keras.Model(inputs, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.summary()

untrained = autoencoder.evaluate(test_data, test_data, verbose=0)
autoencoder.fit(train_data, train_data, epochs=epochs, batch_size=128, shuffle=True,
                validation_data=(test_data, test_data))
reconstructed = autoencoder.predict(test_data, verbose=0)
print(f"Test loss: untrained {untrained:.4f}, trained "
      f"{autoencoder.evaluate(test_data, test_data, verbose=0):.4f}")
print(f"Mean absolute reconstruction error: {np.abs(reconstructed - test_data).mean():.4f}")
