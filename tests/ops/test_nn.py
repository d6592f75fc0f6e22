"""Gradient checks of the hand-written VJPs against central differences."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras.ops import nn
from tests.conftest import central_difference_grad


def check(f, *args, argnum=0, seed=0):
    """autograd's gradient of sum(w * f(args)) equals the central-difference one (w drawn with
    its own seeded generator, so the check does not depend on which tests ran before)."""
    w = np.random.default_rng(seed).normal(size=np.shape(f(*args)))

    def scalar(*a):
        return anp.sum(w * f(*a))

    auto = grad(scalar, argnum)(*args)

    def numeric(x):
        a = list(args)
        a[argnum] = x
        return scalar(*a)

    np.testing.assert_allclose(auto, central_difference_grad(numeric, args[argnum]), rtol=1e-5,
                               atol=1e-7)


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_dense_gradients(argnum):
    rng = np.random.default_rng(10)
    x, k, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    check(nn.dense, x, k, b, argnum=argnum)


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_dense_gradients_on_3d_input(argnum):
    rng = np.random.default_rng(11)
    x, k, b = rng.normal(size=(2, 4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    check(nn.dense, x, k, b, argnum=argnum)


def test_dense_without_bias():
    rng = np.random.default_rng(12)
    x, k = rng.normal(size=(4, 5)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(nn.dense(x, k), x @ k)
    check(lambda k: nn.dense(x, k), k)


def test_relu_value_and_gradient_away_from_zero():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 1e-3] = 0.5
    np.testing.assert_array_equal(nn.relu(x), np.maximum(x, 0))
    check(nn.relu, x)


def test_relu_gradient_at_zero_is_zero():
    assert grad(lambda x: anp.sum(nn.relu(x)))(np.zeros(3)).tolist() == [0, 0, 0]


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_and_log_softmax(axis):
    rng = np.random.default_rng(14)
    x = rng.normal(size=(4, 5)) * 3
    p = nn.softmax(x, axis=axis)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0)
    np.testing.assert_allclose(nn.log_softmax(x, axis=axis), np.log(p), rtol=1e-10)
    check(lambda x: nn.softmax(x, axis=axis), x)
    check(lambda x: nn.log_softmax(x, axis=axis), x)


def test_softmax_does_not_overflow():
    p = nn.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])


def _reference_xent(z, y, eps=1e-7):
    """Keras's cross-entropy on probabilities: rescale, clip, log (differentiated by autograd)."""
    p = nn.softmax(z)
    p = anp.clip(p / anp.sum(p, axis=-1, keepdims=True), eps, 1 - eps)
    return -anp.sum(y * anp.log(p), axis=-1)


def test_softmax_cross_entropy_matches_keras_formula_value_and_gradient():
    rng = np.random.default_rng(15)
    z = rng.normal(size=(6, 4)) * 2
    z[0, 0] = -40.0  # a clipped probability: Keras's clip gives it zero gradient
    y = np.eye(4)[[0, 1, 2, 3, 0, 1]]
    y[5] = [0.1, 0.6, 0.2, 0.1]  # soft labels
    np.testing.assert_allclose(nn.softmax_cross_entropy(z, y), _reference_xent(z, y), rtol=1e-9)
    auto = grad(lambda z: anp.sum(nn.softmax_cross_entropy(z, y)))(z)
    ref = grad(lambda z: anp.sum(_reference_xent(z, y)))(z)
    np.testing.assert_allclose(auto, ref, rtol=1e-7, atol=1e-12)
    check(lambda z: nn.softmax_cross_entropy(z, y[1:]), z[1:])


def test_softmax_cross_entropy_label_gradient():
    rng = np.random.default_rng(16)
    z, y = rng.normal(size=(3, 4)), rng.random((3, 4))
    check(lambda y: nn.softmax_cross_entropy(z, y), y)


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_dense_with_fused_relu(argnum):
    rng = np.random.default_rng(17)
    x, k, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    assert np.abs(x @ k + b).min() > 1e-3  # no pre-activation on the kink (central differences)
    np.testing.assert_allclose(nn.dense(x, k, b, relu=True), np.maximum(x @ k + b, 0))
    check(lambda *a: nn.dense(*a, relu=True), x, k, b, argnum=argnum)
