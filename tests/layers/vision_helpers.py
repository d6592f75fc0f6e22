"""What the tests of the merging, reshaping, regularization and image preprocessing layers share:
the real-Keras fixture `tests/golden/layers_vision.json` (made by
`tests/golden/make_layers_golden.py`), building a layer from one of its cases, and a gradient
check for layers of one or several inputs through the training engine's path."""

import json

import autograd.numpy as anp
import numpy as np

import minikeras
from minikeras import layers
from minikeras.autograd_internals import value_and_grads
from minikeras.stateless_scope import StatelessScope
from tests.conftest import central_difference_grad, load_golden
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
    """The gradients of `sum(w * layer(inputs))` with respect to every input and trainable weight
    (autograd, through a `StatelessScope` with a fixed seed, so random layers draw the same
    noise on every evaluation) against float64 central differences."""
    inputs = [np.asarray(x, dtype=np.float64) for x in inputs]
    weights = layer.trainable_weights

    def forward(values):
        with StatelessScope(zip(weights, values[len(inputs):]), training=training, seed=seed):
            return layer(call_arg(list(values[:len(inputs)])))

    w = np.random.default_rng(seed).normal(size=np.shape(forward(
        inputs + [v.numpy().astype(np.float64) for v in weights])))

    def objective(values):
        return anp.sum(w * forward(values)), None

    values = inputs + [v.numpy().astype(np.float64) for v in weights]
    _, grads = value_and_grads(objective, values)
    for i, (value, g) in enumerate(zip(values, grads)):
        def scalar(v, i=i):
            vals = list(values)
            vals[i] = v
            return objective(vals)[0]

        what = f"input {i}" if i < len(inputs) else weights[i - len(inputs)].path
        np.testing.assert_allclose(g, central_difference_grad(scalar, value), rtol=rtol, atol=atol,
                                   err_msg=f"gradient w.r.t. {what}")
