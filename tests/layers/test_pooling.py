"""Pooling layers against real Keras 3 (tests/golden/pool_norm.json): outputs, symbolic output
shapes, configs and input gradients for every pool size / strides / padding / data_format
combination that takes another path, with inputs where most max-pool windows tie (the
gradient must go where JAX sends it: the first maximum); the shared gradient check; errors that
name the layer; models that train and round-trip through every file format."""

import re

import numpy as np
import pytest

import minikeras as keras
from minikeras import backend as K
from minikeras import layers
from tests.layers.pool_norm_fixture import (FIXTURE, assert_config_is_keras, case, cases, f32,
                                            ids, input_gradient, make_layer)
from tests.ops.gradcheck import check_layer_grads

POOLING = cases("pooling") + [c for c in cases("global_pooling") if "mask" not in c]


@pytest.mark.parametrize("c", POOLING, ids=ids(POOLING))
def test_output_matches_keras(c):
    out = make_layer(c)(f32(c["input"]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, f32(c["output"]), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("c", POOLING, ids=ids(POOLING))
def test_input_gradient_matches_jax_through_keras(c):
    # Max pooling inputs are ReLU'd small integers: most windows hold their maximum twice or
    # more, and the gradient must go to the first one (global max: shared among the ties).
    x = f32(c["input"])
    dx = input_gradient(make_layer(c), x, f32(c["cotangent"]))
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, f32(c["input_gradient"]), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["global_average_1d_masked",
                                  "global_average_1d_masked_channels_first"])
def test_masked_global_average_matches_keras(name):
    c = case("global_pooling", name)
    layer, x, mask = make_layer(c), f32(c["input"]), np.asarray(c["mask"], bool)
    np.testing.assert_allclose(layer(x, mask=mask), f32(c["output"]), rtol=1e-6)
    np.testing.assert_allclose(input_gradient(layer, x, f32(c["cotangent"]), mask=mask),
                               f32(c["input_gradient"]), rtol=1e-6)
    assert layer.compute_mask(x, mask) is None
    assert_config_is_keras(layer, c)


def test_the_fixture_has_ties_an_equality_mask_would_get_wrong():
    c = case("pooling", "max_2d_default")
    x = f32(c["input"])
    windows = x.reshape(2, 3, 2, 3, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(2, 3, 3, 3, 4)
    tied = (windows == windows.max(axis=-1, keepdims=True)).sum(axis=-1) > 1
    assert tied.mean() > 0.2
    assert np.count_nonzero(f32(c["input_gradient"])) == windows[..., 0].size


@pytest.mark.parametrize("c", POOLING, ids=ids(POOLING))
def test_symbolic_output_shape_and_config_match_keras(c):
    layer = make_layer(c)
    x = f32(c["input"])
    assert list(layer(keras.Input(batch_shape=(None,) + x.shape[1:])).shape) == c["output_shape"]
    assert_config_is_keras(layer, c)


@pytest.mark.parametrize("c", POOLING, ids=ids(POOLING))
def test_config_round_trip(c):
    layer = make_layer(c, name="pool")
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    rebuilt = layers.deserialize(layers.serialize(layer))
    assert type(rebuilt) is type(layer) and rebuilt.get_config() == layer.get_config()
    np.testing.assert_array_equal(rebuilt(f32(c["input"])), layer(f32(c["input"])))


@pytest.mark.parametrize("c", POOLING, ids=ids(POOLING))
def test_gradient_by_the_shared_check(c, float64):
    # Distinct values (no ties), so that central differences are valid for max pooling.
    x = np.random.default_rng(0).permutation(np.asarray(c["input"]).size).reshape(
        np.shape(c["input"])) * 0.1
    check_layer_grads(make_layer(c), x)


def test_keras2_names_are_the_same_classes():
    aliases = next(c["aliases"] for c in FIXTURE["pooling"] if "aliases" in c)
    for alias, name in aliases.items():
        assert getattr(layers, alias) is getattr(layers, name)
    assert layers.MaxPool2D(name="p").get_config()["name"] == "p"
    assert layers.deserialize({"class_name": "GlobalAvgPool2D", "config": {}}).__class__ is \
        layers.GlobalAveragePooling2D


def test_defaults():
    assert layers.MaxPooling1D().pool_size == (2,) and layers.MaxPooling1D().strides == (2,)
    assert layers.MaxPooling2D().pool_size == (2, 2)
    assert layers.MaxPooling3D().pool_size == (2, 2, 2)
    assert layers.MaxPooling2D((3, 2)).strides == (3, 2)
    # Keras 3 requires a pool size for average pooling; tf.keras 2 defaulted it as max pooling
    # does, and course code relies on that.
    assert layers.AveragePooling2D().pool_size == (2, 2)
    assert layers.GlobalAveragePooling2D().get_config()["keepdims"] is False


def test_image_data_format_is_the_default_data_format():
    try:
        K.set_image_data_format("channels_first")
        assert layers.MaxPooling2D().data_format == "channels_first"
        assert layers.GlobalAveragePooling1D().data_format == "channels_first"
        x = np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
        assert layers.MaxPooling2D()(x).shape == (2, 3, 2, 2)
    finally:
        K.set_image_data_format("channels_last")
    assert layers.MaxPooling2D().data_format == "channels_last"


# ----------------------------------------------------------------------------------- errors
@pytest.mark.parametrize("cls,kwargs,received", [
    ("MaxPooling2D", {"pool_size": 0}, "pool_size=0"),
    ("AveragePooling1D", {"pool_size": -2}, "pool_size=-2"),
    ("MaxPooling3D", {"pool_size": (2, 0, 2)}, r"pool_size=\(2, 0, 2\)"),
    ("MaxPooling2D", {"pool_size": 2, "strides": 0}, "strides=0"),
    ("MaxPooling2D", {"pool_size": (2, 2, 2)}, r"tuple of 2 integers. Received pool_size=\(2, 2, "),
    ("AveragePooling2D", {"padding": "full"}, "padding='full'"),
    ("GlobalMaxPooling2D", {"data_format": "channels_middle"}, "channels_middle"),
])
def test_bad_arguments_name_the_layer_and_the_value(cls, kwargs, received):
    with pytest.raises(ValueError, match=rf'Layer "bad" \({cls}\): .*{received}'):
        getattr(layers, cls)(name="bad", **kwargs)


def test_a_pool_larger_than_a_valid_input_names_the_layer_expected_and_received():
    message = (r'Layer "pool" \(MaxPooling2D\): the pooling window is larger than the input. '
               r"Expected spatial dimensions of at least \(3, 3\) \(pool_size\) with "
               r"padding='valid', received input shape \(None, 2, 5, 1\)")
    with pytest.raises(ValueError, match=message):
        keras.Sequential([keras.Input((2, 5, 1)), layers.MaxPooling2D(3, name="pool")])
    with pytest.raises(ValueError, match=message.replace("None", "4")):
        layers.MaxPooling2D(3, name="pool")(np.zeros((4, 2, 5, 1), np.float32))
    # 'same' padding pools any size.
    assert layers.MaxPooling2D(3, padding="same")(np.zeros((4, 2, 5, 1), np.float32)).shape == \
        (4, 1, 2, 1)


def test_a_pool_larger_than_the_input_fails_in_fit_before_any_weight_changes():
    model = keras.Sequential([keras.Input((None, 1)), layers.Dense(2),
                              layers.MaxPooling1D(4, name="pool"), layers.GlobalMaxPooling1D()])
    model.compile("sgd", "mse")
    before = [w.numpy() for w in model.weights]
    with pytest.raises(ValueError, match=r'Layer "pool" \(MaxPooling1D\).*at least \(4,\).*'
                                         r"received input shape \(4, 3, 2\)"):
        model.fit(np.ones((4, 3, 1), np.float32), np.ones((4, 2), np.float32), verbose=0)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, model.weights))


