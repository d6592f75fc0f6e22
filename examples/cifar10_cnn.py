'''A CNN on CIFAR-10 (32x32 colour photos of 10 classes: planes, cars, birds, cats...): two
blocks of two Conv2D layers with BatchNormalization, MaxPooling2D and Dropout, then a Dense
classifier.

Run: `python -m minikeras examples/cifar10_cnn.py` (10 epochs on 50 000 images: long on a
CPU, an epoch of 3000 images takes about 30 s on 2 cores). The data are downloaded once
into the Keras cache (`~/.keras/datasets/`).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.datasets import cifar10
from keras.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten, Input,
                          MaxPooling2D)
from keras.models import Sequential
from keras.utils import to_categorical

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 10))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 50000))

class_names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse',
               'ship', 'truck']

keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = cifar10.load_data()
x_train, y_train = x_train[:samples], y_train[:samples]
print('x_train shape:', x_train.shape, '- y_train shape:', y_train.shape)  # labels (n, 1)
x_train = x_train.astype('float32') / 255
x_test = x_test.astype('float32') / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)

# BatchNormalization's momentum 0.9 (Keras's default is 0.99): the moving averages used at
# test time catch up within a few dozen steps, so a short run evaluates well too.
model = Sequential([
    Input(shape=(32, 32, 3)),
    Conv2D(32, (3, 3), padding='same', activation='relu'),
    BatchNormalization(momentum=0.9),
    Conv2D(32, (3, 3), padding='same', activation='relu'),
    MaxPooling2D((2, 2)),
    Dropout(0.25),
    Conv2D(64, (3, 3), padding='same', activation='relu'),
    BatchNormalization(momentum=0.9),
    Conv2D(64, (3, 3), padding='same', activation='relu'),
    MaxPooling2D((2, 2)),
    Dropout(0.25),
    Flatten(),
    Dense(256, activation='relu'),
    Dropout(0.5),
    Dense(10, activation='softmax'),
])
model.summary()
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, batch_size=64, epochs=epochs, validation_split=0.1, verbose=2)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print('Test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))
predicted = np.argmax(model.predict(x_test[:8], verbose=0), axis=1)
print('First 8 test images:', [class_names[i] for i in np.argmax(y_test[:8], axis=1)])
print('Predicted:          ', [class_names[i] for i in predicted])
