"""`Wrapper`, the base of layers that hold another layer, and how their configs name it.

A wrapper's config holds the wrapped layer's config (`{'layer': {...}}`), which may name any
public layer class. This package is imported by `minikeras/layers/__init__.py`, so it cannot
import that namespace; instead `minikeras/layers/__init__.py` fills `LAYER_CLASSES` once every
layer module is loaded (as `minikeras/layers/activations.py` fills `activations.LAYER_CLASSES`).
"""

from minikeras import serialization
from minikeras.layers.base import Layer

# `{class name: class}` of the public layers a nested config may name (filled by
# minikeras/layers/__init__.py).
LAYER_CLASSES = {}


def deserialize_layer(config, custom_objects=None):
    """The layer a nested config describes (Keras 3's or tf.keras 2's form); the user's own
    classes are found through `custom_objects`, a `custom_object_scope` or the registry."""
    if isinstance(config, Layer):
        return config
    return serialization.deserialize_keras_object(
        config, custom_objects, namespaces={"keras.layers": LAYER_CLASSES}, kind="layer")


class Wrapper(Layer):
    """Base class of layers that wrap another one (`keras.layers.Wrapper`).

    Args:
        layer: the wrapped `Layer` instance.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._build_from_shapes(input_shape)
        prefix_paths(self.layer, self.name)
        self.built = True

    def get_config(self):
        return {**super().get_config(),
                "layer": serialization.serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)


def prefix_paths(layer, prefix):
    """Puts `prefix/` in front of the paths of `layer`'s variables, as Keras 3 names the
    variables of a layer created inside another (`bidirectional/forward_lstm/lstm_cell/kernel`);
    `.h5` files write these paths as weight names, which must be unique within a layer."""
    for variable in layer.weights:
        variable.path = f"{prefix}/{variable.path}"
