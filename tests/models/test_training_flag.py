"""The `training` flag inside models, with Keras's priority: the value passed to a layer's call,
else the outer call's (the call context), else the layer's default (inference).

A `Probe` layer records the flag it receives; Dropout shows its effect (zeros and doubled
values in training, the identity in inference)."""

import numpy as np
import pytest

from minikeras import Input, Model, Sequential, layers, optimizers

X = np.ones((4, 64), dtype=np.float32)


class Probe(layers.Layer):
    """The identity, recording every `training` value it is called with."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def dropped(y):
    """Whether Dropout(0.5) acted on a tensor of ones: zeros and 2s instead of ones."""
    y = np.asarray(y)
    return bool((y == 0).any() and (y == 2).any() and not (y == 1).any())


def identity_dense():
    """A trainable layer that starts as the identity (so losses below are exact)."""
    return layers.Dense(64, kernel_initializer="identity", use_bias=False)


class Explicit(Model):
    """Passes `training` on by hand, as the Keras guides write it."""

    def __init__(self):
        super().__init__()
        self.dense = identity_dense()
        self.probe = Probe()
        self.dropout = layers.Dropout(0.5)

    def call(self, x, training=None):
        return self.dropout(self.probe(self.dense(x), training=training), training=training)


class Implicit(Model):
    """Takes no `training` argument: its layers get the outer call's flag."""

    def __init__(self):
        super().__init__()
        self.dense = identity_dense()
        self.probe = Probe()
        self.dropout = layers.Dropout(0.5)

    def call(self, x):
        return self.dropout(self.probe(self.dense(x)))


@pytest.mark.parametrize("cls", [Explicit, Implicit])
def test_direct_calls(cls):
    model = cls()
    assert dropped(model(X, training=True))
    assert not dropped(model(X, training=False)) and np.array_equal(model(X), X)
    # An eager `model(x)` has no flag to give: the layers get their default (None), as in
    # Keras 3 (whose call contexts pass no value either).
    assert model.probe.seen[-3:] == [True, False, None]


@pytest.mark.parametrize("cls", [Explicit, Implicit])
def test_fit_trains_with_dropout_and_predict_evaluate_do_not(cls):
    model = cls()
    model.compile(optimizers.SGD(0.1), "mse")
    model.predict(X, verbose=0)
    model.evaluate(X, X, verbose=0)
    assert set(model.probe.seen) == {False}
    model.probe.seen.clear()
    # The loss of the identity on ones against ones is 0 unless dropout is active: with
    # half the units zeroed and the others doubled it is exactly 1.
    loss = model.train_on_batch(X, X)
    assert model.probe.seen == [True] and loss == pytest.approx(1.0)


def test_the_flag_reaches_layers_nested_two_models_deep():
    probe = Probe()
    inner = Sequential([Input((64,)), probe, layers.Dropout(0.5)])

    class Outer(Model):
        def __init__(self):
            super().__init__()
            self.block = inner

        def call(self, x):
            return self.block(x)

    model = Outer()
    assert dropped(model(X, training=True))
    assert np.array_equal(model(X), X)
    assert probe.seen[-2:] == [True, None]  # no flag given anywhere: the default, as Keras


def test_an_explicit_value_wins_over_the_outer_call_and_does_not_leak():
    """Keras's documented priority: a value passed to a layer applies to that call; its
    siblings still get the outer call's flag (Keras 3.15 lets an inner explicit value
    overwrite the context for the layers called after it; minikeras keeps them apart)."""
    first, frozen, last = Probe(), Probe(), Probe()

    class M(Model):
        def __init__(self):
            super().__init__()
            self.first, self.frozen, self.last = first, frozen, last

        def call(self, x):
            return self.last(self.frozen(self.first(x), training=False))

    M()(X, training=True)
    assert (first.seen[-1], frozen.seen[-1], last.seen[-1]) == (True, False, True)


def test_a_functional_node_called_with_training_false_stays_in_inference():
    """`base(inputs, training=False)` in a functional graph (the transfer-learning recipe)
    keeps that call in inference mode during fit, as tf.keras 2 does."""
    frozen = Probe()
    inputs = Input((64,))
    outputs = layers.Dropout(0.5)(frozen(identity_dense()(inputs), training=False))
    model = Model(inputs, outputs)
    model.compile(optimizers.SGD(0.1), "mse")
    assert model.train_on_batch(X, X) == pytest.approx(1.0)  # the Dropout after it is active
    assert set(frozen.seen) == {False}
