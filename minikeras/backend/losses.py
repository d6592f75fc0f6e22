"""K losses: the per-sample cross-entropies of Keras 2's backend, target first.

`K.categorical_crossentropy(target, output)` is what course code writes in custom losses. The
categorical ones are `minikeras.losses`'s; the binary one keeps Keras 2's backend formula,
which adds epsilon inside the logarithms after clipping.
"""

import autograd.numpy as anp

from minikeras import config, losses
from minikeras.backend.arguments import to_array
from minikeras.tensor import returns_tensor

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
]


@returns_tensor
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy between one-hot `target` and `output`, target first.

    Probabilities are rescaled to sum to 1 and clipped to `[epsilon, 1 - epsilon]`; with
    `from_logits=True`, `output` holds logits. The same function as
    `losses.categorical_crossentropy`.
    """
    return losses.categorical_crossentropy(to_array(target), to_array(output),
                                           from_logits=from_logits, axis=axis)


@returns_tensor
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy between integer class indices `target` and `output`; the same
    function as `losses.sparse_categorical_crossentropy`."""
    return losses.sparse_categorical_crossentropy(to_array(target), to_array(output),
                                                  from_logits=from_logits, axis=axis)


@returns_tensor
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
