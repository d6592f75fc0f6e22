"""The normalization primitives: `normalize` (by the input's own moments: BatchNormalization in
training, LayerNormalization, GroupNormalization) and `batch_normalization` (by given moments:
BatchNormalization at inference), against the formulas written out, and through the shared
gradient check for every argument and both closed forms of `normalize`'s gradient."""

import autograd.numpy as anp
import numpy as np
import pytest

from minikeras.ops import nn
from tests.ops.gradcheck import check_grads


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape) * 2 + 1


def written_out(x, scale, offset, axes, epsilon=1e-3):
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)  # biased, as Keras
    y = (x - mean) / np.sqrt(variance + epsilon)
    return y * (1 if scale is None else scale) + (0 if offset is None else offset)


# (input shape, statistics axes, parameter shape): the first three share one scale per group
# of normalized values (BatchNormalization); the others scale within the group
# (LayerNormalization, GroupNormalization), the general closed form.
NORMALIZE_CASES = [
    ((6, 3, 4), (0, 1), (4,)),            # BatchNormalization, channels_last
    ((6, 3, 4), (0, 2), (1, 3, 1)),       # BatchNormalization, axis=1
    ((5, 4), (0,), (4,)),                 # after a Dense layer
    ((6, 3, 4), (2,), (4,)),              # LayerNormalization over the last axis
    ((6, 3, 4), (1, 2), (3, 4)),          # LayerNormalization over two axes
    ((2, 3, 2, 4), (1, 3), (1, 1, 2, 4)),  # GroupNormalization: (N, H, groups, C/groups)
]


@pytest.mark.parametrize("shape,axes,param_shape", NORMALIZE_CASES)
def test_normalize_values_moments_and_gradients(shape, axes, param_shape):
    rng = np.random.default_rng(1)
    x, scale, offset = _x(shape), rng.normal(size=param_shape), rng.normal(size=param_shape)
    y, mean, variance = nn.normalize(x, scale, offset, axes=axes)
    np.testing.assert_allclose(y, written_out(x, scale, offset, axes), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mean, x.mean(axis=axes, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(variance, x.var(axis=axes, keepdims=True), rtol=1e-12)
    check_grads(lambda x, s, o: nn.normalize(x, s, o, axes=axes)[0], x, scale, offset)


@pytest.mark.parametrize("shape,axes", [((6, 3, 4), (0, 1)), ((6, 3, 4), (1, 2))])
def test_normalize_without_scale_or_offset(shape, axes):
    x = _x(shape, 2)
    np.testing.assert_allclose(nn.normalize(x, axes=axes)[0], written_out(x, None, None, axes),
                               rtol=1e-10, atol=1e-12)
    check_grads(lambda x: nn.normalize(x, axes=axes)[0], x)
    offset = np.random.default_rng(3).normal(size=shape[-1])
    check_grads(lambda x, o: nn.normalize(x, None, o, axes=axes)[0], x, offset)


def test_the_variance_is_taken_around_the_mean():
    # A large mean against a small spread: E[x^2] - E[x]^2 would lose every digit in float32.
    x = (1000 + np.random.default_rng(4).normal(size=(256, 3)) * 0.01).astype(np.float32)
    _, mean, variance = nn.normalize(x, axes=0)
    np.testing.assert_allclose(variance[0], x.astype(np.float64).var(axis=0), rtol=1e-3)
    assert mean.dtype == variance.dtype == np.float32


@pytest.mark.parametrize("axis", [-1, 1])
def test_batch_normalization_with_given_moments(axis):
    rng = np.random.default_rng(5)
    x = _x((6, 3, 4))
    c = x.shape[axis]
    mean, variance = rng.normal(size=c), rng.uniform(0.5, 2.0, size=c)
    offset, scale = rng.normal(size=c), rng.normal(size=c)
    shape = [1, 1, 1]
    shape[axis] = c
    expected = (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + 1e-3) * \
        scale.reshape(shape) + offset.reshape(shape)
    np.testing.assert_allclose(nn.batch_normalization(x, mean, variance, axis, offset, scale),
                               expected, rtol=1e-10)
    check_grads(lambda x, m, v, o, s: nn.batch_normalization(x, m, v, axis, o, s, epsilon=0.01),
                x, mean, variance, offset, scale)
    check_grads(lambda x, m, v: nn.batch_normalization(x, m, v, axis=axis), x, mean, variance)


def test_epsilon_is_added_to_the_variance():
    x = np.array([[0.0], [2.0]])  # mean 1, variance 1
    y = nn.normalize(x, axes=0, epsilon=3.0)[0]
    np.testing.assert_allclose(y[:, 0], [-0.5, 0.5])
    y = nn.batch_normalization(x, np.array([1.0]), np.array([1.0]), epsilon=3.0)
    np.testing.assert_allclose(y[:, 0], [-0.5, 0.5])


def test_gradients_are_those_of_the_written_out_formula_in_float32():
    from autograd import grad

    x = _x((8, 5), 6).astype(np.float32)
    scale = np.linspace(0.5, 1.5, 5).astype(np.float32)
    w = np.random.default_rng(7).normal(size=(8, 5)).astype(np.float32)

    def reference(x):
        mean = anp.mean(x, axis=0, keepdims=True)
        var = anp.mean((x - mean) ** 2, axis=0, keepdims=True)
        return anp.sum(w * ((x - mean) / anp.sqrt(var + 1e-3) * scale))

    ours = grad(lambda x: anp.sum(w * nn.normalize(x, scale, None, axes=0)[0]))(x)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, grad(reference)(x.astype(np.float64)), rtol=2e-4, atol=2e-5)
