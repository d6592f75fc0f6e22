"""Image preprocessing layers: Rescaling, Resizing and CenterCrop, and the random augmentations
at inference and in training with factor ranges of zero width, against real Keras 3
(tests/golden/layers_vision.json); what holds for any random draw; training-only behaviour in
`fit`/`predict`; gradients; bad input."""

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.backend import set_random_seed
from tests.layers import vision_helpers as vh

CASES = vh.cases("preprocessing")
EXACT = [c for c in CASES if not c["name"].startswith("flip_")]  # flips are random draws
# Weighted sums of pixel values up to 255 in float32 (one float32 step at 255 is 1.5e-5); the
# largest difference from Keras measured is 3.1e-5 (bilinear upsizing).
ATOL = 1e-4


@pytest.mark.parametrize("c", EXACT, ids=vh.ids(EXACT))
def test_forward_matches_keras(c):
    out = vh.run(vh.make_layer(c), c)
    expected = np.asarray(c["output"], dtype=c["output_dtype"])
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=ATOL)


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_symbolic_output_shape_matches_keras(c):
    assert vh.symbolic_shape(c) == c["output_shape"]


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_config_is_keras_and_round_trips(c):
    layer = vh.make_layer(c)
    vh.assert_config_is_keras(layer, c)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == layer.get_config()


def test_rescaling_per_channel_scale_round_trips_as_an_array():
    layer = layers.Rescaling(np.array([1.0, 0.5, 0.25]), offset=1.0)
    x = np.ones((2, 2, 2, 3), "float32") * 8
    np.testing.assert_array_equal(layer(x)[0, 0, 0], [9.0, 5.0, 3.0])
    config = layer.get_config()
    assert config["scale"]["class_name"] == "__numpy__"
    clone = layers.deserialize(layers.serialize(layer))
    np.testing.assert_array_equal(clone(x), layer(x))


# --------------------------------------------------------------------------- random draws
def _flips(x, mode):
    h = x[:, :, ::-1]
    v = x[:, ::-1]
    return {"horizontal": [x, h], "vertical": [x, v],
            "horizontal_and_vertical": [x, h[:, ::-1]]}[mode]


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_random_flip_output_is_one_of_the_flips_as_in_keras(mode):
    c = vh.case("preprocessing", f"flip_{mode}")
    x = vh.inputs_of(c)[0]
    keras_out = np.asarray(c["output"], np.float32)
    set_random_seed(0)
    big = np.random.default_rng(1).uniform(0, 255, (2000, 2, 3, 1)).astype("float32")
    ours = np.asarray(layers.RandomFlip(mode)(big, training=True))
    for inputs, out in ((x, keras_out), (big, ours)):
        candidates = _flips(inputs, mode)
        which = [next(i for i, cand in enumerate(candidates) if np.array_equal(o, cand[n]))
                 for n, o in enumerate(out)]
        if inputs is big:  # each image flipped with probability 1/2
            assert abs(np.mean(which) - 0.5) < 4 * 0.5 / np.sqrt(len(big))


def test_random_brightness_and_contrast_draw_one_factor_per_image_in_keras_ranges():
    x = np.random.default_rng(2).uniform(100, 150, (500, 3, 4, 2)).astype("float32")
    delta = np.asarray(layers.RandomBrightness(0.1, seed=1)(x, training=True)) - x
    per_image = delta.reshape(500, -1)
    assert np.ptp(per_image, axis=1).max() < 1e-4  # one offset per image
    assert per_image.min() >= -25.5 and per_image.max() <= 25.5  # 0.1 * (255 - 0)
    assert per_image[:, 0].min() < -20 and per_image[:, 0].max() > 20
    # Keras 3: factor=0.2 gives factor=(0, 0.2) and contrast factors in [1, 1.2]
    layer = layers.RandomContrast(0.2, seed=1)
    assert layer.factor == (0, 0.2)
    out = np.asarray(layer(x, training=True))
    mean = x.mean(axis=(1, 2), keepdims=True)
    ratio = ((out - mean) / (x - mean)).reshape(500, -1)
    far = np.abs(x - mean).reshape(500, -1) > 5  # away from the mean: a precise ratio
    spread = np.array([np.ptp(r[f]) for r, f in zip(ratio, far)])
    assert spread.max() < 1e-4  # one factor per image
    ratio = np.where(far, ratio, np.nan)
    assert np.nanmin(ratio) >= 1 - 1e-4 and np.nanmax(ratio) <= 1.2 + 1e-4
    assert np.nanmax(ratio) > 1.18 and np.nanmin(ratio) < 1.02


