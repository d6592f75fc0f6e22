"""`model.losses` after an eager call holds the activity-regularizer penalties of the layers
inside, as in Keras 2 and 3: `rate * sum|out| / batch` for L1, the latest call's only, in
Keras's order (the layers' added losses, then the weight penalties; checked with Keras 3)."""

import numpy as np
import pytest

import minikeras as keras

X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)
K1 = np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0]], np.float32)
B1 = np.array([0.1, -0.2], np.float32)
K2 = np.array([[1.0], [2.0]], np.float32)


def _dense(**kwargs):
    return keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(0.5), **kwargs)


def test_the_issue_case_sequential_eager_call():
    model = keras.Sequential([keras.Input((3,)),
                              _dense(activity_regularizer=keras.regularizers.L1(0.001))])
    out = np.asarray(model(X))
    assert len(model.losses) == 1
    # 0.001 * sum|out| / batch, the batch being 2
    np.testing.assert_allclose(float(model.losses[0]), 0.001 * np.abs(out).sum() / 2, rtol=1e-6)


def _nested():
    d1 = keras.layers.Dense(2, activity_regularizer=keras.regularizers.L1(0.001),
                            kernel_regularizer=keras.regularizers.L2(0.1))
    d2 = keras.layers.Dense(1, activity_regularizer=keras.regularizers.L2(0.01))
    inner = keras.Sequential([keras.Input((3,)), d1])
    model = keras.Sequential([keras.Input((3,)), inner, d2])
    d1.set_weights([K1, B1])
    d2.set_weights([K2, np.zeros(1, np.float32)])
    return model, inner, d1


def test_nested_models_in_kerass_order_with_hand_values():
    model, inner, d1 = _nested()
    model(X)
    h = X.astype(np.float64) @ K1 + B1
    o = h @ K2
    act1, act2 = 0.001 * np.abs(h).sum() / 2, 0.01 * (o ** 2).sum() / 2
    kernel = 0.1 * (K1.astype(np.float64) ** 2).sum()
    # Keras 3 gives [0.0052, 0.88465, 0.725]: both layers' added losses, then the weights'.
    np.testing.assert_allclose([float(v) for v in model.losses], [act1, act2, kernel],
                               rtol=1e-6)
    np.testing.assert_allclose([float(v) for v in inner.losses], [act1, kernel], rtol=1e-6)
    np.testing.assert_allclose([float(v) for v in d1.losses], [act1, kernel], rtol=1e-6)


def test_losses_are_the_latest_calls_not_a_pile():
    model, _, _ = _nested()
    model(X)
    model(3 * X)
    assert len(model.losses) == 3  # not 5: each outermost call starts afresh, as in Keras
    h = 3 * X.astype(np.float64) @ K1 + B1
    np.testing.assert_allclose(float(model.losses[0]), 0.001 * np.abs(h).sum() / 2, rtol=1e-6)


def test_functional_and_subclassed_models():
    inputs = keras.Input((3,))
    dense = _dense(activity_regularizer=keras.regularizers.L1(0.01))
    functional = keras.Model(inputs, dense(inputs))
    out = np.asarray(functional(X))
    np.testing.assert_allclose([float(v) for v in functional.losses],
                               [0.01 * np.abs(out).sum() / 2], rtol=1e-6)

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = _dense(activity_regularizer=keras.regularizers.L2(0.5))

        def call(self, x):
            return self.hidden(x)

    net = Net()
    out = np.asarray(net(X))
    np.testing.assert_allclose([float(v) for v in net.losses],
                               [0.5 * (out.astype(np.float64) ** 2).sum() / 2], rtol=1e-6)


def test_training_is_unchanged_by_eager_losses():
    # An eager call before fit leaves nothing that fit would add again: the first epoch's loss
    # is the same with and without it.
    def first_loss(call_first):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)),
                                  _dense(activity_regularizer=keras.regularizers.L1(0.01))])
        model.compile("sgd", "mse")
        if call_first:
            model(X)
        return model.fit(X, np.ones((2, 2)), epochs=1, verbose=0).history["loss"][0]

    assert first_loss(True) == pytest.approx(first_loss(False), rel=1e-7)
