"""A Keras 2 course MLP (Keras 2 module paths, `lr=`, `decay=`, `nb_epoch`, `predict_classes`).

Run unchanged with: `python -m minikeras examples/course_code/keras2_mnist_mlp.py`.
"""
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers.core import Dense, Dropout, Activation
from keras.optimizers import RMSprop, SGD
from keras.utils import np_utils
from keras import backend as K
(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train = X_train.reshape(60000, 784)[:3000].astype('float32') / 255
y_train = y_train[:3000]
Y_train = np_utils.to_categorical(y_train, 10)
model = Sequential()
model.add(Dense(512, input_shape=(784,)))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(10))
model.add(Activation('softmax'))
model.summary()
model.compile(loss='categorical_crossentropy', optimizer=RMSprop(lr=0.001, decay=1e-6), metrics=['acc'])
history = model.fit(X_train, Y_train, batch_size=128, nb_epoch=2, verbose=1, validation_split=0.1)
print(history.history.keys())
score = model.evaluate(X_train, Y_train, verbose=0)
print('Test score:', score[0]); print('Test accuracy:', score[1])
print(model.predict_classes(X_train[:5]))
print(K.get_value(model.optimizer.lr))
