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
import types

import minikeras

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
    "layers.advanced_activations": "layers",
    "engine": "models",
    "engine.sequential": "models",
    "engine.training": "models",
    "engine.topology": "layers",
    "engine.base_layer": "layers",
    "wrappers": None,
}

ROOTS = ("keras", "tensorflow.keras", "tensorflow.python.keras")


def _target(fullname):
    """The minikeras module name for an aliased import, or None if `fullname` is not ours."""
    for root in ROOTS:
        if fullname == root:
            return "minikeras"
        if fullname.startswith(root + "."):
            rest = fullname[len(root) + 1:]
            if rest in LEGACY_MODULES:
                mapped = LEGACY_MODULES[rest]
                if mapped is None:
                    raise ImportError(f"`{fullname}` is not available in minikeras.")
                return f"minikeras.{mapped}"
            return f"minikeras.{rest}"
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
        name = _target(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                f"No module named '{fullname}': minikeras has no `{name}` module.", name=fullname
            ) from None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


class _TensorFlowShim(types.ModuleType):
    """A tiny `tensorflow` module: `tf.keras`, `tf.random.set_seed` and `tf.__version__`."""

    def __getattr__(self, name):
        raise AttributeError(
            f"minikeras runs course code written for `tf.keras`; `tf.{name}` is TensorFlow itself, "
            "which minikeras does not provide. Use `tf.keras` (e.g. `tf.keras.ops`) or NumPy."
        )


def tensorflow_shim():
    """Returns the `tensorflow` stand-in module, creating it once."""
    shim = sys.modules.get("tensorflow")
    if isinstance(shim, _TensorFlowShim):
        return shim
    shim = _TensorFlowShim("tensorflow", "minikeras stand-in for `tensorflow` (only `tf.keras`).")
    shim.__path__ = []  # a package, so `tensorflow.keras.*` imports reach our finder
    shim.keras = minikeras
    shim.__version__ = "2.15.0-minikeras"
    shim.random = types.SimpleNamespace(set_seed=minikeras.backend.set_random_seed)
    shim.float32, shim.float64, shim.int32, shim.int64 = "float32", "float64", "int32", "int64"
    return shim


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
        if existing is not None and existing is not minikeras and not isinstance(existing, _TensorFlowShim):
            del sys.modules[name]  # a real keras/tensorflow imported earlier would shadow us
