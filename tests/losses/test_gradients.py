"""Gradients of every loss w.r.t. `y_pred` (autograd) against float64 central differences.

The fused softmax + cross-entropy path is tested in tests/ops/test_softmax_fusion.py."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras import losses
from tests.conftest import central_difference_grad

# `cce_unnormalized` feeds probabilities that do not sum to 1 on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:.*do not sum to 1")

RNG = np.random.default_rng(0)
N, C = 4, 3
ONE_HOT = np.eye(C)[[0, 2, 1, 2]]
LABELS = np.array([0, 2, 1, 2])
BINARY = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]], dtype=np.float64)
REG_TRUE = RNG.normal(size=(N, C))
# Predictions kept away from every kink (|e| = delta, 1 - y*p = 0, clip bounds, 0).
REG_PRED = REG_TRUE + np.array([0.3, -0.7, 1.9]) * RNG.choice([-1, 1], size=(N, C))
PROBS = RNG.uniform(0.1, 0.9, size=(N, C))
SOFT = PROBS / PROBS.sum(-1, keepdims=True)
LOGITS = RNG.normal(size=(N, C)) * 2
POSITIVE = RNG.uniform(0.5, 3.0, size=(N, C))

# (id, fn, kwargs, y_true, y_pred)
CASES = [
    ("mse", losses.mean_squared_error, {}, REG_TRUE, REG_PRED),
    ("mae", losses.mean_absolute_error, {}, REG_TRUE, REG_PRED),
    ("mape", losses.mean_absolute_percentage_error, {}, REG_TRUE, REG_PRED),
    ("msle", losses.mean_squared_logarithmic_error, {}, POSITIVE, POSITIVE[::-1]),
    ("cosine", losses.cosine_similarity, {}, REG_TRUE, REG_PRED),
    ("cosine_axis0", losses.cosine_similarity, {"axis": 0}, REG_TRUE, REG_PRED),
    ("huber", losses.huber, {}, REG_TRUE, REG_PRED),
    ("huber_delta2", losses.huber, {"delta": 2.0}, REG_TRUE, REG_PRED),
    ("log_cosh", losses.log_cosh, {}, REG_TRUE, REG_PRED),
    ("hinge", losses.hinge, {}, BINARY, LOGITS * 0.3 + 0.05),
    ("squared_hinge", losses.squared_hinge, {}, BINARY, LOGITS * 0.3 + 0.05),
    ("categorical_hinge", losses.categorical_hinge, {}, ONE_HOT, LOGITS),
    ("kl_divergence", losses.kl_divergence, {}, SOFT[::-1], SOFT),
    ("poisson", losses.poisson, {}, POSITIVE, POSITIVE[::-1]),
    ("cce", losses.categorical_crossentropy, {}, ONE_HOT, SOFT),
    ("cce_unnormalized", losses.categorical_crossentropy, {}, ONE_HOT, PROBS),
    ("cce_logits", losses.categorical_crossentropy, {"from_logits": True}, ONE_HOT, LOGITS),
    ("cce_smoothing", losses.categorical_crossentropy, {"label_smoothing": 0.1}, ONE_HOT, SOFT),
    ("scce", losses.sparse_categorical_crossentropy, {}, LABELS, SOFT),
    ("scce_logits", losses.sparse_categorical_crossentropy, {"from_logits": True}, LABELS,
     LOGITS),
    ("scce_ignore", losses.sparse_categorical_crossentropy, {"ignore_class": 2}, LABELS, SOFT),
    ("bce", losses.binary_crossentropy, {}, BINARY, PROBS),
    ("bce_logits", losses.binary_crossentropy, {"from_logits": True}, BINARY, LOGITS),
    ("bce_smoothing", losses.binary_crossentropy, {"label_smoothing": 0.2}, BINARY, PROBS),
    ("bfce", losses.binary_focal_crossentropy, {}, BINARY, PROBS),
    ("bfce_balanced_logits", losses.binary_focal_crossentropy,
     {"apply_class_balancing": True, "alpha": 0.3, "gamma": 3.0, "from_logits": True},
     BINARY, LOGITS),
    ("cfce", losses.categorical_focal_crossentropy, {}, ONE_HOT, SOFT),
    ("cfce_logits", losses.categorical_focal_crossentropy, {"from_logits": True}, ONE_HOT,
     LOGITS),
    ("dice", losses.dice, {}, BINARY, PROBS),
    ("tversky", losses.tversky, {"alpha": 0.3, "beta": 0.7, "axis": 1}, BINARY, PROBS),
    ("cgce", losses.categorical_generalized_cross_entropy, {"q": 0.7}, LABELS, SOFT),
]


@pytest.mark.parametrize("name,fn,kwargs,y_true,y_pred", CASES, ids=[c[0] for c in CASES])
def test_function_gradient_matches_central_differences(float64, name, fn, kwargs, y_true, y_pred):
    r = np.random.default_rng(1).normal(size=np.shape(fn(y_true, y_pred, **kwargs)))

    def objective(p):
        return anp.sum(r * fn(y_true, p, **kwargs))

    g = grad(objective)(y_pred)
    assert g.shape == y_pred.shape and np.all(np.isfinite(g))
    np.testing.assert_allclose(g, central_difference_grad(objective, y_pred), rtol=1e-5,
                               atol=1e-8)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
@pytest.mark.parametrize("cls,kwargs,y_true,y_pred", [
    (losses.CategoricalCrossentropy, {}, ONE_HOT, SOFT),
    (losses.SparseCategoricalCrossentropy, {"ignore_class": 1}, LABELS, SOFT),
    (losses.Huber, {"delta": 0.5}, REG_TRUE, REG_PRED),
    (losses.BinaryCrossentropy, {"from_logits": True}, BINARY, LOGITS),
])
def test_reduced_loss_gradient(float64, cls, kwargs, y_true, y_pred, reduction):
    weights = np.array([1.0, 0.5, 2.0, 0.0])
    loss = cls(**kwargs, reduction=reduction)

    def objective(p):
        return loss(y_true, p, sample_weight=weights)

    np.testing.assert_allclose(grad(objective)(y_pred), central_difference_grad(objective, y_pred),
                               rtol=1e-5, atol=1e-8)


def test_all_zero_prediction_keeps_cosine_gradient_finite(float64):
    def objective(p):
        return anp.sum(losses.cosine_similarity(REG_TRUE, p))

    g = grad(objective)(np.zeros((N, C)))
    assert np.all(np.isfinite(g))
