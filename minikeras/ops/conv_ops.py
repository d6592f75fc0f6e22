"""`keras.ops.conv`, `conv_transpose`, `depthwise_conv` and `separable_conv`, with Keras 3's
signatures, on the channels_last primitives of `ops.nn.conv` (a channels_first input has its
channel axis moved around them: views, no copies)."""

import autograd.numpy as anp

from minikeras import config
from minikeras.ops import nn
from minikeras.tensor import returns_tensor
from minikeras.variables import unwrap


def _layout(inputs, data_format):
    first = config.standardize_data_format(data_format) == "channels_first"
    x = unwrap(inputs)
    return (anp.moveaxis(x, 1, -1) if first else x), first


def _restore(y, first):
    return anp.moveaxis(y, -1, 1) if first else y


@returns_tensor
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (no bias), as `keras.ops.conv`.

    Args:
        inputs: `(batch, *spatial, channels)` (or channels_first).
        kernel: `(*kernel_size, channels / groups, filters)`; the number of groups is
            `channels // kernel.shape[-2]`.
        strides, dilation_rate: int or tuple (default 1).
        padding: `'valid'` (default) or `'same'`.
        data_format: default `keras.config.image_data_format()`.
    """
    x, first = _layout(inputs, data_format)
    kernel = unwrap(kernel)
    groups = x.shape[-1] // kernel.shape[-2]
    return _restore(nn.conv(x, kernel, strides=strides, padding=padding.lower(),
                            dilation_rate=dilation_rate, groups=groups), first)


@returns_tensor
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution, as `keras.ops.depthwise_conv`; `kernel` is
    `(*kernel_size, channels, depth_multiplier)`."""
    x, first = _layout(inputs, data_format)
    kernel = unwrap(kernel)
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    grouped = anp.reshape(kernel, tuple(kernel.shape[:-2]) + (1, channels * multiplier))
    return _restore(nn.conv(x, grouped, strides=strides, padding=padding.lower(),
                            dilation_rate=dilation_rate, groups=channels), first)


@returns_tensor
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise then pointwise convolution, as `keras.ops.separable_conv`."""
    first = config.standardize_data_format(data_format) == "channels_first"
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, "channels_last" if not first
                       else "channels_first", dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, dilation_rate)


@returns_tensor
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution, as `keras.ops.conv_transpose`; `kernel` is
    `(*kernel_size, filters, channels)`."""
    x, first = _layout(inputs, data_format)
    return _restore(nn.conv_transpose(x, unwrap(kernel), strides=strides,
                                      padding=padding.lower(), output_padding=output_padding,
                                      dilation_rate=dilation_rate), first)
