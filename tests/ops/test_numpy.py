"""The NumPy-style `keras.ops` functions: every public name is a documented function that takes
Variables, matches NumPy, and is differentiable; `ops.normalize` matches Keras's formula."""

import inspect

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras import ops
from minikeras.ops import numpy as ops_numpy
from minikeras.variables import Variable
from tests.conftest import central_difference_grad


@pytest.mark.parametrize("name", ops_numpy.__all__)
def test_every_public_name_is_a_documented_function_of_ops(name):
    fn = getattr(ops_numpy, name)
    assert inspect.isfunction(fn) and fn.__doc__
    assert getattr(ops, name) is fn


UNARY = ["abs", "absolute", "cos", "cosh", "exp", "floor", "log", "log1p", "negative", "sign",
         "sin", "sinh", "sqrt", "square", "tanh"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum",
          "equal", "not_equal", "greater", "greater_equal", "less", "less_equal"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_functions_match_numpy_on_variables(name):
    x = np.random.default_rng(0).uniform(0.5, 2.0, size=(2, 3)).astype(np.float32)
    out = getattr(ops, name)(Variable(x))
    np.testing.assert_array_equal(out, getattr(np, name)(x))


@pytest.mark.parametrize("name", BINARY)
def test_binary_functions_match_numpy_on_variables(name):
    rng = np.random.default_rng(1)
    x1 = rng.uniform(0.5, 2.0, size=(2, 3)).astype(np.float32)
    x2 = rng.uniform(0.5, 2.0, size=(3,)).astype(np.float32)
    np.testing.assert_array_equal(getattr(ops, name)(Variable(x1), x2),
                                  getattr(np, name)(x1, x2))


def test_reductions_shapes_and_creation_follow_keras_signatures():
    x = np.arange(12.0).reshape(3, 4)
    v = Variable(x)
    assert ops.sum(v, axis=1, keepdims=True).shape == (3, 1)
    assert ops.max(v, axis=0).tolist() == [8.0, 9.0, 10.0, 11.0]
    assert ops.max(v, initial=100.0) == 100.0
    assert ops.argmax(v, axis=1, keepdims=True).shape == (3, 1)
    assert ops.concatenate([v, x], axis=0).shape == (6, 4)
    assert ops.stack([v, x], axis=1).shape == (3, 2, 4)
    assert ops.reshape(v, (4, 3)).shape == (4, 3) and ops.transpose(v).shape == (4, 3)
    assert ops.expand_dims(v, 0).shape == (1, 3, 4) and ops.squeeze(ops.ones((1, 3))).shape == (3,)
    assert ops.arange(3).tolist() == [0, 1, 2] and ops.arange(1, 6, 2).tolist() == [1, 3, 5]
    np.testing.assert_array_equal(ops.where(x > 5, v, 0.0), np.where(x > 5, x, 0.0))
    np.testing.assert_array_equal(ops.where(x > 9)[1], [2, 3])
    np.testing.assert_array_equal(ops.clip(v, 2.0, 5.0), np.clip(x, 2.0, 5.0))
    assert ops.shape(v) == (3, 4) and ops.cast(v, "float32").dtype == np.float32
    assert ops.tensordot(v, x.T, axes=1).shape == (3, 3)


def test_functions_are_differentiable():
    x = np.random.default_rng(2).normal(size=(3, 4))

    def f(a):
        b = ops.concatenate([ops.tanh(a), ops.square(a)], axis=1)
        return ops.sum(ops.mean(ops.matmul(b, ops.transpose(b)), axis=0))

    np.testing.assert_allclose(grad(f)(x), central_difference_grad(f, x), rtol=1e-5, atol=1e-7)


def test_normalize_is_kerass_l2_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1e-9, 0.0]], dtype=np.float32)
    out = ops.normalize(x)
    # Keras: x * min(rsqrt(sum(x**2)), 1 / epsilon).
    expected = x * np.minimum(1 / np.sqrt(np.sum(x * x, -1, keepdims=True) + 1e-30), 1e7)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out.dtype == np.float32
    np.testing.assert_allclose(ops.normalize(x[:1], order=1), [[3 / 7, 4 / 7]], rtol=1e-6)
    # A zero vector has a finite gradient.
    assert np.all(np.isfinite(grad(lambda a: anp.sum(ops.normalize(a)))(np.zeros(3))))


@pytest.mark.parametrize("make", [lambda: ops.zeros((2, 3)), lambda: ops.ones(4),
                                  lambda: ops.full((2,), 7), lambda: ops.eye(3),
                                  lambda: ops.identity(2)])
def test_creation_defaults_to_floatx_as_keras(make):
    assert make().dtype == np.float32  # NumPy's own default would be float64 (int for full(7))
