"""What every registry (`losses`, `metrics`, `activations`, `initializers`, `regularizers`,
`constraints`) shares: resolving the identifiers their `get` accepts, and turning an object into
Keras 3's `{'module', 'class_name', 'config', 'registered_name'}` form and back.

It also holds the generic Keras 3 (de)serializer under `keras.saving.serialize_keras_object`
and `deserialize_keras_object`: `deserialize_keras_object` here is given the namespaces to look
classes up in (`minikeras.saving.serialization_lib` passes every public one; a layer or a model
passes its own). Registered user objects come from `minikeras.object_registration`.
"""

import base64
import difflib
import marshal
import types
import warnings
from collections import namedtuple

import numpy as np

from minikeras import object_registration


def serialize(obj, module=None):
    """Returns what the registry's `deserialize` turns back into `obj`.

    Args:
        obj: an object with `get_config` (gives Keras 3's `{'module', 'class_name', 'config',
            'registered_name'}`), a function (gives its name) or None (gives None).
        module: ignored (kept for callers that name their family): the module written is the
            public Keras module of a minikeras class, or the user's module of a user class.
    """
    if obj is None:
        return None
    if not hasattr(obj, "get_config"):
        return getattr(obj, "__name__", str(obj))
    return serialize_keras_object(obj)


def deserialize(get, config, custom_objects=None):
    """Returns the object `config` (a name or a config dict) describes.

    Args:
        get: the registry's own `get(identifier)`; it sees `custom_objects` (and registered
            objects), which take precedence over the registry's own names.
        config: a name, a `{'class_name', 'config'}` dict (Keras 2 or 3), or Keras 3's
            `{'class_name': 'function', 'config': name}` form of a plain function.
        custom_objects: optional `{name: class or function}` of user objects: a class gives an
            instance (from the dict's config), a function is returned as it is.
    """
    with object_registration.CustomObjectScope(custom_objects):
        return get(config)


def find_registered(identifier):
    """The user object (registered, or in a `custom_object_scope`) an identifier names, or None.

    A dict names it by `registered_name` (`'Package>Name'`) or `class_name`, or, for Keras 3's
    function form, by its `config`.
    """
    if isinstance(identifier, str):
        return find_custom_object(identifier)
    class_name = identifier.get("class_name")
    if class_name == "function":
        name = identifier.get("config")
        return find_custom_object(name) if isinstance(name, str) else None
    for name in (identifier.get("registered_name"), class_name):
        if isinstance(name, str):
            obj = object_registration.get_registered_object(name)
            if obj is not None:
                return obj
    return None


def from_registered(obj, identifier):
    """What a registered object gives for `identifier`: a class an instance, else the object."""
    if not isinstance(obj, type):
        return obj
    config = identifier.get("config") if isinstance(identifier, dict) else None
    return obj.from_config(dict(config)) if isinstance(config, dict) else obj()


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
    if isinstance(identifier, (str, dict)):
        custom = find_registered(identifier)
        if custom is not None:
            return from_registered(custom, identifier)
    if isinstance(identifier, dict):
        class_name, config = identifier.get("class_name"), identifier.get("config")
        if class_name == "function":  # Keras 3's form of a plain function: its name
            if config not in functions:
                raise ValueError(f"Unknown {kind} function: {config!r}. {REGISTER_HINT}")
            return functions[config]
        if class_name in functions:
            return functions[class_name]
        cls = classes.get(class_name)
        if cls is None and any_case and isinstance(class_name, str):
            cls = classes.get(class_name.lower())
        if cls is None:
            raise ValueError(f"Unknown {kind} class: {class_name!r}. Expected one of "
                             f"{sorted(classes)}. {REGISTER_HINT}")
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
            else f"Expected one of {known}. {REGISTER_HINT}")
    raise ValueError(f"Could not interpret {kind} identifier: {name!r}. {hint}")


# =========================================================================== Keras 3 configs
REGISTER_HINT = ("If it is a class or function of your own, pass it in `custom_objects` "
                 "(e.g. `custom_objects={'MyLayer': MyLayer}`) or decorate it with "
                 "`@keras.saving.register_keras_serializable()` (and import the module that "
                 "defines it before loading).")

PLAIN_TYPES = (str, int, float, bool)

