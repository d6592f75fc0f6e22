"""Normalization layers: `BatchNormalization`, `LayerNormalization`, `GroupNormalization`,
`UnitNormalization`.

BatchNormalization in training normalizes with the batch's own statistics through one fused
primitive (`ops.nn.normalize`, which hands back the statistics too) and records the new moving
statistics with `Variable.assign`: inside a training step the stateless scope collects the
assignment (checked for shape and dtype) and the step returns it as new non-trainable state;
nothing is mutated inside the trace.
"""

import warnings

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import constraints, initializers, ops, regularizers
from minikeras.layers.base import InputSpec, Layer
from minikeras.ops import nn


def _positive_axis(layer, axis, ndim, input_shape):
    if not -ndim <= axis < ndim:
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}): axis {axis} is out of '
                         f"bounds for an input of rank {ndim}. Received input shape "
                         f"{tuple(input_shape)}.")
    return axis % ndim


def _defined(layer, input_shape, axis):
    size = input_shape[axis]
    if size is None:
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}): axis {axis} of the '
                         f"input must have a defined size. Received input shape "
                         f"{tuple(input_shape)}.")
    return size


def _along(value, ndim, axes, sizes):
    """A parameter of shape `sizes` (one size per axis in `axes`) reshaped to broadcast against
    an input of rank `ndim`; unchanged when it already does (the last axis)."""
    if value is None or tuple(axes) == (ndim - 1,):
        return value
    shape = [1] * ndim
    for axis, size in zip(axes, sizes):
        shape[axis] = size
    return anp.reshape(value, shape)


