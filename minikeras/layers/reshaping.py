"""Layers that only rearrange values: `Flatten`, `Reshape`."""

import math

import autograd.numpy as anp

from minikeras import config
from minikeras.layers.base import Layer


class Flatten(Layer):
    """Flattens every axis but the batch axis.

    Args:
        data_format: `'channels_last'` (default) or `'channels_first'`; with channels_first the
            channels are moved last before flattening, so weights match the Keras order.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = anp.moveaxis(inputs, 1, -1)
        # The method, not `anp.reshape`: a traced input reshapes as a traced value all the
        # same, and the (untraced) data batch skips autograd's dispatch.
        return inputs.reshape((inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (may contain one -1).

    Args:
        target_shape: tuple of integers, without the batch axis.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"There must be at most one -1 in `target_shape`. Received: {target_shape}")
        self.built = True

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or size % known:
                raise ValueError(
                    f"Layer '{self.name}': cannot reshape input of shape {tuple(input_shape)} to "
                    f"target shape {self.target_shape}."
                )
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(
                f"Layer '{self.name}': total size of new array must be unchanged, input shape "
                f"{tuple(input_shape)}, target shape {self.target_shape}."
            )
        return self.target_shape

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self._resolve(tuple(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
