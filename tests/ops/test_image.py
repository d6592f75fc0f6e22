"""`minikeras.ops.image`: the fill modes by hand, the resize weights on a small case worked out
by hand, and the shared gradient check (with the float32 contract). The values against real
Keras are tested through the layers (tests/layers/test_image_preprocessing.py)."""

import numpy as np
import pytest

from minikeras.ops import image
from tests.ops.gradcheck import check_grads

ROW = np.array([1.0, 2.0, 3.0, 4.0], "float32").reshape(1, 1, 4, 1)  # a b c d


def shift(dx):
    """The transform whose output pixel x reads input x - dx."""
    return np.array([1, 0, -dx, 0, 1, 0, 0, 0], "float32")


@pytest.mark.parametrize("mode, left, right", [
    ("reflect", [2, 1], [4, 3]),      # (d c b a | a b c d | d c b a)
    ("wrap", [3, 4], [1, 2]),         # (a b c d | a b c d | a b c d)
    ("nearest", [1, 1], [4, 4]),      # (a a a a | a b c d | d d d d)
    ("mirror", [3, 2], [3, 2]),       # (d c b | a b c d | c b a)
    ("constant", [9, 9], [9, 9]),     # (k k k k | a b c d | k k k k)
])
def test_fill_modes(mode, left, right):
    out = image.affine_transform(ROW, shift(2), interpolation="nearest", fill_mode=mode,
                                 fill_value=9.0)
    np.testing.assert_array_equal(out[0, 0, :2, 0], left)  # reads input x = -2, -1
    out = image.affine_transform(ROW, shift(-2), interpolation="nearest", fill_mode=mode,
                                 fill_value=9.0)
    np.testing.assert_array_equal(out[0, 0, 2:, 0], right)  # reads input x = 4, 5


def test_bilinear_constant_fill_weights_each_neighbour_outside():
    # x = -0.5 reads half of a (1.0) and half of the fill value: JAX's 'constant' (SciPy's
    # 'grid-constant'), not SciPy's old 'constant'.
    out = image.affine_transform(ROW, shift(0.5), fill_mode="constant", fill_value=9.0)
    np.testing.assert_allclose(out[0, 0, :, 0], [5.0, 1.5, 2.5, 3.5])


def test_resize_bilinear_half_pixel_weights_by_hand():
    x = np.array([0.0, 4.0], "float32").reshape(1, 1, 2, 1)
    # output centres at input coordinates -0.25, 0.25, 0.75, 1.25; the edges repeat
    out = image.resize(x, (1, 4), interpolation="bilinear")
    np.testing.assert_allclose(out[0, 0, :, 0], [0.0, 1.0, 3.0, 4.0])
    out = image.resize(x, (1, 3), interpolation="nearest")  # floor((i + 0.5) * 2 / 3)
    np.testing.assert_array_equal(out[0, 0, :, 0], [0.0, 4.0, 4.0])  # 0.33, 1.0, 1.67


@pytest.mark.parametrize("kwargs", [
    {"size": (5, 7)}, {"size": (2, 3)}, {"size": (2, 3), "antialias": True},
    {"size": (5, 2), "interpolation": "nearest"}, {"size": (3, 3), "crop_to_aspect_ratio": True},
    {"size": (4, 4), "pad_to_aspect_ratio": True, "fill_value": 2.0},
    {"size": (3, 2), "data_format": "channels_first"},
])
def test_resize_gradients(kwargs):
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 2))
    check_grads(lambda images: image.resize(images, **kwargs), x)


@pytest.mark.parametrize("mode", ["reflect", "wrap", "nearest", "mirror", "constant"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_affine_transform_gradients(mode, interpolation):
    x = np.random.default_rng(1).normal(size=(2, 4, 5, 2))
    angle = np.deg2rad(33.0)
    transform = np.array([[np.cos(angle), -np.sin(angle), 1.3, np.sin(angle), np.cos(angle),
                           -0.6, 0, 0], [1.2, 0.1, -0.4, 0.0, 0.8, 0.3, 0, 0]], "float32")
    check_grads(lambda images, t: image.affine_transform(images, t, interpolation=interpolation,
                                                         fill_mode=mode, fill_value=0.5),
                x, transform, argnums=[0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="rank 3 .* or rank 4"):
        image.resize(np.ones((2, 3)), (2, 2))
    with pytest.raises(ValueError, match="fill_mode"):
        image.affine_transform(ROW, shift(1), fill_mode="edge")
    with pytest.raises(ValueError, match=r"transform.*\(8,\)"):
        image.affine_transform(ROW, np.ones(6))
    with pytest.raises(NotImplementedError, match="bicubic"):
        image.resize(ROW, (2, 2), interpolation="bicubic")