@pytest.mark.parametrize("layer,shape", [(layers.MaxPooling2D(name="p"), (2, 4, 4)),
                                         (layers.AveragePooling1D(2, name="p"), (2, 4, 4, 1)),
                                         (layers.GlobalMaxPooling3D(name="p"), (2, 4, 4, 1))])
def test_the_wrong_rank_names_the_layer_and_the_shapes(layer, shape):
    ndim = layer.input_spec.ndim
    received = re.escape(str(tuple(shape)))
    with pytest.raises(ValueError, match=rf'layer "p".*expected ndim={ndim}, found '
                                         rf"ndim={len(shape)}. Full shape received: {received}"):
        layer(np.zeros(shape, np.float32))
    with pytest.raises(ValueError, match=rf"expected ndim={ndim}"):
        layer(keras.Input(batch_shape=(None,) + shape[1:]))


# ----------------------------------------------------------------------------------- models
def _pooling_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((8, 8, 2)),
        layers.Dense(4, activation="relu"),
        layers.MaxPooling2D(),
        layers.AveragePooling2D(3, strides=1, padding="same"),
        layers.MaxPool2D(2, strides=1),
        layers.GlobalAveragePooling2D(keepdims=True),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ], name="pooling_model")


def _pooling_data(n=32, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 2)).astype("float32")
    return x, x[:, :4, :4, 0].mean(axis=(1, 2))[:, None].astype("float32")


def test_a_model_of_pooling_layers_trains():
    model = _pooling_model()
    model.compile(keras.optimizers.Adam(0.02), "mse")
    x, y = _pooling_data()
    history = model.fit(x, y, epochs=15, batch_size=8, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]


@pytest.mark.parametrize("name", ["model.keras", "model.h5"])
def test_pooling_models_round_trip_through_model_files(tmp_path, name):
    model = _pooling_model()
    model.compile("adam", "mse")
    x, y = _pooling_data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / name)
    loaded = keras.models.load_model(tmp_path / name)
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_pooling_models_round_trip_through_a_weights_file(tmp_path):
    model, other = _pooling_model(0), _pooling_model(5)
    x, _ = _pooling_data()
    model.save_weights(tmp_path / "pool.weights.h5")
    other.load_weights(tmp_path / "pool.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
