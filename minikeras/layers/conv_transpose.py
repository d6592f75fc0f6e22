"""Transposed convolution layers: `Conv1DTranspose`, `Conv2DTranspose`, `Conv3DTranspose`.

The math is `ops.nn.conv_transpose` (the input gradient of the convolution it transposes);
output sizes follow Keras's rule for `padding` and `output_padding`.
"""

from minikeras.layers import weight_arguments
from minikeras.layers.conv import BaseConv
from minikeras.ops import nn
from minikeras.ops.nn.conv import conv_transpose_geometry
from minikeras.utils.argument_validation import standardize_tuple


class ConvTranspose(BaseConv):
    """An N-D transposed convolution ("deconvolution") layer.

    Args:
        rank: the number of spatial axes.
        filters: the number of output channels.
        kernel_size: int or tuple.
        strides: int or tuple (default 1).
        padding: `'valid'` (default) or `'same'`.
        output_padding: int or tuple of sizes added after the output (each less than its
            stride), or None (default: Keras's sizes, `(n - 1) * s + max(k, s)` for `'valid'`,
            `n * s` for `'same'`).
        data_format: default `keras.config.image_data_format()`.
        dilation_rate: int or tuple (default 1).
        activation: default None (linear).
        use_bias: default True.
        kernel_initializer: default `'glorot_uniform'`; the kernel is
            `(*kernel_size, filters, input_channels)`.
        bias_initializer: default `'zeros'`.
        kernel_regularizer, bias_regularizer, activity_regularizer: default None.
        kernel_constraint, bias_constraint: default None.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        if output_padding is not None:
            output_padding = standardize_tuple(output_padding, rank, "output_padding",
                                               allow_zero=True)
            for i, (op, s) in enumerate(zip(output_padding, self.strides)):
                if op >= s:
                    raise ValueError(
                        "`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {op} but `strides` "
                        f"is {s}. Received: output_padding={output_padding}, "
                        f"strides={self.strides}")
        self.output_padding = output_padding
        weight_arguments.store(self, "kernel", kernel_initializer, kernel_regularizer,
                                     kernel_constraint)

    def _output_spatial(self, input_shape, spatial):
        known = [1 if s is None else s for s in spatial]
        geo = conv_transpose_geometry(tuple(known), self.kernel_size, self.strides,
                                      self.dilation_rate, self.padding, self.output_padding)
        return tuple(None if s is None else o for s, o in zip(spatial, geo.in_spatial))

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = weight_arguments.add_weight(
            self, "kernel", self.kernel_size + (self.filters, channels))
        self._add_bias(self.filters)
        self.built = True

    def _convolve(self, x, bias, activation="linear"):
        return nn.conv_transpose(x, self.kernel.value, bias, strides=self.strides,
                                 padding=self.padding, output_padding=self.output_padding,
                                 dilation_rate=self.dilation_rate, activation=activation)

    def get_config(self):
        geometry = self._geometry_config()
        data_format = geometry.pop("data_format")
        dilation_rate = geometry.pop("dilation_rate")
        return {**super().get_config(), "filters": self.filters, **geometry,
                "output_padding": self.output_padding, "data_format": data_format,
                "dilation_rate": dilation_rate, **self._bias_config(),
                **weight_arguments.config(self, "kernel", "bias", activity=True)}


class Conv1DTranspose(ConvTranspose):
    """1D transposed convolution; input `(batch, steps, channels)`. Arguments as
    `ConvTranspose`."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(ConvTranspose):
    """2D transposed convolution; input `(batch, rows, cols, channels)` (channels_last).
    Arguments as `ConvTranspose`."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3DTranspose(ConvTranspose):
    """3D transposed convolution; input `(batch, d1, d2, d3, channels)`. Arguments as
    `ConvTranspose`."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


# Keras 2 spellings: Keras 3 still exports the `Convolution*Transpose` ones; standalone Keras 2
# also had `Deconvolution2D/3D` and `Deconv2D/3D`.
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose
