'''A denoising autoencoder on MNIST with Dense layers: digits with Gaussian noise go in, the
clean digits are the target. The 784 pixels are squeezed through 32 numbers, so the network
must learn what digits look like, and it drops the noise.

Run: `python -m minikeras examples/denoising_autoencoder.py` (20 epochs on 60 000 images,
about 1.5 minutes: the denoised test digits end at a mean squared error of 0.021 from the
clean ones, the noisy inputs being at 0.116).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.datasets import mnist
from keras.layers import Dense, Input
from keras.models import Model

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 20))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 60000))

keras.utils.set_random_seed(0)

(x_train, _), (x_test, _) = mnist.load_data()
x_train = x_train[:samples].reshape(-1, 784).astype('float32') / 255.
x_test = x_test[:2000].reshape(-1, 784).astype('float32') / 255.

# Add noise, keeping the pixels in [0, 1].
noise_factor = 0.5
rng = np.random.default_rng(0)
x_train_noisy = np.clip(x_train + noise_factor * rng.normal(size=x_train.shape), 0., 1.)
x_test_noisy = np.clip(x_test + noise_factor * rng.normal(size=x_test.shape), 0., 1.)

inputs = Input(shape=(784,))
encoded = Dense(128, activation='relu')(inputs)
encoded = Dense(32, activation='relu')(encoded)        # the code: 32 numbers per image
decoded = Dense(128, activation='relu')(encoded)
decoded = Dense(784, activation='sigmoid')(decoded)    # pixels in [0, 1]
autoencoder = Model(inputs, decoded)
autoencoder.compile(optimizer='adam', loss='binary_crossentropy')
autoencoder.summary()

autoencoder.fit(x_train_noisy, x_train, epochs=epochs, batch_size=256, shuffle=True,
                validation_data=(x_test_noisy, x_test), verbose=2)

denoised = autoencoder.predict(x_test_noisy, verbose=0)
print('Mean squared error against the clean test digits: noisy input %.4f, denoised %.4f'
      % (np.mean((x_test_noisy - x_test) ** 2), np.mean((denoised - x_test) ** 2)))

# A text picture of the first test digit: noisy, then denoised ('#' dark, '+' grey).
def text_image(pixels):
    return [''.join(' +#'[int(v > 0.25) + int(v > 0.6)] for v in row)
            for row in pixels.reshape(28, 28)[4:24, 4:24]]

for noisy_row, clean_row in zip(text_image(x_test_noisy[0]), text_image(denoised[0])):
    print(noisy_row, ' | ', clean_row)
