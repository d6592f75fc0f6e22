"""`Lambda`: a function used as a layer.

Its config names the function; a Python lambda has no name, so Keras stores its bytecode, which
only Keras loads (with `safe_mode=False`). minikeras writes that form for Keras's sake and never
loads it: it runs no code from a config.
"""

import inspect
import warnings

from minikeras import activations, ops, serialization
from minikeras.layers.base import Layer

# What a config's function name may name besides the user's objects: `keras.activations` and
# `keras.ops` functions (Keras 3 writes both as `{'module': 'builtins', 'config': name}`).
_FUNCTIONS = {
    "keras.activations": activations.ALL,
    "keras.ops": {name: fn for name, fn in vars(ops).items()
                  if callable(fn) and not name.startswith("_") and not isinstance(fn, type)},
}


def _is_lambda(fn):
    return inspect.isfunction(fn) and fn.__name__ == "<lambda>"


class Lambda(Layer):
    """Wraps a function `function(inputs, **arguments)` as a layer.

    Prefer a named function (registered with `@keras.saving.register_keras_serializable()`)
    to a `lambda`: only a name can be saved in a config minikeras loads back.

    Args:
        function: the function, called with the layer's inputs first. It may take `mask` and
            `training` keyword arguments.
        output_shape: the output shape without the batch axis (a tuple), or a function of the
            full input shape giving the full output shape (default None: inferred by running
            the function).
        mask: None, a function `mask(inputs, mask)`, or a fixed output mask.
        arguments: dict of keyword arguments passed to `function` (default None).
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"The `function` of Lambda layer '{self.name}' must be callable. "
                            f"Received: function={function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        if isinstance(output_shape, list) and all(d is None or isinstance(d, int)
                                                  for d in output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch_size = input_shape[0] if isinstance(input_shape, tuple) else \
            input_shape[0][0]
        if isinstance(self._output_shape, tuple):
            return (batch_size,) + self._output_shape
        return [(batch_size,) + tuple(shape) for shape in self._output_shape]

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    # ------------------------------------------------------------------ config
    def _serialize_function(self, fn):
        if _is_lambda(fn):
            warnings.warn(
                f"Lambda layer '{self.name}' wraps a Python lambda: its config holds the "
                "lambda's bytecode, which Keras loads only with `safe_mode=False` and "
                "minikeras never loads. Use a named function registered with "
                "`@keras.saving.register_keras_serializable()` instead.", UserWarning,
                stacklevel=3)
            return {"class_name": "__lambda__", "config": serialization.dump_lambda(fn)}
        if inspect.isfunction(fn) or hasattr(fn, "get_config"):
            return serialization.serialize_keras_object(fn)
        raise ValueError(f"Invalid input type for serialization. Received: {fn!r} of type "
                         f"{type(fn)}.")

    def get_config(self):
        config_ = {"function": self._serialize_function(self.function)}
        if self._output_shape is not None:
            config_["output_shape"] = (self._serialize_function(self._output_shape)
                                       if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config_["mask"] = (self._serialize_function(self.mask) if callable(self.mask)
                               else serialization.serialize_keras_object(self.mask))
        config_["arguments"] = serialization.serialize_keras_object(self.arguments)
        return {**super().get_config(), **config_}

    @classmethod
    def from_config(cls, config_, custom_objects=None, safe_mode=None):
        """Recreates the layer; its functions are looked up by name among the user's objects
        (`custom_objects`, scopes, registered ones), `keras.activations` and `keras.ops`.

        Reads Keras 3's configs and tf.keras 2's (`function_type`, `module`, ...).

        Raises:
            ValueError: when a function is stored as Python bytecode (a lambda), whatever
                `safe_mode` says, and for a function name nobody provides.
        """
        config_ = dict(config_)
        function_type = config_.pop("function_type", None)  # tf.keras 2
        module = config_.pop("module", None)
        output_shape_type = config_.pop("output_shape_type", None)
        output_shape_module = config_.pop("output_shape_module", None)
        config_["function"] = _load_function(config_["function"], function_type, module,
                                             custom_objects)
        if config_.get("output_shape") is not None:
            config_["output_shape"] = _load_function(
                config_["output_shape"], output_shape_type, output_shape_module, custom_objects)
        if config_.get("mask") is not None:
            config_["mask"] = _load_function(config_["mask"], None, None, custom_objects)
        if "arguments" in config_:
            config_["arguments"] = serialization.deserialize_keras_object(
                config_["arguments"], custom_objects, namespaces=_FUNCTIONS)
        return cls(**config_)


def _load_function(config_, function_type, module, custom_objects):
    """A function (or plain value) from its config; refuses bytecode."""
    if function_type == "lambda" or (isinstance(config_, dict)
                                     and config_.get("class_name") == "__lambda__"):
        raise ValueError(serialization.LAMBDA_REFUSED)
    if function_type == "function":  # tf.keras 2: the function's name and module
        config_ = {"module": module, "class_name": "function", "config": config_}
    value = serialization.deserialize_keras_object(config_, custom_objects,
                                                   namespaces=_FUNCTIONS, kind="function")
    if isinstance(value, str):  # a bare name nobody provides
        raise serialization.UnknownObjectError(
            f"Unknown function: '{value}'. {serialization.REGISTER_HINT}")
    if isinstance(value, list) and all(d is None or isinstance(d, int) for d in value):
        return tuple(value)
    return value
