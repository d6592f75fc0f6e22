"""Shape layers (ZeroPadding, Cropping, UpSampling 1D/2D/3D, RepeatVector, Permute, Reshape,
Flatten): values, shapes and configs against real Keras 3 (tests/golden/layers_vision.json) for
every argument combination with its own code path, gradients, and bad input."""

import re

import numpy as np
import pytest

import minikeras
from minikeras import backend, layers
from tests.layers import vision_helpers as vh

CASES = vh.cases("reshaping")
ERRORS = [c for c in vh.cases("reshaping", with_output=False) if "error" in c]


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_forward_matches_keras(c):
    out = vh.run(vh.make_layer(c), c)
    # bilinear upsampling is a weighted sum; everything else moves values exactly
    tolerance = 1e-6 if c["kwargs"].get("interpolation") == "bilinear" else 0
    np.testing.assert_allclose(out, np.asarray(c["output"], np.float32), rtol=tolerance,
                               atol=tolerance)
    assert out.dtype == np.float32


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_symbolic_output_shape_matches_keras(c):
    assert vh.symbolic_shape(c) == c["output_shape"]


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_config_is_keras_and_round_trips(c):
    layer = vh.make_layer(c)
    vh.assert_config_is_keras(layer, c)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(vh.run(clone, c), vh.run(layer, c))
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == layer.get_config()


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_gradients(float64, c):
    vh.check_gradients(vh.make_layer(c), vh.inputs_of(c))


@pytest.mark.parametrize("c", ERRORS, ids=vh.ids(ERRORS))
def test_cropping_more_than_the_input_raises_as_keras(c):
    assert "should be smaller than the corresponding spatial dimension" in c["error"]
    layer = vh.make_layer(c)
    shape = vh.inputs_of(c)[0].shape
    with pytest.raises(ValueError, match=rf"'{layer.name}' \({c['class']}\): `cropping` must be "
                                         rf"smaller.*input_shape={re.escape(str(shape))}"):
        vh.run(layer, c)
    with pytest.raises(ValueError, match="cropping"):  # also when wired symbolically
        vh.make_layer(c)(minikeras.Input(shape[1:]))


def test_data_format_default_follows_image_data_format():
    backend.set_image_data_format("channels_first")
    try:
        layer = layers.ZeroPadding2D(1)
        assert layer.data_format == "channels_first"
        assert layer(np.ones((1, 2, 3, 3))).shape == (1, 2, 5, 5)
        assert layers.Flatten().data_format == "channels_first"
        assert layers.UpSampling3D().get_config()["data_format"] == "channels_first"
    finally:
        backend.set_image_data_format("channels_last")
    assert layers.Cropping2D().data_format == "channels_last"


def test_flatten_channels_first_flattens_in_channels_last_order():
    x = np.arange(24, dtype="float32").reshape(1, 2, 3, 4)  # (batch, channels, h, w)
    out = layers.Flatten(data_format="channels_first")(x)
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1).reshape(1, 24))


def test_reshape_minus_one_with_unknown_dimensions():
    assert layers.Reshape((-1, 2))(minikeras.Input((None, 4))).shape == (None, None, 2)
    assert layers.Reshape((2, -1))(minikeras.Input((3, 4))).shape == (None, 2, 6)
    np.testing.assert_array_equal(layers.Reshape((-1, 2))(np.ones((3, 5, 4))).shape, (3, 10, 2))


@pytest.mark.parametrize("make, pattern", [
    (lambda: layers.Reshape((-1, -1)), "at most one -1"),
    (lambda: layers.Reshape((2, -3)), "non-negative integer, or `-1`"),
    (lambda: layers.ZeroPadding2D(((1, 2), (3,))), r"2nd entry of padding.*2 integers"),
    (lambda: layers.ZeroPadding2D(-1), r"padding.*>= 0"),
    (lambda: layers.ZeroPadding3D((1, 2)), "tuple of 3 tuples"),
    (lambda: layers.Cropping1D("a"), "cropping"),
    (lambda: layers.UpSampling2D(size=0), r"size.*> 0"),
    (lambda: layers.Permute((1, 3)), "consecutive and start from 1"),
    (lambda: layers.RepeatVector(0), "positive integer"),
    (lambda: layers.Flatten(data_format="nchw"), "data_format"),
])
def test_bad_arguments(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_bad_types_and_interpolations():
    with pytest.raises(TypeError, match="integer value for `n`"):
        layers.RepeatVector(2.0)
    with pytest.raises(TypeError, match="integer value for `size`"):
        layers.UpSampling1D(size=(2,))
    with pytest.raises(NotImplementedError, match="'bicubic' is not implemented"):
        layers.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="invalid `interpolation` 'cubic-ish'"):
        layers.UpSampling2D(interpolation="cubic-ish")


@pytest.mark.parametrize("make, shape, expected", [
    (layers.ZeroPadding2D, (4, 4), 4), (layers.Cropping1D, (5,), 3),
    (layers.UpSampling3D, (2, 2, 2), 5), (lambda: layers.RepeatVector(2), (3, 4), 2),
    (lambda: layers.Permute((2, 1)), (3, 4, 5), 3)])
def test_wrong_rank_names_the_layer_and_shapes(make, shape, expected):
    layer = make()
    x = np.ones((2,) + shape, "float32")
    with pytest.raises(ValueError, match=rf'"{layer.name}".*expected ndim={expected}, found '
                                         rf'ndim={len(shape) + 1}. Full shape received: '
                                         rf'{re.escape(str(x.shape))}'):
        layer(x)
