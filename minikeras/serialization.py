"""What every registry (`initializers`, `regularizers`, `constraints`, ...) shares: turning an
object into Keras's `{'class_name', 'config'}` form and back, and resolving identifiers."""


def serialize(obj):
    """Returns `{'class_name', 'config'}` for an object with `get_config`, a plain function's
    name, or None for None."""
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        return getattr(obj, "__name__", str(obj))
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def deserialize(get, config, custom_objects=None):
    """Returns the object `config` (a name or `{'class_name', 'config'}`) describes.

    Args:
        get: the registry's own `get(identifier)`, used unless `custom_objects` names the class.
        config: a name or a `{'class_name', 'config'}` dict.
        custom_objects: optional `{name: class}` of user classes.
    """
    name = config.get("class_name") if isinstance(config, dict) else config
    if custom_objects and name in custom_objects:
        cls = custom_objects[name]
        return cls.from_config(config.get("config", {})) if isinstance(config, dict) else cls()
    return get(config)


def get_instance(kind, classes, identifier, any_case=False):
    """Returns an object from None, a name, a `{'class_name', 'config'}` dict, a class, an
    instance or a function, looking names up in `classes`.

    Args:
        kind: what the registry holds, for error messages (`'constraint'`).
        classes: `{name: class or factory}`.
        identifier: what to resolve.
        any_case: also try the lower-cased name.

    Raises:
        ValueError: for an unknown name or an identifier of another type.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = classes.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown {kind}: {identifier.get('class_name')!r}. Expected "
                             f"one of {sorted(classes)}.")
        config = dict(identifier.get("config") or {})
        return cls.from_config(config) if isinstance(cls, type) else cls(**config)
    if isinstance(identifier, str):
        cls = classes.get(identifier) or (classes.get(identifier.lower()) if any_case else None)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. "
                             f"Expected one of {sorted(classes)}.")
        return cls()
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}.")
