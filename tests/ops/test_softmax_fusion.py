"""Softmax followed by cross-entropy is fused from the autograd graph itself.

A cross-entropy whose `y_pred` is the output of the `softmax` primitive *in the current trace*
is computed from the logits in one step. Nothing is remembered outside the graph, so an
untraced softmax output, a softmax in the middle of a model, or probabilities from elsewhere
take the plain path; the value and the gradient are the same either way.
"""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras import activations, losses, ops
from tests.ops.gradcheck import check_grads

ONE_HOT = np.eye(3)[[0, 2, 1, 2]]
LABELS = np.array([0, 2, 1, 2])


def _logits(scale=1.0, dtype=np.float32):
    return (np.random.default_rng(0).normal(size=(4, 3)) * 2 * scale).astype(dtype)


def _plain_softmax(z):
    """A softmax written with autograd.numpy: not the primitive, so never fused."""
    e = anp.exp(z - anp.max(z, axis=-1, keepdims=True))
    return e / anp.sum(e, axis=-1, keepdims=True)


@pytest.fixture
def fused_calls(monkeypatch):
    calls = []
    original = ops.softmax_cross_entropy

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(ops, "softmax_cross_entropy", spy)
    return calls


@pytest.mark.parametrize("scale", [1.0, 12.0], ids=["moderate", "saturated"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_traced_softmax_output_is_fused_with_the_same_value_and_gradient(fused_calls, scale,
                                                                         smoothing):
    logits, y = _logits(scale), ONE_HOT.astype(np.float32)
    loss = losses.CategoricalCrossentropy(label_smoothing=smoothing)

    g_plain = grad(lambda z: loss(y, _plain_softmax(z)))(logits)
    assert not fused_calls
    g_fused = grad(lambda z: loss(y, activations.softmax(z)))(logits)
    assert len(fused_calls) == 1, "the traced softmax output did not take the fused path"
    np.testing.assert_allclose(g_fused, g_plain, rtol=1e-5, atol=1e-7)
    # Saturated one-hot rows clip: the gradient of the clipped entries is exactly zero in both.
    if scale > 1 and smoothing == 0:
        assert np.sum(g_plain == 0) == np.sum(g_fused == 0) > 0
    np.testing.assert_allclose(loss(y, activations.softmax(logits)),
                               loss(y, _plain_softmax(logits)), rtol=1e-6)


def test_fused_gradient_matches_central_differences(fused_calls):
    check_grads(lambda z: losses.categorical_crossentropy(ONE_HOT, activations.softmax(z)),
                _logits(dtype=np.float64), rtol=1e-5, atol=1e-8)
    assert fused_calls


def test_untraced_softmax_output_takes_the_plain_path(fused_calls):
    logits = _logits()
    value = losses.categorical_crossentropy(ONE_HOT, activations.softmax(logits))
    assert not fused_calls
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(value, -np.log(p[np.arange(4), [0, 2, 1, 2]]), rtol=1e-6)


def test_softmax_over_another_axis_is_not_fused(fused_calls):
    logits = _logits()
    g = grad(lambda z: anp.sum(losses.categorical_crossentropy(
        ONE_HOT.T, activations.softmax(z, axis=0).T)))(logits)
    assert not fused_calls
    g_ref = grad(lambda z: anp.sum(losses.categorical_crossentropy(
        ONE_HOT.T, _plain_softmax(z.T))))(logits)
    np.testing.assert_allclose(g, g_ref, rtol=1e-5, atol=1e-7)


def test_sparse_labels_are_fused_too(fused_calls):
    logits = _logits()
    g = grad(lambda z: anp.sum(losses.sparse_categorical_crossentropy(
        LABELS, activations.softmax(z))))(logits)
    assert fused_calls
    g_ref = grad(lambda z: anp.sum(losses.sparse_categorical_crossentropy(
        LABELS, _plain_softmax(z))))(logits)
    np.testing.assert_allclose(g, g_ref, rtol=1e-5, atol=1e-7)


def test_from_logits_on_a_traced_softmax_output_warns_as_keras():
    logits = _logits()
    with pytest.warns(UserWarning, match="produced by a softmax"):
        grad(lambda z: anp.sum(losses.categorical_crossentropy(
            ONE_HOT, activations.softmax(z), from_logits=True)))(logits)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad(lambda z: anp.sum(losses.categorical_crossentropy(ONE_HOT, z, from_logits=True)))(
            logits)
