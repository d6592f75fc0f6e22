"""K losses: the per-sample cross-entropies of Keras 2's backend, target first.

`K.categorical_crossentropy(target, output)` is what course code writes in custom losses; these
are not `minikeras.losses` (whose functions take `y_true, y_pred` and differ in clipping).
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import activations, config
from minikeras.backend.arguments import to_array

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
]


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy between one-hot `target` and `output`, target first.

    Probabilities are rescaled to sum to 1 and clipped to `[epsilon, 1 - epsilon]`; with
    `from_logits=True`, `output` holds logits.
    """
    target, output = to_array(target), to_array(output)
    if np.shape(target) != np.shape(output):
        raise ValueError(f"categorical_crossentropy: target shape {np.shape(target)} and output "
                         f"shape {np.shape(output)} must be equal.")
    if from_logits:
        return -anp.sum(target * activations.log_softmax(output, axis=axis), axis=axis)
    output = output / anp.sum(output, axis=axis, keepdims=True)
    eps = config.epsilon()
    return -anp.sum(target * anp.log(anp.clip(output, eps, 1.0 - eps)), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy between integer class indices `target` and `output`."""
    target, output = np.asarray(getval(to_array(target))), to_array(output)
    if target.ndim == np.ndim(output) and target.shape[-1] == 1:
        target = target[..., 0]
    axis = axis % np.ndim(output)
    one_hot_ = np.moveaxis(np.eye(np.shape(output)[axis], dtype=output.dtype)[
        target.astype(np.int64)], -1, axis)
    return categorical_crossentropy(one_hot_, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy (not averaged), target first.

    Probabilities are clipped to `[epsilon, 1 - epsilon]`, then
    `-(t*log(p + eps) + (1-t)*log(1 - p + eps))`, as Keras 2; logits use the stable form.
    """
    target, output = to_array(target), to_array(output)
    if from_logits:
        return anp.maximum(output, 0) - output * target + anp.log1p(anp.exp(-anp.abs(output)))
    eps = config.epsilon()
    output = anp.clip(output, eps, 1.0 - eps)
    return -(target * anp.log(output + eps) + (1 - target) * anp.log(1 - output + eps))
