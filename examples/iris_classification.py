'''Classifies iris flowers (3 species from 4 measurements) with a small MLP: the first
multi-class example of the course, with one-hot labels from `to_categorical` and a
confusion table of the test predictions.

Run: `python -m minikeras examples/iris_classification.py` (a second: test accuracy 0.967,
one virginica of 30 flowers taken for a versicolor). The iris data ship with minikeras, so
nothing is downloaded: `keras.datasets.iris` is a minikeras name (real Keras has no iris;
scikit-learn's `load_iris` gives the same 150 rows).
Set `MINIKERAS_EXAMPLE_EPOCHS` to train for fewer epochs (the tests do).
'''
import os

import numpy as np
import keras
from keras.layers import Dense, Input
from keras.models import Sequential
from keras.utils import to_categorical

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 100))

keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = keras.datasets.iris.load_data()
class_names = ['setosa', 'versicolor', 'virginica']
print('%d training and %d test flowers' % (len(x_train), len(x_test)))

# Standardize each measurement with the training set's mean and spread.
mean, std = x_train.mean(axis=0), x_train.std(axis=0)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

# Labels 0, 1, 2 become one-hot rows: 2 -> [0, 0, 1].
Y_train = to_categorical(y_train, 3)
Y_test = to_categorical(y_test, 3)
print('y_train[:3] =', y_train[:3], '-> one-hot', Y_train[:3].tolist())

model = Sequential([
    Input(shape=(4,)),
    Dense(16, activation='relu'),
    Dense(3, activation='softmax'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, Y_train, epochs=epochs, batch_size=8, verbose=0)

loss, accuracy = model.evaluate(x_test, Y_test, verbose=0)
print('Test loss: %.4f - test accuracy: %.4f' % (loss, accuracy))

predicted = np.argmax(model.predict(x_test, verbose=0), axis=1)
matrix = keras.utils.confusion_matrix(y_test, predicted, labels=[0, 1, 2])
print('Confusion table (rows: true species 0 %s, 1 %s, 2 %s; columns: predicted):'
      % tuple(class_names))
print(matrix)
print('Misclassified test flowers: %d of %d' % (np.sum(predicted != y_test), len(y_test)))
