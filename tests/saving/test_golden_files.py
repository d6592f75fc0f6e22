"""Files written by real Keras load here and predict what Keras predicted; and (optional)
files written here load in real Keras.

The files and `expected_*.json` in tests/golden/saving/ come from make_saving_golden.py: Keras
3.15.1 (JAX), tf.keras 2.21 (TensorFlow 2.21), and Keras 2.2.4 files *constructed* with h5py
after its writer (Keras 2.2 cannot be installed any more). Where a file carries optimizer
state, one more epoch of training here must give the weights real Keras got (or, for Keras 2.2,
NumPy computed with Keras 2.2.4's Adam): that only holds when the iteration count and every
moment were restored to the right variable.
"""

import gzip
import importlib.util
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "saving")


def _json(name):
    with open(os.path.join(GOLDEN, name)) as f:
        return json.load(f)


def _data(name):
    return {k: np.asarray(v, dtype="float32") for k, v in _json(name).items() if k != "note"}


def _vision_models():
    """tests/golden/saving/vision_models.py: the vision models, built from a keras module."""
    spec = importlib.util.spec_from_file_location("saving_vision_models",
                                                  os.path.join(GOLDEN, "vision_models.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


vision_models = _vision_models()
DATA = _data("data.json")
VISION_DATA = _data("data_vision.json")
EXPECTED = {name: entry for part in ("keras3", "tfkeras", "keras22")
            for name, entry in _json(f"expected_{part}.json")["files"].items()}


def _inputs(entry, split="test"):
    """The file's test inputs (`split='test'`), or its training `(x, y, batch_size)`."""
    if "model" not in entry:  # the MLP files
        return DATA["x_test"] if split == "test" else (DATA["x"], DATA["y"], 8)
    if split != "test":
        return VISION_DATA["x"], VISION_DATA["y"], entry["batch_size"]
    arrays = [VISION_DATA[k] for k in entry["inputs"]]
    return arrays[0] if len(arrays) == 1 else arrays


def _golden_path(name, tmp_path):
    path = os.path.join(GOLDEN, name)
    if name.endswith(".gz"):
        unpacked = tmp_path / name[:-3]
        with gzip.open(path, "rb") as f:
            unpacked.write_bytes(f.read())
        return str(unpacked)
    return path


def _mlp():
    """The architecture of the `*_mlp*` files, built in code (for weights-only files)."""
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    return model


def _load(name, tmp_path):
    path = _golden_path(name, tmp_path)
    if "weights" in name:
        key = EXPECTED[name].get("model")
        if key is None:
            model = _mlp()
        else:  # compiled as the file's model was (Keras 3's file has its Adam state)
            model = vision_models.BUILDERS[key](keras)
            model.compile(optimizer=keras.optimizers.Adam(0.01),
                          loss="categorical_crossentropy")
        model.load_weights(path)
        return model
    return keras.models.load_model(path)


# tf.keras 2 runs BatchNormalization on 4-D inputs with TensorFlow's fused kernel, which updates
# the moving variance with the unbiased batch variance (n / (n - 1)); Keras 3 and minikeras use
# the biased one. test_tf_keras_2_fused_batch_norm_moving_variance accounts for the difference.
FUSED_BATCH_NORM = {"tfkeras2_vision_cnn.h5", "tfkeras2_vision_cnn.keras"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_keras_files_predict_what_keras_predicted(name, tmp_path):
    model = _load(name, tmp_path)
    expected = EXPECTED[name]
    np.testing.assert_allclose(model.predict(_inputs(expected), verbose=0),
                               expected["predict"], rtol=1e-5, atol=1e-6)
    if expected["iterations"] is not None and "weights" not in name:
        assert int(model.optimizer.iterations) == expected["iterations"]
    if "moving_mean" in expected:  # BatchNormalization's statistics, as Keras left them
        bn = model.get_layer("bn")
        np.testing.assert_array_equal(bn.moving_mean.numpy(), expected["moving_mean"])
        np.testing.assert_array_equal(bn.moving_variance.numpy(), expected["moving_variance"])


CONTINUED = sorted(name for name, entry in EXPECTED.items()
                   if "weights_after_one_more_epoch" in entry)


def _continued(name, tmp_path):
    model = _load(name, tmp_path)
    x, y, batch_size = _inputs(EXPECTED[name], "train")
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return model


# tf.keras 2.21's `.keras` (tfkeras2_vision_cnn.keras) keeps Adam's state as tf.keras 2's
# `optimizer.variables`: iterations, then m and v of each trainable variable in turn, with no
# learning-rate variable (21 arrays for the CNN's 10 variables, where Keras 3's layout has 22).
@pytest.mark.parametrize("name", CONTINUED)
def test_training_continues_from_the_saved_optimizer_state(name, tmp_path):
    assert int(_load(name, tmp_path).optimizer.iterations) == EXPECTED[name]["iterations"]
    model = _continued(name, tmp_path)
    expected = EXPECTED[name]["weights_after_one_more_epoch"]
    assert len(model.weights) == len(expected)
    for variable, value in zip(model.weights, expected):
        if name in FUSED_BATCH_NORM and variable.path == "bn/moving_variance":
            continue  # checked by test_tf_keras_2_fused_batch_norm_moving_variance
        np.testing.assert_allclose(variable.numpy(), value, rtol=2e-5, atol=2e-6,
                                   err_msg=variable.path)


def test_tf_keras_2_fused_batch_norm_moving_variance(tmp_path):
    """After one more epoch of tf.keras 2, the moving variance is minikeras's (Keras 3's) plus
    the Bessel terms of each step, `d <- momentum * d + (1 - momentum) * var / (n - 1)` over the
    batch variance `var` of the BatchNormalization's input and its `n` values per channel."""
    model = _load("tfkeras2_vision_cnn.h5", tmp_path)
    bn = model.get_layer("bn")
    bn_input = keras.Model(model.inputs, model.get_layer("conv").output)
    x, y, batch_size = _inputs(EXPECTED["tfkeras2_vision_cnn.h5"], "train")
    bessel = np.zeros(bn.moving_variance.shape)
    for start in range(0, len(x), batch_size):
        h = bn_input.predict(x[start:start + batch_size], verbose=0).astype("float64")
        n = h.size // h.shape[-1]
        bessel = bn.momentum * bessel + (1 - bn.momentum) * h.var(axis=(0, 1, 2)) / (n - 1)
        model.train_on_batch(x[start:start + batch_size], y[start:start + batch_size])
    expected = EXPECTED["tfkeras2_vision_cnn.h5"]["weights_after_one_more_epoch"]
    paths = [v.path for v in model.weights]
    tf_variance = np.asarray(expected[paths.index("bn/moving_variance")])
    assert not np.allclose(bn.moving_variance.numpy(), tf_variance, rtol=1e-4)
    np.testing.assert_allclose(bn.moving_variance.numpy() + bessel, tf_variance, rtol=2e-6)
    # The steps themselves were tf.keras 2's (fit and train_on_batch agree).
    np.testing.assert_allclose(model.get_weights()[0], expected[0], rtol=2e-5, atol=2e-6)


def test_the_state_matters_for_those_checks(tmp_path):
    """A fresh Adam (state dropped) ends elsewhere: the check above would catch a lost state."""
    model = _load("tfkeras2_mlp.h5", tmp_path)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    model.fit(DATA["x"], DATA["y"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    expected = EXPECTED["tfkeras2_mlp.h5"]["weights_after_one_more_epoch"]
    assert not np.allclose(model.get_weights()[0], expected[0], rtol=2e-5, atol=2e-6)


def test_where_keras_3_itself_fails_minikeras_keeps_the_settings(tmp_path):
    keras3_loads = _json("expected_keras3.json")["keras3_loads"]
    # Keras 3.15 refuses Keras 2.2's `lr`, and resets tf.keras 2.11+'s learning rate.
    assert not keras3_loads["keras22_mlp_constructed.h5"]["loaded"]
    assert "lr" in keras3_loads["keras22_mlp_constructed.h5"]["error"]
    assert keras3_loads["tfkeras2_mlp.h5"]["learning_rate"] == pytest.approx(0.001)
    for name, lr in (("keras22_mlp_constructed.h5", 0.01), ("tfkeras2_mlp.h5", 0.01),
                     ("tfkeras2_mlp_rmsprop.h5", 0.01), ("tfkeras2_mlp_legacy_sgd.h5", 0.05)):
        model = _load(name, tmp_path)
        assert model.optimizer.learning_rate.numpy() == np.float32(lr), name
    rmsprop = _load("tfkeras2_mlp_rmsprop.h5", tmp_path).optimizer
    assert (rmsprop.momentum, rmsprop.centered) == (0.5, True)


def test_tf_keras_2_vision_files_that_keras_3_refuses_load_here(tmp_path):
    """Keras 3.15 cannot load any tf.keras 2 vision file: the `.h5` configs of the layers
    tf.keras 2 derived from `Conv` carry its `groups` (and, for separable ones, unused
    `kernel_*` keys), SpatialDropout1D's carries `trainable`, and the `.keras` names the class
    `tf_keras.src.engine.functional.Functional`. minikeras loads them (predictions above)."""
    keras3_loads = _json("expected_keras3.json")["keras3_loads"]
    refused = {"tfkeras2_vision_cnn.h5": "'groups': 1", "tfkeras2_vision_zoo_2d.h5": "'groups': 1",
               "tfkeras2_vision_zoo_1d3d.h5": "unexpected keyword argument 'trainable'",
               "tfkeras2_vision_cnn.keras": "Could not locate class 'Functional'"}
    for name, error in refused.items():
        assert not keras3_loads[name]["loaded"] and error in keras3_loads[name]["error"], name
    zoo = _load("tfkeras2_vision_zoo_2d.h5", tmp_path)
    separable = zoo.get_layer("separable").get_config()
    assert separable["filters"] == 4 and separable["depth_multiplier"] == 2
    assert not {"groups", "kernel_initializer", "kernel_regularizer"} & set(separable)
    assert "groups" not in zoo.get_layer("transpose").get_config()
    assert _load("tfkeras2_vision_cnn.h5", tmp_path).get_layer("depthwise").kernel.shape == \
        (3, 3, 4, 1)
    with pytest.raises(ValueError, match="DepthwiseConv2D does not take `groups`"):
        layers.DepthwiseConv2D(3, groups=2)


def test_keras_2_2_files_keep_their_layout_quirks(tmp_path):
    import h5py

    path = _golden_path("keras22_long_names_constructed.h5.gz", tmp_path)
    with h5py.File(path) as f:  # the writer split the long lists of names
        assert "layer_names0" in f["model_weights"].attrs
        assert "layer_names" not in f["model_weights"].attrs
        first = next(iter(f["model_weights"].keys()))
        assert "weight_names1" in f["model_weights"][first].attrs
    model = keras.models.load_model(path)
    assert [len(layer.name) for layer in model.layers] == [33008, 33008]
    assert model.input_shape == (None, 4)  # from batch_input_shape: no InputLayer entry
    functional = _load("keras22_functional_constructed.h5", tmp_path)
    assert [type(l).__name__ for l in functional.layers] == ["InputLayer", "Dense", "Dropout",
                                                              "Dense"]
    assert functional.optimizer.momentum == pytest.approx(0.9)


# ---------------------------------------------------------------------------- the reverse
REAL_KERAS = {"keras3": os.environ.get("MINIKERAS_KERAS3_PYTHON"),
              "tf.keras 2": os.environ.get("MINIKERAS_TF_KERAS_PYTHON")}


def _trained_files(directory):
    """Files written here: `{name: spec}` (what load_in_real_keras.py needs to use each, see
    its docstring) and the predictions by file stem."""
    keras.utils.set_random_seed(5)
    model = _mlp()
    model.fit(DATA["x"], DATA["y"], batch_size=8, epochs=2, shuffle=False, verbose=0)
    files = {"mk.h5": {}, "mk.keras": {}, "mk.weights.h5": {}}
    model.save(directory / "mk.h5")
    model.save(directory / "mk.keras")
    model.save_weights(directory / "mk.weights.h5")
    inputs = keras.Input((4,), name="features")
    hidden = layers.Dropout(0.2)(layers.Dense(6, activation="tanh", name="hidden")(inputs))
    functional = keras.Model(inputs, layers.Dense(2, name="logits")(hidden))
    functional.compile(optimizer=keras.optimizers.RMSprop(0.002), loss="mse", metrics=["mae"])
    functional.save(directory / "mk_functional.h5")
    functional.save(directory / "mk_functional.keras")
    files.update({"mk_functional.h5": {}, "mk_functional.keras": {}})
    predictions = {"mk": model.predict(DATA["x_test"], verbose=0),
                   "mk_functional": functional.predict(DATA["x_test"], verbose=0)}

    # The vision models: the CNN trained here (Adam, moving statistics moved), the zoos with
    # every weight random.
    cnn = vision_models.cnn(keras)
    cnn.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                metrics=["accuracy"])
    cnn.fit(VISION_DATA["x"], VISION_DATA["y"], batch_size=4, epochs=2, shuffle=False,
            verbose=0)
    train = ["x", "y", 4]
    for suffix in (".h5", ".keras", ".weights.h5"):
        (cnn.save_weights if suffix == ".weights.h5" else cnn.save)(directory / f"mk_cnn{suffix}")
        files[f"mk_cnn{suffix}"] = {"model": "cnn", "inputs": ["x_test"], "train": train}
    predictions["mk_cnn"] = cnn.predict(VISION_DATA["x_test"], verbose=0)
    for key, seed in (("zoo_2d", 11), ("zoo_1d3d", 12)):
        zoo = vision_models.BUILDERS[key](keras)
        rng = np.random.default_rng(seed)
        for variable in zoo.weights:
            positive = "variance" in variable.path or "gamma" in variable.path
            value = rng.uniform(0.5, 1.5, variable.shape) if positive else \
                rng.normal(0.0, 0.4, variable.shape)
            variable.assign(value.astype("float32"))
        for suffix in (".h5", ".keras", ".weights.h5"):
            (zoo.save_weights if suffix == ".weights.h5" else zoo.save)(
                directory / f"mk_{key}{suffix}")
            files[f"mk_{key}{suffix}"] = {"model": key, "inputs": vision_models.INPUTS[key]}
        predictions[f"mk_{key}"] = zoo.predict(_inputs({"model": key, **files[f"mk_{key}.h5"]}),
                                               verbose=0)
    return files, predictions


def _in_real_keras(which, tmp_path, keep=lambda name: True):
    """Writes the files of `_trained_files`, loads those `keep` accepts in real Keras
    (load_in_real_keras.py): `(files, predictions, {name: outcome})`."""
    python = REAL_KERAS[which]
    if not python or not shutil.which(python):
        pytest.skip(f"real {which} not available (set its interpreter in the environment)")
    files, predictions = _trained_files(tmp_path)
    files = {k: v for k, v in files.items() if keep(k)}
    script = os.path.join(GOLDEN, "load_in_real_keras.py")
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    data = {k: DATA[k].tolist() for k in ("x_test", "x", "y")}
    data.update(arrays={k: v.tolist() for k, v in VISION_DATA.items()}, files=files)
    (tmp_path / "data.json").write_text(json.dumps(data))
    result = subprocess.run([python, script, which, f"@{tmp_path / 'data.json'}",
                             *[str(tmp_path / f) for f in files]],
                            capture_output=True, text=True, env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    return files, predictions, {name: outcome[str(tmp_path / name)] for name in files}


def _tf_keras_2_reads(name):
    """tf.keras 2 reads the legacy `.h5` only (not Keras 3's `.keras` or `.weights.h5`)."""
    return name.endswith(".h5") and "weights" not in name


# The zoos' .h5 configs hold Keras 3 arguments that tf.keras 2.21 does not know, at their
# defaults: LayerNormalization's `rms_scaling`, Resizing's `data_format`,
# `pad_to_aspect_ratio`, `fill_mode`, `fill_value`, `antialias`, CenterCrop's and
# ZeroPadding1D's `data_format` (Keras 3's own .h5 files have them too).
@pytest.mark.parametrize("which", sorted(REAL_KERAS))
def test_minikeras_files_load_in_real_keras(which, tmp_path):
    """Optional: set MINIKERAS_KERAS3_PYTHON / MINIKERAS_TF_KERAS_PYTHON to an interpreter
    that has Keras 3 (with JAX) / tf.keras 2, e.g. the virtualenvs of make_saving_golden.py."""
    keep = _tf_keras_2_reads if which == "tf.keras 2" else (lambda n: True)
    files, predictions, outcome = _in_real_keras(which, tmp_path, keep)
    assert len(files) == (14 if which == "keras3" else 5)
    for name in files:
        got = outcome[name]
        assert got.get("error") is None, (name, got)
        stem = name.split(".")[0]
        np.testing.assert_allclose(got["predict"], predictions[stem], rtol=1e-5, atol=1e-6,
                                   err_msg=name)
        if got.get("learning_rate") is not None:
            assert got["learning_rate"] == pytest.approx(
                {"mk": 0.01, "mk_cnn": 0.01}.get(stem, 0.002)), name
    # The scale path: train here, go on training in Keras 3 from the same optimizer state. (From
    # an .h5 Keras 3.15 cannot train at all until the model is compiled again: it builds the
    # optimizer on no variables when an .h5 has optimizer weights, its own files included.)
    if which == "keras3":
        for name in ("mk.keras", "mk_cnn.keras"):
            _assert_continues_here_as_there(name, tmp_path, outcome[name], files[name])


def _assert_continues_here_as_there(name, directory, got, spec, skip=()):
    resumed = keras.models.load_model(directory / name)
    x, y, batch_size = (VISION_DATA["x"], VISION_DATA["y"], 4) if spec else \
        (DATA["x"], DATA["y"], 8)
    resumed.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    assert "weights_after_one_more_epoch" in got, (name, got)
    assert len(got["weights_after_one_more_epoch"]) == len(resumed.weights)
    for variable, value in zip(resumed.weights, got["weights_after_one_more_epoch"]):
        if variable.path not in skip:
            np.testing.assert_allclose(variable.numpy(), value, rtol=2e-5, atol=2e-6,
                                       err_msg=f"{name}: {variable.path}")


def test_tf_keras_2_continues_from_the_optimizer_state_written_here(tmp_path):
    """Optional (MINIKERAS_TF_KERAS_PYTHON). The `.h5` optimizer state is written in tf.keras
    2's layout (legacy_h5.py), which tf.keras 2 restores by position. tf.keras 2's fused
    BatchNormalization moves its moving variance differently
    (test_tf_keras_2_fused_batch_norm_moving_variance)."""
    files, _, outcome = _in_real_keras("tf.keras 2", tmp_path,
                                       lambda n: n in ("mk.h5", "mk_cnn.h5"))
    for name in files:
        _assert_continues_here_as_there(name, tmp_path, outcome[name], files[name],
                                        skip=("bn/moving_variance",))
