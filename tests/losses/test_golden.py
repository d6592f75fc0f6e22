"""Every loss against values computed by real Keras 3: per-sample functions and every reduction.

Fixtures: `tests/golden/losses.json` (shared) and `tests/losses/golden_extra.json`
(`make_golden_extra.py` next to this file). Both hold float32 results of Keras 3.15 / JAX.
"""

import json
import pathlib
import warnings

import numpy as np
import pytest

from minikeras import losses
from tests.conftest import load_golden

SHARED = load_golden("losses.json")["cases"]
EXTRA = json.loads((pathlib.Path(__file__).parent / "golden_extra.json").read_text())["cases"]

# float32 results of the same formula evaluated in another order differ by a few ulps.
RTOL, ATOL = 2e-6, 1e-6

# key -> (reduction or None for the function, weighted?)
CALLS = {
    "per_sample": None,
    "reduced": ("sum_over_batch_size", None),
    "reduced_weighted": ("sum_over_batch_size", "sample_weight"),
    "reduced_scalar_weight": ("sum_over_batch_size", 2.0),
    "reduced_sum": ("sum", None),
    "reduced_none": (None, None),
    "reduced_none_weighted": (None, "sample_weight"),
    "reduced_mean_weighted": ("mean", "sample_weight"),
    "reduced_mean_with_sample_weight_weighted": ("mean_with_sample_weight", "sample_weight"),
    "reduced_weighted_sw_N1": ("sum_over_batch_size", "sample_weight_N1"),
    "reduced_sum_weighted_sw_N1": ("sum", "sample_weight_N1"),
}


def _params():
    for source, cases in (("shared", SHARED), ("extra", EXTRA)):
        for case in cases:
            for key in CALLS:
                if case.get(key) is not None:
                    yield pytest.param(case, key, id=f"{source}-{case['name']}-{key}")


def _inputs(case):
    y_true = np.asarray(case["y_true"], dtype=case["y_true_dtype"])
    return y_true, np.asarray(case["y_pred"], dtype=np.float32)


def _compute(case, key):
    y_true, y_pred = _inputs(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. the unnormalized-probabilities case warns
        if CALLS[key] is None:
            fn = losses.get(case["fn"].split(".")[-1])
            return fn(y_true, y_pred, **case["kwargs"])
        reduction, weight = CALLS[key]
        loss = getattr(losses, case["class"])(**case["class_kwargs"], reduction=reduction)
        if isinstance(weight, str):
            weight = np.asarray(case[weight], dtype=np.float32)
        return loss(y_true, y_pred, sample_weight=weight)


@pytest.mark.parametrize("case,key", list(_params()))
def test_matches_keras(case, key):
    got = np.asarray(_compute(case, key))
    expected = np.asarray(case[key], dtype=np.float32)
    assert got.shape == expected.shape
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_golden_covers_every_requested_loss():
    names = {c["fn"].split(".")[-1] for c in SHARED} | {c["fn"] for c in EXTRA if c["fn"]}
    for fn in ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
               "mean_squared_logarithmic_error", "squared_hinge", "hinge", "categorical_hinge",
               "log_cosh", "huber", "categorical_crossentropy",
               "sparse_categorical_crossentropy", "binary_crossentropy",
               "binary_focal_crossentropy", "categorical_focal_crossentropy", "kl_divergence",
               "poisson", "cosine_similarity", "dice", "tversky",
               "categorical_generalized_cross_entropy"):
        assert fn in names


# Where Keras raises on a per-sample weight of shape (N,) against per-entry losses (N, T),
# minikeras weights every entry of sample i (what a per-sample weight means).
WEIGHT_BROADCAST = [c for c in SHARED + EXTRA if c.get("reduced_weighted_error")]


@pytest.mark.parametrize("case", WEIGHT_BROADCAST, ids=lambda c: c["name"])
def test_per_sample_weights_weight_every_entry_where_keras_raises(case):
    y_true, y_pred = _inputs(case)
    sw = np.asarray(case["sample_weight"], dtype=np.float32)
    loss_cls = getattr(losses, case["class"])
    per_entry = loss_cls(**case["class_kwargs"], reduction=None)(y_true, y_pred)
    if per_entry.shape[:1] != sw.shape:
        # `cosine_axis0` reduces the batch axis itself: no per-sample weight can apply.
        with pytest.raises(ValueError, match="sample_weight"):
            loss_cls(**case["class_kwargs"])(y_true, y_pred, sample_weight=sw)
        return
    expected = np.sum(per_entry * sw[:, None]) / per_entry.size
    got = loss_cls(**case["class_kwargs"])(y_true, y_pred, sample_weight=sw)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    np.testing.assert_allclose(
        got, loss_cls(**case["class_kwargs"])(y_true, y_pred, sample_weight=sw[:, None]),
        rtol=RTOL)
