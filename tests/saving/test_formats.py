"""Round trips through the three formats (`.keras`, legacy `.h5`, `.weights.h5`): every layer,
every optimizer's state, the extension rules and the errors that name the file."""

import os
import warnings

import h5py
import numpy as np
import pytest

import minikeras as keras
from minikeras import layers, optimizers
from minikeras.saving import legacy_h5, weights_h5

FORMATS = ["model.keras", "model.h5", "model.hdf5"]


def _data(n=32, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype("float32")
    y = np.eye(classes, dtype="float32")[rng.integers(0, classes, n)]
    return x, y


def every_layer_model(seed=3):
    """A Sequential holding one of every layer minikeras has (weights in Dense and PReLU)."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((4,)),
        layers.Dense(6, activation="tanh", kernel_regularizer="l2"),
        layers.PReLU(),
        layers.Reshape((2, 3)),
        layers.LeakyReLU(0.2),
        layers.Flatten(),
        layers.ELU(),
        layers.ReLU(max_value=5.0),
        layers.ThresholdedReLU(0.1),
        layers.Dropout(0.25, seed=1),
        layers.Dense(3, use_bias=False),
        layers.Activation("relu"),
        layers.Dense(3),
        layers.Softmax(),
    ], name="every_layer")


def _weights(model):
    return [w.numpy() for w in model.weights]


def _same_arrays(a, b):
    return len(a) == len(b) and all(x.shape == y.shape and x.dtype == y.dtype
                                    and np.array_equal(x, y) for x, y in zip(a, b))


# ---------------------------------------------------------------------------- whole models
@pytest.mark.parametrize("name", FORMATS)
def test_every_layer_round_trips_with_its_config_weights_and_predictions(tmp_path, name):
    model = every_layer_model()
    model.compile(optimizer=optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    path = tmp_path / name
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras.Sequential and loaded.name == "every_layer"
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert _same_arrays(_weights(loaded), _weights(model))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    configs = {type(l).__name__: l.get_config() for l in loaded.layers}
    assert configs["ReLU"]["max_value"] == 5.0 and configs["Dropout"]["rate"] == 0.25
    assert configs["Reshape"]["target_shape"] == (2, 3)
    assert configs["LeakyReLU"]["negative_slope"] == pytest.approx(0.2)
    assert loaded.compiled and type(loaded.optimizer) is optimizers.Adam
    assert loaded.optimizer.learning_rate.numpy() == np.float32(0.01)
    assert _same_arrays(loaded.optimizer.get_weights(), model.optimizer.get_weights())
    history = loaded.fit(x, y, epochs=1, batch_size=8, verbose=0).history
    assert sorted(history) == ["accuracy", "loss"]


@pytest.mark.parametrize("name", FORMATS)
def test_functional_model_with_a_nested_sequential_round_trips(tmp_path, name):
    keras.utils.set_random_seed(11)
    block = keras.Sequential([keras.Input((6,)), layers.Dense(4, activation="relu")],
                             name="block")
    inputs = keras.Input((4,), name="features")
    hidden = layers.Dense(6, activation="tanh", name="hidden")(inputs)
    outputs = layers.Dense(2, name="logits")(block(layers.Dropout(0.1)(hidden)))
    model = keras.Model(inputs, outputs, name="graph")
    model.compile(optimizer=optimizers.SGD(0.1, momentum=0.9), loss="mse", metrics=["mae"])
    x, _ = _data()
    model.fit(x, np.ones((32, 2), "float32"), epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / name)
    loaded = keras.models.load_model(tmp_path / name)
    assert [l.name for l in loaded.layers] == ["features", "hidden", "dropout", "block", "logits"]
    assert _same_arrays(_weights(loaded), _weights(model))
    assert _same_arrays(loaded.optimizer.get_weights(), model.optimizer.get_weights())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    if name != "model.keras":  # tf.keras 2's node lists, with the nested model's node 0
        with h5py.File(tmp_path / name) as f:
            assert '"inbound_nodes": [[["block", 1, 0, {}]]]' in f.attrs["model_config"]
            assert '"loss": "mean_squared_error"' in f.attrs["training_config"]


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_save_weights_round_trip_into_a_new_model(tmp_path, name):
    model = every_layer_model()
    path = tmp_path / name
    model.save_weights(path)
    other = every_layer_model(seed=4)
    assert not _same_arrays(_weights(other), _weights(model))
    other.load_weights(path)
    assert _same_arrays(_weights(other), _weights(model))


def test_uncompiled_model_loads_uncompiled_and_compile_false_skips_compile(tmp_path):
    model = every_layer_model()
    for name in ("a.h5", "a.keras"):
        model.save(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name)
        assert not loaded.compiled
    model.compile(optimizer="sgd", loss="mse")
    for name in ("b.h5", "b.keras"):
        model.save(tmp_path / name)
        assert not keras.models.load_model(tmp_path / name, compile=False).compiled
        assert keras.models.load_model(tmp_path / name).compiled


def test_include_optimizer_false_writes_no_training_config(tmp_path):
    model = every_layer_model()
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "m.h5", include_optimizer=False)
    with h5py.File(tmp_path / "m.h5") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f


def test_compile_arguments_round_trip(tmp_path):
    model = every_layer_model()
    model.compile(optimizer=optimizers.RMSprop(0.002, rho=0.8),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
                  metrics=["accuracy", keras.metrics.AUC(num_thresholds=50), "mae"],
                  weighted_metrics=["mse"])
    x, y = _data()
    for name in FORMATS:
        model.save(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name)
        assert loaded.optimizer.get_config() == model.optimizer.get_config()
        assert loaded._loss_spec.get_config() == model._loss_spec.get_config()
        np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                                   model.evaluate(x, y, verbose=0), rtol=1e-6)


# ---------------------------------------------------------------------------- optimizer state
OPTIMIZERS = {
    "sgd": lambda: optimizers.SGD(0.05),
    "sgd_momentum": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: optimizers.RMSprop(0.01),
    "rmsprop_centered": lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adam": lambda: optimizers.Adam(0.01),
    "adam_amsgrad": lambda: optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: optimizers.AdamW(0.01),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adagrad": lambda: optimizers.Adagrad(0.05),
    "adamax": lambda: optimizers.Adamax(0.01),
    "nadam": lambda: optimizers.Nadam(0.01),
    "ftrl": lambda: optimizers.Ftrl(0.05),
    "lion": lambda: optimizers.Lion(0.001),
    "adafactor": lambda: optimizers.Adafactor(0.01),
    # fit() ends by copying the moving averages into the weights (as Keras does), so for EMA
    # two fits of 2 epochs differ from one of 4: only the saved state is compared.
    "adam_ema": lambda: optimizers.Adam(0.01, use_ema=True, ema_overwrite_frequency=3),
    "sgd_accumulation": lambda: optimizers.SGD(0.05, momentum=0.5,
                                               gradient_accumulation_steps=3),
    "adam_schedule": lambda: optimizers.Adam(optimizers.schedules.ExponentialDecay(
        0.01, decay_steps=3, decay_rate=0.5)),
}


def _small_model(optimizer):
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    return model


def _fit(model, epochs):
    x, y = _data()
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)


@pytest.mark.parametrize("format_", ["model.keras", "model.h5", "w.weights.h5", "w.h5"])
@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_fit_save_load_fit_equals_one_fit_bit_for_bit(tmp_path, kind, format_):
    straight = _small_model(OPTIMIZERS[kind]())
    _fit(straight, 4)
    first = _small_model(OPTIMIZERS[kind]())
    _fit(first, 2)
    path = tmp_path / format_
    if "weights" in format_ or format_ == "w.h5":
        first.save_weights(path)
        resumed = _small_model(OPTIMIZERS[kind]())
        resumed.load_weights(path)
        if format_ == "w.h5":  # tf.keras 2's weights file holds no optimizer state
            return
    else:
        first.save(path)
        resumed = keras.models.load_model(path)
    assert int(resumed.optimizer.iterations) == int(first.optimizer.iterations) > 0
    assert _same_arrays(resumed.optimizer.get_weights(), first.optimizer.get_weights())
    assert _same_arrays(_weights(resumed), _weights(first))
    if kind == "adam_ema":
        return
    _fit(resumed, 2)
    assert _same_arrays(_weights(resumed), _weights(straight))
    assert _same_arrays(resumed.optimizer.get_weights(), straight.optimizer.get_weights())


@pytest.mark.parametrize("name", FORMATS + ["w.weights.h5"])
def test_save_leaves_the_optimizer_untouched(tmp_path, name):
    model = _small_model(optimizers.Adam(0.01))
    variables = model.optimizer.variables
    save = model.save_weights if "weights" in name else model.save
    save(tmp_path / ("a" + name))
    assert len(model.optimizer.variables) == 2  # not built by saving
    _fit(model, 1)
    variables, values = model.optimizer.variables, model.optimizer.get_weights()
    save(tmp_path / name)
    assert all(a is b for a, b in zip(model.optimizer.variables, variables))
    assert _same_arrays(model.optimizer.get_weights(), values)


def test_a_never_built_optimizer_loads_without_warning_and_unbuilt(tmp_path):
    model = _small_model(optimizers.Adam(0.01))
    for name in FORMATS:
        model.save(tmp_path / name)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = keras.models.load_model(tmp_path / name)
        assert int(loaded.optimizer.iterations) == 0


def test_optimizer_state_of_another_optimizer_is_skipped_with_keras_warning(tmp_path):
    model = _small_model(optimizers.Adam(0.01))
    _fit(model, 1)
    model.save_weights(tmp_path / "w.weights.h5")
    other = _small_model(optimizers.SGD(0.1, momentum=0.9))
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        other.load_weights(tmp_path / "w.weights.h5")
    assert _same_arrays(_weights(other), _weights(model))


# ---------------------------------------------------------------------------- file layouts
def test_h5_layout_is_the_one_every_keras_reads(tmp_path):
    model = _small_model(optimizers.Adam(0.01))
    _fit(model, 1)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        config = f.attrs["model_config"]
        assert '"class_name": "InputLayer"' in config and '"batch_input_shape"' in config
        assert '"batch_shape"' not in config and "DTypePolicy" not in config
        training = f.attrs["training_config"]
        assert '"learning_rate"' in training and '"lr"' not in training
        assert '"weight_decay"' not in training  # tf.keras 2's optimizers reject it
        assert list(f["model_weights"].attrs["layer_names"]) == ["dense", "dense_1"]
        assert list(f["model_weights/dense"].attrs["weight_names"]) == [
            "dense/kernel:0", "dense/bias:0"]
        assert f["model_weights/dense/dense/kernel:0"].shape == (4, 5)
        # The optimizer state as tf.keras 2.21's legacy Adam (which tf.keras 2 builds from this
        # config) names and orders it: one slot kind after the other, no learning rate.
        names = list(f["optimizer_weights"].attrs["weight_names"])
        assert names == ["Adam/iter:0", "Adam/dense/kernel/m:0", "Adam/dense/bias/m:0",
                         "Adam/dense_1/kernel/m:0", "Adam/dense_1/bias/m:0",
                         "Adam/dense/kernel/v:0", "Adam/dense/bias/v:0",
                         "Adam/dense_1/kernel/v:0", "Adam/dense_1/bias/v:0"]
        group = f["optimizer_weights"]
        assert group["Adam/iter:0"][()] == int(model.optimizer.iterations)
        by_path = {v.path: v.numpy() for v in model.optimizer.variables}
        np.testing.assert_array_equal(group["Adam/dense_1/kernel/v:0"][()],
                                      by_path["adam/dense_1_kernel_velocity"])


def test_weights_h5_layout_is_keras_3s(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, name="hidden"),
                              layers.Dropout(0.1), layers.Dense(3, name="out")])
    model.compile(optimizer="adam", loss="mse")
    _fit(model, 1)
    model.save_weights(tmp_path / "w.weights.h5")
    found = {}

    def note(name, obj):  # (visititems stops at the first callback that returns a value)
        found[name] = obj.shape if isinstance(obj, h5py.Dataset) else dict(obj.attrs)

    with h5py.File(tmp_path / "w.weights.h5") as f:
        f.visititems(note)
    # Layers are keyed by class (dense, dense_1), not by name (hidden, out), as in Keras 3.
    assert found["layers/dense/vars"]["name"] == "hidden"
    assert found["layers/dense/vars/0"] == (4, 5) and found["layers/dense_1/vars/1"] == (3,)
    assert found["layers/dropout/vars"]["name"] == "dropout"
    assert found["vars"]["name"] == model.name
    assert found["optimizer/vars/0"] == () and found["optimizer/vars/2"] == (4, 5)
    assert len([k for k in found if k.startswith("optimizer/vars/")]) == 10


def test_keras_file_is_a_zip_of_three_members(tmp_path):
    import json
    import zipfile

    model = _small_model(optimizers.Adam(0.01))
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert config["config"]["layers"][0]["class_name"] == "InputLayer"


@pytest.mark.parametrize("name", FORMATS)
def test_registered_subclassed_model_round_trips(tmp_path, name):
    @keras.saving.register_keras_serializable(package="test_formats")
    class Net(keras.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.encoder = layers.Dense(units, activation="relu")
            self.head = layers.Dense(2)

        def call(self, x):
            return self.head(self.encoder(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    net = Net(4)
    x, _ = _data()
    net.compile(optimizer="adam", loss="mse")
    net.fit(x, np.ones((32, 2), "float32"), epochs=1, batch_size=8, verbose=0)
    net.save(tmp_path / name)
    loaded = keras.models.load_model(tmp_path / name)
    assert type(loaded) is Net and loaded.units == 4
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), net.predict(x, verbose=0))
    assert _same_arrays(loaded.optimizer.get_weights(), net.optimizer.get_weights())


def test_walk_of_a_subclassed_model_follows_attribute_names(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder = layers.Dense(3)
            self.head = layers.Dense(2)

        def call(self, x):
            return self.head(self.encoder(x))

    net = Net()
    net(np.zeros((1, 4), "float32"))
    assert [path for path, _ in weights_h5.walk(net)] == ["", "encoder", "head"]
    net.save_weights(tmp_path / "n.weights.h5")
    other = Net()
    other(np.zeros((1, 4), "float32"))
    other.load_weights(tmp_path / "n.weights.h5")
    assert _same_arrays(_weights(other), _weights(net))


# ---------------------------------------------------------------------------- loading options
def test_load_weights_by_name_and_skip_mismatch(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, name="a"),
                              layers.Dense(3, name="b")])
    model.save_weights(tmp_path / "w.h5")
    longer = keras.Sequential([keras.Input((4,)), layers.Dense(5, name="a"),
                               layers.Dense(5, name="c"), layers.Dense(3, name="b")])
    before = longer.get_layer("c").get_weights()
    longer.load_weights(tmp_path / "w.h5", by_name=True)
    for name in ("a", "b"):
        assert _same_arrays(longer.get_layer(name).get_weights(),
                            model.get_layer(name).get_weights())
    assert _same_arrays(longer.get_layer("c").get_weights(), before)
    with pytest.raises(ValueError, match="Layer count mismatch"):
        longer.load_weights(tmp_path / "w.h5")  # by order: 2 saved layers for 3
    wider = keras.Sequential([keras.Input((4,)), layers.Dense(5, name="a"),
                              layers.Dense(4, name="b")])
    with pytest.warns(UserWarning, match="Skipping"):
        wider.load_weights(tmp_path / "w.h5", skip_mismatch=True)
    assert _same_arrays(wider.get_layer("a").get_weights(), model.get_layer("a").get_weights())


def test_a_failed_load_changes_no_weight(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.Dense(3)])
    model.save_weights(tmp_path / "w.weights.h5")
    other = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.Dense(2)])
    before = _weights(other)
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*shape \(5, 2\)"):
        other.load_weights(tmp_path / "w.weights.h5")
    assert _same_arrays(_weights(other), before)  # the first layer was not loaded either


def test_tf_keras_weights_named_weights_h5_load_by_content(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    legacy_h5.save_weights(model, tmp_path / "w.weights.h5")  # what tf.keras 2 writes there
    other = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    other.load_weights(tmp_path / "w.weights.h5")
    assert _same_arrays(_weights(other), _weights(model))


def test_unknown_class_names_it_and_custom_objects(tmp_path):
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input((4,)), Scale(3.0), layers.Dense(2)])
    x, _ = _data()
    for name in FORMATS:
        model.save(tmp_path / name)
        with pytest.raises(ValueError, match=f"{name}.*Scale.*custom_objects"):
            keras.models.load_model(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name, custom_objects={"Scale": Scale})
        assert loaded.layers[0].factor == 3.0
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# ---------------------------------------------------------------------------- extension rules
def test_extension_rules_and_keras_3_messages(tmp_path):
    model = _small_model("adam")
    with pytest.raises(ValueError, match="Invalid filepath extension for saving.*Received: "
                                         "filepath=.*model.tf"):
        model.save(tmp_path / "model.tf")
    with pytest.raises(ValueError, match="The `save_format` argument is deprecated"):
        model.save(tmp_path / "model", save_format="h5")
    with pytest.warns(UserWarning, match="save_format"):
        model.save(tmp_path / "model.h5", save_format="h5")
    with pytest.raises(ValueError, match=r"The filename must end in `\.weights\.h5`"):
        model.save_weights(tmp_path / "ckpt")
    with pytest.raises(ValueError, match="File format not supported.*Keras 3 only supports"):
        keras.models.load_model(tmp_path / "model.pb")
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "ckpt")
    model.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="`by_name` only supports loading legacy"):
        model.load_weights(tmp_path / "w.weights.h5", by_name=True)


def test_overwrite_false_asks_and_keeps_the_file_on_no(tmp_path, monkeypatch):
    model = _small_model("adam")
    model.save(tmp_path / "m.h5")
    before = (tmp_path / "m.h5").read_bytes()
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    model.save(tmp_path / "m.h5", overwrite=False)
    assert (tmp_path / "m.h5").read_bytes() == before


@pytest.mark.parametrize("name", FORMATS + ["w.weights.h5"])
def test_a_directory_that_refuses_files_or_a_full_disk_get_errors_naming_the_file(
        tmp_path, monkeypatch, name):
    model = _small_model("adam")
    save = model.save_weights if "weights" in name else model.save
    save(tmp_path / name)
    before = (tmp_path / name).read_bytes()
    real_open = os.open

    def refuse(path, *args, **kwargs):  # a read-only directory (root ignores chmod)
        if os.path.dirname(os.fspath(path)) == str(tmp_path):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError, match=f"Cannot write {tmp_path / name}: Permission"):
        save(tmp_path / name)
    monkeypatch.setattr(os, "open", real_open)
    module = weights_h5 if "weights" in name else legacy_h5

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module if not name.endswith(".keras") else weights_h5,
                        "write_state" if "weights" in name or name.endswith(".keras")
                        else "write_weights", disk_full)
    with pytest.raises(OSError, match=f"Cannot write {tmp_path / name}: No space left"):
        save(tmp_path / name)
    assert (tmp_path / name).read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [name]  # no temporary file left behind


def test_missing_directories_are_created(tmp_path):
    model = _small_model("adam")
    model.save(tmp_path / "runs" / "1" / "m.keras")
    assert keras.models.load_model(tmp_path / "runs" / "1" / "m.keras").compiled


# ---------------------------------------------------------------------------- errors
def test_missing_file_is_a_file_not_found_and_a_value_error(tmp_path):
    for name in ("nothing.h5", "nothing.keras"):
        with pytest.raises(FileNotFoundError, match="nothing") as info:
            keras.models.load_model(tmp_path / name)
        assert isinstance(info.value, ValueError)  # what Keras 3 raises
    with pytest.raises(FileNotFoundError, match="nothing.weights.h5"):
        _small_model("adam").load_weights(tmp_path / "nothing.weights.h5")
    os.mkdir(tmp_path / "dir.h5")
    with pytest.raises(IsADirectoryError, match="dir.h5"):
        keras.models.load_model(tmp_path / "dir.h5")


@pytest.mark.parametrize("name", ["m.h5", "m.keras", "w.weights.h5"])
def test_files_of_another_kind_get_an_error_naming_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_text("I am a CSV file,\n1,2,3\n")
    load = (lambda: _small_model("adam").load_weights(path)) if "weights" in name else \
        (lambda: keras.models.load_model(path))
    with pytest.raises(ValueError, match=f"{path}.*not (an HDF5 file|a zip archive)"):
        load()


def test_truncated_files_get_an_error_naming_the_file(tmp_path):
    model = _small_model("adam")
    _fit(model, 1)
    for name in FORMATS:
        model.save(tmp_path / name)
        data = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(data[: len(data) // 2])
        with pytest.raises(ValueError, match=f"{tmp_path / name}.*(truncated|damaged)"):
            keras.models.load_model(tmp_path / name)


def test_shape_mismatch_names_file_layer_and_shapes(tmp_path):
    model = _small_model("adam")
    model.save(tmp_path / "m.h5")
    other = keras.Sequential([keras.Input((4,)), layers.Dense(6), layers.Dense(3)])
    with pytest.raises(ValueError, match=r"m\.h5.*layer #0 \(named dense.*\(4, 6\).*\(4, 5\)"):
        other.load_weights(tmp_path / "m.h5")
    fewer = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match=r"m\.h5.*Layer count mismatch"):
        fewer.load_weights(tmp_path / "m.h5")


def test_weights_only_file_given_to_load_model_says_so(tmp_path):
    model = _small_model("adam")
    model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"w\.h5.*no model config.*load_weights"):
        keras.models.load_model(tmp_path / "w.h5")


def test_the_saving_package_never_runs_code_from_a_file():
    """No pickle, marshal, eval or exec anywhere in the readers."""
    import ast
    import pathlib

    package = pathlib.Path(legacy_h5.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {"pickle", "marshal", "dill", "cloudpickle"} & set(names), path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "compile", "__import__"), (
                    path, node.lineno)
