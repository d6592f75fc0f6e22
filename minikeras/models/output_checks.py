"""Warnings Keras does not give about output layers that cannot train.

Two set-ups that students write for a two-class problem train nothing, silently, in Keras:

- a one-unit `softmax` output: softmax normalises over the units, so one unit is always 1.0 and
  its gradient is zero;
- `categorical_crossentropy` on a one-unit output: the one predicted probability is normalised
  to 1 (or the one logit's log-softmax is 0), so the loss is constant and its gradient zero.

`compile` runs the check when the model's outputs are known, else the first `fit` (or
`train_on_batch`) after building the model; once per `compile`, never per step.
"""

import warnings

from minikeras import activations
from minikeras import losses as losses_module
from minikeras.layers.activations import Softmax

# Losses that normalise the predictions over the last axis (with or without logits).
_CATEGORICAL = (losses_module.categorical_crossentropy,
                losses_module.categorical_focal_crossentropy)


def warn_about_untrainable_outputs(model, compiled_loss, stacklevel=3):
    """Warns (UserWarning, naming the layer) about each one-unit output that cannot train.

    Args:
        model: a model whose `outputs` are known (others are not checked).
        compiled_loss: the model's `CompiledLoss` (None when it trains on added losses only).
        stacklevel: as `warnings.warn`'s, counted from this function (default 3: the code
            that called the function calling this one, e.g. the user's `compile` call).
    """
    outputs = getattr(model, "outputs", None) or []
    output_losses = getattr(compiled_loss, "losses", None) or []
    if len(output_losses) != len(outputs):
        output_losses = [None] * len(outputs)
    for tensor, loss in zip(outputs, output_losses):
        tensor, layer = _output_layer(tensor)
        shape = tuple(getattr(tensor, "shape", None) or ())
        if layer is None or not shape or shape[-1] != 1:
            continue
        if _is_softmax(layer, len(shape)):
            warnings.warn(
                f"Output layer '{layer.name}' has one unit with a softmax activation: softmax "
                "normalises over the units, so one unit always outputs 1.0, its gradient is "
                "zero and nothing trains. For two classes use one unit with "
                "`activation='sigmoid'` and `loss='binary_crossentropy'` (labels 0/1), or two "
                "softmax units with `categorical_crossentropy` (one-hot labels).",
                UserWarning, stacklevel=stacklevel)
        fn = getattr(loss, "fn", None)
        if any(fn is categorical for categorical in _CATEGORICAL):
            warnings.warn(
                f"Output layer '{layer.name}' has one unit but the loss is {fn.__name__}: the "
                "one predicted probability is normalised to 1, so the loss is the same for "
                "every sample, its gradient is zero and nothing trains. For two classes use one "
                "unit with `activation='sigmoid'` and `loss='binary_crossentropy'` (labels "
                "0/1), or two softmax units with `categorical_crossentropy` (one-hot labels).",
                UserWarning, stacklevel=stacklevel)


def _output_layer(tensor):
    """`(tensor, layer)`: the layer that computes `tensor`, looking inside nested models."""
    layer = None
    for _ in range(100):  # nested models, each one level down
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            return tensor, layer
        layer, _, index = history
        inner = getattr(layer, "outputs", None)
        if not isinstance(inner, (list, tuple)) or index >= len(inner):
            return tensor, layer
        tensor = inner[index]
    return tensor, layer


def _is_softmax(layer, rank):
    if isinstance(layer, Softmax):
        axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
        return all(axis in (-1, rank - 1) for axis in axes)
    return getattr(layer, "activation", None) is activations.softmax
