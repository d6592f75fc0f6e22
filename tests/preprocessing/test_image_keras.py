"""ImageDataGenerator and apply_affine_transform against REAL Keras 2 code.

tests/golden/preprocessing.json (tests/golden/make_preprocessing_golden.py) holds what Keras 2's
image module, as Keras 3.15 still ships it, computed with SciPy 1.17: affine transforms of a
5x7x2 image in three axis layouts, four fill modes and both interpolation orders, and batches
of `flow` for fixed seeds (augmentation, featurewise statistics from `fit`, ZCA, samplewise
normalization, subsets, channels first). minikeras must give the same float32 values; the
transforms are bit-identical, the featurewise statistics (sums over the data) are allowed a few
units in the last place.

The shift cases were recorded from Keras 2 with its horizontal and vertical shifts swapped
back (minikeras applies `width_shift_range` horizontally; Keras 2 applies it vertically).
"""

import numpy as np
import pytest

from minikeras.preprocessing.image import ImageDataGenerator, apply_affine_transform
from tests.conftest import load_golden

GOLDEN = load_golden("preprocessing.json")["image"]
IMAGE = np.array(GOLDEN["image"], dtype=np.float32)
IMAGES = np.array(GOLDEN["images"], dtype=np.float32)
LAYOUTS = {"channels_last": (IMAGE, dict(row_axis=0, col_axis=1, channel_axis=2)),
           "channels_first": (np.ascontiguousarray(IMAGE.transpose(2, 0, 1)),
                              dict(row_axis=1, col_axis=2, channel_axis=0)),
           "rows_after_cols": (np.ascontiguousarray(IMAGE.transpose(1, 0, 2)),
                               dict(row_axis=1, col_axis=0, channel_axis=2))}


def close(actual, expected, maxulp=0):
    """float32 equality (up to `maxulp` units in the last place)."""
    expected = np.asarray(expected, dtype=np.float32)
    assert actual.shape == expected.shape
    np.testing.assert_array_max_ulp(np.asarray(actual, dtype=np.float32), expected,
                                    maxulp=maxulp)


@pytest.mark.parametrize("case", GOLDEN["affine"], ids=lambda c: "-".join(
    [c["layout"], c["fill_mode"], f"order{c['order']}"] + [f"{k}={v}" for k, v in
                                                          c["params"].items()]))
def test_apply_affine_transform_as_keras(case):
    x, axes = LAYOUTS[case["layout"]]
    out = apply_affine_transform(x, **case["params"], **axes, fill_mode=case["fill_mode"],
                                 cval=-1.5, order=case["order"])
    assert out.dtype == np.float32
    close(out, case["out"])


def _generator_kwargs(kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("preprocessing_function") == "numpy.sqrt":
        kwargs["preprocessing_function"] = np.sqrt
    return kwargs


def _flow_inputs(case):
    x = IMAGES
    if case["name"] == "zca":
        x = IMAGES[:, :3, :3, :1] / 255.0
    elif case["generator"].get("data_format") == "channels_first":
        x = np.ascontiguousarray(IMAGES.transpose(0, 3, 1, 2))
    flow = dict(case["flow"])
    if "sample_weight" in flow:
        flow["sample_weight"] = np.array(flow["sample_weight"])
    y = None if case["y"] is None else np.array(case["y"])
    return x, y, flow


def _compare_batch(batch, expected, case):
    parts = [batch] if isinstance(batch, np.ndarray) else list(batch)
    assert len(parts) == len(expected)
    if case["name"] == "channels_first_subset":
        # Keras 2 splits x and y for `subset` but not `sample_weight`, so its batches pair
        # training images with the weights of the first samples (weights here are i / 6 for
        # sample i). minikeras keeps each weight with its image: the training subset is
        # samples 3..5, so the weight of the k-th training sample is (3 + k) / 6.
        cut = int(6 * case["generator"]["validation_split"])
        expected = list(expected)
        expected[2] = [(cut + round(w * 6)) / 6 for w in expected[2]]
    for part, want in zip(parts, expected):
        if np.asarray(part).dtype.kind == "f" and np.asarray(want).dtype.kind == "f":
            close(np.asarray(part), want)
        else:
            np.testing.assert_array_equal(part, want)


@pytest.mark.parametrize("case", GOLDEN["flows"], ids=lambda c: c["name"])
def test_flow_batches_as_keras(case):
    x, y, flow = _flow_inputs(case)
    generator = ImageDataGenerator(**_generator_kwargs(case["generator"]))
    if case["fit"] is not None:
        generator.fit(x, **case["fit"])
        for attr in ("mean", "std", "zca_whitening_matrix"):
            if case[attr] is None:
                assert getattr(generator, attr) is None
            else:
                # Statistics are sums over the data: NumPy's pairwise summation order is the
                # same here, but allow for a few units in the last place.
                np.testing.assert_allclose(getattr(generator, attr), case[attr], rtol=1e-5,
                                           atol=1e-6)
    iterator = generator.flow(x, y, **flow)
    assert len(iterator) == case["len"]
    batches = [iterator[i] for i in range(len(iterator))]
    iterator.on_epoch_end()
    batches.append(iterator[0])
    for batch, expected in zip(batches, case["by_index"]):
        _compare_batch(batch, expected, case)
    iterator = generator.flow(x, y, **flow)
    for expected in case["by_next"]:
        _compare_batch(next(iterator), expected, case)


@pytest.mark.parametrize("case", GOLDEN["random_transform"], ids=lambda c: str(c["generator"]))
def test_random_draws_as_keras_with_the_shifts_on_their_axes(case):
    params = ImageDataGenerator(**case["generator"]).get_random_transform((5, 7, 2), seed=11)
    keras = case["params"]
    # Keras calls the height shift tx and applies it horizontally; minikeras draws the same
    # numbers and applies the height shift vertically (ty) and the width shift horizontally.
    assert params["tx"] == keras["ty"] and params["ty"] == keras["tx"]
    for key in ("theta", "shear", "zx", "zy", "flip_horizontal", "flip_vertical",
                "channel_shift_intensity"):
        assert (None if params[key] is None else float(params[key])) == keras[key], key
