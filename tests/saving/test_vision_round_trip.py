"""Every vision layer (issue 14) round-trips through `.keras`, `.h5` and `.weights.h5`.

Each case is one layer, with arguments away from their defaults, in a small functional model
(and, for one-input layers, a Sequential one) whose every weight is set to random values
(BatchNormalization's moving statistics and gammas too, variances positive). After saving and
loading, the layer has the same class and config, the model the same weights at the same paths,
and it predicts exactly what the saved model predicted. A weights-only file is loaded into the
model built again, whose fresh initial weights differ from the saved ones.

The files real Keras writes and reads are tested in test_golden_files.py.
"""

import importlib.util
import json
import os

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers

L = layers


def case(cls, shapes, **kwargs):
    """A layer class with its arguments (the layer is named `layer`), and its input shapes."""
    return cls, tuple(shapes), kwargs


CASES = {
    # convolutions
    "Conv1D": case(L.Conv1D, [(9, 2)], filters=3, kernel_size=3, strides=2, padding="same",
                   activation="relu", kernel_regularizer="l2", bias_constraint="non_neg"),
    "Conv1D_causal_dilated": case(L.Conv1D, [(9, 4)], filters=4, kernel_size=2, padding="causal",
                                  dilation_rate=2, groups=2, use_bias=False),
    "Conv2D": case(L.Conv2D, [(7, 6, 3)], filters=4, kernel_size=(2, 3), strides=(2, 1),
                   activation="tanh", kernel_initializer="he_normal",
                   kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2.0}}),
    "Conv2D_channels_first": case(L.Conv2D, [(3, 6, 5)], filters=2, kernel_size=3,
                                  padding="same", data_format="channels_first",
                                  dilation_rate=(1, 2)),
    "Conv3D": case(L.Conv3D, [(4, 5, 4, 2)], filters=3, kernel_size=2, strides=(1, 2, 1),
                   activity_regularizer="l1"),
    "Conv1DTranspose": case(L.Conv1DTranspose, [(5, 3)], filters=2, kernel_size=3, strides=2,
                            output_padding=1),
    "Conv2DTranspose": case(L.Conv2DTranspose, [(4, 3, 2)], filters=3, kernel_size=(3, 2),
                            strides=2, padding="same", activation="sigmoid"),
    "Conv2DTranspose_channels_first": case(L.Conv2DTranspose, [(2, 4, 3)], filters=2,
                                           kernel_size=2, data_format="channels_first"),
    "Conv3DTranspose": case(L.Conv3DTranspose, [(3, 3, 2, 2)], filters=2, kernel_size=2,
                            strides=(2, 1, 2)),
    "DepthwiseConv1D": case(L.DepthwiseConv1D, [(8, 3)], kernel_size=3, depth_multiplier=2,
                            padding="same", depthwise_regularizer="l2"),
    "DepthwiseConv2D": case(L.DepthwiseConv2D, [(6, 6, 3)], kernel_size=3, strides=2,
                            depth_multiplier=2, activation="relu"),
    "SeparableConv1D": case(L.SeparableConv1D, [(8, 3)], filters=4, kernel_size=3,
                            dilation_rate=2, pointwise_initializer="ones"),
    "SeparableConv2D": case(L.SeparableConv2D, [(6, 6, 2)], filters=3, kernel_size=2,
                            strides=2, depth_multiplier=3, padding="same",
                            pointwise_constraint="unit_norm"),
    # pooling
    "MaxPooling1D": case(L.MaxPooling1D, [(9, 2)], pool_size=3, strides=2, padding="same"),
    "MaxPooling2D": case(L.MaxPooling2D, [(7, 6, 2)], pool_size=(3, 2), strides=(2, 1)),
    "MaxPooling2D_channels_first": case(L.MaxPooling2D, [(2, 6, 6)], pool_size=2,
                                        data_format="channels_first"),
    "MaxPooling3D": case(L.MaxPooling3D, [(4, 4, 5, 2)], pool_size=2, padding="same"),
    "AveragePooling1D": case(L.AveragePooling1D, [(9, 2)], pool_size=2, strides=1),
    "AveragePooling2D": case(L.AveragePooling2D, [(7, 6, 2)], pool_size=3, strides=2,
                             padding="same"),
    "AveragePooling3D": case(L.AveragePooling3D, [(4, 4, 4, 2)], pool_size=(2, 1, 2)),
    "GlobalMaxPooling1D": case(L.GlobalMaxPooling1D, [(6, 3)], keepdims=True),
    "GlobalMaxPooling2D": case(L.GlobalMaxPooling2D, [(5, 4, 3)]),
    "GlobalMaxPooling3D": case(L.GlobalMaxPooling3D, [(3, 3, 3, 2)], keepdims=True),
    "GlobalAveragePooling1D": case(L.GlobalAveragePooling1D, [(6, 3)]),
    "GlobalAveragePooling2D": case(L.GlobalAveragePooling2D, [(3, 5, 4)],
                                   data_format="channels_first", keepdims=True),
    "GlobalAveragePooling3D": case(L.GlobalAveragePooling3D, [(3, 3, 3, 2)]),
    # normalization
    "BatchNormalization": case(L.BatchNormalization, [(5, 5, 3)], momentum=0.9, epsilon=0.01,
                               beta_regularizer="l2"),
    "BatchNormalization_axis1_no_center": case(L.BatchNormalization, [(3, 4, 4)], axis=1,
                                               center=False),
    "LayerNormalization": case(L.LayerNormalization, [(4, 6)], epsilon=1e-4,
                               gamma_initializer="ones"),
    "LayerNormalization_rms": case(L.LayerNormalization, [(3, 4, 5)], axis=[-2, -1],
                                   rms_scaling=True),
    "GroupNormalization": case(L.GroupNormalization, [(4, 4, 6)], groups=3, epsilon=1e-5),
    "UnitNormalization": case(L.UnitNormalization, [(3, 5)], axis=1),
    # merging
    "Add": case(L.Add, [(4, 3), (4, 3)]),
    "Subtract": case(L.Subtract, [(5,), (5,)]),
    "Multiply": case(L.Multiply, [(2, 3), (2, 3), (2, 3)]),
    "Average": case(L.Average, [(4, 4, 2), (4, 4, 2)]),
    "Maximum": case(L.Maximum, [(6,), (6,)]),
    "Minimum": case(L.Minimum, [(6,), (6,)]),
    "Concatenate": case(L.Concatenate, [(4, 2), (4, 3)], axis=-1),
    "Concatenate_axis1": case(L.Concatenate, [(2, 3), (4, 3)], axis=1),
    "Dot": case(L.Dot, [(5,), (5,)], axes=1, normalize=True),
    "Dot_3d": case(L.Dot, [(3, 4), (2, 4)], axes=(2, 2)),
    # shape
    "ZeroPadding1D": case(L.ZeroPadding1D, [(5, 2)], padding=(2, 1)),
    "ZeroPadding2D": case(L.ZeroPadding2D, [(3, 4, 2)], padding=((1, 2), (0, 1))),
    "ZeroPadding2D_channels_first": case(L.ZeroPadding2D, [(2, 3, 4)], padding=1,
                                         data_format="channels_first"),
    "ZeroPadding3D": case(L.ZeroPadding3D, [(2, 3, 2, 1)], padding=(1, 0, 2)),
    "Cropping1D": case(L.Cropping1D, [(7, 2)], cropping=(2, 1)),
    "Cropping2D": case(L.Cropping2D, [(6, 7, 2)], cropping=((1, 2), (3, 0))),
    "Cropping3D": case(L.Cropping3D, [(5, 5, 5, 1)], cropping=((1, 0), (0, 2), (1, 1))),
    "UpSampling1D": case(L.UpSampling1D, [(4, 3)], size=3),
    "UpSampling2D": case(L.UpSampling2D, [(3, 4, 2)], size=(2, 3)),
    "UpSampling2D_bilinear": case(L.UpSampling2D, [(3, 3, 2)], size=2,
                                  interpolation="bilinear"),
    "UpSampling3D": case(L.UpSampling3D, [(2, 2, 3, 1)], size=(1, 2, 2)),
    "RepeatVector": case(L.RepeatVector, [(4,)], n=3),
    "Permute": case(L.Permute, [(2, 3, 4)], dims=(3, 1, 2)),
    "Reshape": case(L.Reshape, [(4, 6)], target_shape=(3, -1)),
    "Flatten_channels_first": case(L.Flatten, [(2, 3, 4)], data_format="channels_first"),
    # regularization (identity at inference)
    "Dropout": case(L.Dropout, [(6,)], rate=0.4, noise_shape=(None, 1), seed=3),
    "GaussianNoise": case(L.GaussianNoise, [(6,)], stddev=0.3, seed=1),
    "GaussianDropout": case(L.GaussianDropout, [(6,)], rate=0.2, seed=2),
    "AlphaDropout": case(L.AlphaDropout, [(6,)], rate=0.1, seed=4),
    "SpatialDropout1D": case(L.SpatialDropout1D, [(5, 3)], rate=0.3),
    "SpatialDropout2D": case(L.SpatialDropout2D, [(4, 4, 3)], rate=0.3, seed=5),
    "SpatialDropout3D": case(L.SpatialDropout3D, [(3, 3, 3, 2)], rate=0.3,
                             data_format="channels_first"),
    "ActivityRegularization": case(L.ActivityRegularization, [(6,)], l1=0.01, l2=0.02),
    # image preprocessing (the random ones are identity at inference)
    "Rescaling": case(L.Rescaling, [(4, 4, 3)], scale=1 / 255, offset=-0.5),
    "Resizing": case(L.Resizing, [(6, 5, 2)], height=4, width=7),
    "Resizing_nearest_crop": case(L.Resizing, [(6, 5, 2)], height=3, width=3,
                                  interpolation="nearest", crop_to_aspect_ratio=True),
    "CenterCrop": case(L.CenterCrop, [(6, 5, 2)], height=4, width=3),
    "RandomFlip": case(L.RandomFlip, [(5, 5, 3)], mode="horizontal", seed=7),
    "RandomRotation": case(L.RandomRotation, [(5, 5, 3)], factor=0.2, fill_mode="constant",
                           fill_value=1.0, seed=8),
    "RandomZoom": case(L.RandomZoom, [(5, 5, 3)], height_factor=(-0.2, 0.3),
                       width_factor=0.1, interpolation="nearest", seed=9),
    "RandomTranslation": case(L.RandomTranslation, [(5, 5, 3)], height_factor=0.1,
                              width_factor=(-0.2, 0.1), fill_mode="wrap", seed=10),
    "RandomContrast": case(L.RandomContrast, [(5, 5, 3)], factor=(0.2, 0.4), seed=11),
    "RandomBrightness": case(L.RandomBrightness, [(5, 5, 3)], factor=0.3,
                             value_range=(0.0, 1.0), seed=12),
}