def test_random_zoom_translation_rotation_draw_within_their_ranges():
    # A one-hot image: where its pixel lands tells the transform drawn.
    x = np.zeros((300, 9, 9, 1), "float32")
    x[:, 4, 6] = 1.0
    out = np.asarray(layers.RandomTranslation((0.2, 0.4), (-0.3, -0.1), fill_mode="constant",
                                              interpolation="nearest", seed=1)(x, training=True))
    rows, cols = np.nonzero(out.reshape(300, 9, 9).max(axis=0))
    assert rows.min() >= 4 + round(0.2 * 9) and rows.max() <= 4 + round(0.4 * 9)
    assert cols.min() >= 6 - round(0.3 * 9) and cols.max() <= 6 - round(0.1 * 9)
    out = np.asarray(layers.RandomRotation((0.25, 0.25), fill_mode="constant",
                                           interpolation="nearest")(x, training=True))
    assert (out[:, 2, 4, 0] == 1).all()  # (row 4, col 6) turned by 90 degrees about (4, 4)


def test_augmentation_is_seeded_and_per_image():
    x = np.random.default_rng(3).uniform(0, 255, (6, 5, 5, 1)).astype("float32")
    a = layers.RandomRotation(0.2, seed=4)(x, training=True)
    b = layers.RandomRotation(0.2, seed=4)(x, training=True)
    np.testing.assert_array_equal(a, b)
    set_random_seed(9)
    c = np.asarray(layers.RandomZoom(0.3)(x, training=True))
    set_random_seed(9)
    np.testing.assert_array_equal(layers.RandomZoom(0.3)(x, training=True), c)
    # each image its own draw: the same image in every slot comes out differently
    same = np.repeat(x[:1], 6, axis=0)
    out = np.asarray(layers.RandomTranslation(0.3, 0.3, seed=2)(same, training=True))
    assert len({o.tobytes() for o in out}) > 1


def test_single_image_and_channels_first():
    x = np.random.default_rng(4).uniform(0, 255, (4, 5, 3)).astype("float32")
    out = layers.RandomRotation((0.5, 0.5))(x, training=True)  # 180 degrees
    np.testing.assert_allclose(out, x[::-1, ::-1], atol=1e-3)
    xc = np.moveaxis(x, -1, 0)[None]
    out = layers.RandomFlip("horizontal", data_format="channels_first", seed=0)(
        np.repeat(xc, 50, axis=0), training=True)
    assert {bool(np.array_equal(o, xc[0][:, :, ::-1])) for o in out} == {True, False}


