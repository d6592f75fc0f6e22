"""Noise and regularization layers: `GaussianNoise`, `GaussianDropout`, `AlphaDropout`,
`SpatialDropout1D/2D/3D`, `ActivityRegularization` (Keras 3's `keras.layers.regularization`).

The random ones act only in training and are the identity at inference. Like `Dropout` they draw
from the training step's generator (seeded per step), else from their own `seed`, else from
the global generator that `set_random_seed` seeds.
"""

import math

import numpy as np

from minikeras import config, regularizers
from minikeras.layers.base import InputSpec, Layer
from minikeras.layers.core import Dropout, dropout_rng


def _check_fraction(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}` of {layer}. Expected a "
                         f"float value between 0 and 1. Received: {name}={value!r}")
    return value


class _RandomLayer(Layer):
    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_RandomLayer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` in training.

    Args:
        stddev: float in [0, 1], the noise's standard deviation.
        seed: integer seed (default None).
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = _check_fraction("GaussianNoise", "stddev", stddev)

    def call(self, inputs, training=False):
        if not training or self.stddev <= 0:
            return inputs
        noise = dropout_rng(self._rng).standard_normal(tuple(inputs.shape), dtype=np.float32)
        return inputs + (np.float32(self.stddev) * noise).astype(inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_RandomLayer):
    """Multiplies inputs by Gaussian noise of mean 1 and standard deviation
    `sqrt(rate / (1 - rate))` in training.

    Args:
        rate: float in [0, 1], the equivalent drop probability.
        seed: integer seed (default None).
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_fraction("GaussianDropout", "rate", rate)

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = dropout_rng(self._rng).standard_normal(tuple(inputs.shape), dtype=np.float32)
        return inputs * (np.float32(1.0) + np.float32(stddev) * noise).astype(inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


# SELU's constants: dropped units are set to its negative saturation value.
_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_RandomLayer):
    """Dropout for self-normalizing (SELU) networks: dropped units take SELU's saturation value
    `-alpha * scale` and an affine map `a * x + b` restores the mean and variance.

    Args:
        rate: float in [0, 1], the drop probability.
        noise_shape: shape of the keep mask, None entries taking the input's size (default
            None: the input's shape).
        seed: integer seed (default None).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_fraction("AlphaDropout", "rate", rate)
        self.noise_shape = noise_shape

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        shape = tuple(inputs.shape)
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
        keep = (dropout_rng(self._rng).random(shape) >= self.rate).astype(inputs.dtype)
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        # a * (x * keep + alpha_p * (1 - keep)) + b, with the constants folded per mask entry
        offset = (a * alpha_p * (1 - keep) + b).astype(inputs.dtype)
        return inputs * (np.float32(a) * keep) + offset

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps: one keep/drop decision per sample and channel."""

    _rank = None

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        # Keras 3 takes only these arguments; tf.keras 2's base kwargs (`trainable`,
        # `input_shape`, ...) are accepted for course code written against it.
        kwargs.pop("noise_shape", None)  # in tf.keras 2 configs
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank + 2)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape)
        if self.data_format == "channels_first":
            mask_shape = shape[:2] + (1,) * self._rank
        else:
            mask_shape = shape[:1] + (1,) * self._rank + shape[-1:]
        if self.rate >= 1:
            return inputs * np.zeros(mask_shape, dtype=inputs.dtype)
        keep = dropout_rng(self._rng).random(mask_shape) >= self.rate
        return inputs * (keep.astype(inputs.dtype) / np.float32(1.0 - self.rate))

    def get_config(self):
        # Keras 3 writes only these keys (no `trainable`; `dtype` as a plain name).
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype,
                "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of `(batch, steps, channels)` in training (scaling the rest by
    `1/(1-rate)`).

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        seed: integer seed (default None).
    """

    _rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        kwargs.pop("data_format", None)
        super().__init__(rate, data_format="channels_last", seed=seed, name=name, dtype=dtype,
                         **kwargs)

    def get_config(self):
        config_ = super().get_config()
        del config_["data_format"]  # Keras's SpatialDropout1D has none
        return config_


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of images in training (scaling the rest by `1/(1-rate)`).

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
        seed: integer seed (default None).
    """

    _rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops whole feature maps of volumes in training (scaling the rest by `1/(1-rate)`).

    Args:
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
        seed: integer seed (default None).
    """

    _rank = 3


class ActivityRegularization(Layer):
    """The identity, adding `l1 * sum(|x|) + l2 * sum(x**2)` of its output (divided by the
    batch size) to the training loss.

    Args:
        l1: the L1 factor (default 0.0).
        l2: the L2 factor (default 0.0).
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)  # it is made from l1 and l2
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config_ = super().get_config()
        config_.pop("activity_regularizer", None)
        return {**config_, "l1": self.l1, "l2": self.l2}
