"""Convolution layers: `Conv1D` (with `padding='causal'`), `Conv2D`, `Conv3D`, and the shared
machinery of every convolution layer (`BaseConv`): data formats, output shapes, shape errors.

The math is `ops.nn.conv` (channels_last, hand-written VJPs); a channels_first layer moves
the channel axis around it (views, no copies: the im2col copy reads any strides). The bias and
the activation go through `activations.call_fused`, the same mechanism as `Dense`.
"""

import autograd.numpy as anp
import numpy as np

from minikeras import activations, config
from minikeras.layers import weight_arguments
from minikeras.layers.base import InputSpec, Layer
from minikeras.ops import nn
from minikeras.ops.nn.conv import effective_kernel
from minikeras.utils.argument_validation import standardize_padding, standardize_tuple


def pop_keras3_only(kwargs, layer_name):
    """Drops config keys of Keras 3 features minikeras does not have when they are unset."""
    for key in ("lora_rank", "lora_alpha"):
        if kwargs.pop(key, None) is not None:
            raise NotImplementedError(f"{layer_name}: LoRA (`{key}`) is not supported by "
                                      "minikeras.")


def pop_tf_keras2_keys(kwargs, layer_name, unused=()):
    """Drops what tf.keras 2 writes into the configs of the layers it derived from its `Conv`
    (depthwise, separable, transposed): that layer's `groups`, always 1 there, and for the
    separable ones the `kernel_initializer`/`kernel_regularizer`/`kernel_constraint` it never
    used (their kernels have their own). Keras 3 rejects these keys, so it cannot load such a
    file; tf.keras 2 ignored them, and so does minikeras."""
    groups = kwargs.pop("groups", 1)
    if groups != 1:
        raise ValueError(f"{layer_name} does not take `groups` (only Conv1D/2D/3D do). "
                         f"Received groups={groups!r}")
    for key in unused:
        kwargs.pop(key, None)


