"""Layers that only rearrange values: `Flatten`, `Reshape`, `Permute`, `RepeatVector`,
`ZeroPadding1D/2D/3D`, `Cropping1D/2D/3D`, `UpSampling1D/2D/3D`.

The padding, cropping and upsampling layers of each rank share one implementation over the
spatial axes: axes 1..n with `data_format='channels_last'`, 2..n+1 with `'channels_first'`.
"""

import math

import autograd.numpy as anp

from minikeras import config
from minikeras.layers.base import InputSpec, Layer
from minikeras.ops import image


class Flatten(Layer):
    """Flattens every axis but the batch axis.

    Args:
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`);
            with channels_first the channels are moved last before flattening, so weights
            match the Keras order.
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
    """Reshapes each sample to `target_shape`.

    Args:
        target_shape: tuple of integers, without the batch axis; one entry may be -1, the size
            that keeps the number of values.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if any(d < -1 for d in self.target_shape):
            raise ValueError("Each dimension in `target_shape` must be a non-negative integer, or "
                             f"`-1` for a single unknown dimension. Received: "
                             f"target_shape={tuple(target_shape)}.")
        if self.target_shape.count(-1) > 1:
            raise ValueError("There must be at most one -1 (the unknown dimension) in "
                             f"`target_shape`. Received: target_shape={tuple(target_shape)}.")
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
                    f"Layer '{self.name}' (Reshape): the input size {size} (input shape "
                    f"{tuple(input_shape)}) cannot be divided by the specified dimensions of "
                    f"target_shape={self.target_shape}.")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise ValueError(
                f"Layer '{self.name}' (Reshape): the total size of the tensor must be unchanged. "
                f"Received: input_shape={tuple(input_shape)} ({size} values per sample), "
                f"target_shape={self.target_shape} ({known} values).")
        return self.target_shape

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self._resolve(tuple(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the axes of each sample (the batch axis stays first).

    Args:
        dims: a permutation of `1..rank-1`, e.g. `(2, 1)` swaps the two axes of `(B, m, n)`.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. Received "
                             f"dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return anp.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: `(batch, n, features)`.

    Args:
        n: the number of repetitions, a positive integer.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n` of RepeatVector, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` of RepeatVector should be a positive integer. "
                             f"Received: n={n}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return anp.repeat(anp.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


# --------------------------------------------------------------------------- argument checks
def _int_tuple(value, n, name, layer, allow_zero=True):
    """`value` (an int, or n ints) as a tuple of n non-negative (or positive) ints."""
    values = (value,) * n if isinstance(value, int) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    if values is None or len(values) != n or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ValueError(f"The `{name}` argument of {layer} must be a tuple of {n} integers. "
                         f"Received {name}={value!r}")
    if any(v < 0 or (v == 0 and not allow_zero) for v in values):
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"The `{name}` argument of {layer} must be a tuple of {n} integers "
                         f"{requirement}. Received {name}={value!r}")
    return values


def _spatial_pairs(value, rank, name, layer):
    """`((before, after),) * rank` from an int, `rank` ints, or `rank` pairs."""
    if rank == 1:
        return (_int_tuple(value, 2, name, layer),)
    if isinstance(value, int) and not isinstance(value, bool):
        return (_int_tuple(value, 2, name, layer),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(f"`{name}` of {layer} should be an int, a tuple of {rank} ints, or a "
                         f"tuple of {rank} tuples of 2 ints. Received: {name}={value!r}")
    ordinals = ("1st", "2nd", "3rd")
    return tuple(_int_tuple(v, 2, f"{ordinals[i]} entry of {name}", layer)
                 for i, v in enumerate(value))


class _Spatial(Layer):
    """What the padding, cropping and upsampling layers of rank `_rank` share."""

    _rank = None

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def _spatial_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return range(first, first + self._rank)


class _ZeroPadding(_Spatial):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = _spatial_pairs(padding, self._rank, "padding", type(self).__name__)
        if self._rank == 1:
            self.padding = self.padding[0]

    def _pairs(self):
        return (self.padding,) if self._rank == 1 else self.padding

    def call(self, inputs):
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(self._spatial_axes(), self._pairs()):
            widths[axis] = pair
        return anp.pad(inputs, widths, "constant")  # autograd's VJP needs the mode given

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self._pairs()):
            if out[axis] is not None:
                out[axis] += before + after
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis of `(batch, steps, features)` with zeros.

    Args:
        padding: an int (both sides) or `(before, after)` (default 1).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns of images with zeros.

    Args:
        padding: an int, `(rows, cols)` (symmetric), or `((top, bottom), (left, right))`
            (default `(1, 1)`).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with zeros.

    Args:
        padding: an int, 3 ints, or 3 pairs `(before, after)` (default `((1, 1),) * 3`).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = _spatial_pairs(cropping, self._rank, "cropping", type(self).__name__)
        if self._rank == 1:
            self.cropping = self.cropping[0]

    def _pairs(self):
        return (self.cropping,) if self._rank == 1 else self.cropping

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self._pairs()):
            if out[axis] is not None:
                if before + after >= out[axis]:
                    raise ValueError(
                        f"Layer '{self.name}' ({type(self).__name__}): `cropping` must be smaller "
                        f"than the input's spatial dimensions. Received: input_shape="
                        f"{tuple(input_shape)}, cropping={self.cropping}")
                out[axis] -= before + after
        return tuple(out)

    def call(self, inputs):
        shape = tuple(inputs.shape)
        self.compute_output_shape(shape)
        index = [slice(None)] * len(shape)
        for axis, (before, after) in zip(self._spatial_axes(), self._pairs()):
            index[axis] = slice(before, shape[axis] - after)
        return inputs[tuple(index)]

    def get_config(self):
        config_ = {**super().get_config(), "cropping": self.cropping}
        if self._rank > 1:  # Keras's Cropping1D has no data_format
            config_["data_format"] = self.data_format
        return config_


