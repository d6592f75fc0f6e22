"""A public Keras name that minikeras lacks says so plainly (minikeras/keras_names.py), whether
read as an attribute or imported with `from ... import`; other names keep Python's errors."""

import importlib
import os
import subprocess
import sys
import textwrap
import types

import pytest

import minikeras
from minikeras import keras_names
from minikeras.keras_names import (NotImplementedAttributeError, NotImplementedImportError,
                                   NotImplementedInMinikerasError)

# The minikeras modules that stand for a Keras module and carry the hook.
HOOKED = ["minikeras", "minikeras.activations", "minikeras.backend", "minikeras.callbacks",
          "minikeras.config", "minikeras.constraints", "minikeras.datasets",
          "minikeras.initializers", "minikeras.layers", "minikeras.losses", "minikeras.metrics",
          "minikeras.models", "minikeras.ops", "minikeras.optimizers",
          "minikeras.optimizers.schedules", "minikeras.random", "minikeras.regularizers",
          "minikeras.saving", "minikeras.utils", "minikeras.preprocessing",
          "minikeras.preprocessing.image", "minikeras.preprocessing.sequence",
          "minikeras.preprocessing.text"]


def _message(keras_module, name):
    return f"`{keras_module}.{name}` is not implemented in minikeras."


def test_the_name_list_comes_from_keras_3():
    import json

    with open(os.path.join(os.path.dirname(keras_names.__file__), "keras_names.json")) as f:
        data = json.load(f)
    assert data["meta"]["keras"].startswith("3.")
    assert {"Dense", "Conv2D", "LSTM", "TextVectorization"} <= keras_names.public_names(
        "keras.layers")
    assert "Lamb" in keras_names.public_names("keras.optimizers")
    assert keras_names.public_names("keras.no_such_module") == frozenset()


@pytest.mark.parametrize("module_name", HOOKED)
def test_every_keras_name_is_there_or_says_it_is_not_implemented(module_name):
    module = importlib.import_module(module_name)
    keras_module = keras_names.keras_module_name(module_name)
    names = keras_names.public_names(keras_module)
    assert names, f"{keras_module} has no public names on record"
    missing = []
    for name in sorted(names):
        try:
            getattr(module, name)
        except NotImplementedAttributeError as e:
            assert str(e).startswith(_message(keras_module, name))
            assert not hasattr(module, name) and getattr(module, name, "default") == "default"
            missing.append(name)
        # any other exception propagates and fails the test
    assert missing == keras_names.not_implemented(module_name)


def test_not_implemented_errors_are_attribute_import_and_not_implemented_errors():
    assert issubclass(NotImplementedAttributeError, AttributeError)
    assert issubclass(NotImplementedImportError, ImportError)
    for cls in (NotImplementedAttributeError, NotImplementedImportError):
        assert issubclass(cls, NotImplementedInMinikerasError)
        assert issubclass(cls, NotImplementedError)


@pytest.fixture
def fake_module(monkeypatch):
    """`minikeras.fake_for_test`, standing for a Keras module `keras.fake_for_test` whose public
    names are `Present`, `Later` and `Missing`; it holds only `Present`."""
    monkeypatch.setitem(keras_names._modules(), "keras.fake_for_test",
                        frozenset({"Present", "Later", "Missing"}))
    module = types.ModuleType("minikeras.fake_for_test")
    module.Present = object()
    module.__getattr__ = keras_names.module_getattr("minikeras.fake_for_test")
    monkeypatch.setitem(sys.modules, "minikeras.fake_for_test", module)
    return module


def test_attribute_access(fake_module):
    assert fake_module.Present is not None
    with pytest.raises(NotImplementedAttributeError) as info:
        fake_module.Missing
    assert str(info.value).startswith(_message("keras.fake_for_test", "Missing"))
    # no "Did you mean" hint: the error carries no name/obj for Python to guess from
    assert info.value.name is None and info.value.obj is None
    with pytest.raises(AttributeError) as info:
        fake_module.Nonsense
    assert type(info.value) is AttributeError
    assert str(info.value) == "module 'minikeras.fake_for_test' has no attribute 'Nonsense'"


def test_from_import(fake_module):
    namespace = {}
    with pytest.raises(NotImplementedImportError) as info:
        exec("from minikeras.fake_for_test import Present, Missing", namespace)
    assert str(info.value).startswith(_message("keras.fake_for_test", "Missing"))
    assert info.value.name == "minikeras.fake_for_test"
    with pytest.raises(ImportError) as info:
        exec("def f():\n    from minikeras.fake_for_test import Nonsense\nf()", namespace)
    assert type(info.value) is ImportError and "cannot import name 'Nonsense'" in str(info.value)
    exec("from minikeras.fake_for_test import Present", namespace)
    assert namespace["Present"] is fake_module.Present


