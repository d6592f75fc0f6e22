"""Shared layers (one set of weights, gradients summed over their calls) and models used as
layers inside other models (their weights are the outer model's, trained in place)."""

import numpy as np

from minikeras import Input, Model, Sequential, layers, optimizers
from tests.models.functional_models import nested, two_in_two_out

RNG = np.random.default_rng(3)
XA = RNG.normal(size=(6, 4)).astype(np.float32)
XB = RNG.normal(size=(6, 4)).astype(np.float32)
Y1 = RNG.normal(size=(6, 3)).astype(np.float32)
Y2 = RNG.normal(size=(6, 3)).astype(np.float32)


def test_a_shared_layer_has_one_set_of_weights():
    model = two_in_two_out()
    shared = model.get_layer("shared")
    assert len(shared._inbound_nodes) == 2
    assert [w.path for w in model.weights].count("shared/kernel") == 1
    assert model.count_params() == 4 * 5 + 5 + 5 * 4 + 4 + 5 * 3 + 3 + 4 * 1 + 1


def test_a_shared_layer_gradient_is_the_sum_over_its_calls():
    """One SGD step on a Dense shared by two inputs, checked against the gradient written out
    by hand: each call's mean-squared-error gradient, added."""
    a, b = Input((4,), name="a"), Input((4,), name="b")
    shared = layers.Dense(3, name="shared")
    model = Model([a, b], [shared(a), shared(b)])
    kernel, bias = (RNG.normal(size=(4, 3)).astype(np.float32),
                    RNG.normal(size=(3,)).astype(np.float32))
    model.set_weights([kernel, bias])
    model.compile(optimizers.SGD(0.1), ["mse", "mse"])
    model.train_on_batch([XA, XB], [Y1, Y2])

    k, b64 = kernel.astype(np.float64), bias.astype(np.float64)
    grad_k = np.zeros_like(k)
    grad_b = np.zeros_like(b64)
    for x, y in ((XA, Y1), (XB, Y2)):  # d/dW mean((xW + b - y)^2) = 2 x^T (xW + b - y) / size
        residual = x @ k + b64 - y
        grad_k += 2 * x.T @ residual / residual.size
        grad_b += 2 * residual.sum(axis=0) / residual.size
    np.testing.assert_allclose(model.get_layer("shared").kernel.numpy(), k - 0.1 * grad_k,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_layer("shared").bias.numpy(), b64 - 0.1 * grad_b,
                               rtol=1e-5, atol=1e-6)


def test_a_nested_model_is_trained_in_place_and_still_works_alone():
    model = nested()
    encoder = model.get_layer("encoder")
    before = encoder.get_weights()
    model.compile(optimizers.SGD(0.1), {"head": "categorical_crossentropy", "out2": "mse"})
    y1 = np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2]]
    model.fit([XA, XB], [y1, Y2[:, :1]], epochs=2, verbose=0)
    after = encoder.get_weights()
    assert not np.allclose(before[0], after[0])
    # The outer model's weights are the encoder's own Variables.
    assert model.weights[0] is encoder.weights[0]
    dense = encoder.get_layer("enc_dense")
    expected = np.maximum(XA @ dense.kernel.numpy() + dense.bias.numpy(), 0)
    np.testing.assert_allclose(encoder.predict(XA, verbose=0), expected, rtol=1e-6, atol=1e-6)


def test_a_model_used_twice_in_a_sequential_stack_trains():
    block = Sequential([Input((4,)), layers.Dense(4, activation="tanh")], name="block")
    inputs = Input((4,))
    outputs = layers.Dense(1)(block(block(inputs)))
    model = Model(inputs, outputs)
    assert len(model.weights) == 4  # block's kernel and bias once, then the head's
    model.compile(optimizers.SGD(0.05), "mse")
    target = XA[:, :1] * 0.5
    first = model.evaluate(XA, target, verbose=0)
    model.fit(XA, target, epochs=30, verbose=0)
    assert model.evaluate(XA, target, verbose=0) < 0.5 * first
