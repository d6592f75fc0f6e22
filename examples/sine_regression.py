'''Fits y = sin(x) from noisy samples with a small MLP: regression with a mean-squared-error
loss, trained for many epochs on small batches.

Run: `python -m minikeras examples/sine_regression.py` (200 epochs of 500 points, a few
seconds: the MSE against the noise-free sine falls from 0.53 to 0.0022).
Set `MINIKERAS_EXAMPLE_EPOCHS` / `MINIKERAS_EXAMPLE_SAMPLES` to train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.layers import Dense, Input
from keras.models import Sequential

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 200))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 500))

keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

# Noisy samples of one period and a half of the sine; the noise has variance 0.01.
x = rng.uniform(-np.pi, 2 * np.pi, size=(samples, 1)).astype('float32')
y = np.sin(x) + 0.1 * rng.normal(size=x.shape).astype('float32')
x_test = np.linspace(-np.pi, 2 * np.pi, 200, dtype='float32').reshape(-1, 1)
y_test = np.sin(x_test)  # the noise-free curve

model = Sequential([
    Input(shape=(1,)),
    Dense(32, activation='tanh'),
    Dense(32, activation='tanh'),
    Dense(1),  # a linear output for a real value
])
model.compile(optimizer='adam', loss='mse', metrics=['mae'])

print('MSE against sin(x) before training: %.4f' % model.evaluate(x_test, y_test, verbose=0)[0])
history = model.fit(x, y, epochs=epochs, batch_size=16, verbose=0)
print('Training loss: epoch 1 %.4f, epoch %d %.4f (the noise alone gives 0.01)'
      % (history.history['loss'][0], epochs, history.history['loss'][-1]))
mse, mae = model.evaluate(x_test, y_test, verbose=0)
print('MSE against sin(x): %.5f - MAE: %.4f' % (mse, mae))

for x0 in (-np.pi / 2, 0.0, np.pi / 2, np.pi):
    print('x = %+.3f: sin(x) = %+.3f, model %+.3f'
          % (x0, np.sin(x0), model.predict(np.array([[x0]]), verbose=0)[0, 0]))
