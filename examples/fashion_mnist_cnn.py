'''A CNN on Fashion-MNIST (28x28 grey pictures of 10 kinds of clothing): two blocks of
Conv2D + BatchNormalization + MaxPooling2D, then Dropout and Dense layers.

Run: `python -m minikeras examples/fashion_mnist_cnn.py` (5 epochs on 60 000 images; an epoch
of 6000 images takes about 10 s on a 2-core CPU). The
data are downloaded once into the Keras cache (`~/.keras/datasets/fashion-mnist/`).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.datasets import fashion_mnist
from keras.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten, Input,
                          MaxPooling2D)
from keras.models import Sequential

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 5))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 60000))

class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
               'Sneaker', 'Bag', 'Ankle boot']

keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train, y_train = x_train[:samples], y_train[:samples]
# Pixels to [0, 1], and a channel axis: (n, 28, 28) -> (n, 28, 28, 1).
x_train = x_train.reshape(-1, 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype('float32') / 255
print('x_train shape:', x_train.shape, '-', len(x_test), 'test images')

# BatchNormalization normalizes with each batch's statistics while training and with their
# moving averages at test time; momentum 0.9 (Keras's default is 0.99) lets the averages catch
# up within a few dozen steps, so even a short run evaluates well.
model = Sequential([
    Input(shape=(28, 28, 1)),
    Conv2D(32, (3, 3), padding='same', activation='relu'),
    BatchNormalization(momentum=0.9),
    MaxPooling2D((2, 2)),
    Conv2D(64, (3, 3), padding='same', activation='relu'),
    BatchNormalization(momentum=0.9),
    MaxPooling2D((2, 2)),
    Dropout(0.25),
    Flatten(),
    Dense(128, activation='relu'),
    Dropout(0.5),
    Dense(10, activation='softmax'),
])
model.summary()
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.1, verbose=2)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print('Test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))

predicted = np.argmax(model.predict(x_test, verbose=0), axis=1)
for i in range(10):
    of_class = y_test == i
    print('%-12s %5.1f%% of %d right' % (class_names[i], 100 * np.mean(predicted[of_class] == i),
                                         of_class.sum()))
