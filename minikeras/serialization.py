"""What every registry (`losses`, `metrics`, `activations`, `initializers`, `regularizers`,
`constraints`) shares: turning an object into Keras's `{'class_name', 'config'}` form and back,
and resolving the identifiers their `get` accepts."""

import difflib


def serialize(obj, module=None):
    """Returns what the registry's `deserialize` turns back into `obj`.

    Args:
        obj: an object with `get_config` (gives `{'class_name', 'config'}`), a function (gives
            its name) or None (gives None).
        module: the public module of the object's family (`'keras.losses'`): when given, the
            dict has Keras 3's layout `{'module', 'class_name', 'config', 'registered_name'}`.
    """
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        return getattr(obj, "__name__", str(obj))
    if module is None:
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(),
            "registered_name": None}


def deserialize(get, config, custom_objects=None):
    """Returns the object `config` (a name or a config dict) describes.

    Args:
        get: the registry's own `get(identifier)`, used unless `custom_objects` names the object.
        config: a name, a `{'class_name', 'config'}` dict, or Keras 3's
            `{'class_name': 'function', 'config': name}` form of a plain function.
        custom_objects: optional `{name: class or function}` of user objects: a class gives an
            instance (from the dict's config), a function is returned as it is.
    """
    name = config.get("class_name") if isinstance(config, dict) else config
    if name == "function":
        name = config.get("config")
    obj = (custom_objects or {}).get(name) if isinstance(name, str) else None
    if obj is None:
        return get(config)
    if not isinstance(obj, type):
        return obj
    inner = config.get("config") if isinstance(config, dict) else None
    return obj.from_config(dict(inner)) if isinstance(inner, dict) else obj()


def get_instance(kind, classes, identifier, functions=None, any_case=False):
    """Resolves what a registry's `get(identifier)` accepts, as Keras does.

    None gives None; a name or a `{'class_name', 'config'}` dict is looked up; a class gives a
    fresh instance; instances and other callables are returned as they are.

    Args:
        kind: what the registry holds, for error messages (`'constraint'`).
        classes: `{name: class}`: a name gives `cls()`, a config dict `cls.from_config(config)`.
            A function here is a factory (Keras 2's `l1_l2`): called, with the config as
            keyword arguments.
        identifier: what to resolve.
        functions: `{name: function}` of functions that are the registry's objects themselves
            (losses, metrics, activations): a name, or Keras 3's
            `{'class_name': 'function', 'config': name}`, gives the function. A name is looked
            up in `classes` first.
        any_case: also try the lower-cased name.

    Raises:
        ValueError: for an unknown name or class, or an identifier of another type.
    """
    functions = functions or {}
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        class_name, config = identifier.get("class_name"), identifier.get("config")
        if class_name == "function":  # Keras 3's form of a plain function: its name
            if config not in functions:
                raise ValueError(f"Unknown {kind} function: {config!r}. Pass it in "
                                 "`custom_objects`.")
            return functions[config]
        if class_name in functions:
            return functions[class_name]
        cls = classes.get(class_name)
        if cls is None and any_case and isinstance(class_name, str):
            cls = classes.get(class_name.lower())
        if cls is None:
            raise ValueError(f"Unknown {kind} class: {class_name!r}. Expected one of "
                             f"{sorted(classes)}, or pass it in `custom_objects`.")
        config = dict(config or {})
        return cls.from_config(config) if isinstance(cls, type) else cls(**config)
    if isinstance(identifier, str):
        return _from_name(kind, classes, functions, identifier, any_case)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}.")


def _from_name(kind, classes, functions, name, any_case):
    candidates = (name, name.lower()) if any_case else (name,)
    for candidate in candidates:
        if candidate in classes:
            return classes[candidate]()
        if candidate in functions:
            return functions[candidate]
    known = sorted(set(classes) | set(functions))
    close = difflib.get_close_matches(name, known, n=3)
    hint = (f"Did you mean {' or '.join(map(repr, close))}?" if close
            else f"Expected one of {known}.")
    raise ValueError(f"Could not interpret {kind} identifier: {name!r}. {hint}")