# The modules of issue 14's layers: each of their classes needs a case above.
VISION_MODULES = ("conv", "conv_transpose", "separable_conv", "pooling", "normalization",
                  "reshaping", "merging", "regularization", "image_preprocessing",
                  "image_augmentation")


def _build(name, sequential=False):
    cls, shapes, kwargs = CASES[name]
    layer = cls(name="layer", **kwargs)
    if sequential:
        return keras.Sequential([keras.Input(shapes[0], name="in0"), layer], name="model")
    inputs = [keras.Input(shape, name=f"in{i}") for i, shape in enumerate(shapes)]
    outputs = layer(inputs if len(inputs) > 1 else inputs[0])
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], outputs, name="model")


def _randomize(model, seed=0):
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        positive = "variance" in variable.path or "gamma" in variable.path
        value = rng.uniform(0.5, 1.5, variable.shape) if positive else \
            rng.normal(0.0, 0.5, variable.shape)
        variable.assign(value.astype("float32"))


def _inputs(name, seed=1):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(0, 1, (3,) + shape).astype("float32") for shape in CASES[name][1]]
    return arrays if len(arrays) > 1 else arrays[0]


def _as_json(config):
    """A config as a file holds it (tuples become lists)."""
    return json.loads(json.dumps(config))


def _check_same(loaded, model, x, expected):
    original = model.get_layer("layer")
    layer = loaded.get_layer("layer")
    assert type(layer) is type(original)
    assert _as_json(layer.get_config()) == _as_json(original.get_config())
    assert _as_json(loaded.get_config()) == _as_json(model.get_config())
    assert [v.path for v in loaded.weights] == [v.path for v in model.weights]
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)


