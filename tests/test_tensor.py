"""Eager results answer tf.keras's `.numpy()`, in class form and in function form alike."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

import minikeras as keras
from minikeras import backend as K
from minikeras.tensor import Tensor

Y = np.eye(3)[[0, 1]]
P = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1]])


@pytest.mark.parametrize("call, expected", [
    (lambda: keras.losses.categorical_crossentropy(Y, P), -np.log([0.8, 0.7])),
    (lambda: keras.losses.mean_squared_error(Y, P), ((Y - P) ** 2).mean(-1)),
    (lambda: keras.activations.relu(np.array([-1.0, 2.0])), [0.0, 2.0]),
    (lambda: keras.activations.softmax(np.log(P)), P),
    (lambda: K.mean(np.array([1.0, 2.0])), 1.5),
    (lambda: K.dot(np.ones((2, 3)), np.ones((3, 1))), [[3.0], [3.0]]),
    (lambda: keras.ops.sum(np.ones(3)), 3.0),
    (lambda: keras.ops.matmul(np.ones((1, 2)), keras.Variable(np.full((2, 1), 2.0))), [[4.0]]),
])
def test_function_form_results_have_numpy(call, expected):
    out = call()
    assert isinstance(out, Tensor)
    value = out.numpy()
    assert type(value) in (np.ndarray, np.float32, np.float64)
    np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_results_that_are_not_arrays_are_left_alone():
    assert K.int_shape(np.ones((2, 3))) == (2, 3)
    assert type(K.int_shape(np.ones((2, 3)))) is tuple


def test_an_eager_tensor_meeting_a_traced_value_is_differentiated():
    t = keras.activations.relu(np.array([1.0, -2.0, 3.0]))  # an eager Tensor
    g = grad(lambda z: anp.sum(t * z * z))(np.array([1.0, 1.0, 2.0]))
    np.testing.assert_allclose(g, [2.0, 0.0, 12.0])  # 2 * t * z
