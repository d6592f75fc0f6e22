"""Depthwise and separable convolution layers: `DepthwiseConv1D`, `DepthwiseConv2D`,
`SeparableConv1D`, `SeparableConv2D`.

A depthwise convolution is `ops.nn.conv` with one group per input channel: the kernel
`(*kernel_size, channels, depth_multiplier)` is viewed as `(*kernel_size, 1, channels *
depth_multiplier)`, output channel `c * depth_multiplier + m` (Keras's order). A separable
convolution is a depthwise convolution followed by a pointwise (1x1) one, which is a dense
product over the channels (`ops.nn.dense`), where the bias and the activation are fused.
"""

import autograd.numpy as anp
import numpy as np

from minikeras.layers import weight_arguments
from minikeras.layers.conv import BaseConv, pop_tf_keras2_keys
from minikeras.ops import nn


def _positive_int(layer, name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"Invalid value for argument `{name}` of {layer}. Expected a "
                         f"strictly positive integer. Received {name}={value!r}.")
    return int(value)


def _depthwise(x, kernel, strides, padding, dilation_rate, bias=None, activation="linear"):
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    grouped = anp.reshape(kernel, tuple(kernel.shape[:-2]) + (1, channels * multiplier))
    return nn.conv(x, grouped, bias, strides=strides, padding=padding,
                   dilation_rate=dilation_rate, groups=channels, activation=activation)


class DepthwiseConv(BaseConv):
    """An N-D depthwise convolution: each input channel convolved with its own
    `depth_multiplier` filters.

    Args:
        rank: the number of spatial axes.
        kernel_size: int or tuple.
        strides: int or tuple (default 1).
        padding: `'valid'` (default) or `'same'`.
        depth_multiplier: output channels per input channel (default 1).
        data_format: default `keras.config.image_data_format()`.
        dilation_rate: int or tuple (default 1).
        activation: default None (linear).
        use_bias: default True.
        depthwise_initializer: default `'glorot_uniform'`; the kernel (named `kernel`, as in
            Keras 3) is `(*kernel_size, channels, depth_multiplier)`.
        bias_initializer: default `'zeros'`.
        depthwise_regularizer, bias_regularizer, activity_regularizer: default None.
        depthwise_constraint, bias_constraint: default None.
    """

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _positive_int(type(self).__name__, "depth_multiplier",
                                              depth_multiplier)
        weight_arguments.store(self, "depthwise", depthwise_initializer, depthwise_regularizer,
                                     depthwise_constraint)

    def _output_channels(self, channels):
        return None if channels is None else channels * self.depth_multiplier

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = weight_arguments.add_weight(
            self, "kernel", self.kernel_size + (channels, self.depth_multiplier), "depthwise")
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def _convolve(self, x, bias, activation="linear"):
        return _depthwise(x, self.kernel.value, self.strides, self.padding, self.dilation_rate,
                          bias, activation)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                **self._geometry_config(), **self._bias_config(),
                **weight_arguments.config(self, "depthwise", "bias", activity=True)}


class DepthwiseConv1D(DepthwiseConv):
    """1D depthwise convolution; input `(batch, steps, channels)`. Arguments as
    `DepthwiseConv`."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class DepthwiseConv2D(DepthwiseConv):
    """2D depthwise convolution; input `(batch, rows, cols, channels)` (channels_last).
    Arguments as `DepthwiseConv`."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class SeparableConv(BaseConv):
    """An N-D depthwise separable convolution: a depthwise convolution, then a pointwise one.

    Args:
        rank: the number of spatial axes.
        filters: the number of output channels.
        kernel_size: int or tuple (of the depthwise step).
        strides: int or tuple (default 1).
        padding: `'valid'` (default) or `'same'`.
        data_format: default `keras.config.image_data_format()`.
        dilation_rate: int or tuple (default 1).
        depth_multiplier: depthwise output channels per input channel (default 1).
        activation: default None (linear).
        use_bias: default True.
        depthwise_initializer, pointwise_initializer: default `'glorot_uniform'`; the kernels
            are `(*kernel_size, channels, depth_multiplier)` and
            `(1, ..., 1, channels * depth_multiplier, filters)`.
        bias_initializer: default `'zeros'`.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            default None.
        depthwise_constraint, pointwise_constraint, bias_constraint: default None.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        pop_tf_keras2_keys(kwargs, type(self).__name__,
                           ("kernel_initializer", "kernel_regularizer", "kernel_constraint"))
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = _positive_int(type(self).__name__, "depth_multiplier",
                                              depth_multiplier)
        weight_arguments.store(self, "depthwise", depthwise_initializer, depthwise_regularizer,
                                     depthwise_constraint)
        weight_arguments.store(self, "pointwise", pointwise_initializer, pointwise_regularizer,
                                     pointwise_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = weight_arguments.add_weight(
            self, "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            "depthwise")
        self.pointwise_kernel = weight_arguments.add_weight(
            self, "pointwise_kernel",
            (1,) * self.rank + (channels * self.depth_multiplier, self.filters), "pointwise")
        self._add_bias(self.filters)
        self.built = True

    def _convolve(self, x, bias, activation="linear"):
        y = _depthwise(x, self.depthwise_kernel.value, self.strides, self.padding,
                       self.dilation_rate)
        pointwise = self.pointwise_kernel.value
        return nn.dense(y, anp.reshape(pointwise, tuple(pointwise.shape[-2:])), bias,
                        activation=activation)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "filters": self.filters, **self._geometry_config(), **self._bias_config(),
                **weight_arguments.config(self, "depthwise", "pointwise", "bias",
                                          activity=True)}


class SeparableConv1D(SeparableConv):
    """1D separable convolution; input `(batch, steps, channels)`. Arguments as
    `SeparableConv`."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


class SeparableConv2D(SeparableConv):
    """2D separable convolution; input `(batch, rows, cols, channels)` (channels_last).
    Arguments as `SeparableConv`."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)


# Keras 2 spellings, still exported by Keras 3.
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