def test_names_added_later_are_found(fake_module):
    with pytest.raises(NotImplementedAttributeError):
        fake_module.Later
    fake_module.Later = "now implemented"  # another engineer adds the layer
    assert fake_module.Later == "now implemented"
    namespace = {}
    exec("from minikeras.fake_for_test import Later", namespace)
    assert namespace["Later"] == "now implemented"


def test_real_module_from_import():
    missing = keras_names.not_implemented("minikeras.layers")
    if not missing:
        pytest.skip("every Keras layer is implemented")
    with pytest.raises(NotImplementedImportError, match=f"`keras.layers.{missing[0]}` is not "
                                                        "implemented in minikeras"):
        exec(f"from minikeras.layers import {missing[0]}", {})


def test_a_submodule_not_yet_imported_is_imported_on_access():
    code = ("import sys, minikeras\n"
            "assert 'minikeras.compat' not in sys.modules\n"
            "assert minikeras.compat.install is not None\n"
            "import minikeras.keras_names as k\n"
            "try:\n    minikeras.__pycache__\nexcept AttributeError as e:\n"
            "    assert not isinstance(e, k.NotImplementedInMinikerasError)\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_repo())


def _repo():
    return os.path.dirname(os.path.dirname(minikeras.__file__))


def test_course_script_through_python_m_minikeras(tmp_path):
    missing = keras_names.not_implemented("minikeras.layers")
    if not missing:
        pytest.skip("every Keras layer is implemented")
    script = tmp_path / "course.py"
    script.write_text(textwrap.dedent(f"""
        import tensorflow as tf
        import keras
        try:
            tf.keras.layers.{missing[0]}
        except NotImplementedError as e:
            print("attribute:", e)
        from keras.layers import Dense, {missing[0]}
    """))
    out = subprocess.run([sys.executable, "-m", "minikeras", str(script)], capture_output=True,
                         text=True, cwd=_repo())
    assert out.returncode != 0
    assert f"attribute: `keras.layers.{missing[0]}` is not implemented in minikeras" in out.stdout
    assert (f"NotImplementedImportError: `keras.layers.{missing[0]}` is not implemented in "
            "minikeras") in out.stderr


def test_the_name_list_ships_with_the_package():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(os.path.join(_repo(), "pyproject.toml"), "rb") as f:
        package_data = tomllib.load(f)["tool"]["setuptools"]["package-data"]
    assert {"keras_names.json", "keras2_names.json"} <= set(package_data["minikeras"])


def test_tf_keras_2_names_that_keras_3_dropped_say_they_are_not_implemented():
    import json

    with open(os.path.join(os.path.dirname(keras_names.__file__), "keras2_names.json")) as f:
        assert json.load(f)["meta"]["tf_keras"].startswith("2.")
    layers3 = keras_names._modules()["keras.layers"]
    for name in ("LocallyConnected2D", "ThresholdedReLU", "DenseFeatures"):
        assert name in keras_names.keras2_only_names("keras.layers") and name not in layers3
    assert "placeholder" in keras_names.public_names("keras.backend")
    assert "Tokenizer" in keras_names.public_names("keras.preprocessing.text")  # Keras 2 only
    with pytest.raises(NotImplementedAttributeError, match=(
            r"^`keras\.layers\.LocallyConnected2D` is not implemented in minikeras\. It is "
            r"part of tf\.keras 2's `keras\.layers` \(Keras 3 dropped it\)")):
        minikeras.layers.LocallyConnected2D
    with pytest.raises(NotImplementedAttributeError, match=r"It is part of Keras 3's"):
        minikeras.layers.TextVectorization  # a Keras 3 name keeps its own wording
    with pytest.raises(NotImplementedAttributeError, match="`keras.backend.placeholder` is not"):
        minikeras.backend.placeholder
    with pytest.raises(AttributeError) as plain:  # not a Keras name: Python's own error
        minikeras.layers.LocallyConnected3D
    assert not isinstance(plain.value, NotImplementedInMinikerasError)
    # Course code for tf.keras 2, run as a user runs it.
    for code, message in [
            ("from tensorflow.keras.utils import OrderedEnqueuer",
             "NotImplementedImportError: `keras.utils.OrderedEnqueuer` is not implemented"),
            ("from keras.preprocessing.sequence import TimeseriesGenerator",
             "`keras.preprocessing.sequence.TimeseriesGenerator` is not implemented"),
            ("import keras.estimator", "`keras.estimator` is not implemented in minikeras")]:
        out = subprocess.run([sys.executable, "-m", "minikeras", "-c", code], cwd=_repo(),
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 1 and message in out.stderr, out.stderr
