"""Activation layers: golden outputs and configs from Keras 3, gradients, training, bad input."""

import numpy as np
import pytest

from minikeras import constraints, initializers, layers, regularizers
from minikeras.layers import ELU, Input, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from minikeras.models import Sequential
from tests.conftest import check_layer_gradients, load_golden

LAYER_CASES = [c for c in load_golden("activations.json")["cases"] if c["kind"] == "layer"]


@pytest.mark.parametrize("case", LAYER_CASES, ids=lambda c: f"{c['name']}-{c['kwargs']}")
def test_layer_matches_keras(case):
    layer = getattr(layers, case["name"])(**case["kwargs"])
    x = np.asarray(case["x"], dtype=np.float32)
    y = layer(x)
    assert y.dtype == np.float32
    # Same float32 tolerance reasoning as tests/activations: a few ulps.
    np.testing.assert_allclose(y, np.asarray(case["y"], dtype=np.float32), rtol=1e-6, atol=1e-6)
    for w, expected in zip(layer.get_weights(), case["weights"]):
        np.testing.assert_allclose(w, expected)
    assert len(layer.get_weights()) == len(case["weights"])
    config = layer.get_config()
    for key, value in case["keras_config"].items():
        if isinstance(value, dict):  # serialized initializer: compare class and config
            assert config[key]["class_name"] == value["class_name"]
            assert config[key]["config"] == value["config"]
        else:
            assert config[key] == value, key


@pytest.mark.parametrize("layer", [
    ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5), LeakyReLU(0.1), ELU(0.5),
    Softmax(axis=0), ThresholdedReLU(0.7),
    PReLU(alpha_initializer="ones", alpha_regularizer="l2", alpha_constraint="non_neg",
          shared_axes=[1]),
], ids=lambda l: type(l).__name__)
def test_config_round_trip(layer):
    layer(np.zeros((2, 3, 4), dtype="float32"))
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == config
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    if isinstance(layer, PReLU):
        clone(x)
        clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x), layer(x))


def test_leaky_relu_keras2_alpha_warns_and_is_honoured():
    with pytest.warns(DeprecationWarning, match="alpha"):
        layer = LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1
    np.testing.assert_allclose(layer(np.array([-2.0, 3.0])), [-0.2, 3.0])
    assert LeakyReLU().negative_slope == 0.3  # the layer's default, not the function's 0.2


@pytest.mark.parametrize("make, match", [
    (lambda: ReLU(max_value=-1.0), "max_value"),
    (lambda: ReLU(negative_slope=-0.1), "negative_slope"),
    (lambda: ReLU(threshold=None), "threshold"),
    (lambda: LeakyReLU(negative_slope=-1), "negative_slope"),
    (lambda: ThresholdedReLU(theta=-1), "theta"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_thresholded_relu_keras2():
    np.testing.assert_allclose(ThresholdedReLU()(np.array([0.5, 1.0, 1.5])), [0, 0, 1.5])


def test_softmax_mask_and_axes():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], dtype="float32")
    mask = np.array([[True, False, True], [False, False, False]])
    y = Softmax()(x, mask=mask)
    e = np.exp([1.0, 3.0])
    np.testing.assert_allclose(y[0], [e[0] / e.sum(), 0, e[1] / e.sum()], rtol=1e-6)
    np.testing.assert_array_equal(y[1], [0, 0, 0])  # fully masked row: zeros, not NaN
    y = Softmax(axis=[1, 2])(np.random.default_rng(0).normal(size=(2, 3, 4)))
    np.testing.assert_allclose(y.sum(axis=(1, 2)), [1, 1], rtol=1e-6)


def test_prelu_weight_shapes_and_value():
    layer = PReLU(alpha_initializer=initializers.Constant(0.25), shared_axes=[1, 2])
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    y = layer(x)
    assert layer.alpha.shape == (1, 1, 5) and [w.name for w in layer.trainable_weights] == ["alpha"]
    np.testing.assert_allclose(y, np.where(x >= 0, x, 0.25 * x), rtol=1e-6)
    assert PReLU(shared_axes=2).shared_axes == [2]
    full = PReLU()
    full(x)
    assert full.alpha.shape == (3, 4, 5)
    with pytest.raises(ValueError, match="incompatible"):
        full(np.zeros((2, 3, 4, 6), dtype="float32"))
    with pytest.raises(ValueError, match="shared_axes"):
        PReLU(shared_axes=[0])(x)


@pytest.mark.parametrize("make", [
    lambda: PReLU(alpha_initializer=initializers.RandomUniform(0.1, 0.5, seed=1)),
    lambda: PReLU(shared_axes=[1], alpha_initializer="ones"),
    lambda: ReLU(negative_slope=0.1, max_value=2.0, threshold=0.5),
    lambda: LeakyReLU(0.2), lambda: ELU(0.7), lambda: Softmax(),
], ids=["prelu", "prelu_shared", "relu", "leaky", "elu", "softmax"])
def test_gradients(make, float64):
    # Inputs kept away from the kinks (0, 0.5 and the 2.0 cap).
    x = np.random.default_rng(3).uniform(0.1, 0.4, size=(2, 3, 4)) * \
        np.random.default_rng(4).choice([-5.0, 1.0, 3.0, 7.0], size=(2, 3, 4))
    check_layer_gradients(make(), x)


def test_prelu_trains_with_constraint_and_regularizer():
    model = Sequential([Input((4,)), layers.Dense(4, kernel_initializer="identity"),
                        PReLU(alpha_constraint=constraints.MaxNorm(0.5, axis=0),
                              alpha_regularizer=regularizers.L2(0.1))])
    model.compile(optimizer="sgd", loss="mse")
    prelu = model.layers[-1]
    assert len(prelu.losses) == 1 and float(prelu.losses[0]) == 0.0  # alpha starts at 0
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    model.fit(x, x * 0.8, epochs=20, batch_size=16, verbose=0)
    alpha = prelu.get_weights()[0]
    assert np.all(alpha > 0.05)  # learned from 0 towards the 0.8 slope of the target...
    assert np.linalg.norm(alpha) <= 0.5 + 1e-6  # ...but kept inside the max-norm ball


def test_activation_layers_in_a_model():
    model = Sequential([Input((3,)), ReLU(max_value=1.0), LeakyReLU(), ELU(), Softmax()])
    out = model.predict(np.array([[-1.0, 0.5, 2.0]], dtype="float32"), verbose=0)
    assert out.shape == (1, 3)
    np.testing.assert_allclose(out.sum(), 1.0, rtol=1e-6)
    assert model.layers[0].compute_output_shape((None, 3)) == (None, 3)
