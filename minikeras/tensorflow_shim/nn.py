"""`tf.nn`: the activations course code calls by TensorFlow's names (traced in a tape)."""

from minikeras import activations
from minikeras.tensorflow_shim.math import tensor_arg
from minikeras.tensorflow_shim.missing import not_provided
from minikeras.tensorflow_shim.tensor import as_eager


def softmax(logits, axis=None, name=None):
    """`exp(logits) / sum(exp(logits))` along `axis` (default -1)."""
    return as_eager(activations.softmax(tensor_arg(logits), axis=-1 if axis is None else axis))


def log_softmax(logits, axis=None, name=None):
    """`log(softmax(logits))` along `axis` (default -1)."""
    return as_eager(activations.log_softmax(tensor_arg(logits),
                                            axis=-1 if axis is None else axis))


def relu(features, name=None):
    return as_eager(activations.relu(tensor_arg(features)))


def sigmoid(x, name=None):
    return as_eager(activations.sigmoid(tensor_arg(x)))


def tanh(x, name=None):
    return as_eager(activations.tanh(tensor_arg(x)))


def __getattr__(name):
    raise not_provided(f"tf.nn.{name}")


__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "tanh"]
