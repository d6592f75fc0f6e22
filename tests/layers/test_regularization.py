"""Noise and regularization layers: the identity at inference (against real Keras 3), configs,
what holds for every training draw (compared with the values and statistics Keras produced),
gradients through the noise, seeding, ActivityRegularization's penalty, and bad input."""

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.backend import set_random_seed
from minikeras.stateless_scope import StatelessScope
from tests.layers import vision_helpers as vh

CASES = vh.cases("regularization")
ONES = np.ones((400, 500), "float32")


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_identity_at_inference_as_keras(c):
    layer = vh.make_layer(c)
    x = vh.inputs_of(c)[0]
    np.testing.assert_array_equal(vh.run(layer, c), np.asarray(c["output"], np.float32))
    np.testing.assert_array_equal(layer(x), x)  # no `training`: inference, as Keras
    with StatelessScope(training=False, seed=1):
        np.testing.assert_array_equal(layer(x), x)


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_config_is_keras_and_round_trips(c):
    layer = vh.make_layer(c)
    vh.assert_config_is_keras(layer, c)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == layer.get_config()


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_symbolic_output_shape_matches_keras(c):
    assert vh.symbolic_shape(c) == c["output_shape"]


def _within(value, expected, standard_error, what):
    assert abs(value - expected) < 4 * standard_error, (what, value, expected)


def test_gaussian_dropout_training_statistics_match_keras():
    keras_stats = vh.case("regularization", "gaussian_dropout_training_stats")
    theory = np.sqrt(0.4 / 0.6)
    assert keras_stats["theory_std"] == pytest.approx(theory)
    out = np.asarray(layers.GaussianDropout(0.4, seed=3)(ONES, training=True))
    for mean, std, who in ((keras_stats["mean"], keras_stats["std"], "keras"),
                           (out.mean(), out.std(), "minikeras")):
        _within(mean, 1.0, theory / np.sqrt(ONES.size), f"{who} mean")
        _within(std, theory, theory / np.sqrt(2 * ONES.size), f"{who} std")
    assert out.dtype == np.float32


def test_gaussian_noise_training_statistics_match_keras():
    keras_stats = vh.case("regularization", "gaussian_noise_training_stats")
    out = np.asarray(layers.GaussianNoise(0.3, seed=3)(ONES, training=True))
    for mean, std, who in ((keras_stats["mean"], keras_stats["std"], "keras"),
                           (out.mean(), out.std(), "minikeras")):
        _within(mean, 1.0, 0.3 / np.sqrt(ONES.size), f"{who} mean")
        _within(std, 0.3, 0.3 / np.sqrt(2 * ONES.size), f"{who} std")


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_alpha_dropout_takes_keras_two_values(value):
    keras_case = vh.case("regularization", f"alpha_dropout_training_values_x{int(value)}")
    out = np.asarray(layers.AlphaDropout(0.2, seed=3)(np.full((400, 500), value, "float32"),
                                                      training=True))
    values, counts = np.unique(out, return_counts=True)
    # dropped: a * (-alpha * scale) + b; kept: a * x + b
    np.testing.assert_allclose(values, keras_case["values"], rtol=1e-6)
    se = np.sqrt(0.2 * 0.8 / out.size)
    _within(counts[0] / out.size, 0.2, se, "dropped fraction")
    _within(keras_case["fractions"][0], 0.2, se, "keras dropped fraction")


def test_alpha_dropout_noise_shape_shares_the_mask():
    out = np.asarray(layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=0)(
        np.zeros((200, 6), "float32"), training=True))
    assert (out == out[:, :1]).all() and len(np.unique(out)) == 2


@pytest.mark.parametrize("make, shape, channel_axis", [
    (lambda: layers.SpatialDropout1D(0.5, seed=1), (60, 4, 5), -1),
    (lambda: layers.SpatialDropout2D(0.5, seed=1), (60, 3, 3, 4), -1),
    (lambda: layers.SpatialDropout2D(0.5, data_format="channels_first", seed=1), (60, 4, 3, 3), 1),
    (lambda: layers.SpatialDropout3D(0.5, seed=1), (60, 2, 2, 2, 3), -1),
])
def test_spatial_dropout_drops_whole_feature_maps_as_keras(make, shape, channel_axis):
    keras_case = vh.case("regularization", "spatial_dropout2d_training_maps")
    assert keras_case["maps_constant"] and keras_case["values"] == [0.0, 2.0]
    out = np.asarray(make()(np.ones(shape, "float32"), training=True))
    maps = np.moveaxis(out, channel_axis, 1).reshape(shape[0] * shape[channel_axis], -1)
    assert (maps == maps[:, :1]).all()
    assert sorted(np.unique(out)) == keras_case["values"]
    _within((maps[:, 0] == 0).mean(), 0.5, 0.5 / np.sqrt(len(maps)), "dropped maps")


