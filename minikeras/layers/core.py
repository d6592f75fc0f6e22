"""Core layers: `InputLayer`/`Input`, `Dense`, `Activation`, `Dropout`."""

import warnings

import autograd.numpy as anp
import numpy as np

from minikeras import activations, config, ops
from minikeras.random_seed import global_rng
from minikeras.stateless_scope import current_scope
from minikeras.layers import weight_arguments
from minikeras.layers.base import InputSpec, Layer, dtype_from_config
from minikeras.layers.keras_tensor import KerasTensor, Node


class InputLayer(Layer):
    """The entry point of a model: holds the symbolic input tensor.

    Args:
        shape: the input shape without the batch axis, e.g. `(28, 28)`.
        batch_size: fixed batch size (default None).
        dtype: the input dtype (default `floatx()`).
        batch_shape: the shape including the batch axis (instead of `shape`).
        name: the layer's name.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 **kwargs):
        shape = kwargs.pop("input_shape", shape)
        batch_shape = kwargs.pop("batch_input_shape", batch_shape)
        kwargs.pop("sparse", None)
        kwargs.pop("ragged", None)
        kwargs.pop("optional", None)  # Keras 3.x InputLayer config
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input or InputLayer.")
            if isinstance(shape, (int, np.integer)):
                warnings.warn(
                    f"Passing a bare integer as `shape` is deprecated (tf.keras 2 style); "
                    f"use shape=({int(shape)},).", DeprecationWarning, stacklevel=3)
                shape = (int(shape),)
            batch_shape = (batch_size,) + tuple(shape)
        if isinstance(batch_shape, (str, bytes)) or not all(
                d is None or isinstance(d, (int, np.integer)) for d in batch_shape):
            raise ValueError(f"Cannot convert '{batch_shape}' to a shape: the shape of an Input "
                             "should be a tuple of integers or None (one per axis).")
        self._batch_input_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.built = True
        self._input_dtype = dtype_from_config(dtype)
        tensor = KerasTensor(self._batch_input_shape, self._input_dtype, name=self.name)
        Node(self, [], tensor)
        self.output_tensor = tensor

    @property
    def batch_shape(self):
        return self._batch_input_shape

    def get_config(self):
        return {"batch_shape": self._batch_input_shape, "dtype": self._input_dtype,
                "sparse": False, "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None, **kwargs):
    """Returns a symbolic tensor that starts a functional model, as `keras.Input`.

    Args:
        shape: input shape without the batch axis, e.g. `(784,)`; a bare int (tf.keras 2 style)
            is accepted with a DeprecationWarning.
        batch_size: optional fixed batch size.
        dtype: the input dtype (default `floatx()`).
        batch_shape: the shape including the batch axis (instead of `shape`).
        name: the input's name.
    """
    if tensor is not None:
        raise NotImplementedError("Input(tensor=...) is not supported by minikeras.")
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                       name=name, **kwargs)
    return layer.output_tensor


def _check_positive_int(layer, name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"Received an invalid value for `{name}` of layer {layer}, expected a positive "
            f"integer. Received: {name}={value!r}"
        )
    return int(value)


class Dense(Layer):
    """Densely connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: positive integer, the output size.
        activation: activation function or name (default None: linear).
        use_bias: whether to add a bias (default True).
        kernel_initializer: default `'glorot_uniform'`.
        bias_initializer: default `'zeros'`.
        kernel_regularizer, bias_regularizer, activity_regularizer: default None.
        kernel_constraint, bias_constraint: default None.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        for keras3_only in ("lora_rank", "lora_alpha", "quantization_config"):  # in Keras 3 configs
            kwargs.pop(keras3_only, None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _check_positive_int(type(self).__name__, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        weight_arguments.store(self, "kernel", kernel_initializer, kernel_regularizer,
                               kernel_constraint)
        weight_arguments.store(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True  # on a sequence, each step stays masked or not

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"The last dimension of the input to Dense layer '{self.name}' "
                             f"must be defined. Received input shape {tuple(input_shape)}.")
        self.kernel = weight_arguments.add_weight(self, "kernel", (in_dim, self.units))
        self.bias = weight_arguments.add_weight(self, "bias", (self.units,)) \
            if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs):
        bias = self.bias.value if self.use_bias else None
        return activations.call_fused(self.activation, ops.dense, inputs, self.kernel.value, bias)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config_ = super().get_config()
        config_.update(
            units=self.units, activation=activations.serialize(self.activation),
            use_bias=self.use_bias, **weight_arguments.config(self, "kernel", "bias"),
            quantization_config=None,  # Keras 3.13+ writes it; minikeras does not quantize
        )
        return config_


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: a function or the name of one, e.g. `'relu'`.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


def dropout_rng(seed_rng):
    """The generator a random layer draws from: the training step's, else its own or the global one."""
    scope = current_scope()
    if scope is not None and scope.rng is not None:
        return scope.rng
    return seed_rng if seed_rng is not None else global_rng()


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 during training and scales the rest by `1/(1-rate)`.

    With `rate=1` every input is dropped: the output is zeros (as in Keras) and no gradient
    flows back through the layer.

    Args:
        rate: float in [0, 1], the fraction of inputs to drop.
        noise_shape: shape of the binary mask, broadcast over the input (default None: input shape).
        seed: integer seed (default None).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float, np.floating)) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                f"Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate >= 1:  # keep/(1 - rate) would be 0/0 = NaN
            return anp.zeros_like(inputs)
        shape = tuple(inputs.shape)
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
        keep = dropout_rng(self._rng).random(shape) >= self.rate
        return inputs * (keep.astype(config.floatx()) / np.float32(1.0 - self.rate))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
