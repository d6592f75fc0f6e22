"""Hostile configs and members (issue 13): a shape given as a string, a config nested 5,000 or
100,000 levels deep, a layer of 10**12 units and a member declaring gigabytes each get a
`ValueError` naming the file, the member and what is wrong, quickly and without allocating
what the file declares; errors about a config member name that member; a lambda's refusal says
what `safe_mode=False` does here.

The edited files start from ones real Keras wrote (tests/golden/saving) and ones minikeras
wrote (whose checksums the attacker recomputes: they detect damage, not forgery).
"""

import json
import os
import shutil
import struct
import time
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras.saving import checksums

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "saving")


def _model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    directory = tmp_path_factory.mktemp("originals")
    model = _model()
    model.save(directory / "ours.keras")
    model.save(directory / "ours.h5")
    return [os.path.join(GOLDEN, "keras3_mlp.keras"), str(directory / "ours.keras"),
            os.path.join(GOLDEN, "keras3_mlp.h5"), os.path.join(GOLDEN, "tfkeras2_mlp.h5"),
            str(directory / "ours.h5")]


def _first(config, keys):
    """The first dict inside `config` that has one of `keys`, and that key."""
    stack = [config]
    while stack:
        value = stack.pop(0)
        if isinstance(value, dict):
            for key in keys:
                if key in value:
                    return value, key
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    raise AssertionError(f"no {keys} in the config")


def _shape_as_string(config):
    holder, key = _first(config, ("batch_shape", "batch_input_shape"))
    holder[key] = "[null, 4]"
    return json.dumps(config)


def _huge_units(config):
    holder, key = _first(config, ("units",))
    holder[key] = 10 ** 12
    return json.dumps(config)


def _nested(levels):
    def edit(config):
        return json.dumps(config)[:-1] + ', "x": ' + "[" * levels + "]" * levels + "}"
    return edit


def _with_config(original, path, edit):
    """A copy of `original` whose model config is `edit(config)` (a JSON text)."""
    if original.endswith(".keras"):
        with zipfile.ZipFile(original) as src, zipfile.ZipFile(path, "w") as dst:
            for name in src.namelist():
                data = src.read(name)
                if name == "config.json":
                    data = edit(json.loads(data)).encode("utf-8")
                dst.writestr(name, data)
        return path
    shutil.copy(original, path)
    with h5py.File(path, "a") as f:
        text = edit(json.loads(f.attrs["model_config"])).encode("utf-8")
        f.attrs["model_config"] = text
        if checksums.CHECKSUM in f.attrs:  # a forger recomputes the checksum
            digests = json.loads(f.attrs[checksums.CHECKSUM])
            digests["model_config"] = checksums.digest(text)
            f.attrs[checksums.CHECKSUM] = json.dumps(digests).encode("utf-8")
    return path