NOISY = [lambda: layers.GaussianNoise(0.3), lambda: layers.GaussianDropout(0.4),
         lambda: layers.AlphaDropout(0.2), lambda: layers.SpatialDropout1D(0.5),
         lambda: layers.ActivityRegularization(l1=0.1)]


@pytest.mark.parametrize("make", NOISY, ids=["gaussian_noise", "gaussian_dropout", "alpha",
                                             "spatial1d", "activity"])
def test_gradients_through_the_training_noise(float64, make):
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    vh.check_gradients(make(), [x], training=True)


def test_training_draws_come_from_the_step_seed_then_the_layer_seed_then_the_global_seed():
    x = np.ones((4, 6), "float32")
    layer = layers.GaussianNoise(0.5)
    with StatelessScope(training=True, seed=7):
        first = np.asarray(layer(x))
    with StatelessScope(training=True, seed=7):
        np.testing.assert_array_equal(layer(x), first)
    a, b = layers.GaussianDropout(0.3, seed=2), layers.GaussianDropout(0.3, seed=2)
    np.testing.assert_array_equal(a(x, training=True), b(x, training=True))
    set_random_seed(5)
    again = np.asarray(layers.AlphaDropout(0.3)(x, training=True))
    set_random_seed(5)
    np.testing.assert_array_equal(layers.AlphaDropout(0.3)(x, training=True), again)


def test_activity_regularization_penalty_matches_keras():
    c = vh.case("regularization", "activity_regularization_loss")
    x = np.asarray(c["inputs"][0], np.float32)
    layer = layers.ActivityRegularization(l1=0.01, l2=0.02)
    layer(x)
    np.testing.assert_allclose([float(v) for v in layer.losses], c["losses"], rtol=1e-6)
    expected = (0.01 * np.abs(x).sum() + 0.02 * (x ** 2).sum()) / len(x)
    assert c["losses"][0] == pytest.approx(expected, rel=1e-6)


def test_activity_regularization_joins_the_training_loss():
    x = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")
    model = minikeras.Sequential([minikeras.Input((3,)),
                                  layers.Dense(3, kernel_initializer="identity", use_bias=False),
                                  layers.ActivityRegularization(l1=0.5, l2=0.25)])
    model.compile(optimizer="sgd", loss="mse")
    loss = model.train_on_batch(x, x)  # mse is 0; the penalty is all of the loss
    expected = (0.5 * np.abs(x).sum() + 0.25 * (x ** 2).sum()) / len(x)
    assert float(loss) == pytest.approx(expected, rel=1e-5)


def test_noise_layers_train_in_fit_and_are_the_identity_in_predict():
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = x @ rng.normal(size=(5, 1)).astype("float32")
    model = minikeras.Sequential([minikeras.Input((5,)), layers.GaussianNoise(0.1),
                                  layers.Dense(8), layers.GaussianDropout(0.1),
                                  layers.Dense(1)])
    model.compile(optimizer=minikeras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.25 * history.history["loss"][0]
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("make, pattern", [
    (lambda: layers.GaussianNoise(1.5), r"`stddev` of GaussianNoise.*stddev=1.5"),
    (lambda: layers.GaussianDropout(-0.1), r"`rate` of GaussianDropout"),
    (lambda: layers.AlphaDropout("0.1"), r"`rate` of AlphaDropout"),
    (lambda: layers.SpatialDropout2D(2.0), r"`rate`"),
    (lambda: layers.SpatialDropout2D(0.1, data_format="nhwc"), "data_format"),
])
def test_bad_arguments(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_spatial_dropout_wrong_rank():
    with pytest.raises(ValueError, match=r'"spatial_dropout2d".*expected ndim=4, found ndim=3'):
        layers.SpatialDropout2D(0.5)(np.ones((2, 3, 4), "float32"), training=True)
