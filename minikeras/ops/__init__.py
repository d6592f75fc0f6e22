"""`minikeras.ops` (also `keras.ops`): the pure math every layer is written in."""

from minikeras.ops.nn import (dense, log_softmax, mean_all, relu, softmax, softmax_cross_entropy,
                              softmax_input)
from minikeras.ops.numpy import *  # noqa: F401,F403  (the keras.ops numpy-style names)
from minikeras.ops.numpy import cast, convert_to_numpy, convert_to_tensor, shape
