"""`minikeras.optimizers` (also `keras.optimizers`): optimizer classes, `get`, `serialize`,
`deserialize`, `schedules` and `legacy`."""

from minikeras import object_registration, serialization
from minikeras.optimizers import legacy, schedules
from minikeras.optimizers.adadelta import Adadelta
from minikeras.optimizers.adafactor import Adafactor
from minikeras.optimizers.adagrad import Adagrad
from minikeras.optimizers.adam import Adam
from minikeras.optimizers.adamax import Adamax
from minikeras.optimizers.adamw import AdamW
from minikeras.optimizers.base import Optimizer
from minikeras.optimizers.ftrl import Ftrl
from minikeras.optimizers.lamb import Lamb
from minikeras.optimizers.lion import Lion
from minikeras.optimizers.nadam import Nadam
from minikeras.optimizers.rmsprop import RMSprop
from minikeras.optimizers.sgd import SGD

CLASSES = {cls.__name__: cls for cls in (
    SGD, RMSprop, Adam, AdamW, Adadelta, Adagrad, Adamax, Nadam, Ftrl, Lion, Adafactor, Lamb)}
# Keras looks names up case-insensitively: 'adam', 'Adam', 'ADAM', 'rmsprop', 'RMSprop'...
ALIASES = {name.lower(): cls for name, cls in CLASSES.items()}


def _lookup(name, custom_objects=None):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    # tf.keras 2.11+ wrote 'Custom>Adam' into .h5 files; Keras 3 may write 'keras.optimizers.Adam'.
    bare = str(name).rsplit(">", 1)[-1].rsplit(".", 1)[-1]
    return CLASSES.get(bare) or ALIASES.get(bare.lower())


def serialize(optimizer):
    """The Keras 3 config: `{'module', 'class_name', 'config', 'registered_name'}`."""
    return serialization.serialize(optimizer, module="keras.optimizers")


def deserialize(config, custom_objects=None):
    """Rebuilds an optimizer from `serialize()`'s output, or a Keras 2 / tf.keras config."""
    name = config.get("class_name")
    with object_registration.CustomObjectScope(custom_objects):
        registered = serialization.find_registered(config)
    cls = registered if isinstance(registered, type) else _lookup(name, custom_objects)
    if cls is None:
        raise ValueError(f"Unknown optimizer: {name!r}. Expected one of {sorted(CLASSES)} or a "
                         "class passed in `custom_objects`.")
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier):
    """Returns an optimizer from a name (`'adam'`, `'Adam'`), a config dict, a class or an instance.

    Strings build the optimizer with its defaults; `None` gives `None`, as in Keras.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected "
                             f"one of {sorted(ALIASES)}.")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Expected a "
                     "string, a config dict or an Optimizer.")



__all__ = ["Optimizer", *CLASSES, "get", "serialize", "deserialize", "schedules", "legacy"]


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