def _refused(path, *patterns):
    """Loads `path`: a ValueError naming it and matching `patterns`, fast, allocating little."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(ValueError) as info:
            keras.models.load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 5
    assert peak < 64 << 20, peak
    message = str(info.value)
    assert message.startswith(f"Cannot load model from {path}"), message
    for pattern in patterns:
        assert pattern in message, message
    return message


EDITS = {"shape_as_string": (_shape_as_string, "Cannot convert '[null, 4]' to a shape"),
         "huge_units": (_huge_units, "of shape (4, 1000000000000) takes 16000000000000 bytes as float32"),
         "nested_5000": (_nested(5_000), "nested far more than 256 levels deep"),
         "nested_100000": (_nested(100_000), "nested far more than 256 levels deep"),
         "nested_300": (_nested(300), "nested more than 256 levels deep")}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_hostile_config_is_refused_with_a_clear_error(edit, originals, tmp_path):
    function, expected = EDITS[edit]
    for i, original in enumerate(originals):
        ext = ".keras" if original.endswith(".keras") else ".h5"
        path = _with_config(original, str(tmp_path / f"{edit}{i}{ext}"), function)
        where = "(member config.json)" if ext == ".keras" else "attribute 'model_config'"
        if edit == "shape_as_string" or edit == "huge_units":
            where = "(member config.json)" if ext == ".keras" else "model config"
        _refused(path, expected, where)


def _declare_size(path, member, size):
    """Rewrites the sizes a zip archive declares for `member` (local and central headers)."""
    data = bytearray(open(path, "rb").read())
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at != -1:
            if bytes(data[at + name_offset:at + name_offset + len(name)]) == name:
                data[at + size_offset:at + size_offset + 4] = struct.pack("<I", size)
            at = data.find(signature, at + 4)
    open(path, "wb").write(bytes(data))


@pytest.mark.parametrize("which", [0, 1])
def test_a_member_declaring_gigabytes_is_refused_before_it_is_read(which, originals, tmp_path):
    path = str(tmp_path / "big.keras")
    shutil.copy(originals[which], path)
    _declare_size(path, "model.weights.h5", 3 << 30)
    assert zipfile.ZipFile(path).getinfo("model.weights.h5").file_size == 3 << 30
    _refused(path, "(member model.weights.h5)", f"it declares {3 << 30} bytes, more than the "
             "weights of this model (4 variables) and their optimizer state could fill")


def test_errors_about_config_members_name_them(originals, tmp_path):
    for member in ("config.json", "metadata.json"):
        path = str(tmp_path / f"bad_{member}.keras")
        with zipfile.ZipFile(originals[0]) as src, zipfile.ZipFile(path, "w") as dst:
            for name in src.namelist():
                dst.writestr(name, b"{not json" if name == member else src.read(name))
        _refused(path, f"(member {member}): it is not valid JSON")


def test_weights_of_a_keras_archive_are_read_in_place(originals, tmp_path, monkeypatch):
    """The weights member is never read whole: HDF5 reads it through a view of the archive."""
    from minikeras.saving import keras_zip

    reads = []
    real_read = keras_zip._Archive._read

    def read(self, member, limit):
        reads.append((member, limit))
        return real_read(self, member, limit)

    monkeypatch.setattr(keras_zip._Archive, "_read", read)
    model = keras.models.load_model(originals[0])
    assert ("model.weights.h5", None) in reads  # the CRC pass keeps nothing
    assert all(limit is not None for member, limit in reads if member != "model.weights.h5")
    expected = json.load(open(os.path.join(GOLDEN, "expected_keras3.json")))
    x = np.asarray(json.load(open(os.path.join(GOLDEN, "data.json")))["x_test"], "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               expected["files"]["keras3_mlp.keras"]["predict"], rtol=1e-5,
                               atol=1e-6)


def test_a_damaged_weights_member_fails_its_crc(originals, tmp_path):
    path = str(tmp_path / "crc.keras")
    shutil.copy(originals[0], path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("model.weights.h5")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data = bytearray(open(path, "rb").read())
    data[start + info.file_size // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match=r"its member model.weights.h5 is truncated or damaged "
                                         r"\(BadZipFile: Bad CRC-32"):
        keras.models.load_model(path)


def test_a_lambda_refusal_says_what_safe_mode_does_and_how_to_load(tmp_path):
    model = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda x: x * 2.0),
                              layers.Dense(1)])
    path = str(tmp_path / "lambda.keras")
    with pytest.warns(UserWarning, match="wraps a Python lambda"):
        model.save(path)
    for safe_mode in (True, False):
        with pytest.raises(ValueError, match="accepts `safe_mode=False` but never runs code "
                                             "stored in a file") as info:
            keras.models.load_model(path, safe_mode=safe_mode)
        assert "call `model.load_weights(path)`" in str(info.value)
    rebuilt = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda x: x * 2.0),
                                layers.Dense(1)])
    rebuilt.load_weights(path)  # the route the message gives works
    x = np.array([[1.0, -2.0]], "float32")
    np.testing.assert_array_equal(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
def test_a_weight_holding_nan_or_inf_is_named_in_a_warning(ext, tmp_path):
    model = _model()
    weights = model.get_weights()
    weights[2][1, 0] = np.nan
    weights[2][0, 2] = np.inf
    model.set_weights(weights)
    path = str(tmp_path / f"diverged{ext}")
    model.save_weights(path) if ext == ".weights.h5" else model.save(path)
    with pytest.warns(UserWarning) as record:
        if ext == ".weights.h5":
            loaded = _model()
            loaded.load_weights(path)
        else:
            loaded = keras.models.load_model(path)
    messages = [str(w.message) for w in record if "NaN" in str(w.message)]
    source = path + (" (member model.weights.h5)" if ext == ".keras" else "")
    assert messages == [f"The weight '{loaded.layers[1].kernel.path}' loaded from {source} holds 2 "
                        "NaN or infinite value(s) out of 15: the model will predict NaN. It was "
                        "probably saved after its training diverged (try a lower learning "
                        "rate)."]
    np.testing.assert_array_equal(loaded.get_weights()[2], weights[2])  # loaded all the same