# Where Keras exports minikeras's classes: a class's `module` in a config. Exact classes first,
# then the minikeras package a class is defined under. A user's class keeps its own module.
_PUBLIC_CLASSES = {
    # (module, registered_name): as Keras 3 writes `Sequential` and a functional `Model`.
    "minikeras.models.sequential.Sequential": ("keras", None),
    "minikeras.models.model.Model": ("keras", None),
    "minikeras.models.model.Functional": ("keras.src.models.functional", "Functional"),
}
_PUBLIC_PACKAGES = (
    ("minikeras.layers", "keras.layers"),
    ("minikeras.optimizers.schedules", "keras.optimizers.schedules"),
    ("minikeras.optimizers.legacy", "keras.optimizers.legacy"),
    ("minikeras.optimizers", "keras.optimizers"),
    ("minikeras.initializers", "keras.initializers"),
    ("minikeras.regularizers", "keras.regularizers"),
    ("minikeras.constraints", "keras.constraints"),
    ("minikeras.losses", "keras.losses"),
    ("minikeras.metrics", "keras.metrics"),
    ("minikeras.activations", "keras.activations"),
    ("minikeras.models", "keras.models"),
)

# A `{'class_name': '__keras_tensor__'}` entry of a functional model's node: the output
# `tensor_index` of the `node_index`-th call of the layer named `layer_name`.
TensorReference = namedtuple("TensorReference", "layer_name node_index tensor_index shape dtype")

LAMBDA_REFUSED = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. In Keras, `safe_mode=False` would run the lambda's stored bytecode; minikeras "
    "accepts `safe_mode=False` but never runs code stored in a file (bytecode, pickles), so it "
    "does not make this load. What loads with either value: functions named in the config and "
    "provided by you (`custom_objects`, `custom_object_scope` or "
    "`@keras.saving.register_keras_serializable()`). To load this model, either rebuild it in "
    "code (with the lambda) and call `model.load_weights(path)`, which reads only the weights, "
    "or replace the lambda with a named, registered function and save the model again."
)


class UnknownObjectError(ValueError, TypeError):
    """A config names a class or function that is neither built in nor given by the user.

    Both a ValueError (what tf.keras 2 raised: "Unknown layer: ...") and a TypeError (what
    Keras 3 raises: "Could not locate class ..."), so code written for either catches it.
    """


def public_identity(cls):
    """`(module, registered_name)` that Keras 3 writes for instances of `cls`.

    A minikeras class gives its public Keras module (`'keras.layers'`) and None; any other class
    gives its own module (None for `__main__`) and its registered name (`'Package>Name'` if
    registered, else its `__name__`).
    """
    path = f"{cls.__module__}.{cls.__qualname__}"
    if path in _PUBLIC_CLASSES:
        return _PUBLIC_CLASSES[path]
    if cls.__module__.startswith("minikeras.") and not object_registration.is_registered(cls):
        for package, module in _PUBLIC_PACKAGES:
            if cls.__module__ == package or cls.__module__.startswith(package + "."):
                return module, None
    module = None if cls.__module__ == "__main__" else cls.__module__
    return module, object_registration.get_registered_name(cls)


def _is_keras_tensor(obj):
    return hasattr(obj, "_keras_history") and hasattr(obj, "shape") and hasattr(obj, "dtype")


def dump_lambda(fn):
    """Keras's `{'code', 'defaults', 'closure'}` of a lambda: its marshalled bytecode, base64.

    Written so real Keras can load the model (it needs `safe_mode=False` for that). minikeras
    never loads this form back: nothing here ever calls `marshal.loads`.
    """
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return {"code": code, "defaults": fn.__defaults__, "closure": closure}


def serialize_function(fn):
    """Keras 3's config of a plain function: a lambda's bytecode form (with a warning), or
    `{'module': 'builtins', 'class_name': 'function', 'config': name, 'registered_name':
    'function'}` where `name` is the registered `'Package>name'` when there is one."""
    if fn.__name__ == "<lambda>":
        warnings.warn(
            "The object being serialized includes a `lambda`. Its config holds the lambda's "
            "Python bytecode: Keras loads it only with `safe_mode=False` (and the same Python "
            "version), and minikeras never loads it. Use a named function registered with "
            "`@keras.saving.register_keras_serializable()` instead.", UserWarning, stacklevel=3)
        return {"class_name": "__lambda__", "config": dump_lambda(fn)}
    return {"module": "builtins", "class_name": "function",
            "config": object_registration.get_registered_name(fn), "registered_name": "function"}


