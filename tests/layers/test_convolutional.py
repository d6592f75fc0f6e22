"""The convolution layers against real Keras (`tests/golden/vision_conv.json`, made by
`tests/golden/make_vision_golden.py`): the same outputs with the same weights, the same weight
shapes and names, the same `get_config()` and output shapes, for every padding / strides /
dilation / groups / data_format combination that changes the code path; plus gradient checks
of the input and every weight with the shared helper, and config round trips."""

import json

import numpy as np
import pytest

from minikeras import activations, layers
from tests.conftest import load_golden
from tests.ops.gradcheck import check_layer_grads

GOLDEN = load_golden("vision_conv.json")["cases"]


def _array(entry, dtype=np.float32):
    return np.asarray(entry["values"], dtype=dtype).reshape(entry["shape"])


def _ids():
    return [case["kwargs"]["name"] for case in GOLDEN]


def _layer(case):
    return getattr(layers, case["class"])(**case["kwargs"])


def _jsonable(config):
    return json.loads(json.dumps(config, default=list))


@pytest.mark.parametrize("case", GOLDEN, ids=_ids())
def test_outputs_match_keras_with_the_same_weights(case):
    layer = _layer(case)
    x = _array(case["x"])
    layer.build((None,) + x.shape[1:])
    assert [w.name for w in layer.weights] == case["weight_names"]
    assert [list(w.shape) for w in layer.weights] == [w["shape"] for w in case["weights"]]
    layer.set_weights([_array(w) for w in case["weights"]])
    y = layer(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, _array(case["y"]), rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("case", GOLDEN, ids=_ids())
def test_config_and_output_shape_match_keras(case):
    layer = _layer(case)
    shape = (None,) + tuple(case["x"]["shape"][1:])
    assert list(layer.compute_output_shape(shape)) == case["output_shape"]
    assert _jsonable(layer.get_config()) == case["keras_config"]
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert _jsonable(type(layer).from_config(case["keras_config"]).get_config()) == \
        case["keras_config"]


# Gradient checks: the input and every weight, on each path (golden cases are the paths).
@pytest.mark.parametrize("case", GOLDEN, ids=_ids())
def test_gradients_of_the_input_and_every_weight(case, float64):
    layer = _layer(case)
    x = _array(case["x"], np.float64)
    layer.build((None,) + x.shape[1:])
    layer.set_weights([_array(w, np.float64) for w in case["weights"]])
    if case["kwargs"].get("activation") == "relu":
        # No pre-activation on the kink, where central differences are meaningless.
        layer.activation = activations.linear
    check_layer_grads(layer, x, rtol=1e-5, atol=1e-6, max_entries=40)


@pytest.mark.parametrize("alias,cls", [
    ("Convolution1D", "Conv1D"), ("Convolution2D", "Conv2D"), ("Convolution3D", "Conv3D"),
    ("Convolution1DTranspose", "Conv1DTranspose"), ("Convolution2DTranspose", "Conv2DTranspose"),
    ("Convolution3DTranspose", "Conv3DTranspose"), ("Deconvolution2D", "Conv2DTranspose"),
    ("Deconv2D", "Conv2DTranspose"), ("Deconvolution3D", "Conv3DTranspose"),
    ("Deconv3D", "Conv3DTranspose"), ("SeparableConvolution1D", "SeparableConv1D"),
    ("SeparableConvolution2D", "SeparableConv2D"),
])
def test_keras_2_aliases(alias, cls):
    assert getattr(layers, alias) is getattr(layers, cls)
    assert type(getattr(layers, alias)(2, 3)).__name__ == cls


def test_conv2d_positional_arguments_of_course_code():
    layer = layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
    assert layer.filters == 32 and layer.kernel_size == (3, 3)
    assert layer.compute_output_shape((None, 28, 28, 1)) == (None, 26, 26, 32)
    y = layer(np.zeros((2, 28, 28, 1), np.float32))
    assert y.shape == (2, 26, 26, 32)
    assert layer.kernel.shape == (3, 3, 1, 32) and layer.bias.shape == (32,)


@pytest.mark.parametrize("make,shape,expected", [
    (lambda: layers.Conv2D(4, 3, padding="same", strides=2), (None, 7, None, 3),
     (None, 4, None, 4)),
    (lambda: layers.Conv1D(4, 3, padding="causal", dilation_rate=3), (None, 10, 2),
     (None, 10, 4)),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2), (None, 5, 6, 3), (None, 11, 13, 4)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=3, data_format="channels_first"),
     (None, 2, 8, 8), (None, 6, 6, 6)),
    (lambda: layers.SeparableConv2D(5, 3, padding="same"), (None, 8, 8, 2), (None, 8, 8, 5)),
    (lambda: layers.Conv3D(4, 2, strides=2), (None, 6, 6, 6, 1), (None, 3, 3, 3, 4)),
])
def test_output_shapes_with_unknown_dimensions(make, shape, expected):
    assert make().compute_output_shape(shape) == expected


def test_invalid_arguments_are_value_errors():
    with pytest.raises(ValueError, match="filters"):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv2D(2, (3, 0))
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="strides > 1` not supported in conjunction"):
        layers.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="evenly divisible"):
        layers.Conv2D(3, 3, groups=2)
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(NotImplementedError, match="LoRA"):
        layers.Conv2D(2, 3, lora_rank=4)
