"""What the tests of the merging, reshaping, regularization and image preprocessing layers share:
the real-Keras fixture `tests/golden/layers_vision.json` (made by
`tests/golden/make_layers_golden.py`), building a layer from one of its cases, and the gradient
check of a layer of one or several inputs."""

import json

import numpy as np

import minikeras
from minikeras import layers
from minikeras.stateless_scope import StatelessScope
from tests.conftest import load_golden
from tests.ops.gradcheck import check_grads
from tests.saving.golden_configs import differences

FIXTURE = load_golden("layers_vision.json")


def cases(family, with_output=True):
    """The cases of one family (`merging`, `reshaping`, `regularization`, `preprocessing`) that
    ran a layer on inputs (and, with `with_output`, produced an output)."""
    return [c for c in FIXTURE[family] if "class" in c and "inputs" in c
            and (not with_output or "output" in c)]


def case(family, name):
    return next(c for c in FIXTURE[family] if c["name"] == name)


def ids(family_cases):
    return [c["name"] for c in family_cases]


def make_layer(c, **extra):
    return getattr(layers, c["class"])(**c["kwargs"], **extra)


def inputs_of(c):
    return [np.asarray(x, dtype=dtype) for x, dtype in zip(c["inputs"], c["input_dtypes"])]


def call_arg(inputs):
    return inputs if len(inputs) > 1 else inputs[0]


def run(layer, c, inputs=None):
    x = call_arg(inputs_of(c) if inputs is None else inputs)
    if "training" in c:
        return layer(x, training=c["training"])
    return layer(x)


def assert_config_is_keras(layer, c):
    """Our `get_config()` (without `name`) equals Keras 3's, key for key."""
    ours = json.loads(json.dumps({k: v for k, v in layer.get_config().items() if k != "name"}))
    found = differences(ours, c["keras_config"])
    assert not found, "\n".join(found)


def symbolic_shape(c):
    """The output shape of the layer called on `Input`s (batch None), or of
    `compute_output_shape` for a single image."""
    inputs = inputs_of(c)
    layer = make_layer(c)
    if inputs[0].ndim == 3 and c["class"] in ("Resizing", "CenterCrop", "RandomRotation",
                                               "RandomFlip", "RandomZoom", "RandomTranslation",
                                               "RandomContrast", "RandomBrightness"):
        return list(layer.compute_output_shape(inputs[0].shape))
    symbols = [minikeras.Input(batch_shape=(None,) + x.shape[1:], dtype=str(x.dtype))
               for x in inputs]
    return list(layer(call_arg(symbols)).shape)


def check_gradients(layer, inputs, training=False, seed=0, rtol=1e-6, atol=1e-8):
    """The gradients of `sum(w * layer(inputs))` with respect to every input, by the shared
    check (tests/ops/gradcheck.py: autograd against float64 central differences), through a
    `StatelessScope` with a fixed seed, so random layers draw the same noise on every
    evaluation. These layers have no weights. Use with the `float64` fixture (float64 data
    stays float64)."""
    assert not layer.weights

    def forward(*values):
        with StatelessScope(training=training, seed=seed):
            return layer(call_arg(list(values)))

    check_grads(forward, *[np.asarray(x, dtype=np.float64) for x in inputs], rtol=rtol,
                atol=atol, seed=seed, check_float32=False)
