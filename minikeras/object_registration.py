"""The registry of user objects that configs may name: `register_keras_serializable`,
`custom_object_scope` and `get_custom_objects`, as `keras.saving` (and `keras.utils`) have them.

This is process state every floor reads (the registries' `get`, the layers' and models'
`from_config`, `keras.saving`), so it sits on the base floor and imports nothing of minikeras:
`minikeras.utils` and `minikeras.saving` both re-export it.
"""

import inspect
import threading

# 'Package>Name' -> class or function, and back.
_GLOBAL_CUSTOM_OBJECTS = {}
_GLOBAL_CUSTOM_NAMES = {}
# The innermost `custom_object_scope`'s objects, per thread (scopes nest: each one restores
# what was there before it).
_scope = threading.local()


def _scope_objects():
    return getattr(_scope, "objects", {})


class CustomObjectScope:
    """Makes user classes and functions visible to deserialization inside a `with` block.

    ```python
    with custom_object_scope({"MyLayer": MyLayer, "my_activation": my_activation}):
        model = keras.models.load_model("model.keras")
    ```

    The scope's objects are seen (with those of enclosing scopes) by every `from_config`,
    `load_model`, `model_from_json` and registry `get` called inside it; they are not added to
    `get_custom_objects()`.

    Args:
        custom_objects: dict `{name: class or function}` (None for nothing). Several dicts may
            be given, as in Keras 2: `custom_object_scope(d1, d2)`.
    """

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})
        self._backup = None

    def __enter__(self):
        self._backup = _scope_objects()
        _scope.objects = {**self._backup, **self.custom_objects}
        return self

    def __exit__(self, *exc_info):
        _scope.objects = self._backup


custom_object_scope = CustomObjectScope


def get_custom_objects():
    """Returns the live dict of globally registered objects (`{'Package>Name': object}`).

    Objects registered with `register_keras_serializable` are in it; a user may also add
    entries directly (`get_custom_objects()['MyLayer'] = MyLayer`). Objects of a
    `custom_object_scope` are not.
    """
    return _GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """Decorator registering a class or function under `'package>name'`, so configs that name it
    deserialize without `custom_objects`.

    ```python
    @keras.saving.register_keras_serializable(package="my_package")
    class MyDense(keras.layers.Dense):
        ...

    get_registered_name(MyDense)  # 'my_package>MyDense'
    ```

    Args:
        package: the package part of the name (default `'Custom'`).
        name: the name within the package (default: the object's `__name__`).

    Raises:
        ValueError: when a class without `get_config` is registered.
    """

    def decorator(obj):
        registered_name = f"{package}>{name if name is not None else obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj

    return decorator


def get_registered_name(obj):
    """Returns the name `obj` was registered under (`'Package>Name'`), else its `__name__`."""
    try:
        return _GLOBAL_CUSTOM_NAMES[obj]
    except (KeyError, TypeError):  # TypeError: an unhashable object is never registered
        return obj.__name__


def is_registered(obj):
    """Whether `obj` was registered with `register_keras_serializable`."""
    try:
        return obj in _GLOBAL_CUSTOM_NAMES
    except TypeError:
        return False


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Returns the object registered (or in scope) under `name`, or None.

    Looked up, in this order: the active `custom_object_scope`s, the global registry
    (`register_keras_serializable`, `get_custom_objects()`), `custom_objects`, then
    `module_objects` (as in Keras).

    Args:
        name: the name to look up (`'my_package>MyDense'`, or a plain name).
        custom_objects: optional dict of the user's objects.
        module_objects: optional dict of a library's own objects.
    """
    for objects in (_scope_objects(), _GLOBAL_CUSTOM_OBJECTS, custom_objects or {},
                    module_objects or {}):
        if name in objects:
            return objects[name]
    return None


def all_custom_objects(custom_objects=None):
    """`custom_objects` merged with the active scopes' objects and the global registry (the
    latter win, as in Keras's `deserialize_keras_object`)."""
    return {**(custom_objects or {}), **_scope_objects(), **_GLOBAL_CUSTOM_OBJECTS}
