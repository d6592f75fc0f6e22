"""`minikeras.optimizers` (also `keras.optimizers`): optimizer classes and `get`."""

from minikeras.optimizers import schedules
from minikeras.optimizers.adam import Adam
from minikeras.optimizers.base import Optimizer
from minikeras.optimizers.rmsprop import RMSprop
from minikeras.optimizers.sgd import SGD

# Every Keras spelling of each optimizer: the class name and its lower-case form.
CLASSES = {cls.__name__: cls for cls in (SGD, Adam, RMSprop)}
ALIASES = {name.lower(): cls for name, cls in CLASSES.items()}


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or CLASSES.get(name) or ALIASES.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: {name!r}. Expected one of {sorted(CLASSES)}.")
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """Returns an optimizer from a name (`'adam'`, `'Adam'`), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = CLASSES.get(identifier) or ALIASES.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Expected one of "
                f"{sorted(ALIASES)}."
            )
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(f"Could not interpret optimizer identifier: {identifier!r}. Expected a string, "
                    "a config dict or an Optimizer.")
