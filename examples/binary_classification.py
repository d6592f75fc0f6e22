'''Binary classification: two interleaved half-moons of points, separated by an MLP with one
sigmoid output, the loss given by its class name (`loss='BinaryCrossentropy'`) and
precision logged next to accuracy.

Run: `python -m minikeras examples/binary_classification.py` (a few seconds: test accuracy
0.964, precision 0.961; a straight boundary, logistic regression, reaches about 0.87).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.layers import Dense, Input
from keras.models import Sequential

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 60))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 1000))

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


def two_moons(n, noise=0.2):
    '''n points on two interleaved half-circles (label 0: upper, 1: lower), with noise.'''
    angle = rng.uniform(0, np.pi, size=n)
    label = rng.integers(0, 2, size=n)
    x = np.where(label == 0, np.cos(angle), 1 - np.cos(angle))
    y = np.where(label == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + noise * rng.normal(size=(n, 2))
    return points.astype('float32'), label.astype('float32')


x_train, y_train = two_moons(samples)
x_test, y_test = two_moons(500)
print('%d training points, %.0f%% of class 1' % (len(x_train), 100 * y_train.mean()))

model = Sequential([
    Input(shape=(2,)),
    Dense(16, activation='relu'),
    Dense(16, activation='relu'),
    Dense(1, activation='sigmoid'),  # the probability of class 1
])
model.compile(optimizer='adam', loss='BinaryCrossentropy', metrics=['accuracy', 'precision'])
history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.2,
                    verbose=0)
print('History keys:', sorted(history.history))
print('Last epoch: accuracy %.4f, precision %.4f, val_accuracy %.4f, val_precision %.4f'
      % tuple(history.history[k][-1]
              for k in ('accuracy', 'precision', 'val_accuracy', 'val_precision')))

loss, accuracy, precision = model.evaluate(x_test, y_test, verbose=0)
print('Test loss: %.4f - test accuracy: %.4f - test precision: %.4f'
      % (loss, accuracy, precision))

# Precision by hand: of the points predicted as class 1 (probability > 0.5), the share
# that really are class 1.
predicted = (model.predict(x_test, verbose=0)[:, 0] > 0.5).astype('float32')
true_positives = np.sum((predicted == 1) & (y_test == 1))
print('Predicted class 1: %d, of which truly class 1: %d (precision %.4f)'
      % (predicted.sum(), true_positives, true_positives / predicted.sum()))