class Cropping1D(_Cropping):
    """Crops the steps axis of `(batch, steps, features)`.

    Args:
        cropping: an int (both sides) or `(before, after)` (default `(1, 1)`).
    """

    _rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, data_format="channels_last", **kwargs)


class Cropping2D(_Cropping):
    """Crops rows and columns of images.

    Args:
        cropping: an int, `(rows, cols)` (symmetric), or `((top, bottom), (left, right))`
            (default `((0, 0), (0, 0))`).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes.

    Args:
        cropping: an int, 3 ints, or 3 pairs `(before, after)` (default `((1, 1),) * 3`).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class _UpSampling(_Spatial):
    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, factor in zip(self._spatial_axes(), self._sizes()):
            if out[axis] is not None:
                out[axis] *= factor
        return tuple(out)

    def _sizes(self):
        return (self.size,) if self._rank == 1 else self.size

    def call(self, inputs):
        for axis, factor in zip(self._spatial_axes(), self._sizes()):
            inputs = anp.repeat(inputs, factor, axis=axis)
        return inputs


class UpSampling1D(_UpSampling):
    """Repeats each step of `(batch, steps, features)` `size` times.

    Args:
        size: a positive int (default 2).
    """

    _rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(data_format="channels_last", **kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size` of UpSampling1D, got "
                            f"{type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` of UpSampling1D should be a positive integer. "
                             f"Received: size={size}")
        self.size = size

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_UpSampling):
    """Upsamples images by repeating rows and columns, or by bilinear interpolation.

    Args:
        size: an int or `(rows, cols)` factors (default `(2, 2)`).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
        interpolation: `'nearest'` (default, repeats pixels) or `'bilinear'` (Keras's
            `ops.image.resize` with half-pixel centres). Keras's `'bicubic'`, `'lanczos3'`,
            `'lanczos5'` and `'area'` raise NotImplementedError.
    """

    _rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = _int_tuple(size, 2, "size", "UpSampling2D", allow_zero=False)
        self.interpolation = interpolation.lower()
        image.check_interpolation(self.interpolation, image.RESIZE_INTERPOLATIONS, "UpSampling2D")

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        h, w = (inputs.shape[axis] for axis in self._spatial_axes())
        return image.resize(inputs, (h * self.size[0], w * self.size[1]),
                            interpolation=self.interpolation, data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Upsamples volumes by repeating entries along the three spatial axes.

    Args:
        size: an int or 3 factors (default `(2, 2, 2)`).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = _int_tuple(size, 3, "size", "UpSampling3D", allow_zero=False)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