# --------------------------------------------------------------------------- training only
def test_direct_call_augments_and_models_augment_only_in_fit():
    x = np.random.default_rng(5).uniform(0, 1, (16, 4, 4, 1)).astype("float32")
    flip = layers.RandomFlip(seed=0)
    assert not np.array_equal(flip(x), x)  # Keras 3: a direct call trains
    np.testing.assert_array_equal(flip(x, training=False), x)
    set_random_seed(1)
    y = x.reshape(16, -1).mean(axis=1, keepdims=True)
    model = minikeras.Sequential([minikeras.Input((4, 4, 1)), layers.RandomFlip(),
                                  layers.RandomRotation(0.1), layers.Rescaling(2.0),
                                  layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer=minikeras.optimizers.Adam(0.05), loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=8, verbose=0)  # 60 steps on augmented data
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    plain = model.layers[-1](model.layers[-2](x * 2.0))  # the model without augmentation
    np.testing.assert_allclose(model.predict(x, verbose=0), plain, rtol=1e-5)


# --------------------------------------------------------------------------- gradients
GRAD_CASES = [c for c in CASES if c["name"] in (
    "rescaling_offset", "resizing_bilinear_down", "resizing_bilinear_up", "resizing_nearest_up",
    "resizing_antialias_down", "resizing_crop_to_aspect_ratio", "resizing_pad_to_aspect_ratio",
    "resizing_channels_first", "center_crop", "center_crop_larger_resizes",
    "rotation_45_bilinear_reflect", "rotation_30_nearest", "rotation_45_wrap",
    "rotation_45_constant", "zoom_in_bilinear", "zoom_width_separate_constant",
    "translation_fraction_bilinear", "translation_nearest_fill_channels_first",
    "contrast_fixed_1_5", "brightness_fixed")]


@pytest.mark.parametrize("c", GRAD_CASES, ids=vh.ids(GRAD_CASES))
def test_gradients(float64, c):
    x = vh.inputs_of(c)[0].astype(np.float64)
    if c["class"] in ("RandomContrast", "RandomBrightness"):
        x = 100.0 + x / 10.0  # away from the clipping bounds
    vh.check_gradients(vh.make_layer(c), [x], training=c.get("training", False), rtol=1e-5,
                       atol=1e-6)


def test_random_flip_gradient(float64):
    x = np.random.default_rng(6).normal(size=(4, 3, 2, 2))
    vh.check_gradients(layers.RandomFlip(), [x], training=True)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, error, pattern", [
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), NotImplementedError,
     "RandomRotation: unknown `fill_mode` 'mirror'"),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), NotImplementedError,
     "RandomZoom: unknown `interpolation` 'bicubic'"),
    (lambda: layers.Resizing(2, 2, interpolation="lanczos3"), NotImplementedError,
     "'lanczos3' is not implemented"),
    (lambda: layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     ValueError, "only one of"),
    (lambda: layers.RandomRotation(1.5), ValueError, r"`factor` argument of RandomRotation.*"
                                                     r"\[-1, 1\]. Received: factor=1.5"),
    (lambda: layers.RandomZoom(-1.0), ValueError, r"height_factor.*\(-1.0, 1.0\]"),
    (lambda: layers.RandomTranslation(0.1, (0.2, 1.2)), ValueError, "width_factor"),
    (lambda: layers.RandomContrast(1.5), ValueError, "RandomContrast"),
    (lambda: layers.RandomBrightness(0.1, value_range=5), ValueError, "value_range"),
    (lambda: layers.RandomFlip("diagonal"), ValueError, "invalid `mode` 'diagonal'"),
    (lambda: layers.RandomFlip(bounding_box_format="xyxy"), NotImplementedError,
     "bounding boxes"),
])
def test_bad_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"Layer 'resizing' \(Resizing\) expects images of rank "
                                         r"4 .* or rank 3.*Received input of shape \(2, 5\)"):
        layers.Resizing(2, 2)(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match=r"'random_flip' \(RandomFlip\).*\(None, 5\)"):
        layers.RandomFlip()(minikeras.Input((5,)))
    with pytest.raises(NotImplementedError, match="dict inputs"):
        layers.RandomFlip()({"images": np.ones((1, 2, 2, 1))})


def test_uint8_images():
    x = np.arange(2 * 4 * 6 * 3).reshape(2, 4, 6, 3).astype("uint8")
    out = layers.Resizing(3, 4)(x)
    assert out.dtype == np.uint8  # interpolated as float, rounded back, as Keras
    assert layers.CenterCrop(2, 2)(x).dtype == np.float32
    assert layers.RandomFlip()(x, training=False).dtype == np.float32
    assert layers.RandomBrightness(0.1)(x, training=False).dtype == np.uint8
    assert layers.Rescaling(1 / 255)(x).dtype == np.float32


def test_keras2_experimental_preprocessing_path():
    from minikeras.layers.experimental import preprocessing

    assert preprocessing.RandomFlip is layers.RandomFlip
    assert preprocessing.Rescaling is layers.Rescaling
