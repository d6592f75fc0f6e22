"""`keras.ops.conv`, `conv_transpose`, `depthwise_conv`, `separable_conv` compute what the
layers compute (the layers are checked against real Keras in tests/layers), in both data
formats, and carry gradients (shared check)."""

import numpy as np
import pytest

from minikeras import layers, ops
from tests.ops.gradcheck import check_grads

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_ops_match_the_layers(data_format):
    shape = (2, 7, 6, 4) if data_format == "channels_last" else (2, 4, 7, 6)
    x = RNG.normal(size=shape).astype(np.float32)
    kw = dict(use_bias=False, data_format=data_format)
    conv = layers.Conv2D(6, 3, strides=2, padding="same", groups=2, **kw)
    y = conv(x)
    np.testing.assert_allclose(ops.conv(x, conv.kernel, strides=2, padding="same",
                                        data_format=data_format), y, rtol=1e-6)
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, dilation_rate=2, **kw)
    y = dw(x)
    np.testing.assert_allclose(ops.depthwise_conv(x, dw.kernel, dilation_rate=2,
                                                  data_format=data_format), y, rtol=1e-6)
    sep = layers.SeparableConv2D(5, 3, padding="same", **kw)
    y = sep(x)
    np.testing.assert_allclose(ops.separable_conv(x, sep.depthwise_kernel, sep.pointwise_kernel,
                                                  padding="same", data_format=data_format),
                               y, rtol=1e-6)
    tr = layers.Conv2DTranspose(3, 3, strides=2, output_padding=1, **kw)
    y = tr(x)
    np.testing.assert_allclose(ops.conv_transpose(x, tr.kernel, strides=2, output_padding=1,
                                                  data_format=data_format), y, rtol=1e-6)


def test_ops_conv_gradients():
    x, k = RNG.normal(size=(2, 3, 5, 5)), RNG.normal(size=(3, 3, 3, 2))
    check_grads(ops.conv, x, k, padding="same", data_format="channels_first")
    check_grads(ops.conv_transpose, RNG.normal(size=(2, 3, 3, 2)), RNG.normal(size=(2, 2, 3, 2)),
                strides=2)
