"""`keras.saving.serialize_keras_object` and `deserialize_keras_object`, with every public
namespace of minikeras: what `load_model` and the `.keras`/`.h5` readers call.

The machinery is `minikeras.serialization` (a floor below, so that layers and models can use it
too); this module gives it the table of Keras modules to look class names up in. A config never
makes minikeras import a module or run code: classes come from this table or from the user
(`custom_objects`, `custom_object_scope`, `register_keras_serializable`).
"""

from minikeras import (activations, constraints, initializers, layers, losses, metrics,
                       optimizers, regularizers, serialization)
from minikeras.optimizers import schedules

# 'Sequential' / 'Functional' / 'Model' -> class. `minikeras.models` imports this package (to
# save models), so it cannot be imported here: its modules add their classes when imported,
# which `import minikeras` (and any import of a model class) does before a config is read.
MODEL_CLASSES = {}

# Re-exported: what a caller of this module may need to recognise.
UnknownObjectError = serialization.UnknownObjectError
TensorReference = serialization.TensorReference
serialize_dict = serialization.serialize_dict


def namespaces():
    """`{keras module: {name: class or function}}` of everything a config may name.

    The order matters for configs without a `module` (Keras 2): a layer name is looked up
    first.
    """
    return {
        "keras.layers": {**layers.layer_classes(), **MODEL_CLASSES},
        "keras": MODEL_CLASSES,
        "keras.models": MODEL_CLASSES,
        "keras.optimizers": {**optimizers.CLASSES, "Optimizer": optimizers.Optimizer},
        "keras.optimizers.schedules": schedules.CLASSES,
        "keras.initializers": initializers.CLASSES,
        "keras.regularizers": {k: v for k, v in regularizers.CLASSES.items()
                               if isinstance(v, type)},
        "keras.constraints": constraints.CLASSES,
        "keras.losses": {**losses.CLASSES, **losses.ALL_FUNCTIONS},
        "keras.metrics": {**metrics.CLASSES, **metrics.FUNCTIONS},
        "keras.activations": activations.ALL,
    }


def serialize_keras_object(obj):
    """Returns Keras 3's config of `obj`: `{'module', 'class_name', 'config',
    'registered_name'}` (plus `build_config`/`compile_config` for layers and models) for
    objects, the `'function'` form for functions, plain values as they are.

    Raises:
        TypeError: for an object that has no `get_config`.
    """
    return serialization.serialize_keras_object(obj)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Returns the object a config describes.

    Reads Keras 3's configs, tf.keras 2's and Keras 2's `{'class_name', 'config'}`, registered
    names (`'Custom>MyLayer'`) and bare function names.

    Args:
        config: the config (a dict, a name, a list, a plain value or None).
        custom_objects: optional `{name: class or function}` of the user's objects.
        safe_mode: accepted for compatibility: minikeras never runs code from a config, so a
            serialized Python lambda is refused whatever its value.
        module_objects: optional `{name: object}` looked up before minikeras's namespaces
            (Keras's keyword for a library's own objects).

    Raises:
        ValueError: for a class or function nobody provides (it is also a TypeError, as in
            Keras 3); the message says how to provide it. Also for a serialized lambda.
    """
    spaces = namespaces()
    module_objects = kwargs.pop("module_objects", None)
    if kwargs:
        raise TypeError(f"deserialize_keras_object() got unexpected keyword arguments: "
                        f"{sorted(kwargs)}")
    if module_objects:
        spaces = {None: dict(module_objects), **spaces}
    return serialization.deserialize_keras_object(config, custom_objects, safe_mode, spaces)
