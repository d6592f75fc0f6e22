"""Keras preprocessing names minikeras does not provide: a clear error, not a bare
AttributeError (nor Python's "cannot import name" for `from keras.preprocessing.image import
load_img`).

The errors are `keras_names`'s: an AttributeError subclass for attribute access (so `hasattr`
still answers False) and an ImportError subclass inside `from ... import`, both
NotImplementedErrors saying "`keras.preprocessing.image.load_img` is not implemented in
minikeras". The names are Keras 3's public ones for the module (`keras_names.json`) plus the
Keras 2 names given here, which Keras 3 dropped.
"""

from minikeras import keras_names


def module_getattr(module_name, keras2_names, reason=""):
    """Returns a module `__getattr__` for the minikeras module `module_name`.

    Args:
        module_name: the module's `__name__`.
        keras2_names: Keras 2 names of that module that minikeras lacks.
        reason: a sentence appended to the message (what is missing and what to use instead).
    """
    public = keras_names.keras_module_name(module_name)
    missing = frozenset(keras2_names) | keras_names.public_names(public)

    def __getattr__(name):
        if name in missing:
            message = f"`{public}.{name}` is not implemented in minikeras." + (
                f" {reason}" if reason else "")
            # Called straight from the frame reading the attribute, as keras_names expects.
            if keras_names._inside_from_import():
                raise keras_names.NotImplementedImportError(message, name=module_name)
            raise keras_names.NotImplementedAttributeError(message)
        raise AttributeError(f"module {public!r} has no attribute {name!r}")

    return __getattr__
