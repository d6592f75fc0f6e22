"""The dense, relu, softmax and cross-entropy primitives: values, and gradients checked by the
shared helper (`tests/ops/gradcheck.py`)."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras.ops import nn
from tests.ops.gradcheck import check_grads


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_dense_gradients(argnum):
    rng = np.random.default_rng(10)
    x, k, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    check_grads(nn.dense, x, k, b, argnums=[argnum])


@pytest.mark.parametrize("argnum", [0, 1, 2])
def test_dense_gradients_on_3d_input(argnum):
    rng = np.random.default_rng(11)
    x, k, b = rng.normal(size=(2, 4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    check_grads(nn.dense, x, k, b, argnums=[argnum])


def test_dense_without_bias():
    rng = np.random.default_rng(12)
    x, k = rng.normal(size=(4, 5)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(nn.dense(x, k), x @ k)
    check_grads(nn.dense, x, k, argnums=[1])


def test_relu_value_and_gradient_away_from_zero():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 1e-3] = 0.5
    np.testing.assert_array_equal(nn.relu(x), np.maximum(x, 0))
    check_grads(nn.relu, x)


def test_relu_gradient_at_zero_is_zero():
    assert grad(lambda x: anp.sum(nn.relu(x)))(np.zeros(3)).tolist() == [0, 0, 0]


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_and_log_softmax(axis):
    rng = np.random.default_rng(14)
    x = rng.normal(size=(4, 5)) * 3
    p = nn.softmax(x, axis=axis)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0)
    np.testing.assert_allclose(nn.log_softmax(x, axis=axis), np.log(p), rtol=1e-10)
    check_grads(nn.softmax, x, axis=axis)
    check_grads(nn.log_softmax, x, axis=axis)


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
    check_grads(nn.softmax_cross_entropy, z[1:], y[1:], argnums=[0])


def test_softmax_cross_entropy_label_gradient():
    rng = np.random.default_rng(16)
    z, y = rng.normal(size=(3, 4)), rng.random((3, 4))
    check_grads(nn.softmax_cross_entropy, z, y, argnums=[1])


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear"])
def test_dense_with_a_fused_activation(activation):
    rng = np.random.default_rng(17)
    x, k, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 3)), rng.normal(size=3)
    assert np.abs(x @ k + b).min() > 1e-3  # no pre-activation on relu's kink
    z = x @ k + b
    expected = {"relu": np.maximum(z, 0), "sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z),
                "linear": z}[activation]
    np.testing.assert_allclose(nn.dense(x, k, b, activation=activation), expected, rtol=1e-12)
    check_grads(nn.dense, x, k, b, activation=activation)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_bias_activation(activation):
    rng = np.random.default_rng(18)
    x, b = rng.normal(size=(2, 3, 4)), rng.normal(size=4)
    assert np.abs(x + b).min() > 1e-3
    expected = {"relu": np.maximum(x + b, 0), "sigmoid": 1 / (1 + np.exp(-(x + b))),
                "tanh": np.tanh(x + b)}[activation]
    np.testing.assert_allclose(nn.bias_activation(x, b, activation=activation), expected,
                               rtol=1e-12)
    check_grads(nn.bias_activation, x, b, activation=activation)
    check_grads(nn.bias_activation, x, activation=activation)


def test_sigmoid_epilogue_does_not_overflow():
    out = nn.bias_activation(np.array([-1000.0, 0.0, 1000.0], np.float32), activation="sigmoid")
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


def test_unknown_fused_activation_is_a_value_error():
    with pytest.raises(ValueError, match="No fused epilogue for activation 'gelu'"):
        nn.dense(np.ones((1, 2)), np.ones((2, 2)), activation="gelu")


def test_check_grads_catches_a_wrong_vjp():
    """The helper itself: a primitive whose VJP is off by a factor fails the check."""
    from autograd.extend import defvjp, primitive

    @primitive
    def double(x):
        return 2 * x

    defvjp(double, lambda ans, x: lambda g: 3 * g)
    with pytest.raises(AssertionError, match="argument 0"):
        check_grads(double, np.ones(3))


def test_check_grads_catches_a_write_into_an_input():
    from autograd.extend import defvjp, primitive

    @primitive
    def clobber(x):
        out = np.array(x)
        x *= 0  # breaks the contract
        return out

    defvjp(clobber, lambda ans, x: lambda g: g)
    with pytest.raises(AssertionError, match="written into"):
        check_grads(clobber, np.ones(3))


def test_check_grads_catches_float64_promotion():
    with pytest.raises(AssertionError, match="float64 output"):
        check_grads(lambda x: x * np.float64(2.0) + np.zeros(1), np.ones(3))