def serialize_keras_object(obj):
    """Returns Keras 3's config of `obj` (what `deserialize_keras_object` turns back into it).

    Plain values, lists, tuples and dicts are kept (their items serialized); NumPy scalars
    become Python numbers and arrays `{'class_name': '__numpy__', ...}`; a symbolic tensor
    `{'class_name': '__keras_tensor__', 'config': {'shape', 'dtype', 'keras_history'}}`; a
    function the `'function'` form (see `serialize_function`); any object with `get_config`
    `{'module', 'class_name', 'config', 'registered_name'}` plus its `build_config` and
    `compile_config` when it has them.

    Raises:
        TypeError: for an object without `get_config`, or whose `get_config` is not a dict.
    """
    if obj is None or isinstance(obj, PLAIN_TYPES):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return serialize_dict(obj)
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(),
                                                      "dtype": obj.dtype.name}}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.item()
    if isinstance(obj, np.dtype):
        return obj.name
    if _is_keras_tensor(obj):
        history = obj._keras_history
        history = [history[0].name, history[1], history[2]] if history else None
        return {"class_name": "__keras_tensor__",
                "config": {"shape": obj.shape, "dtype": obj.dtype, "keras_history": history}}
    if isinstance(obj, types.FunctionType):
        return serialize_function(obj)
    if not hasattr(obj, "get_config") or isinstance(obj, type):
        raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}. To be "
                        "serializable, a class must implement the `get_config()` method.")
    inner = obj.get_config()
    if not isinstance(inner, dict):
        raise TypeError(f"The `get_config()` method of {obj!r} should return a dict. It "
                        f"returned: {inner!r}")
    module, registered_name = public_identity(type(obj))
    config = {"module": module, "class_name": type(obj).__name__,
              "config": serialize_dict(inner), "registered_name": registered_name}
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:
        config["build_config"] = serialize_dict(build_config)
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config is not None:
        config["compile_config"] = serialize_dict(compile_config)
    return config


def serialize_dict(obj):
    """`{key: serialize_keras_object(value)}`."""
    return {key: serialize_keras_object(value) for key, value in obj.items()}


# --------------------------------------------------------------------------- deserializing
def find_custom_object(name, custom_objects=None):
    """The user object called `name`: in `custom_objects`, a `custom_object_scope` or the
    registry; a bare `'name'` also finds an object registered as `'Package>name'` (Keras <= 3.6
    wrote a registered function's bare name). None if there is none."""
    obj = object_registration.get_registered_object(name, custom_objects)
    if obj is not None or ">" in name:
        return obj
    suffix = ">" + name
    matches = [o for key, o in object_registration.all_custom_objects(custom_objects).items()
               if key.endswith(suffix)]
    return matches[0] if matches else None


def _find_in_namespaces(name, module, namespaces):
    """The public object `name` of Keras module `module` (or of any namespace, for a Keras
    module minikeras does not mirror and for configs without a module), or None."""
    if module in namespaces and name in namespaces[module]:
        return namespaces[module][name]
    for objects in namespaces.values():
        if name in objects:
            return objects[name]
    return None


def _is_keras_module(module):
    """Configs from Keras name `keras.*` modules (tf.keras 2.13+ `keras.src.*`, `tf_keras`);
    Keras 2 and older configs name none. Any other module is a user's."""
    return module is None or module.split(".", 1)[0] in ("keras", "tf_keras", "tensorflow")


