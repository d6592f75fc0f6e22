"""Activation layers: `ReLU`, `LeakyReLU`, `PReLU`, `ELU`, `Softmax`, Keras 2's `ThresholdedReLU`."""

import warnings

import numpy as np

from minikeras import activations, constraints, initializers, regularizers
from minikeras.layers.base import InputSpec, Layer
from minikeras.ops import nn


def _check_non_negative(layer, name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or not np.isscalar(value) or not value >= 0:
        raise ValueError(f"{name} of a {layer} layer cannot be None or a negative value. "
                         f"Expected a float >= 0. Received: {name}={value!r}")
    return value


class _Elementwise(Layer):
    """A weightless layer whose output has the input's shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit layer, `keras.activations.relu` with these arguments.

    Args:
        max_value: float >= 0, the saturation value (default None: unbounded).
        negative_slope: float >= 0, the slope below `threshold` (default 0.0).
        threshold: float >= 0, below it values are damped (default 0.0).
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _check_non_negative("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _check_non_negative("ReLU", "negative_slope", negative_slope)
        self.threshold = _check_non_negative("ReLU", "threshold", threshold)

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """`x` for `x >= 0`, else `negative_slope * x`.

    Args:
        negative_slope: float >= 0 (default 0.3; the `leaky_relu` function's default is 0.2).
        alpha: Keras 2 spelling of `negative_slope`, accepted with a DeprecationWarning.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            warnings.warn("Argument `alpha` of LeakyReLU is deprecated (Keras 2); use "
                          "`negative_slope`.", DeprecationWarning, stacklevel=2)
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _check_non_negative("LeakyReLU", "negative_slope", negative_slope)

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """Exponential linear unit: `x` for `x > 0`, else `alpha * (exp(x) - 1)`.

    Args:
        alpha: the scale of the negative part (default 1.0).
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(_Elementwise):
    """Keras 2 layer (removed in Keras 3): `x` where `x > theta`, else 0.

    Args:
        theta: float >= 0, the threshold (default 1.0).
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = _check_non_negative("ThresholdedReLU", "theta", theta)

    def call(self, inputs):
        return activations.threshold(inputs, self.theta, 0.0)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class Softmax(_Elementwise):
    """Softmax along `axis` (default -1; a list of axes is allowed).

    Call arguments:
        inputs: the logits.
        mask: optional array broadcastable to `inputs`; masked positions (False or <= 0.5) get
            probability 0.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = np.asarray(mask)
            if mask.dtype != bool:
                mask = mask > 0.5
            # -1e9 rather than -inf: a fully masked row then gives a uniform row (zeroed
            # below) instead of NaN, as in Keras.
            keep = mask.astype(np.dtype(self.dtype))
            inputs = inputs * keep + (1 - keep) * (-1e9 if keep.dtype != np.float16 else -3e4)
        axis = self.axis
        if isinstance(axis, (list, tuple)):
            axis = axis[0] if len(axis) == 1 else tuple(axis)
        outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = outputs * keep
        return outputs

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """Parametric ReLU: `x` for `x >= 0`, else `alpha * x`, with a learned `alpha`.

    Args:
        alpha_initializer: initializer of `alpha` (default `'Zeros'`).
        alpha_regularizer: regularizer of `alpha` (default None).
        alpha_constraint: constraint of `alpha` (default None).
        shared_axes: axes (counting the batch axis as 0) along which one `alpha` is shared,
            e.g. `[1, 2]` for one `alpha` per channel of a `(batch, h, w, c)` input (default None:
            one `alpha` per input unit).
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(f"Invalid shared_axes {self.shared_axes} for layer "
                                 f"'{self.name}' with input shape {tuple(input_shape)}: axes "
                                 f"must be between 1 and {len(input_shape) - 1}.")
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f"Layer '{self.name}' needs the non-shared input dimensions to be "
                             f"known; received input shape {tuple(input_shape)}.")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or [])}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return nn.relu(inputs) - self.alpha.value * nn.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


# `keras.activations.get` turns these layers' config dicts back into layers (see
# activations.LAYER_CLASSES: the activations module sits below layers and cannot import them).
activations.LAYER_CLASSES.update(
    {cls.__name__: cls for cls in (ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU)})
