"""`minikeras.ops` (also `keras.ops`): the pure math every layer is written in."""

from minikeras.ops.nn import (dense, log_softmax, mean_all, relu, softmax, softmax_cross_entropy,
                              softmax_input)
from minikeras.ops.numpy import *  # noqa: F401,F403  (the keras.ops numpy-style names)
from minikeras.ops.numpy import cast, convert_to_numpy, convert_to_tensor, shape
from minikeras.ops.conv_ops import conv, conv_transpose, depthwise_conv, separable_conv


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
