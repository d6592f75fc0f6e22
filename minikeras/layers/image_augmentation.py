"""Random image augmentation layers: `RandomFlip`, `RandomRotation`, `RandomZoom`,
`RandomTranslation`, `RandomContrast`, `RandomBrightness`.

They transform images only in training and are the identity at inference (`predict`,
`evaluate`, `training=False`). As in Keras 3, a direct call `layer(images)` outside a model
trains (augments). The random draws come from the training step's generator (seeded per step),
else from the layer's own `seed`, else from the global generator that `set_random_seed` seeds;
each image of a batch gets its own draw. The geometric ones sample with
`minikeras.ops.image.affine_transform` (fill modes `reflect`, `wrap`, `constant`, `nearest`).
"""

import math

import autograd.numpy as anp
import numpy as np

from minikeras.layers.core import dropout_rng
from minikeras.layers.image_preprocessing import ImagePreprocessingLayer
from minikeras.ops import image

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _factor_range(layer, factor, bounds, name="factor"):
    """Keras's `(lower, upper)` of a factor: a number f gives `(max(-|f|, bounds[0]), |f|)`, a
    pair is sorted."""
    message = (f"The `{name}` argument of {layer} should be a number (or a list of two numbers) "
               f"in the range [{bounds[0]}, {bounds[1]}]. Received: {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        return (max(-abs(factor), bounds[0]), abs(factor))
    raise ValueError(message)


def _zoom_range(layer, factor, name, low_open):
    """The `(lower, upper)` of a zoom or translation factor, each number within (-1, 1]
    (zoom) or [-1, 1] (translation)."""
    def check(v):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v > 1.0 or \
                (v <= -1.0 if low_open else v < -1.0):
            interval = "(-1.0, 1.0]" if low_open else "[-1.0, 1.0]"
            raise ValueError(f"The `{name}` argument of {layer} should be a number (or a list "
                             f"of two numbers) in the range {interval}. Received: "
                             f"{name}={factor!r}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            check(None)
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    check(factor)
    return (-abs(factor), abs(factor))


class _RandomImageLayer(ImagePreprocessingLayer):
    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def _uniform(self, low, high, shape):
        """float32 draws in [low, high), exactly `low` when the range is empty (as Keras)."""
        u = dropout_rng(self._rng).random(shape, dtype=np.float32)
        return np.maximum(np.float32(low), u * np.float32(high - low) + np.float32(low))

    _float_at_inference = True  # Keras casts to float except in the colour layers

    def call(self, inputs, training=True):
        self._check_images(inputs.shape)
        if not training:
            return self._as_float(inputs) if self._float_at_inference else inputs
        return self._augment(self._as_float(inputs))

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class _AffineLayer(_RandomImageLayer):
    """The geometric augmentations: each draws one affine map per image."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"{type(self).__name__}: unknown `fill_mode` {fill_mode!r}. "
                                      f"Expected one of {_FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"{type(self).__name__}: unknown `interpolation` "
                                      f"{interpolation!r}. Expected one of {_INTERPOLATIONS}.")
        self.fill_mode, self.fill_value, self.interpolation = fill_mode, fill_value, interpolation

    def _augment(self, images):
        h_axis, w_axis = self._height_width_axes(images.ndim)
        batch = images.shape[0] if images.ndim == 4 else 1
        transform = self._transform(batch, images.shape[h_axis], images.shape[w_axis])
        if images.ndim == 3:
            transform = transform[0]
        return image.affine_transform(images, transform, interpolation=self.interpolation,
                                      fill_mode=self.fill_mode, fill_value=self.fill_value,
                                      data_format=self.data_format)

    def _transform(self, batch, height, width):
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "interpolation": self.interpolation}


class RandomFlip(_RandomImageLayer):
    """Flips each image with probability 1/2 in training.

    Args:
        mode: `'horizontal'`, `'vertical'` or `'horizontal_and_vertical'` (default). With the
            last, as in Keras 3, one draw decides both flips: an image is either unchanged or
            flipped both ways (turned by 180 degrees).
        seed: integer seed (default None).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip: invalid `mode` {mode!r}. Expected one of "
                             f"{self._MODES}.")
        self.mode = mode

    def _augment(self, images):
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        flips = self._uniform(0.0, 1.0, shape) <= 0.5
        h_axis, w_axis = self._height_width_axes(images.ndim)
        out = images
        axes = {"horizontal": (w_axis,), "vertical": (h_axis,),
                "horizontal_and_vertical": (w_axis, h_axis)}[self.mode]
        for axis in axes:
            index = [slice(None)] * images.ndim
            index[axis] = slice(None, None, -1)
            out = anp.where(flips, out[tuple(index)], out)
        return out

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomRotation(_AffineLayer):
    """Rotates each image about its centre by a random angle in training.

    Args:
        factor: a fraction of a full turn: a number f draws angles in `[-f, f] * 360` degrees,
            a pair `(lower, upper)` in `[lower, upper] * 360`; each within [-1, 1].
        fill_mode: how points outside the image are filled: `'reflect'` (default), `'wrap'`,
            `'constant'` or `'nearest'`.
        interpolation: `'bilinear'` (default) or `'nearest'`.
        seed: integer seed (default None).
        fill_value: the value outside the image with `fill_mode='constant'` (default 0.0).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.factor = _factor_range("RandomRotation", factor, (-1, 1))

    def _transform(self, batch, height, width):
        f32 = np.float32
        angle = self._uniform(self.factor[0] * 360.0, self.factor[1] * 360.0, (batch,))
        # Keras's affine matrix of a rotation about the centre, in float32 like Keras.
        angle = angle * f32(math.pi / 180.0)
        cx, cy = f32(0.5) * (f32(width) - 1), f32(0.5) * (f32(height) - 1)
        cos, sin = np.cos(angle), np.sin(angle)
        a0, a1, b0, b1 = cos, -sin, sin, cos
        a2 = cx - cx * a0 - cy * a1
        b2 = cy - cx * b0 - cy * b1
        zeros = np.zeros(batch, f32)
        return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineLayer):
    """Zooms each image about its centre by a random factor in training.

    Args:
        height_factor: a number f (zoom in `[-f, f]`) or a pair `(lower, upper)`, each in
            (-1, 1]; the image height is scaled by `1 + zoom`, so a positive zoom zooms out.
        width_factor: the same for the width (default None: the height's zoom, which keeps the
            aspect ratio).
        fill_mode, interpolation, seed, fill_value, data_format: as `RandomRotation`.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = _zoom_range("RandomZoom", height_factor, "height_factor", True)
        self._width_range = None if width_factor is None else \
            _zoom_range("RandomZoom", width_factor, "width_factor", True)

    def _transform(self, batch, height, width):
        f32 = np.float32
        zy = self._uniform(1.0 + self._height_range[0], 1.0 + self._height_range[1], (batch,))
        zx = zy if self._width_range is None else \
            self._uniform(1.0 + self._width_range[0], 1.0 + self._width_range[1], (batch,))
        zeros = np.zeros(batch, f32)
        x_offset = (f32(width) - f32(1.0)) / f32(2.0) * (f32(1.0) - zx)
        y_offset = (f32(height) - f32(1.0)) / f32(2.0) * (f32(1.0) - zy)
        return np.stack([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shifts each image by a random fraction of its height and width in training.

    Args:
        height_factor: a number f (shift in `[-f, f] * height`) or a pair `(lower, upper)`,
            each in [-1, 1].
        width_factor: the same for the width.
        fill_mode, interpolation, seed, fill_value, data_format: as `RandomRotation`.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = _zoom_range("RandomTranslation", height_factor, "height_factor",
                                         False)
        self._width_range = _zoom_range("RandomTranslation", width_factor, "width_factor", False)

    def _transform(self, batch, height, width):
        f32 = np.float32
        dy = self._uniform(*self._height_range, (batch,)) * f32(height)
        dx = self._uniform(*self._width_range, (batch,)) * f32(width)
        ones, zeros = np.ones(batch, f32), np.zeros(batch, f32)
        return np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomContrast(_RandomImageLayer):
    """Scales each image's deviation from its per-channel mean by a random factor in
    training, then clips to `value_range`.

    Args:
        factor: as Keras 3, a number f gives `factor = (0, f)` and contrast factors in
            `[1, 1 + f]`; a pair `(lower, upper)` gives `[1 - lower, 1 + upper]`.
        value_range: the `(min, max)` the output is clipped to (default `(0, 255)`).
        seed: integer seed (default None).
    """

    _float_at_inference = False

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _factor_range("RandomContrast", factor, (0, 1))
        self.value_range = value_range

    def _augment(self, images):
        h_axis, w_axis = self._height_width_axes(images.ndim)
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        contrast = self._uniform(1.0 - self.factor[0], 1.0 + self.factor[1], shape)
        mean = anp.mean(anp.mean(images, axis=h_axis, keepdims=True), axis=w_axis, keepdims=True)
        out = (images - mean) * contrast.astype(images.dtype) + mean
        return anp.clip(out, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_RandomImageLayer):
    """Adds a random offset to each image in training, then clips to `value_range`.

    Args:
        factor: a number f draws offsets in `[-f, f] * (max - min)` of `value_range`; a pair
            `(lower, upper)` in `[lower, upper] * (max - min)`; each within [-1, 1].
        value_range: the `(min, max)` of the images (default `(0, 255)`).
        seed: integer seed (default None).
    """

    _float_at_inference = False

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = _factor_range("RandomBrightness", factor, (-1, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument of RandomBrightness should be a list of "
                             f"two numbers. Received: value_range={value_range!r}")
        self.value_range = sorted(value_range)

    def _augment(self, images):
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        delta = self._uniform(self.factor[0], self.factor[1], shape) * \
            np.float32(self.value_range[1] - self.value_range[0])
        return anp.clip(images + delta.astype(images.dtype), self.value_range[0],
                        self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