class BaseConv(Layer):
    """What every convolution layer shares. Subclasses set `rank` and implement `_convolve`.

    Args:
        rank: the number of spatial axes (1, 2 or 3).
        filters: the number of output channels (None for depthwise layers).
        kernel_size: int or tuple of `rank` ints.
        strides: int or tuple (default 1).
        padding: `'valid'` (default), `'same'`, or `'causal'` for rank 1 when allowed.
        data_format: `'channels_last'` or `'channels_first'` (default
            `keras.config.image_data_format()`).
        dilation_rate: int or tuple (default 1); strides and dilation cannot both exceed 1.
        activation: activation function or name (default None: linear).
        use_bias: whether to add a bias (default True).
        bias_initializer, bias_regularizer, bias_constraint: for the bias (default `'zeros'`,
            None, None).
        activity_regularizer: a regularizer of the output (default None).
    """

    allow_causal = False

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, bias_initializer="zeros",
                 bias_regularizer=None, activity_regularizer=None, bias_constraint=None,
                 **kwargs):
        pop_keras3_only(kwargs, type(self).__name__)
        pop_tf_keras2_keys(kwargs, type(self).__name__)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if filters is not None and (not isinstance(filters, (int, np.integer))
                                    or isinstance(filters, bool) or filters <= 0):
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = None if filters is None else int(filters)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=self.allow_causal)
        self.data_format = config.standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        weight_arguments.store(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > "
                             f"1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.input_spec = InputSpec(ndim=rank + 2)

    # ----------------------------------------------------------------------------- shapes
    @property
    def _channels_first(self):
        return self.data_format == "channels_first"

    def _split_shape(self, input_shape):
        """`(batch, spatial, channels)` of an input shape, checked against the layer's rank."""
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" ({type(self).__name__}) is incompatible with "
                f"the layer: expected ndim={self.rank + 2} (batch, {self.rank} spatial axes and "
                f"channels, {self.data_format}), found ndim={len(input_shape)}. Full shape "
                f"received: {input_shape}")
        if self._channels_first:
            return input_shape[0], input_shape[2:], input_shape[1]
        return input_shape[0], input_shape[1:-1], input_shape[-1]

    def _join_shape(self, batch, spatial, channels):
        spatial = tuple(spatial)
        return ((batch, channels) + spatial if self._channels_first
                else (batch,) + spatial + (channels,))

    def _output_spatial(self, input_shape, spatial):
        """Keras's output sizes (None stays None); a ValueError when one would be empty."""
        k_eff = effective_kernel(self.kernel_size, self.dilation_rate)
        out = []
        for s, k, st in zip(spatial, k_eff, self.strides):
            if s is None:
                out.append(None)
            elif self.padding == "valid":
                out.append((s - k) // st + 1 if s >= k else 0)
            else:  # same, causal
                out.append(-(-s // st))
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"Layer \"{self.name}\" ({type(self).__name__}): the kernel is larger than the "
                f"input. Expected spatial dimensions of at least {k_eff} (kernel_size="
                f"{self.kernel_size}, dilation_rate={self.dilation_rate}) with padding="
                f"'{self.padding}', received input shape {tuple(input_shape)} "
                f"({self.data_format}): the output would be empty.")
        return tuple(out)

    def _output_channels(self, channels):
        return self.filters

    def compute_output_shape(self, input_shape):
        batch, spatial, channels = self._split_shape(input_shape)
        return self._join_shape(batch, self._output_spatial(input_shape, spatial),
                                self._output_channels(channels))

    def _input_channels(self, input_shape):
        _, _, channels = self._split_shape(input_shape)
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to {type(self).__name__} "
                             f"layer \"{self.name}\" should be defined. Received input shape "
                             f"{tuple(input_shape)} ({self.data_format}).")
        self.compute_output_shape(input_shape)  # the shape errors, before any weight exists
        axis = 1 if self._channels_first else -1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})
        return channels

    # ----------------------------------------------------------------------------- weights
    def _add_bias(self, size):
        self.bias = weight_arguments.add_weight(self, "bias", (size,)) if self.use_bias else None

    # ----------------------------------------------------------------------------- call
    def call(self, inputs):
        self._output_spatial(inputs.shape, self._split_shape(inputs.shape)[1])
        x = anp.moveaxis(inputs, 1, -1) if self._channels_first else inputs
        bias = self.bias.value if self.use_bias else None
        if self._channels_first and activations.fused_name(self.activation) is None:
            # An activation over an axis (softmax) sees the channels_first layout, as in Keras.
            return self.activation(anp.moveaxis(self._convolve(x, bias, "linear"), -1, 1))
        y = activations.call_fused(self.activation, self._convolve, x, bias)
        return anp.moveaxis(y, -1, 1) if self._channels_first else y

    def _convolve(self, x, bias, activation="linear"):
        """`activation(conv(x) + bias)` on channels_last `x` (one primitive call); `activation`
        names a fused epilogue (`ops.nn.FUSED_ACTIVATIONS`)."""
        raise NotImplementedError

    def _geometry_config(self):
        return {"kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate}

    def _bias_config(self):
        return {"activation": activations.serialize(self.activation), "use_bias": self.use_bias}


class Conv(BaseConv):
    """An N-D convolution layer: `activation(conv(inputs, kernel) + bias)`.

    Args:
        rank: the number of spatial axes.
        filters: the number of output channels.
        kernel_size: int or tuple.
        strides: int or tuple (default 1).
        padding: `'valid'` (default) or `'same'` (`'causal'` for `Conv1D`).
        data_format: default `keras.config.image_data_format()`.
        dilation_rate: int or tuple (default 1).
        groups: the number of channel groups (default 1); input channels and `filters` must
            be divisible by it.
        activation: default None (linear).
        use_bias: default True.
        kernel_initializer: default `'glorot_uniform'`.
        bias_initializer: default `'zeros'`.
        kernel_regularizer, bias_regularizer, activity_regularizer: default None.
        kernel_constraint, bias_constraint: default None.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        if not isinstance(groups, (int, np.integer)) or groups <= 0:
            raise ValueError("The number of groups must be a positive integer. "
                             f"Received: groups={groups}.")
        if filters % groups:
            raise ValueError("The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={filters}.")
        self.groups = int(groups)
        weight_arguments.store(self, "kernel", kernel_initializer, kernel_regularizer,
                                     kernel_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError("The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        self.kernel = weight_arguments.add_weight(
            self, "kernel", self.kernel_size + (channels // self.groups, self.filters))
        self._add_bias(self.filters)
        self.built = True

    def _convolve(self, x, bias, activation="linear"):
        return nn.conv(x, self.kernel.value, bias, strides=self.strides, padding=self.padding,
                       dilation_rate=self.dilation_rate, groups=self.groups,
                       activation=activation)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, **self._geometry_config(),
                "groups": self.groups, **self._bias_config(),
                **weight_arguments.config(self, "kernel", "bias", activity=True)}


class Conv1D(Conv):
    """1D convolution (temporal), input `(batch, steps, channels)`; `padding='causal'` pads
    only before the sequence, so output step `t` sees no input after `t`. Arguments as `Conv`;
    the kernel is `(kernel_size, channels / groups, filters)`."""

    allow_causal = True

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv2D(Conv):
    """2D convolution (spatial), input `(batch, rows, cols, channels)` (channels_last). Arguments
    as `Conv`; the kernel is `(kh, kw, channels / groups, filters)`."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv3D(Conv):
    """3D convolution (volumes), input `(batch, d1, d2, d3, channels)`. Arguments as `Conv`;
    the kernel is `(k1, k2, k3, channels / groups, filters)`."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


# Keras 2 spellings, still exported by Keras 3.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