# Sequential models are saved through other code (their configs list layers, not nodes): one
# case of each family goes through them too (every case costs a fork per file loaded).
SEQUENTIAL = ["Conv1D", "Conv2D_channels_first", "Conv3DTranspose", "DepthwiseConv2D",
              "SeparableConv2D", "MaxPooling2D", "GlobalAveragePooling2D", "BatchNormalization",
              "GroupNormalization", "ZeroPadding3D", "UpSampling2D_bilinear", "Reshape",
              "SpatialDropout2D", "Rescaling", "RandomRotation"]
ROUND_TRIPS = [(name, "functional") for name in sorted(CASES)] + \
    [(name, "sequential") for name in SEQUENTIAL]


@pytest.mark.parametrize("name, kind", ROUND_TRIPS)
def test_layer_round_trips_through_every_format(name, kind, tmp_path):
    model = _build(name, kind == "sequential")
    _randomize(model)
    x = _inputs(name)
    expected = model.predict(x, verbose=0)
    for suffix in (".keras", ".h5"):
        model.save(tmp_path / f"model{suffix}")
        _check_same(keras.models.load_model(tmp_path / f"model{suffix}"), model, x, expected)
    model.save_weights(tmp_path / "model.weights.h5")
    fresh = _build(name, kind == "sequential")
    if model.weights:  # the fresh initial weights are not the saved ones
        assert any(not np.array_equal(a, b)
                   for a, b in zip(fresh.get_weights(), model.get_weights()))
    fresh.load_weights(tmp_path / "model.weights.h5")
    _check_same(fresh, model, x, expected)


def test_every_vision_layer_class_has_a_case():
    covered = {cls for cls, _, _ in CASES.values()}
    vision = {cls for cls in layers.layer_classes().values()
              if cls.__module__.rsplit(".", 1)[-1] in VISION_MODULES}
    assert len(vision) >= 55
    assert sorted(c.__name__ for c in vision - covered) == []


def _vision_models():
    path = os.path.join(os.path.dirname(__file__), "..", "golden", "saving", "vision_models.py")
    spec = importlib.util.spec_from_file_location("saving_vision_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("builder", ["zoo_2d", "zoo_1d3d"])
def test_layer_zoos_round_trip(builder, tmp_path):
    """The zoo models of the real-Keras fixtures, every weight random, written here."""
    build = _vision_models().BUILDERS[builder]
    model = build(keras)
    _randomize(model, 3)
    rng = np.random.default_rng(4)
    x = [rng.normal(size=(2,) + tuple(i.shape[1:])).astype("float32") for i in model.inputs]
    x = x if len(x) > 1 else x[0]
    expected = model.predict(x, verbose=0)
    for suffix in (".keras", ".h5"):
        model.save(tmp_path / f"zoo{suffix}")
        loaded = keras.models.load_model(tmp_path / f"zoo{suffix}")
        assert _as_json(loaded.get_config()) == _as_json(model.get_config())
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    model.save_weights(tmp_path / "zoo.weights.h5")
    fresh = build(keras)
    fresh.load_weights(tmp_path / "zoo.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), expected)


def test_trained_cnn_continues_from_each_format(tmp_path):
    """The CNN trained here (Adam, BatchNormalization's statistics moving) and saved in each
    format trains on to the same weights as the model that never left memory."""
    models = _vision_models()
    rng = np.random.default_rng(6)
    x = rng.normal(size=(12, 8, 8, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 12)]

    def compiled():
        model = models.cnn(keras)
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    keras.utils.set_random_seed(7)
    model = compiled()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for suffix in (".keras", ".h5"):
        model.save(tmp_path / f"cnn{suffix}")
    model.save_weights(tmp_path / "cnn.weights.h5")
    moving_mean = model.get_layer("bn").moving_mean.numpy()
    assert not np.allclose(moving_mean, 0.0)
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    expected = model.get_weights()
    for suffix in (".keras", ".h5", ".weights.h5"):
        if suffix == ".weights.h5":
            loaded = compiled()
            loaded.load_weights(tmp_path / f"cnn{suffix}")
        else:
            loaded = keras.models.load_model(tmp_path / f"cnn{suffix}")
        assert int(loaded.optimizer.iterations) == 3, suffix
        np.testing.assert_array_equal(loaded.get_layer("bn").moving_mean.numpy(), moving_mean)
        loaded.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
        for got, want in zip(loaded.get_weights(), expected):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7, err_msg=suffix)
