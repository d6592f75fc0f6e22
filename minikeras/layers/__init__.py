"""`minikeras.layers` (also `keras.layers`)."""

from minikeras import serialization
from minikeras.layers.base import InputSpec, Layer
from minikeras.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from minikeras.layers.core import Activation, Dense, Dropout, Input, InputLayer
from minikeras.layers.reshaping import Flatten, Reshape
from minikeras.layers.keras_tensor import KerasTensor


def serialize(layer):
    """Returns `{'class_name', 'config'}` for a layer."""
    return serialization.serialize(layer)


def deserialize(config, custom_objects=None):
    """Recreates a layer from `serialize()`'s output."""
    classes = {k: v for k, v in globals().items() if isinstance(v, type) and issubclass(v, Layer)}
    classes.update(custom_objects or {})
    cls = classes.get(config["class_name"])
    if cls is None:
        raise ValueError(f"Unknown layer: '{config['class_name']}'. Pass custom classes with "
                         "`custom_objects={'Name': Class}`.")
    return cls.from_config(config["config"])
