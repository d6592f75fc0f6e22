"""`Masking`: marks the time steps whose features all equal `mask_value` as padding (Keras 3)."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras.layers.base import Layer


class Masking(Layer):
    """Masks the time steps of a sequence at which every feature equals `mask_value`.

    The output is the input with those steps set to 0, and `compute_mask` gives the
    `(batch, time)` mask (True where a step holds data) that recurrent layers then use to skip
    the padded steps.

    Args:
        mask_value: the padding value (default 0.0).
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return np.any(np.not_equal(np.asarray(getval(inputs)), self.mask_value), axis=-1)

    def call(self, inputs):
        keep = np.any(np.not_equal(np.asarray(getval(inputs)), self.mask_value), axis=-1,
                      keepdims=True)
        return anp.where(keep, inputs, 0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
