"""Every convolution layer in one namespace (Keras 2's `keras.layers.convolutional` module).

The classes live in `conv.py` (Conv1D/2D/3D), `conv_transpose.py` and `separable_conv.py`.
"""

from minikeras.layers.conv import (Conv1D, Conv2D, Conv3D, Convolution1D, Convolution2D,
                                   Convolution3D)
from minikeras.layers.conv_transpose import (Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
                                             Convolution1DTranspose, Convolution2DTranspose,
                                             Convolution3DTranspose, Deconv2D, Deconv3D,
                                             Deconvolution2D, Deconvolution3D)
from minikeras.layers.separable_conv import (DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D,
                                             SeparableConv2D, SeparableConvolution1D,
                                             SeparableConvolution2D)

__all__ = ["Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D", "Conv3DTranspose",
           "Convolution1D", "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose",
           "Convolution3D", "Convolution3DTranspose", "Deconv2D", "Deconv3D", "Deconvolution2D",
           "Deconvolution3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
           "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D"]
