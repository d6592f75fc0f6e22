"""What the pooling and normalization layer tests share: the real-Keras fixture
`tests/golden/pool_norm.json` (made by `tests/golden/make_pool_norm_golden.py`), building a
layer from one of its cases, and comparing configs with Keras's."""

import json

import autograd.numpy as anp
import numpy as np
from autograd import grad

from minikeras import layers
from tests.conftest import load_golden
from tests.saving.golden_configs import differences

FIXTURE = load_golden("pool_norm.json")


def cases(family, *, key="output"):
    """The cases of one family (`pooling`, `global_pooling`, `batch_normalization`, `fit`,
    `normalization`) that hold `key`."""
    return [c for c in FIXTURE[family] if key in c]


def case(family, name):
    return next(c for c in FIXTURE[family] if c.get("name") == name)


def ids(family_cases):
    return [c["name"] for c in family_cases]


def make_layer(c, **extra):
    return getattr(layers, c["class"])(**c["kwargs"], **extra)


def f32(values):
    return np.asarray(values, dtype=np.float32)


def assert_config_is_keras(layer, c):
    """Our `get_config()` (without `name`) equals Keras 3's, key for key."""
    ours = json.loads(json.dumps({k: v for k, v in layer.get_config().items() if k != "name"}))
    found = differences(ours, c["keras_config"])
    assert not found, "\n".join(found)


def input_gradient(layer, x, cotangent, **call_kwargs):
    """d sum(cotangent * layer(x)) / dx through the layer (autograd, as a training step does)."""
    return grad(lambda v: anp.sum(layer(v, **call_kwargs) * cotangent))(x)
