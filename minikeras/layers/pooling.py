"""Pooling layers: `MaxPooling1D/2D/3D`, `AveragePooling1D/2D/3D`, their global forms
`GlobalMaxPooling1D/2D/3D` and `GlobalAveragePooling1D/2D/3D`, and Keras 2's short names
(`MaxPool2D`, `AvgPool2D`, `GlobalMaxPool2D`, `GlobalAvgPool2D`, ...: the same classes).

The math is `ops.nn.pool`, which pools a channels_first batch in place (no transposes).
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import config
from minikeras.layers.base import InputSpec, Layer
from minikeras.ops import nn
from minikeras.ops.nn.pool import global_average_pool, global_max_pool
from minikeras.utils.argument_validation import standardize_padding, standardize_tuple


def _check_rank(layer, input_shape):
    """The input shape as a tuple; the InputSpec's error when its rank is not the layer's (a
    symbolic call reaches `compute_output_shape` with the shape alone)."""
    input_shape = tuple(input_shape)
    layer.input_spec.check(layer, input_shape)
    return input_shape


class BasePooling(Layer):
    """What max and average pooling layers share. Subclasses set `rank` and `mode`.

    Args:
        pool_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple (default None: `pool_size`).
        padding: `'valid'` (default: windows inside the input) or `'same'` (output
            `ceil(size / stride)`; padding never counts, in a maximum or a mean).
        data_format: `'channels_last'` or `'channels_first'` (default
            `keras.config.image_data_format()`).
    """

    rank = None
    mode = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = self._checked(standardize_tuple, pool_size, self.rank, "pool_size")
        self.strides = self._checked(standardize_tuple, pool_size if strides is None else strides,
                                     self.rank, "strides")
        self.padding = self._checked(standardize_padding, padding)
        self.data_format = self._checked(config.standardize_data_format, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _checked(self, standardize, *args):
        """`standardize(*args)`, its ValueError naming this layer."""
        try:
            return standardize(*args)
        except ValueError as e:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): {e}') from None

    def _spatial(self, input_shape):
        return tuple(input_shape[2:] if self.data_format == "channels_first"
                     else input_shape[1:-1])

    def compute_output_shape(self, input_shape):
        """Keras's output shape; a ValueError naming the layer when a `'valid'` window does
        not fit in the input."""
        input_shape = _check_rank(self, input_shape)
        out = []
        for size, pool, stride in zip(self._spatial(input_shape), self.pool_size, self.strides):
            if size is None:
                out.append(None)
            elif self.padding == "same":
                out.append(-(-size // stride))
            elif size < pool:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}): the pooling window is larger '
                    f"than the input. Expected spatial dimensions of at least {self.pool_size} "
                    f"(pool_size) with padding='valid', received input shape {input_shape} "
                    f"({self.data_format}).")
            else:
                out.append((size - pool) // stride + 1)
        if self.data_format == "channels_first":
            return input_shape[:2] + tuple(out)
        return input_shape[:1] + tuple(out) + input_shape[-1:]

    def call(self, inputs):
        if self.padding == "valid":
            self.compute_output_shape(inputs.shape)  # the error naming the layer
        pool = nn.max_pool if self.mode == "max" else nn.average_pool
        return pool(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(BasePooling):
    """Max pooling over the steps of a `(batch, steps, features)` input.

    Args:
        pool_size: int, the window size (default 2).
        strides: int (default None: `pool_size`).
        padding: `'valid'` (default) or `'same'`.
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling over the rows and columns of an image batch.

    Args:
        pool_size: int or 2 ints (default `(2, 2)`).
        strides: int or 2 ints (default None: `pool_size`).
        padding: `'valid'` (default) or `'same'`.
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling3D(BasePooling):
    """Max pooling over the three spatial axes of a volume batch.

    Args:
        pool_size: int or 3 ints (default `(2, 2, 2)`).
        strides: int or 3 ints (default None: `pool_size`).
        padding: `'valid'` (default) or `'same'`.
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
    """

    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling1D(BasePooling):
    """Average pooling over the steps of a `(batch, steps, features)` input.

    Args:
        pool_size: int, the window size (default 2).
        strides: int (default None: `pool_size`).
        padding: `'valid'` (default) or `'same'` (each window divided by its real elements).
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
    """

    rank, mode = 1, "average"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling over the rows and columns of an image batch.

    Args:
        pool_size: int or 2 ints (default `(2, 2)`).
        strides: int or 2 ints (default None: `pool_size`).
        padding: `'valid'` (default) or `'same'` (each window divided by its real elements).
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
    """

    rank, mode = 2, "average"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling3D(BasePooling):
    """Average pooling over the three spatial axes of a volume batch.

    Args:
        pool_size: int or 3 ints (default `(2, 2, 2)`).
        strides: int or 3 ints (default None: `pool_size`).
        padding: `'valid'` (default) or `'same'` (each window divided by its real elements).
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
    """

    rank, mode = 3, "average"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


# ------------------------------------------------------------------------------ global pooling
class BaseGlobalPooling(Layer):
    """What global pooling layers share. Subclasses set `rank` and `reduce`.

    Args:
        data_format: `'channels_last'` or `'channels_first'` (default
            `keras.config.image_data_format()`).
        keepdims: keep the spatial axes, with size 1 (default False).
    """

    rank = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        try:
            self.data_format = config.standardize_data_format(data_format)
        except ValueError as e:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): {e}') from None
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    @property
    def _axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        input_shape = _check_rank(self, input_shape)
        channels = input_shape[1] if self.data_format == "channels_first" else input_shape[-1]
        if not self.keepdims:
            return (input_shape[0], channels)
        ones = (1,) * self.rank
        if self.data_format == "channels_first":
            return (input_shape[0], channels) + ones
        return (input_shape[0],) + ones + (channels,)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class _GlobalMax(BaseGlobalPooling):
    def call(self, inputs):
        return global_max_pool(inputs, self._axes, self.keepdims)


class _GlobalAverage(BaseGlobalPooling):
    def call(self, inputs):
        return global_average_pool(inputs, self._axes, self.keepdims)


class GlobalMaxPooling1D(_GlobalMax):
    """The maximum over the steps of a `(batch, steps, features)` input.

    Args:
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
        keepdims: keep the steps axis, with size 1 (default False).
    """

    rank = 1


class GlobalMaxPooling2D(_GlobalMax):
    """The maximum over the rows and columns of an image batch.

    Args:
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
        keepdims: keep the spatial axes, with size 1 (default False).
    """

    rank = 2


class GlobalMaxPooling3D(_GlobalMax):
    """The maximum over the three spatial axes of a volume batch.

    Args:
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
        keepdims: keep the spatial axes, with size 1 (default False).
    """

    rank = 3


class GlobalAveragePooling1D(_GlobalAverage):
    """The mean over the steps of a `(batch, steps, features)` input; with a sequence mask
    (`(batch, steps)`, e.g. from `Embedding(mask_zero=True)`), the mean of the unmasked steps.

    Args:
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
        keepdims: keep the steps axis, with size 1 (default False).
    """

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = self._axes[0]
        weights = np.expand_dims(np.asarray(getval(mask), bool), 3 - steps).astype(inputs.dtype)
        return (anp.sum(inputs * weights, axis=steps, keepdims=self.keepdims) /
                np.sum(weights, axis=steps, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        """No mask leaves the layer: the steps are gone."""
        return None


class GlobalAveragePooling2D(_GlobalAverage):
    """The mean over the rows and columns of an image batch.

    Args:
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
        keepdims: keep the spatial axes, with size 1 (default False).
    """

    rank = 2


class GlobalAveragePooling3D(_GlobalAverage):
    """The mean over the three spatial axes of a volume batch.

    Args:
        data_format: `'channels_last'` (default `image_data_format()`) or `'channels_first'`.
        keepdims: keep the spatial axes, with size 1 (default False).
    """

    rank = 3


# Keras 2's names (Keras 3 exports the same classes under both).
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                     GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D,
                                                     GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
