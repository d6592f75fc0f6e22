"""A model with no trainable weights trains as in Keras 3: `fit` runs and reports the loss,
nothing is updated (not even the optimizer's `iterations`)."""

import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras.layers import Dense, Input, Lambda
from minikeras.models import Sequential

X = np.ones((8, 2), "float32")
Y = np.zeros((8, 1), "float32")


def test_frozen_model_fit_reports_the_loss_and_changes_nothing():
    # Keras 3.15 (JAX) gives {'loss': [4.0, 4.0], 'mae': [2.0, 2.0]}, iterations 0, no warning:
    # the prediction is x @ ones = 2 for every sample, so mse 4 and mae 2.
    model = Sequential([Input((2,)), Dense(1, kernel_initializer="ones")])
    model.layers[0].trainable = False
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    before = model.get_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    assert history.history == {"loss": [4.0, 4.0], "mae": [2.0, 2.0]}
    assert int(model.optimizer.iterations) == 0
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    assert model.train_on_batch(X, Y) == [4.0, 2.0]
    assert int(model.optimizer.iterations) == 0


def test_model_without_weights_trains_on_batch():
    model = Sequential([Input((2,)), Lambda(lambda t: t * 2.0)])
    model.compile(optimizer="sgd", loss="mse")
    assert model.fit(X, np.zeros((8, 2)), verbose=0).history == {"loss": [4.0]}
    assert model.train_on_batch(X, np.zeros((8, 2))) == 4.0


def test_stateless_apply_still_requires_build():
    optimizer = keras.optimizers.SGD()
    with pytest.raises(ValueError, match="must be built"):
        optimizer.stateless_apply([], [], [])
    optimizer.build([])
    assert optimizer.stateless_apply([np.array(0), np.array(0.01, "float32")], [], []) \
        == ([], [0, np.float32(0.01)])
