"""`Sequential`: a plain stack of layers, each with one input and one output."""


from minikeras import serialization
from minikeras.keras_mask import set_keras_mask
from minikeras.layers.base import Layer
from minikeras.layers.core import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.models.model import Model, deserialize_layer
from minikeras.saving import serialization_lib


class Sequential(Model):
    """A linear stack of layers, as `keras.Sequential`.

    The model is built as soon as the input shape is known: from an `Input`/`InputLayer`, from
    `input_shape=`/`input_dim=` on the first layer, or from the first data it sees.

    Args:
        layers: list of layers (default None).
        name: the model's name (default `'sequential'`).
    """

    # The layers build from the data's shape, so 1-D `x` (no feature axis) is refused up front.
    _samples_need_feature_axis = True

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name, trainable=trainable)
        # Set through __dict__: the input layer is not one of `layers` (Layer.__setattr__ would
        # track it as a sub-layer).
        self.__dict__["_input_layer"] = None
        self.__dict__["_layers"] = []
        self.inputs = self.outputs = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer, rebuild=True):
        """Appends a layer (or an `Input(...)` tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: "
                            f"layer={layer!r} of type {type(layer)}.")
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError("An InputLayer can only be added as the first layer of a Sequential "
                                 "model.")
            self.__dict__["_input_layer"] = layer
            return
        if any(l.name == layer.name for l in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the `name` "
                "argument to pass a unique name."
            )
        if not self._layers and self._input_layer is None and layer._batch_input_shape is not None:
            self.__dict__["_input_layer"] = InputLayer(batch_shape=layer._batch_input_shape)
        self._layers.append(layer)
        if self._input_layer is not None:
            self.outputs = [layer(self.outputs[0] if self.outputs else self._input_layer.output_tensor)]
            self.inputs = [self._input_layer.output_tensor]
            self.built = True

    def pop(self):
        """Removes the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        layers, self.__dict__["_layers"] = self._layers, []
        self.outputs = None
        self.built = False
        for l in layers:
            self.add(l)
        return layer

    def build(self, input_shape=None):
        if self._input_layer is None:
            if input_shape is None:
                raise ValueError("You must provide an `input_shape` argument to build a Sequential "
                                 "model without an Input.")
            self.__dict__["_input_layer"] = InputLayer(batch_shape=(None,) + tuple(input_shape)[1:])
        layers, self.__dict__["_layers"] = self._layers, []
        self.outputs = None
        for layer in layers:
            self.add(layer)
        self.inputs = [self._input_layer.output_tensor]
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if mask is not None:  # each layer's call then reads and passes on the mask
            set_keras_mask(inputs, mask)
        x = inputs
        for layer in self._layers:
            x = layer(x)
        return x

    def compute_output_shape(self, input_shape):
        if self.outputs:
            return self.outputs[0].shape
        return super().compute_output_shape(input_shape)

    @property
    def input_shape(self):
        """The input shape with a None batch axis, e.g. `(None, 784)`."""
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        """The output shape with a None batch axis, e.g. `(None, 10)`."""
        if not self.outputs:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet.")
        return self.outputs[0].shape

    def get_config(self):
        """Keras 3's config: `name`, `trainable`, `dtype`, `layers` (each layer's Keras 3 config,
        the `InputLayer` first when the input shape is known) and then `build_input_shape`."""
        layers = [self._input_layer] if self._input_layer is not None else []
        config = Layer.get_config(self)
        config["layers"] = [serialization.serialize_keras_object(l)
                            for l in layers + self._layers]
        if self._input_layer is not None:
            config["build_input_shape"] = self._input_layer.batch_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates a model from `get_config()`'s output (new weights).

        Also reads Keras's configs: Keras 3 entries (with `module`), tf.keras 2's (an InputLayer
        with `batch_input_shape`, or only `build_input_shape`) and Keras 2.2's bare list of layers.

        Args:
            config: the model's config dict (or a list of layer configs).
            custom_objects: dict `{'ClassName': class}` for layers defined by the user.
        """
        if isinstance(config, (list, tuple)):
            config = {"layers": config}
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config.get("layers", []):
            if not isinstance(layer_config, dict) or "class_name" not in layer_config:
                raise ValueError("Each entry of a Sequential config's `layers` must be a dict "
                                 "with 'class_name' and 'config'. Received: "
                                 f"{layer_config!r}")
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects))
        build_input_shape = config.get("build_input_shape")
        if not model.built and isinstance(build_input_shape, (list, tuple)) and model._layers:
            model.build(tuple(build_input_shape))
        return model

    def get_build_config(self):
        """`{'input_shape': batch shape}` once the input shape is known, else None."""
        if self._input_layer is None:
            return None
        return {"input_shape": self._input_layer.batch_shape}

    def build_from_config(self, config):
        """Builds the model for `config['input_shape']` (from `get_build_config()`)."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            self.build(tuple(shape))


serialization_lib.MODEL_CLASSES["Sequential"] = Sequential