def retrieve_class_or_function(config, namespaces, custom_objects=None, kind="object"):
    """The class (or function) a config dict names.

    User objects first (`custom_objects`, scopes, the registry), by `registered_name` then
    `class_name`; then the public namespaces, unless the config names a user's module. No
    module is ever imported.

    Raises:
        UnknownObjectError: naming the class and how to provide it.
    """
    class_name = config["class_name"]
    module = config.get("module")
    if class_name == "function":
        name = config.get("config")
        if not isinstance(name, str):
            raise TypeError(f"Expected 'config' to be a non-null str for a function class name, "
                            f"instead got {type(name)}. Full config: {config}")
        obj = find_custom_object(name, custom_objects)
        if obj is None and (module in ("builtins", None) or _is_keras_module(module)):
            obj = _find_in_namespaces(name, None, namespaces)
        if obj is None:
            label = "function" if kind in ("object", "function") else f"{kind} function"
            raise UnknownObjectError(f"Unknown {label}: '{name}'. Could not locate function "
                                     f"'{name}'. {REGISTER_HINT}")
        return obj
    registered_name = config.get("registered_name")
    for name in (registered_name, class_name):
        if isinstance(name, str):
            obj = object_registration.get_registered_object(name, custom_objects)
            if obj is not None:
                return obj
    if _is_keras_module(module):
        obj = _find_in_namespaces(class_name, module, namespaces)
        if obj is not None:
            return obj
    where = f" (module '{module}')" if module else ""
    raise UnknownObjectError(f"Unknown {kind}: '{class_name}'. Could not locate class "
                             f"'{class_name}'{where}. {REGISTER_HINT}")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, namespaces=None,
                             kind="object"):
    """Returns the object a config describes (the inverse of `serialize_keras_object`).

    Reads Keras 3's `{'module', 'class_name', 'config', 'registered_name'}`, tf.keras 2's and
    Keras 2's `{'class_name', 'config'}`, registered names (`'Custom>MyLayer'`) and, for
    functions, bare names. Classes are built with `cls.from_config(config)` inside a
    `custom_object_scope(custom_objects)`, so nested configs see the user's objects too; a
    `build_config` builds the object, a `compile_config` compiles it.

    Args:
        config: the config (None, a plain value, a name, a list or a dict).
        custom_objects: optional `{name: class or function}` of the user's objects.
        safe_mode: accepted for Keras compatibility. minikeras never runs code from a config
            (no pickle, no eval, no bytecode), so it refuses a serialized lambda either way.
        namespaces: `{keras module: {name: object}}` of the public objects to look names up in,
            e.g. `{'keras.layers': {'Dense': Dense, ...}}`.
        kind: what is being deserialized, for error messages (`'layer'`).

    Raises:
        UnknownObjectError: for a class or function that is neither public nor the user's.
        ValueError: for a serialized lambda.
    """
    namespaces = namespaces or {}
    if config is None:
        return None
    if isinstance(config, str):
        custom = find_custom_object(config, custom_objects)
        return config if custom is None else custom
    if isinstance(config, PLAIN_TYPES):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(x, custom_objects, safe_mode, namespaces, kind)
                for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: deserialize_keras_object(value, custom_objects, safe_mode, namespaces, kind)
                for key, value in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    special = _deserialize_special(class_name, inner, custom_objects, safe_mode, namespaces)
    if special is not _NOT_SPECIAL:
        return special
    obj = retrieve_class_or_function(config, namespaces, custom_objects, kind)
    if class_name == "function" or not isinstance(obj, type):
        return obj
    if not isinstance(inner, (dict, list)):  # a list: Keras 2.2's Sequential config
        raise TypeError(f"Expected 'config' to be a dict for {class_name}, instead got "
                        f"{type(inner)}. Full config: {config}")
    if not hasattr(obj, "from_config"):
        raise TypeError(f"Unable to reconstruct an instance of '{class_name}' because the class "
                        f"is missing a `from_config()` method. Full object config: {config}")
    with object_registration.CustomObjectScope(custom_objects):
        instance = obj.from_config(dict(inner) if isinstance(inner, dict) else list(inner))
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True) and \
                hasattr(instance, "build_from_config"):
            instance.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(instance, "compile_from_config"):
            instance.compile_from_config(compile_config)
    return instance


_NOT_SPECIAL = object()


def _deserialize_special(class_name, inner, custom_objects, safe_mode, namespaces):
    """The values Keras writes with a `__dunder__` class name (else `_NOT_SPECIAL`)."""
    if class_name == "__keras_tensor__":
        history = inner.get("keras_history") or [None, 0, 0]
        return TensorReference(history[0], history[1], history[2], inner.get("shape"),
                               inner.get("dtype"))
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner[k], custom_objects, safe_mode, namespaces)
                       for k in ("start", "stop", "step")))
    if class_name == "__lambda__":
        raise ValueError(LAMBDA_REFUSED)
    return _NOT_SPECIAL
