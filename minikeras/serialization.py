"""What every registry (`initializers`, `regularizers`, `constraints`, ...) shares: turning an
object into Keras's `{'class_name', 'config'}` form and back."""


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
