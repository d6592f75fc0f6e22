"""`minikeras.layers` (also `keras.layers`)."""

from minikeras import serialization
from minikeras.layers.base import InputSpec, Layer
from minikeras.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from minikeras.layers.core import Activation, Dense, Dropout, Input, InputLayer
from minikeras.layers.lambda_layer import Lambda
from minikeras.layers.convolutional import (  # noqa: F401 (Keras 2 aliases too)
    Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, Convolution1D,
    Convolution1DTranspose, Convolution2D, Convolution2DTranspose, Convolution3D,
    Convolution3DTranspose, Deconv2D, Deconv3D, Deconvolution2D, Deconvolution3D, DepthwiseConv1D,
    DepthwiseConv2D, SeparableConv1D, SeparableConv2D, SeparableConvolution1D,
    SeparableConvolution2D)
from minikeras.layers.pooling import (  # noqa: F401 (Keras 2 aliases too)
    AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
    GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D)
from minikeras.layers.normalization import (BatchNormalization, GroupNormalization,
                                            LayerNormalization, UnitNormalization)
from minikeras.layers.reshaping import (Cropping1D, Cropping2D, Cropping3D, Flatten, Permute,
                                       RepeatVector, Reshape, UpSampling1D, UpSampling2D,
                                       UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from minikeras.layers.merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,
                                      Subtract, add, average, concatenate, dot, maximum, minimum,
                                      multiply, subtract)
from minikeras.layers.regularization import (ActivityRegularization, AlphaDropout,
                                             GaussianDropout, GaussianNoise, SpatialDropout1D,
                                             SpatialDropout2D, SpatialDropout3D)
from minikeras.layers.image_preprocessing import CenterCrop, Rescaling, Resizing
from minikeras.layers.image_augmentation import (RandomBrightness, RandomContrast, RandomFlip,
                                                 RandomRotation, RandomTranslation, RandomZoom)
from minikeras.layers import experimental  # noqa: F401 (tf.keras 2's experimental.preprocessing)
from minikeras.layers.embedding import Embedding
from minikeras.layers.masking import Masking
from minikeras.layers.recurrent import (  # noqa: F401 (Keras 2's CuDNN names too)
    GRU, LSTM, RNN, Bidirectional, CuDNNGRU, CuDNNLSTM, GRUCell, LSTMCell, SimpleRNN,
    SimpleRNNCell, StackedRNNCells, TimeDistributed, Wrapper)
from minikeras.layers.recurrent import wrapper as _wrapper
from minikeras.layers.keras_tensor import KerasTensor


def layer_classes():
    """`{name: class}` of every layer class of this namespace (what a config may name)."""
    return {name: obj for name, obj in globals().items()
            if isinstance(obj, type) and issubclass(obj, Layer)}


# What the config of a wrapped layer (Bidirectional, TimeDistributed, RNN's cell) may name.
_wrapper.LAYER_CLASSES.update(layer_classes())


def serialize(layer):
    """Returns Keras 3's config of a layer: `{'module', 'class_name', 'config',
    'registered_name'}` (and its `build_config` once built)."""
    return serialization.serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Recreates a layer from its config: Keras 3's (from `serialize`), or tf.keras 2's and
    Keras 2's `{'class_name', 'config'}`.

    Args:
        config: the layer's config dict.
        custom_objects: optional `{name: class}` of the user's layers (registered ones and
            those of a `custom_object_scope` are found without it).

    Raises:
        ValueError: for a class that is neither a Keras layer nor the user's (the error says
            how to provide it).
    """
    return serialization.deserialize_keras_object(
        config, custom_objects, namespaces={"keras.layers": layer_classes()}, kind="layer")


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
