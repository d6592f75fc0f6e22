'''Counting parameters: a dense network and a convolutional network on the same 28x28
grey-scale images, layer by layer. A Dense layer has inputs x units weights plus one bias
per unit; a Conv2D layer has kernel_height x kernel_width x input_channels x filters
weights plus one bias per filter, however large the image: why convolutions need far fewer
parameters.

Run: `python -m minikeras examples/count_params.py` (no training, under a second).
'''
import keras
from keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from keras.models import Sequential

dense = Sequential([
    Input(shape=(28, 28, 1)),
    Flatten(),                                # 784 values
    Dense(128, activation='relu'),            # 784 * 128 + 128
    Dense(64, activation='relu'),             # 128 * 64 + 64
    Dense(10, activation='softmax'),          # 64 * 10 + 10
], name='dense_network')

conv = Sequential([
    Input(shape=(28, 28, 1)),
    Conv2D(32, (3, 3), activation='relu'),    # 3 * 3 * 1 * 32 + 32, output 26x26x32
    MaxPooling2D((2, 2)),                     # no parameters, output 13x13x32
    Conv2D(64, (3, 3), activation='relu'),    # 3 * 3 * 32 * 64 + 64, output 11x11x64
    MaxPooling2D((2, 2)),                     # output 5x5x64
    Flatten(),                                # 1600 values
    Dense(10, activation='softmax'),          # 1600 * 10 + 10
], name='conv_network')

for model in (dense, conv):
    model.summary()
    for layer in model.layers:
        print('%-16s %-22s %8d parameters'
              % (layer.name, str(layer.output.shape), layer.count_params()))
    print('%s: %d parameters in total' % (model.name, model.count_params()))
    print()

print('The dense network has %.1f times as many parameters as the convolutional one.'
      % (dense.count_params() / conv.count_params()))