class _AffineWeights:
    """The `gamma`/`beta` arguments every normalization layer shares (Keras's names)."""

    def _init_affine(self, center, scale, beta_initializer, gamma_initializer,
                     beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint):
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    def _add_gamma(self, shape):
        self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint)

    def _add_beta(self, shape):
        self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint)

    def _affine_config(self):
        return {
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


def _value(variable):
    return None if variable is None else variable.value


# --------------------------------------------------------------------------- BatchNormalization
class BatchNormalization(_AffineWeights, Layer):
    """Normalizes each channel with the batch's statistics in training and with moving
    averages of them at inference, as `keras.layers.BatchNormalization`.

    In training (`fit`, or a call with `training=True`) the output is
    `gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta` with the batch's mean and biased
    variance over every axis but `axis`, and the moving statistics become
    `moving * momentum + batch * (1 - momentum)`. At inference the moving statistics replace
    the batch's. A layer with `trainable = False` always runs in inference mode (Keras 3).

    Weights, in Keras's order: `gamma` and `beta` (trainable, when `scale` / `center`), then
    `moving_mean` and `moving_variance` (non-trainable).

    Args:
        axis: the channel axis (default -1; `1` after a channels_first convolution).
        momentum: of the moving averages (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center: learn an offset `beta` (default True).
        scale: learn a factor `gamma` (default True).
        beta_initializer, gamma_initializer: default `'zeros'`, `'ones'`.
        moving_mean_initializer, moving_variance_initializer: default `'zeros'`, `'ones'`.
        beta_regularizer, gamma_regularizer: default None.
        beta_constraint, gamma_constraint: default None.
        synchronized: statistics over every replica (TensorFlow); minikeras runs one replica,
            so True and False compute the same (default False).
        renorm, renorm_clipping, renorm_momentum: batch renormalization, not implemented
            (`renorm=True` raises NotImplementedError); written to the config as Keras does.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                 synchronized=False, **kwargs):
        fused = kwargs.pop("fused", None)  # tf.keras 2: a choice of kernel, not of result
        for unsupported in ("virtual_batch_size", "adjustment"):  # tf.keras 2
            if kwargs.pop(unsupported, None) is not None:
                raise NotImplementedError(f"BatchNormalization: `{unsupported}` (tf.keras 2) is "
                                          "not supported by minikeras.")
        super().__init__(**kwargs)
        del fused
        if isinstance(axis, (list, tuple)):  # tf.keras 2 configs write `[3]`
            if len(axis) != 1:
                raise NotImplementedError(f"BatchNormalization '{self.name}': one channel axis "
                                          f"is supported (as in Keras 3). Received axis={axis}")
            axis = axis[0]
        self.axis = int(axis)
        if renorm:
            raise NotImplementedError(f"BatchNormalization '{self.name}': batch "
                                      "renormalization (`renorm=True`) is not implemented in "
                                      "minikeras.")
        self.renorm, self.renorm_clipping = renorm, renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.synchronized = bool(synchronized)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                          gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.moving_mean = None
        self.moving_variance = None
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axis = _positive_axis(self, self.axis, ndim, input_shape)
        channels = _defined(self, input_shape, axis)
        if self.scale:
            self._add_gamma((channels,))
        if self.center:
            self._add_beta((channels,))
        self.moving_mean = self.add_weight(shape=(channels,), name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=(channels,), name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})
        self.built = True

    def compute_output_shape(self, input_shape):
        _positive_axis(self, self.axis, len(input_shape), input_shape)
        return tuple(input_shape)

    def call(self, inputs, training=None, mask=None):
        ndim = len(inputs.shape)
        axis = self.axis % ndim
        channels = inputs.shape[axis]
        gamma, beta = _value(self.gamma), _value(self.beta)
        if not (training and self.trainable):
            return nn.batch_normalization(inputs, self.moving_mean.value,
                                          self.moving_variance.value, axis, beta, gamma,
                                          self.epsilon)
        reduction = tuple(a for a in range(ndim) if a != axis)
        if mask is None:
            outputs, mean, variance = nn.normalize(
                inputs, _along(gamma, ndim, (axis,), (channels,)),
                _along(beta, ndim, (axis,), (channels,)), reduction, self.epsilon)
        else:
            mean, variance = self._masked_moments(inputs, mask, reduction)
            outputs = nn.batch_normalization(inputs, mean, variance, axis, beta, gamma,
                                             self.epsilon)
        self._update_moving(getval(mean).reshape(-1), getval(variance).reshape(-1))
        return outputs

    def _masked_moments(self, inputs, mask, reduction):
        """Keras's moments over the unmasked positions (`mask` has the input's rank minus one:
        a sequence mask under a `(batch, steps, features)` input)."""
        if len(np.shape(mask)) != len(inputs.shape) - 1:
            raise ValueError("The mask provided should be one dimension less than the inputs. "
                             f"Received: mask.shape={np.shape(mask)}, "
                             f"inputs.shape={tuple(inputs.shape)}")
        weights = np.broadcast_to(np.expand_dims(np.asarray(getval(mask), bool), -1),
                                  inputs.shape).astype(inputs.dtype)
        count = np.sum(weights, axis=reduction) + np.float32(1e-7)  # Keras's backend.epsilon()
        mean = anp.sum(inputs * weights, axis=reduction) / count
        shape = [1] * len(inputs.shape)
        shape[self.axis % len(inputs.shape)] = -1
        centred = (inputs - anp.reshape(mean, shape)) * weights
        return mean, anp.sum(centred * centred, axis=reduction) / count

    def _update_moving(self, mean, variance):
        momentum = self.momentum
        self.moving_mean.assign(self.moving_mean.value * momentum + mean * (1.0 - momentum))
        self.moving_variance.assign(self.moving_variance.value * momentum +
                                    variance * (1.0 - momentum))

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **self._affine_config(),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


# --------------------------------------------------------------------------- LayerNormalization
class LayerNormalization(_AffineWeights, Layer):
    """Normalizes each sample over `axis` (its features), as `keras.layers.LayerNormalization`:
    `gamma * (x - mean) / sqrt(var + epsilon) + beta`, the statistics per sample.

    Args:
        axis: int or list of ints, the normalized axes (default -1).
        epsilon: added to the variance (default 1e-3).
        center: learn an offset `beta` (default True).
        scale: learn a factor `gamma` (default True).
        rms_scaling: Keras's deprecated `x * gamma / sqrt(var(x) + epsilon)` (no centering, no
            `beta`; Keras warns that it divides by the variance, not the root mean square).
        beta_initializer, gamma_initializer: default `'zeros'`, `'ones'`.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: default None.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square (as Keras 3 warns).", UserWarning, stacklevel=2)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = int(axis)
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        self.axis = axis
        self.epsilon = epsilon
        self.rms_scaling = rms_scaling
        self._init_affine(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                          gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        # As Keras: the axes become a sorted list once built (and so in the config).
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        axes = [_positive_axis(self, a, ndim, input_shape) for a in self.axis]
        shape = tuple(_defined(self, input_shape, a) for a in axes)
        if self.scale or self.rms_scaling:
            self._add_gamma(shape)
        if self.center and not self.rms_scaling:
            self._add_beta(shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        for a in self.axis if isinstance(self.axis, list) else [self.axis]:
            _positive_axis(self, a, len(input_shape), input_shape)
        return tuple(input_shape)

    def call(self, inputs):
        ndim = len(inputs.shape)
        axes = tuple(sorted(a % ndim for a in self.axis))
        sizes = tuple(inputs.shape[a] for a in axes)
        gamma = _along(_value(self.gamma), ndim, axes, sizes)
        if self.rms_scaling:
            variance = anp.var(inputs, axis=axes, keepdims=True)
            outputs = inputs / anp.sqrt(variance + np.float32(self.epsilon))
            return outputs if gamma is None else outputs * gamma
        beta = _along(_value(self.beta), ndim, axes, sizes)
        return nn.normalize(inputs, gamma, beta, axes, self.epsilon)[0]

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                **{k: v for k, v in self._affine_config().items()
                   if k not in ("center", "scale")}}


# --------------------------------------------------------------------------- GroupNormalization
class GroupNormalization(_AffineWeights, Layer):
    """Normalizes each sample over groups of channels, as `keras.layers.GroupNormalization`
    (Wu & He, 2018): the channels along `axis` are split into `groups` groups, each group
    normalized over its channels and every spatial position, then scaled and shifted per
    channel.

    Args:
        groups: the number of groups (default 32); it must divide the number of channels.
            `-1` makes one group per channel (instance normalization).
        axis: the channel axis (default -1).
        epsilon: added to the variance (default 1e-3).
        center, scale: learn `beta` / `gamma`, one per channel (default True).
        beta_initializer, gamma_initializer: default `'zeros'`, `'ones'`.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: default None.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or (
                groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a "
                             "positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups}")
        super().__init__(**kwargs)
        self.groups = int(groups)
        self.axis = axis
        self.epsilon = epsilon
        self._init_affine(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                          gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axis = _positive_axis(self, self.axis, ndim, input_shape)
        channels = _defined(self, input_shape, axis)
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups:
            raise ValueError(f'Layer "{self.name}" (GroupNormalization): the number of groups '
                             f"({self.groups}) cannot be more than the number of channels "
                             f"({channels}). Received input shape {tuple(input_shape)}.")
        if channels % self.groups:
            raise ValueError(f'Layer "{self.name}" (GroupNormalization): the number of channels '
                             f"({channels}) must be a multiple of the number of groups "
                             f"({self.groups}). Received input shape {tuple(input_shape)}.")
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})
        if self.scale:
            self._add_gamma((channels,))
        if self.center:
            self._add_beta((channels,))
        self.built = True

    def compute_output_shape(self, input_shape):
        _positive_axis(self, self.axis, len(input_shape), input_shape)
        return tuple(input_shape)

    def call(self, inputs):
        shape = tuple(inputs.shape)
        axis = self.axis % len(shape)
        groups, per_group = self.groups, shape[axis] // self.groups
        # (..., C, ...) -> (..., groups, C / groups, ...): statistics over all but the batch
        # and the group axes; gamma and beta along the two channel axes.
        grouped = shape[:axis] + (groups, per_group) + shape[axis + 1:]
        reduction = tuple(a for a in range(1, len(grouped)) if a != axis)
        param_shape = [1] * len(grouped)
        param_shape[axis], param_shape[axis + 1] = groups, per_group
        gamma = None if self.gamma is None else anp.reshape(self.gamma.value, param_shape)
        beta = None if self.beta is None else anp.reshape(self.beta.value, param_shape)
        outputs = nn.normalize(anp.reshape(inputs, grouped), gamma, beta, reduction,
                               self.epsilon)[0]
        return anp.reshape(outputs, shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, **self._affine_config()}


# ---------------------------------------------------------------------------- UnitNormalization
class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`, as `keras.layers.UnitNormalization`:
    `x / max(norm(x), 1e-12)` (an all-zero sample stays zero).

    Args:
        axis: int or list of ints, the axes of the norm (default -1).
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a list/tuple "
                            f"of ints. Received: axis={axis!r}")
        self.supports_masking = True
        self.built = True

    def _axes(self, ndim, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        return tuple(_positive_axis(self, a, ndim, input_shape) for a in axes)

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape), input_shape)
        return tuple(input_shape)

    def call(self, inputs):
        axes = self._axes(len(inputs.shape), inputs.shape)
        return ops.normalize(inputs, axis=axes, order=2, epsilon=1e-12)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
