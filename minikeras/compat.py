"""Lets unchanged course code that imports `keras` or `tensorflow.keras` run on minikeras.

`install()` (done by `python -m minikeras script.py`) makes `import keras`,
`from keras.layers import Dense`, `import tensorflow as tf; tf.keras...` and
`from tensorflow.keras.models import Sequential` resolve to minikeras's modules, including the
Keras 2 module paths that Keras 3 removed (`keras.utils.np_utils`, `keras.layers.core`, ...).
"""

import importlib
import importlib.abc
import importlib.util
import sys

import minikeras
from minikeras import keras_names
from minikeras import tensorflow_shim as _tensorflow_shim

# Keras 2 / tf.keras module paths -> the minikeras module that holds their names.
# (`keras.utils.np_utils` is a real module, minikeras.utils.np_utils, so it needs no entry.)
LEGACY_MODULES = {
    "utils.data_utils": "utils",
    "utils.vis_utils": "utils",
    "utils.generic_utils": "utils",
    "layers.core": "layers",
    "layers.convolutional": "layers",
    "layers.pooling": "layers",
    "layers.recurrent": "layers",
    "layers.normalization": "layers",
    "layers.merge": "layers",
    "layers.noise": "layers",
    "layers.embeddings": "layers",
    "layers.wrappers": "layers",
    "layers.cudnn_recurrent": "layers",
    "layers.advanced_activations": "layers",
    "engine": "models",
    "engine.sequential": "models",
    "engine.training": "models",
    "engine.topology": "layers",
    "engine.base_layer": "layers",
}

ROOTS = ("keras", "tensorflow.keras", "tensorflow.python.keras")


def _target(fullname):
    """The minikeras module name for an aliased import, or None if `fullname` is not ours."""
    for root in ROOTS:
        if fullname == root:
            return "minikeras"
        if fullname.startswith(root + "."):
            rest = fullname[len(root) + 1:]
            return f"minikeras.{LEGACY_MODULES.get(rest, rest)}"
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class KerasAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves `keras.*` and `tensorflow.keras.*` imports to minikeras modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "tensorflow":
            return importlib.util.spec_from_loader(fullname, _AliasLoader(tensorflow_shim()))
        if fullname.startswith("tensorflow.") and _target(fullname) is None:
            return self._tensorflow_submodule(fullname)
        name = _target(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            keras_module = "keras" + name[len("minikeras"):]
            if keras_names.public_names(keras_module):  # a Keras 3 module we lack
                raise keras_names.NotImplementedImportError(
                    f"`{keras_module}` is not implemented in minikeras.", name=fullname) from None
            raise ModuleNotFoundError(
                f"No module named '{fullname}': minikeras has no `{name}` module.", name=fullname
            ) from None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))

    @staticmethod
    def _tensorflow_submodule(fullname):
        """`tensorflow.data`, `tensorflow.math`, ...: the stand-in's module of that name."""
        shim = tensorflow_shim()
        sub = fullname[len("tensorflow."):]
        if sub not in shim.SUBMODULES:
            raise ModuleNotFoundError(
                f"No module named '{fullname}': minikeras runs course code written for "
                "`tf.keras` and does not provide TensorFlow itself (its stand-in has "
                f"{', '.join('tensorflow.' + m for m in shim.SUBMODULES)}).", name=fullname)
        module = importlib.import_module(f"minikeras.tensorflow_shim.{sub}")
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


def tensorflow_shim():
    """Returns the `tensorflow` stand-in module (`minikeras.tensorflow_shim`)."""
    return _tensorflow_shim


def _add_legacy_attributes():
    """`from keras.utils import np_utils` reads an attribute of the parent module first."""
    for path, target in sorted(LEGACY_MODULES.items()):  # parents before children
        *parents, child = path.split(".")
        parent_module = minikeras
        for name in parents:
            parent_module = getattr(parent_module, name)
        if target is not None and not hasattr(parent_module, child):
            setattr(parent_module, child, importlib.import_module(f"minikeras.{target}"))


def install():
    """Makes `keras` and `tensorflow.keras` imports resolve to minikeras (idempotent)."""
    if not any(isinstance(f, KerasAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, KerasAliasFinder())
        _add_legacy_attributes()
    for name in ("keras", "tensorflow"):
        existing = sys.modules.get(name)
        if existing is not None and existing is not minikeras and existing is not tensorflow_shim():
            del sys.modules[name]  # a real keras/tensorflow imported earlier would shadow us
