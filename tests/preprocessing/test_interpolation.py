"""affine_resample against SciPy's `ndimage.affine_transform` (what Keras 2 calls): 48 random
small images and maps in tests/golden/preprocessing.json, every fill mode, orders 0 and 1,
float32, float64 and uint8 images, sample points far outside the image. The arithmetic follows
SciPy's order (ni_interpolation.c), so the results must be identical, to the last bit."""

import numpy as np
import pytest

from minikeras.preprocessing.interpolation import affine_resample
from tests.conftest import load_golden

CASES = load_golden("preprocessing.json")["resample"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['mode']}-order{c['order']}-"
                                                      f"{c['dtype']}")
def test_same_as_scipy(case):
    image = np.array(case["image"], dtype=case["dtype"])
    out = affine_resample(image, case["matrix"], case["offset"], order=case["order"],
                          mode=case["mode"], cval=-3.25)
    expected = np.array(case["out"], dtype=case["dtype"])
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)


def test_channels_share_the_map():
    rng = np.random.default_rng(0)
    stack = rng.normal(size=(3, 4, 5)).astype(np.float32)
    matrix, offset = [[0.9, 0.2], [-0.3, 1.1]], [0.4, -0.7]
    together = affine_resample(stack, matrix, offset, mode="reflect")
    for k in range(3):
        np.testing.assert_array_equal(together[k], affine_resample(stack[k], matrix, offset,
                                                                   mode="reflect"))


def test_unknown_mode():
    with pytest.raises(ValueError, match="fill_mode must be one of"):
        affine_resample(np.zeros((2, 2)), np.eye(2), [0, 0], mode="mirror")
