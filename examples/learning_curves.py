'''Learning curves: train on the bundled 8x8 digits with a validation split, then draw the
loss and the accuracy of each epoch from the History that `fit` returns, training against
validation, and save the picture.

Run: `python -m minikeras examples/learning_curves.py` (a few seconds; writes
`learning_curves.png`; needs matplotlib: `pip install "minikeras[plot]"`).
`keras.datasets.digits` and `keras.utils.plot_history` are minikeras names (what course code
writes by hand with matplotlib; the commented lines below do the same with pyplot).
Set `MINIKERAS_EXAMPLE_EPOCHS` to train for fewer epochs and `MINIKERAS_EXAMPLE_OUTPUT` to
write the picture into another folder (the tests do).
'''
import os

import keras
from keras.layers import Dense, Dropout, Input
from keras.models import Sequential

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 40))
output = os.environ.get('MINIKERAS_EXAMPLE_OUTPUT', '.')

keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.reshape(-1, 64) / 16.0
x_test = x_test.reshape(-1, 64) / 16.0

model = Sequential([
    Input(shape=(64,)),
    Dense(128, activation='relu'),
    Dropout(0.2),
    Dense(10, activation='softmax'),
])
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.25,
                    verbose=0)

h = history.history
print('Logged per epoch:', sorted(h))
for epoch in sorted({0, epochs // 4, epochs // 2, epochs - 1}):
    print('epoch %3d: loss %.4f  accuracy %.4f  val_loss %.4f  val_accuracy %.4f'
          % (epoch + 1, h['loss'][epoch], h['accuracy'][epoch], h['val_loss'][epoch],
             h['val_accuracy'][epoch]))
best = min(range(epochs), key=lambda e: h['val_loss'][e])
print('Lowest val_loss %.4f at epoch %d' % (h['val_loss'][best], best + 1))

path = os.path.join(output, 'learning_curves.png')
keras.utils.plot_history(history, path=path)  # one panel per quantity: loss, accuracy
print('Saved the learning curves to', path)
# The same by hand:
#   import matplotlib.pyplot as plt
#   plt.plot(h['loss'], label='training'); plt.plot(h['val_loss'], label='validation')
#   plt.xlabel('epoch'); plt.ylabel('loss'); plt.legend(); plt.savefig(path)

print('Test accuracy: %.4f' % model.evaluate(x_test, y_test, verbose=0)[1])
