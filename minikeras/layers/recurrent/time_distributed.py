"""`TimeDistributed`: applies a layer to every time step of a sequence (Keras 3)."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras.layers.recurrent.wrapper import Wrapper, prefix_paths


class TimeDistributed(Wrapper):
    """Applies `layer` to every temporal slice of its input: `(batch, time, ...)` ->
    `(batch, time, ...layer's output)`, with one set of weights for all steps.

    The steps are computed together, as one batch of `batch * time` slices (Keras 3 loops
    over the steps; the values are the same for every layer that treats samples
    independently). A layer whose training statistics span its batch, such as
    `BatchNormalization`, sees the `batch * time` slices as one batch.

    Args:
        layer: the `Layer` to apply to each step.

    Call arguments: `inputs` of rank 3 or more, `training`, `mask` `(batch, time)` (passed on,
    flattened, to a layer whose `call` takes a mask; returned as the output's mask).
    """

    def __init__(self, layer, **kwargs):
        if not hasattr(layer, "call") or not hasattr(layer, "built"):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {input_shape} (layer "
                             f"'{self.name}' wraps '{self.layer.name}').")
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child = self._child_input_shape(tuple(input_shape))
        if not self.layer.built:
            self.layer._build_from_shapes(child)
        prefix_paths(self.layer, self.name)
        self.built = True

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_input_shape(tuple(input_shape)))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def call(self, inputs, training=None, mask=None):
        shape = tuple(inputs.shape)
        self._child_input_shape(shape)
        batch, steps = shape[:2]
        kwargs = {}
        if mask is not None:
            mask = np.asarray(getval(mask))
            if mask.ndim < 2 or mask.shape[:2] != (batch, steps):
                raise ValueError(f"The `mask` passed to the `TimeDistributed` layer has a shape "
                                 f"{mask.shape} that is incompatible with the input shape "
                                 f"{shape}. The first two dimensions of the mask (batch size "
                                 "and timesteps) must match the input's first two dimensions.")
            if self.layer._call_params()[1]:
                kwargs["mask"] = mask.reshape((batch * steps,) + mask.shape[2:])
        if training is not None:
            kwargs["training"] = training
        outputs = self.layer(anp.reshape(inputs, (batch * steps,) + shape[2:]), **kwargs)
        return anp.reshape(outputs, (batch, steps) + tuple(outputs.shape[1:]))

    def compute_mask(self, inputs, mask=None):
        return mask
