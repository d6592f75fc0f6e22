"""`Embedding`: turns token ids into dense vectors (Keras 3's `keras.layers.Embedding`)."""

import warnings

import numpy as np
from autograd.tracer import getval

from minikeras.layers import weight_arguments
from minikeras.layers.base import Layer
from minikeras.ops import nn
from minikeras.ops.nn.embedding import token_ids


def _check_dim(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r} (of "
                         f"type {type(value).__name__}).")
    return int(value)


class Embedding(Layer):
    """Maps each integer id in `[0, input_dim)` to a trainable vector of size `output_dim`:
    `(batch, length)` ids -> `(batch, length, output_dim)`.

    The gradient is a scatter-add into the rows the batch used (`ops.nn.embedding`).

    Args:
        input_dim: the vocabulary size (largest id + 1).
        output_dim: the size of each vector.
        embeddings_initializer: default `'uniform'` (RandomUniform(-0.05, 0.05)).
        embeddings_regularizer, embeddings_constraint, activity_regularizer: default None.
        mask_zero: id 0 is padding: the layer outputs a mask (`compute_mask`) that later
            layers (LSTM...) use to skip those steps (default False). `input_dim` must then
            count the padding id.
        weights: initial embeddings `(input_dim, output_dim)` (default None).
        input_length: Keras 2's fixed sequence length; accepted with a DeprecationWarning and
            used as the input shape `(input_length,)`, as Keras 2 did.

    Raises:
        ValueError: in a call, for an id that is negative or `>= input_dim` (naming the layer,
            the id and where it is).
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        input_dim = _check_dim("input_dim", input_dim)
        output_dim = _check_dim("output_dim", output_dim)
        input_length = kwargs.pop("input_length", None)
        if input_length is not None:
            warnings.warn("Argument `input_length` is deprecated (Keras 3 removed it); "
                          "minikeras uses it as the input shape, as Keras 2 did.",
                          DeprecationWarning, stacklevel=2)
            if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
                kwargs["input_shape"] = (input_length,)
        if lora_rank is not None or quantization_config is not None:
            raise NotImplementedError("Embedding with LoRA or quantization is not supported "
                                      "by minikeras.")
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        weight_arguments.store(self, "embeddings", embeddings_initializer,
                               embeddings_regularizer, embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1
                             else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = weight_arguments.add_weight(self, "embeddings",
                                                      (self.input_dim, self.output_dim))
        self.built = True

    def call(self, inputs):
        ids = token_ids(inputs, self.input_dim, f"Embedding layer '{self.name}'")
        return nn.embedding(self.embeddings.value, ids)

    def compute_mask(self, inputs, mask=None):
        """`inputs != 0` with `mask_zero`, else None."""
        if not self.mask_zero:
            return None
        return np.not_equal(np.asarray(getval(inputs)), 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config_ = super().get_config()
        config_.update(
            input_dim=self.input_dim, output_dim=self.output_dim,
            **weight_arguments.config(self, "embeddings", activity=True),
            mask_zero=self.mask_zero, quantization_config=None)
        return config_
