"""Normalization layers against real Keras 3 (tests/golden/pool_norm.json).

BatchNormalization: inference and training outputs and input gradients, the moving statistics
after one training call, a frozen layer in inference mode, and a `Dense -> BatchNormalization
-> Dense` model trained by `fit` whose every weight (the moving statistics included) ends where
Keras's ends; the moving statistics travel as the step's non-trainable state. Layer, group and
unit normalization: outputs, input gradients, weights and configs. Every layer: the shared
gradient check and config round trips; BatchNormalization models round-trip through `.keras`,
`.h5` and `.weights.h5`."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras.stateless_scope import StatelessScope
from tests.layers.pool_norm_fixture import (assert_config_is_keras, case, cases, f32, ids,
                                            input_gradient, make_layer)
from tests.ops.gradcheck import check_layer_grads

BN = cases("batch_normalization", key="training_output")
BN = [c for c in BN if "inference_output" in c]
OTHERS = cases("normalization")


def _bn(c, **extra):
    layer = make_layer(c, **extra)
    layer(f32(c["input"]))  # builds it
    layer.set_weights([f32(w) for w in c["weights"]])
    return layer


# ------------------------------------------------------------------------ BatchNormalization
@pytest.mark.parametrize("c", BN, ids=ids(BN))
def test_batch_norm_inference_matches_keras(c):
    layer = _bn(c)
    x = f32(c["input"])
    np.testing.assert_allclose(layer(x), f32(c["inference_output"]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer(x, training=False), f32(c["inference_output"]), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(input_gradient(layer, x, f32(c["cotangent"]), training=False),
                               f32(c["inference_input_gradient"]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("c", BN, ids=ids(BN))
def test_batch_norm_training_call_matches_keras_and_updates_the_moving_statistics(c):
    layer = _bn(c)
    out = layer(f32(c["input"]), training=True)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, f32(c["training_output"]), rtol=1e-5, atol=1e-5)
    mean, variance = c["moving_after_one_training_call"]
    np.testing.assert_allclose(layer.moving_mean.numpy(), f32(mean), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.moving_variance.numpy(), f32(variance), rtol=1e-5)
    assert layer.moving_mean.numpy().dtype == np.float32


@pytest.mark.parametrize("c", BN, ids=ids(BN))
def test_batch_norm_training_gradient_matches_jax_through_keras(c):
    layer = _bn(c)
    x = f32(c["input"])
    dx = input_gradient(layer, x, f32(c["cotangent"]), training=True)
    assert dx.dtype == np.float32
    # Through the batch statistics too (measured within 7e-7 of JAX's, values up to 1.5).
    np.testing.assert_allclose(dx, f32(c["training_input_gradient"]), rtol=1e-5, atol=2e-6)


def test_masked_batch_norm_matches_keras():
    c = case("batch_normalization", "bn_masked")
    layer = _bn(c)
    x, mask = f32(c["input"]), np.asarray(c["mask"], bool)
    dx = input_gradient(layer, x, f32(c["cotangent"]), training=True, mask=mask)
    np.testing.assert_allclose(dx, f32(c["training_input_gradient"]), rtol=1e-5, atol=2e-6)
    layer.set_weights([f32(w) for w in c["weights"]])
    out = layer(x, training=True, mask=mask)
    np.testing.assert_allclose(out, f32(c["training_output"]), rtol=1e-5, atol=1e-5)
    mean, variance = c["moving_after_one_training_call"]
    np.testing.assert_allclose(layer.moving_mean.numpy(), f32(mean), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.moving_variance.numpy(), f32(variance), rtol=1e-5)


@pytest.mark.parametrize("c", BN, ids=ids(BN))
def test_batch_norm_in_a_step_records_the_moving_statistics_without_mutating(c):
    layer = _bn(c)
    before = [w.numpy() for w in layer.weights]
    values = [(v, v.numpy()) for v in layer.weights]
    with StatelessScope(values, training=True) as scope:
        out = layer(f32(c["input"]))
    np.testing.assert_allclose(out, f32(c["training_output"]), rtol=1e-5, atol=1e-5)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, layer.weights))
    assert set(scope.updates) == {layer.moving_mean, layer.moving_variance}
    mean, variance = c["moving_after_one_training_call"]
    np.testing.assert_allclose(scope.updates[layer.moving_mean], f32(mean), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(scope.updates[layer.moving_variance], f32(variance), rtol=1e-5)


@pytest.mark.parametrize("c", BN, ids=ids(BN))
def test_batch_norm_weights_shapes_and_config_match_keras(c):
    layer = _bn(c)
    assert [v.name for v in layer.weights] == c["weight_names"]
    assert [v.name for v in layer.trainable_weights] == c["trainable_names"]
    assert_config_is_keras(layer, c)
    x = f32(c["input"])
    symbolic = make_layer(c)(keras.Input(batch_shape=(None,) + x.shape[1:]))
    assert list(symbolic.shape) == c["output_shape"]


def test_batch_norm_config_with_every_argument_matches_keras():
    c = case("batch_normalization", "bn_config_everything")
    layer = make_layer(c)
    assert_config_is_keras(layer, c)
    again = layers.BatchNormalization.from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_a_frozen_batch_norm_runs_in_inference_mode():
    c = case("batch_normalization", "bn_frozen")
    layer = _bn(c)
    layer.trainable = False
    out = layer(f32(c["input"]), training=True)
    np.testing.assert_allclose(out, f32(c["training_output"]), rtol=1e-5, atol=1e-6)
    for ours, theirs in zip(layer.weights, c["weights_after"]):
        np.testing.assert_array_equal(ours.numpy(), f32(theirs))
    assert layer.trainable_weights == []
    assert_config_is_keras(layer, c)


FIT = cases("fit", key="final_weights")


@pytest.mark.parametrize("c", FIT, ids=ids(FIT))
def test_fit_moves_every_weight_as_keras_does(c):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3),
                              layers.BatchNormalization(**c["bn_kwargs"]), layers.Dense(2)])
    model.set_weights([f32(w) for w in c["init_weights"]])
    if c["frozen"]:
        model.layers[1].trainable = False
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(f32(c["x"]), f32(c["y"]), batch_size=4, epochs=2, shuffle=False,
                        verbose=0)
    np.testing.assert_allclose(history.history["loss"], c["history"]["loss"], rtol=1e-5)
    names = [w.path.split("/")[-1] for w in model.weights]
    assert names == [n.split("/")[-1] for n in c["weight_names"]]
    for w, final, init in zip(model.weights, c["final_weights"], c["init_weights"]):
        np.testing.assert_allclose(w.numpy(), f32(final), rtol=1e-5, atol=1e-6, err_msg=w.path)
        if c["frozen"] and "batch_normalization" in w.path:
            np.testing.assert_array_equal(w.numpy(), f32(init))  # frozen: nothing moves
    if not c["frozen"]:  # the moving statistics did move
        bn = model.layers[1]
        assert not np.allclose(bn.moving_mean.numpy(), f32(c["init_weights"][4]))
    np.testing.assert_allclose(model.predict(f32(c["x"]), verbose=0), f32(c["predict"]),
                               rtol=1e-5, atol=1e-6)


def test_a_frozen_batch_norm_layer_counts_as_non_trainable_in_the_model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.BatchNormalization()])
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    model.layers[1].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4


def test_masked_moments_skip_the_masked_steps():
    layer = layers.BatchNormalization(momentum=0.0)
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    mask = np.array([[True, True, False], [True, False, False]])
    out = layer(x, training=True, mask=mask)
    kept = x[mask]  # (3, 4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), kept.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), kept.var(axis=0), rtol=1e-4)
    np.testing.assert_allclose(out[mask], (kept - kept.mean(0)) / np.sqrt(kept.var(0) + 1e-3),
                               rtol=1e-4, atol=1e-5)


def test_batch_norm_accepts_tf_keras2_config_keys():
    layer = layers.BatchNormalization.from_config({"name": "bn", "axis": [3], "fused": True,
                                                   "momentum": 0.9, "synchronized": True})
    assert layer.axis == 3 and layer.synchronized is True
    with pytest.raises(NotImplementedError, match="renorm"):
        layers.BatchNormalization(renorm=True)
    with pytest.raises(NotImplementedError, match="virtual_batch_size"):
        layers.BatchNormalization(virtual_batch_size=8)


def test_batch_norm_bad_axis_names_the_layer():
    with pytest.raises(ValueError, match=r'Layer "bn" \(BatchNormalization\): axis 3 is out of '
                                         r"bounds for an input of rank 2. Received input shape "
                                         r"\(None, 4\)"):
        keras.Sequential([keras.Input((4,)), layers.BatchNormalization(axis=3, name="bn")])
    layer = layers.BatchNormalization(name="bn")
    layer(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r'layer "bn".*expected axis -1 of input shape to have '
                                         r"value 4, but received input with shape \(2, 5\)"):
        layer(np.zeros((2, 5), np.float32))


# ------------------------------------------------------------- Layer / Group / Unit normalization
def _other(c):
    layer = make_layer(c)
    layer(f32(c["input"]))
    if "weights" in c:
        layer.set_weights([f32(w) for w in c["weights"]])
    return layer


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
@pytest.mark.parametrize("c", OTHERS, ids=ids(OTHERS))
def test_normalization_output_weights_and_config_match_keras(c):
    with pytest.warns(UserWarning, match="rms_scaling") if c["kwargs"].get("rms_scaling") else \
            _no_warning():
        layer = _other(c)
    assert [v.name for v in layer.weights] == c["weight_names"]
    out = layer(f32(c["input"]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, f32(c["output"]), rtol=1e-5, atol=1e-6)
    assert_config_is_keras(layer, c)
    if "cotangent" in c:
        np.testing.assert_allclose(input_gradient(layer, f32(c["input"]), f32(c["cotangent"])),
                                   f32(c["input_gradient"]), rtol=1e-4, atol=1e-5)
    x = f32(c["input"])
    assert list(_other(c)(keras.Input(batch_shape=(None,) + x.shape[1:])).shape) == \
        c["output_shape"]


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------- gradients and round trips
GRADIENT_CASES = [(c, False) for c in BN] + [(c, True) for c in BN] + \
    [(c, False) for c in OTHERS if "cotangent" in c]


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
@pytest.mark.parametrize("c,training", GRADIENT_CASES,
                         ids=[f"{c['name']}-{'training' if t else 'inference'}"
                              for c, t in GRADIENT_CASES])
def test_gradient_by_the_shared_check(c, training, float64):
    layer = make_layer(c)
    x = np.asarray(c["input"], np.float64)
    layer(x)
    if "weights" in c:
        layer.set_weights([np.asarray(w, np.float64) for w in c["weights"]])
    check_layer_grads(layer, x, training=training, rtol=1e-5, atol=1e-7)


@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
@pytest.mark.parametrize("c", BN + OTHERS, ids=ids(BN + OTHERS))
def test_config_round_trip(c):
    layer = _bn(c) if c in BN else _other(c)
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    rebuilt = layers.deserialize(layers.serialize(layer))
    rebuilt(f32(c["input"]))
    rebuilt.set_weights(layer.get_weights())
    np.testing.assert_array_equal(rebuilt(f32(c["input"])), layer(f32(c["input"])))


# ------------------------------------------------------------------------------- models
def _bn_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((6,)),
        layers.Dense(8, activation="relu"),
        layers.BatchNormalization(momentum=0.8),
        layers.LayerNormalization(),
        layers.Dense(8, activation="relu"),
        layers.UnitNormalization(),
        layers.GroupNormalization(groups=2),  # scale-free: undoes the unit norm's scaling
        layers.Dense(1, activation="sigmoid"),
    ], name="normalization_model")


def _bn_data(n=64, seed=1):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=(n, 6)) * 3 + 2).astype("float32")
    return x, (x[:, :3].sum(axis=1, keepdims=True) > 6).astype("float32")


def test_a_batch_norm_model_trains_and_its_moving_statistics_follow_the_data():
    model = _bn_model()
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    x, y = _bn_data(256)
    bn = model.layers[1]
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0).history
    assert history["loss"][-1] < 0.4 * history["loss"][0]
    assert history["accuracy"][-1] > 0.9
    # The moving mean tracks the mean of the Dense outputs that reach the layer.
    features = keras.Model(model.inputs, model.layers[0].output).predict(x, verbose=0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), features.mean(axis=0), rtol=0.2, atol=0.1)
    assert all(w.dtype == np.float32 for w in model.get_weights())


@pytest.mark.parametrize("name", ["model.keras", "model.h5"])
def test_batch_norm_models_round_trip_through_model_files(tmp_path, name):
    model = _bn_model()
    model.compile("adam", "binary_crossentropy")
    x, y = _bn_data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / name)
    loaded = keras.models.load_model(tmp_path / name)
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert [w.path for w in loaded.weights] == [w.path for w in model.weights]
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(loaded.weights,
                                                                   model.weights))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    loaded.fit(x, y, epochs=1, batch_size=16, verbose=0)  # and it trains on


def test_batch_norm_models_round_trip_through_a_weights_file(tmp_path):
    model, other = _bn_model(0), _bn_model(5)
    model.compile("adam", "binary_crossentropy")
    x, y = _bn_data()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # moving statistics away from 0 / 1
    model.save_weights(tmp_path / "bn.weights.h5")
    other.load_weights(tmp_path / "bn.weights.h5")
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(other.weights,
                                                                   model.weights))
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_freezing_a_base_model_freezes_its_batch_normalization():
    """Keras 3: `base.trainable = False` sets every inner layer's flag, so BatchNormalization
    inside a frozen base runs in inference mode: its moving statistics do not move in fit."""
    import minikeras as keras

    base = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.BatchNormalization()])
    base.trainable = False
    assert [layer.trainable for layer in base.layers] == [False, False]
    model = keras.Sequential([base, layers.Dense(1)])
    model.compile("sgd", "mse")
    before = [w.copy() for w in base.get_weights()]
    x = np.random.default_rng(0).normal(3.0, 2.0, (16, 3)).astype("float32")
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)
    for old, new in zip(before, base.get_weights()):
        np.testing.assert_array_equal(old, new)
    base.trainable = True
    assert [layer.trainable for layer in base.layers] == [True, True]
    model.compile("sgd", "mse")
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(before[4], base.get_weights()[4])  # the moving mean moved
