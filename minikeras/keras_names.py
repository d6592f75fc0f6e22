"""What a Keras name that minikeras lacks raises: an error saying it is not implemented.

`keras_names.json` (next to this file, made from real Keras 3 by
tests/golden/make_api_golden.py) lists the public names of each module of Keras's API, and
`keras2_names.json` (made from real tf.keras 2 by tests/golden/make_keras2_names.py) the names
tf.keras 2 had there that Keras 3 dropped: course code written for either gets the same answer.
Each minikeras module that stands for a Keras module ends with

    __getattr__ = keras_names.module_getattr(__name__)

Python calls a module's `__getattr__` only when the name is not found the normal way, so the
lookup always sees what the module holds at that moment: a layer added later needs no list
updated. For a missing name, the module's `__getattr__`

- imports and returns the package's submodule of that name, if there is one (so
  `keras.preprocessing` works even when nothing imported it yet);
- raises `NotImplementedAttributeError` (an `AttributeError`, so `hasattr` and `getattr(m, n,
  default)` still work) or, inside `from keras.layers import X`, `NotImplementedImportError`
  (an `ImportError`: Python would replace an `AttributeError` there by its own "cannot import
  name"), both `NotImplementedError`s saying "`keras.layers.X` is not implemented in minikeras",
  when the name is one of Keras 3's or tf.keras 2's;
- raises a plain `AttributeError` for any other name, as a module without the hook does.
"""

import dis
import functools
import importlib
import importlib.util
import json
import os
import sys

_IMPORT_FROM = dis.opmap.get("IMPORT_FROM")


class NotImplementedInMinikerasError(NotImplementedError):
    """A public Keras name that minikeras does not implement."""


class NotImplementedAttributeError(AttributeError, NotImplementedInMinikerasError):
    """`keras.layers.X` for a Keras name X that minikeras does not implement."""

    # Python fills in `name` and `obj` so that the traceback can offer "Did you mean: ...?"
    # for a close name; here the name is right and the feature missing, so such a hint (e.g.
    # 'normalization' for 'Normalization') would mislead. Both read None and ignore writes.
    name = property(lambda self: None, lambda self, value: None)
    obj = property(lambda self: None, lambda self, value: None)


class NotImplementedImportError(ImportError, NotImplementedInMinikerasError):
    """`from keras.layers import X` for a Keras name X that minikeras does not implement."""


def _load(file_name):
    with open(os.path.join(os.path.dirname(__file__), file_name), encoding="utf-8") as f:
        return {name: frozenset(names) for name, names in json.load(f)["modules"].items()}


@functools.lru_cache(maxsize=None)
def _modules():
    """`{Keras 3 module: its public names}`."""
    return _load("keras_names.json")


@functools.lru_cache(maxsize=None)
def _keras2_modules():
    """`{tf.keras 2 module: the public names it had that Keras 3's lacks}`."""
    return _load("keras2_names.json")


def keras_module_name(module_name):
    """`'keras.layers'` for `'minikeras.layers'`: the Keras module a minikeras module stands for."""
    return "keras" + module_name[len("minikeras"):]


def public_names(keras_module):
    """The public names of a Keras module (`'keras.layers'`) in Keras 3 or tf.keras 2; empty if
    neither has such a module."""
    return _modules().get(keras_module, frozenset()) | keras2_only_names(keras_module)


def keras2_only_names(keras_module):
    """The public names tf.keras 2's `keras_module` had that Keras 3's lacks."""
    return _keras2_modules().get(keras_module, frozenset())


def not_implemented_message(keras_module, name):
    """"`keras.layers.X` is not implemented in minikeras", saying which Keras has the name."""
    if name in _modules().get(keras_module, ()):
        where = (f"It is part of Keras 3's `{keras_module}`, which minikeras implements only "
                 f"in part (`dir({keras_module})` lists what it has).")
    else:
        where = (f"It is part of tf.keras 2's `{keras_module}` (Keras 3 dropped it), which "
                 f"minikeras implements only in part (`dir({keras_module})` lists what it "
                 "has).")
    return f"`{keras_module}.{name}` is not implemented in minikeras. {where}"


def not_implemented(module_name):
    """The public names of Keras's counterpart of minikeras module `module_name` that it lacks."""
    module = importlib.import_module(module_name)
    return sorted(n for n in public_names(keras_module_name(module_name))
                  if not hasattr(module, n))


def _inside_from_import():
    """True when the attribute is being read by a `from module import name` statement.

    The module's `__getattr__` is called straight from the frame running the statement (frame 2
    here: 0 is this function, 1 the `__getattr__`), whose current instruction is then
    IMPORT_FROM. Anything unexpected reads as False: an AttributeError is the safe answer.
    """
    try:
        frame = sys._getframe(2)
        return frame.f_code.co_code[frame.f_lasti] == _IMPORT_FROM
    except (ValueError, IndexError, AttributeError, TypeError):
        return False


def module_getattr(module_name, aliases=None):
    """Returns the module-level `__getattr__` of the minikeras module `module_name`.

    Args:
        module_name: the module's `__name__`.
        aliases: `{name: object}` of other spellings the module answers (default None), such as
            Keras 2's `keras.losses.mse`: one table serves the attribute and the registry's
            string lookup.
    """
    keras_module = keras_module_name(module_name)
    aliases = {} if aliases is None else aliases

    def __getattr__(name):
        if name in aliases:
            return aliases[name]
        module = sys.modules[module_name]
        # vars(): `hasattr(module, "__path__")` would call this function again
        if not name.startswith("__") and "__path__" in vars(module):
            submodule = f"{module_name}.{name}"
            spec = importlib.util.find_spec(submodule)
            if spec is not None and spec.origin is not None:  # not a bare directory
                return importlib.import_module(submodule)
        if name in public_names(keras_module):
            message = not_implemented_message(keras_module, name)
            if _inside_from_import():
                raise NotImplementedImportError(message, name=module_name)
            raise NotImplementedAttributeError(message)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}", name=name,
                             obj=module)

    return __getattr__
