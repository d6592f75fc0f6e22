"""Convolution layers inside models: training steps, bad input refused before any weight
changes, image_data_format, and save/load round trips through `.keras`, `.h5` and
`.weights.h5`."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import backend as K
from minikeras import layers


def _small_cnn(data_format="channels_last", seed=0):
    keras.utils.set_random_seed(seed)
    shape = (8, 8, 1) if data_format == "channels_last" else (1, 8, 8)
    return keras.Sequential([
        keras.Input(shape),
        layers.Conv2D(4, 3, activation="relu", padding="same", data_format=data_format),
        layers.SeparableConv2D(4, 3, strides=2, data_format=data_format),
        layers.Conv2DTranspose(2, 2, strides=2, activation="tanh", data_format=data_format),
        layers.DepthwiseConv2D(3, depth_multiplier=2, data_format=data_format),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ], name="small_cnn")


def _data(data_format="channels_last", n=16, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 1)).astype("float32")
    y = np.eye(3, dtype="float32")[(x[:, :4].sum(axis=(1, 2, 3)) > 0).astype(int)
                                   + (x[:, 4:].sum(axis=(1, 2, 3)) > 0)]
    return (x if data_format == "channels_last" else x.transpose(0, 3, 1, 2)), y


def _weights(model):
    return [w.numpy() for w in model.weights]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_a_small_cnn_trains(data_format):
    model = _small_cnn(data_format)
    model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    x, y = _data(data_format, n=64)
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    assert all(w.dtype == np.float32 for w in _weights(model))


def test_channels_first_and_last_models_compute_the_same_function():
    last, first = _small_cnn("channels_last"), _small_cnn("channels_first")
    first.set_weights(last.get_weights())
    x, _ = _data()
    # Flatten sees another layout, so compare before it.
    cut_last = keras.Model(last.inputs, last.layers[3].output)
    cut_first = keras.Model(first.inputs, first.layers[3].output)
    np.testing.assert_allclose(cut_first.predict(x.transpose(0, 3, 1, 2), verbose=0),
                               cut_last.predict(x, verbose=0).transpose(0, 3, 1, 2),
                               rtol=1e-5, atol=1e-6)


def test_channels_first_data_into_a_channels_last_model_fails_before_any_weight_changes():
    model = _small_cnn()
    model.compile("adam", "categorical_crossentropy")
    before = _weights(model)
    x, y = _data("channels_first")
    with pytest.raises(ValueError, match=r"expected shape=\(None, 8, 8, 1\), found shape="
                                         r"\(16, 1, 8, 8\)"):
        model.fit(x, y, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(model)))


def test_a_layer_built_channels_last_refuses_channels_first_data_naming_itself():
    layer = layers.Conv2D(4, 3)
    layer(np.zeros((1, 8, 8, 1), np.float32))
    before = _weights(layer)
    with pytest.raises(ValueError, match=r'layer "conv2d".*expected axis -1 of input shape to '
                                         r"have value 1.*\(2, 1, 8, 8\)"):
        layer(np.zeros((2, 1, 8, 8), np.float32))
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(layer)))


def test_a_kernel_larger_than_a_valid_input_names_the_layer_and_both_shapes():
    with pytest.raises(ValueError, match=r'Layer "big" \(Conv2D\): the kernel is larger than '
                                         r"the input. Expected spatial dimensions of at least "
                                         r"\(5, 5\).*received input shape \(None, 4, 6, 1\)"):
        keras.Sequential([keras.Input((4, 6, 1)), layers.Conv2D(2, 5, name="big")])
    # With unknown spatial sizes the check happens at the call, before the step changes weights.
    model = keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(2, 5, name="big"),
                              layers.Lambda(lambda t: keras.ops.max(t, axis=(1, 2)))])
    model.compile("sgd", "mse")
    before = _weights(model)
    with pytest.raises(ValueError, match=r'Layer "big".*received input shape \(4, 3, 3, 1\)'):
        model.fit(np.zeros((4, 3, 3, 1), np.float32), np.zeros((4, 2), np.float32), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(model)))


def test_a_layer_called_on_the_wrong_rank_names_the_layer_and_the_shape():
    with pytest.raises(ValueError, match=r'layer "c1d" \(Conv1D\).*expected ndim=3.*found '
                                         r"ndim=4. Full shape received: \(2, 5, 5, 1\)"):
        layers.Conv1D(2, 3, name="c1d")(np.zeros((2, 5, 5, 1), np.float32))
    layer = layers.Conv2D(2, 3, name="c2d")
    layer(np.zeros((1, 5, 5, 1), np.float32))
    with pytest.raises(ValueError, match=r'"c2d".*expected ndim=4, found ndim=3'):
        layer(np.zeros((5, 5, 1), np.float32))


def test_image_data_format_is_the_default_of_every_conv_layer():
    assert K.image_data_format() == "channels_last"
    try:
        keras.config.set_image_data_format("channels_first")
        assert K.image_data_format() == "channels_first"
        assert layers.Conv2D(2, 3).data_format == "channels_first"
        assert layers.SeparableConv1D(2, 3).get_config()["data_format"] == "channels_first"
        K.set_image_data_format("channels_last")
        assert layers.Conv2DTranspose(2, 3).data_format == "channels_last"
    finally:
        K.set_image_data_format("channels_last")


@pytest.mark.parametrize("name", ["model.keras", "model.h5"])
def test_a_cnn_round_trips_through_model_files(tmp_path, name):
    model = _small_cnn()
    model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / name)
    loaded = keras.models.load_model(tmp_path / name)
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert all(np.array_equal(a, b) for a, b in zip(_weights(loaded), _weights(model)))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    loaded.fit(x, y, epochs=1, batch_size=8, verbose=0)  # and it trains on


def test_a_cnn_round_trips_through_a_weights_file(tmp_path):
    model = _small_cnn(seed=0)
    x, _ = _data()
    model.save_weights(tmp_path / "cnn.weights.h5")
    other = _small_cnn(seed=5)
    assert not np.array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    other.load_weights(tmp_path / "cnn.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
