'''Predicts the next value of a sine wave with an LSTM: the recurrent-network scenario of the
course, written for Keras.

Run unchanged with: `python -m minikeras examples/lstm_sine.py` (20 epochs; the test MSE falls
from 0.575 to about 0.003, the noise's own variance being 0.0025). The only additions to the
course script are the environment variables `MINIKERAS_EXAMPLE_EPOCHS` and
`MINIKERAS_EXAMPLE_SAMPLES`, which train on less (the tests do).
'''
import os

import numpy as np
import keras
from keras.models import Sequential
from keras.layers import LSTM, Dense

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 20))
samples = int(os.environ.get('MINIKERAS_EXAMPLE_SAMPLES', 2000))
window = 40  # the model sees 40 values and predicts the next one

keras.utils.set_random_seed(0)

# A sine wave sampled every 0.1, with a little noise, cut into sliding windows.
t = np.arange(0, (samples + window + 1) * 0.1, 0.1)[:samples + window + 1]
wave = np.sin(t) + 0.05 * np.random.default_rng(0).normal(size=t.shape)
X = np.array([wave[i:i + window] for i in range(samples)], dtype='float32')
y = np.array([wave[i + window] for i in range(samples)], dtype='float32')
X = X.reshape((samples, window, 1))  # (samples, time steps, features)

split = int(0.8 * samples)  # the last fifth of the wave is the test set
X_train, X_test, y_train, y_test = X[:split], X[split:], y[:split], y[split:]

model = Sequential()
model.add(LSTM(32, input_shape=(window, 1)))
model.add(Dense(1))
model.compile(optimizer='adam', loss='mse')
model.summary()

print('Test MSE before training: %.4f' % model.evaluate(X_test, y_test, verbose=0))
history = model.fit(X_train, y_train, epochs=epochs, batch_size=32,
                    validation_data=(X_test, y_test), verbose=2)
mse = model.evaluate(X_test, y_test, verbose=0)
print('Test MSE: %.6f' % mse)

# Predict the next 20 values from the last test window, feeding each prediction back in.
window_values = list(X_test[-1, :, 0])
future = []
for _ in range(20):
    next_value = model.predict(np.array(window_values[-window:]).reshape(1, window, 1),
                               verbose=0)[0, 0]
    future.append(next_value)
    window_values.append(next_value)
print('Next 5 predicted values:', np.round(future[:5], 3))
