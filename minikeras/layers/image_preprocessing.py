"""Image preprocessing layers applied at training and inference alike: `Rescaling`, `Resizing`,
`CenterCrop`; and the base class of the random augmentation layers (image_augmentation.py).

They take a batch `(batch, height, width, channels)` or a single image `(height, width,
channels)` (channels first with `data_format='channels_first'`). Keras's dict inputs (images
with labels, bounding boxes or segmentation masks) are not implemented.
"""

import numpy as np

from minikeras import config, serialization
from minikeras.layers import base
from minikeras.layers.base import Layer
from minikeras.layers.keras_tensor import is_symbolic
from minikeras.ops import image
from minikeras.stateless_scope import current_scope


class ImagePreprocessingLayer(Layer):
    """What the image preprocessing layers share: `data_format`, the input checks, and Keras
    3's `training=True` default for a direct call.

    Keras 3's preprocessing layers default to `training=True`: `layer(images)` called on data
    outside any model or training step augments, while `fit` augments and `predict`/`evaluate`
    do not.
    """

    def __init__(self, data_format=None, bounding_box_format=None, **kwargs):
        if bounding_box_format is not None:
            raise NotImplementedError(
                f"{type(self).__name__}: bounding boxes (`bounding_box_format="
                f"{bounding_box_format!r}`) are not implemented in minikeras.")
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.built = True

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if isinstance(inputs, dict):
            raise NotImplementedError(
                f"{type(self).__name__}: dict inputs (images with labels, bounding boxes or "
                "segmentation masks) are not implemented in minikeras; pass the images.")
        if kwargs.get("training") is None and not is_symbolic(inputs) and \
                getattr(base._call_context, "training", None) is None and current_scope() is None:
            kwargs["training"] = True
        return super().__call__(*args, **kwargs)

    def _check_images(self, shape):
        if len(shape) not in (3, 4):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects images of rank 4 (batch, "
                f"height, width, channels) or rank 3 (a single image) with data_format="
                f"'{self.data_format}'. Received input of shape {tuple(shape)}")

    def _height_width_axes(self, rank):
        first = rank - 3 if self.data_format == "channels_last" else rank - 2
        return first, first + 1

    def _as_float(self, images):
        return images if images.dtype.kind == "f" else images.astype(self.dtype)

    def compute_output_shape(self, input_shape):
        self._check_images(input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Rescaling(Layer):
    """Multiplies inputs by `scale` and adds `offset` (e.g. `Rescaling(1/255)` maps [0, 255]
    to [0, 1]), in training and inference.

    Args:
        scale: a float, or an array broadcast against the inputs (per channel; reshaped to
            `(channels, 1, 1)` when `image_data_format()` is channels_first).
        offset: a float or array added after scaling (default 0.0).
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        scale = np.asarray(self.scale, dtype=self.dtype)
        offset = np.asarray(self.offset, dtype=self.dtype)
        if scale.ndim and config.image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        if inputs.dtype != self.dtype:
            inputs = inputs.astype(self.dtype)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "scale": serialization.serialize_keras_object(self.scale),
                "offset": serialization.serialize_keras_object(self.offset)}

    @classmethod
    def from_config(cls, config_):
        config_ = dict(config_)
        for key in ("scale", "offset"):
            if key in config_:
                config_[key] = serialization.deserialize_keras_object(config_[key])
        return cls(**config_)


class Resizing(ImagePreprocessingLayer):
    """Resizes images to `(height, width)`, in training and inference.

    Integer images are interpolated as floats, rounded and cast back to their dtype.

    Args:
        height, width: the output size.
        interpolation: `'bilinear'` (default) or `'nearest'`; Keras's `'bicubic'`, `'lanczos3'`,
            `'lanczos5'` and `'area'` raise NotImplementedError.
        crop_to_aspect_ratio: resize the largest centred crop with the target aspect ratio, so
            the image is not distorted (default False).
        pad_to_aspect_ratio: pad with `fill_value` to the target aspect ratio first (default
            False).
        fill_mode: `'constant'` only (default).
        fill_value: the padding value (default 0.0).
        antialias: widen the bilinear kernel when downsampling (default False).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = height, width
        self.interpolation = interpolation
        image.check_interpolation(interpolation, image.RESIZE_INTERPOLATIONS, "Resizing")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of `pad_to_aspect_ratio` and "
                             "`crop_to_aspect_ratio` can be True.")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: only fill_mode='constant' is supported. Received: "
                             f"fill_mode={fill_mode!r}")
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = bool(antialias)

    def call(self, inputs, training=True):
        self._check_images(inputs.shape)
        out = image.resize(inputs, (self.height, self.width), interpolation=self.interpolation,
                           antialias=self.antialias,
                           crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                           pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                           fill_value=self.fill_value, data_format=self.data_format)
        if inputs.dtype.kind in "iu" and out.dtype != inputs.dtype:
            limits = np.iinfo(inputs.dtype)
            out = np.clip(np.round(out), limits.min, limits.max).astype(inputs.dtype)
        return out

    def compute_output_shape(self, input_shape):
        self._check_images(input_shape)
        out = list(input_shape)
        h, w = self._height_width_axes(len(out))
        out[h], out[w] = self.height, self.width
        return tuple(out)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(ImagePreprocessingLayer):
    """Crops the centre `(height, width)` of images, in training and inference.

    An image smaller than the target on either axis is instead resized (bilinear) from its
    largest centred crop with the target's aspect ratio, as Keras does.

    Args:
        height, width: the output size.
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = height, width

    def call(self, inputs, training=True):
        self._check_images(inputs.shape)
        inputs = self._as_float(inputs)
        h_axis, w_axis = self._height_width_axes(inputs.ndim)
        h_diff = inputs.shape[h_axis] - self.height
        w_diff = inputs.shape[w_axis] - self.width
        if h_diff < 0 or w_diff < 0:
            return image.resize(inputs, (self.height, self.width), crop_to_aspect_ratio=True,
                                data_format=self.data_format)
        index = [slice(None)] * inputs.ndim
        index[h_axis] = slice(h_diff // 2, h_diff // 2 + self.height)
        index[w_axis] = slice(w_diff // 2, w_diff // 2 + self.width)
        return inputs[tuple(index)]

    compute_output_shape = Resizing.compute_output_shape

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
