'''Vanishing gradients, seen layer by layer: the same deep MLP (8 hidden Dense layers of 32
units) trained three ways on the bundled 8x8 digits, with a `GradientMonitor` recording
each layer's gradient norm and weight-update ratio every epoch.

- sigmoid with Glorot initialization: each sigmoid multiplies the gradient by at most 0.25 on
  its way back, so the first layer's gradient is tens of thousands of times smaller than the
  last layer's; the first layers barely move and the network does not learn;
- relu with He initialization: the gradient keeps its size through the layers;
- sigmoid with BatchNormalization before each activation: back in the sigmoid's steep middle,
  the gradient keeps its size too.

Run: `python -m minikeras examples/vanishing_gradients.py` (a few seconds; writes
`gradient_norms.png` with matplotlib installed). `GradientMonitor` and `plot_gradient_norms`
are minikeras names, not Keras ones. Set `MINIKERAS_EXAMPLE_EPOCHS` to train for fewer epochs
and `MINIKERAS_EXAMPLE_OUTPUT` to write the picture into another folder (the tests do).
'''
import os

import keras
from keras.callbacks import GradientMonitor, plot_gradient_norms
from keras.layers import Activation, BatchNormalization, Dense, Input
from keras.models import Sequential
from keras.optimizers import SGD

epochs = int(os.environ.get('MINIKERAS_EXAMPLE_EPOCHS', 10))
output = os.environ.get('MINIKERAS_EXAMPLE_OUTPUT', '.')

(x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
x_train = x_train.reshape(-1, 64) / 16.0
x_test = x_test.reshape(-1, 64) / 16.0


def deep_mlp(activation, initializer, batch_norm=False):
    model = Sequential([Input(shape=(64,))])
    for _ in range(8):
        if batch_norm:  # Dense -> BatchNormalization -> activation
            model.add(Dense(32, kernel_initializer=initializer))
            model.add(BatchNormalization())
            model.add(Activation(activation))
        else:
            model.add(Dense(32, activation=activation, kernel_initializer=initializer))
    model.add(Dense(10, activation='softmax'))
    # Plain SGD: each weight moves by learning rate x gradient, so a vanishing gradient is a
    # layer that does not learn (Adam would rescale each weight's steps and hide it).
    model.compile(optimizer=SGD(learning_rate=0.05), loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    return model


histories = {}
for name, activation, initializer, batch_norm in [
        ('sigmoid', 'sigmoid', 'glorot_uniform', False),
        ('relu + He', 'relu', 'he_normal', False),
        ('sigmoid + BatchNorm', 'sigmoid', 'glorot_uniform', True)]:
    keras.utils.set_random_seed(0)
    model = deep_mlp(activation, initializer, batch_norm)
    # The gradients are computed on 500 training images at the end of every epoch.
    monitor = GradientMonitor(x_train[:500], y_train[:500])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0,
                        callbacks=[monitor])
    histories[name] = history
    dense = [layer.name for layer in model.layers if isinstance(layer, Dense)]
    first, last = dense[0], dense[-1]

    print('%s: test accuracy %.4f' % (name, model.evaluate(x_test, y_test, verbose=0)[1]))
    print('  %-10s %16s %16s %18s' % ('layer', 'grad norm (init)', 'grad norm (end)',
                                      'update ratio (ep 1)'))
    for layer in dense:
        print('  %-10s %16.2e %16.2e %18.2e'
              % (layer, monitor.initial_grad_norms[layer],
                 history.history['grad_norm/' + layer][-1],
                 history.history['update_ratio/' + layer][0]))
    print('  last / first layer gradient norm: %.3g before training, %.3g after epoch %d'
          % (monitor.initial_grad_norms[last] / monitor.initial_grad_norms[first],
             history.history['grad_norm/' + last][-1] / history.history['grad_norm/' + first][-1],
             epochs))
    print()

try:
    path = os.path.join(output, 'gradient_norms.png')
    plot_gradient_norms(histories['sigmoid'], path=path)
    print('Saved the sigmoid network\'s gradient norms per layer and epoch to', path)
except ImportError as error:  # matplotlib is optional
    print(error)
