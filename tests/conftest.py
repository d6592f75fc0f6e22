"""Shared test helpers: golden fixtures and a fresh naming state for every test."""

import json
import os
import pathlib

import numpy as np
import pytest

GOLDEN = pathlib.Path(__file__).parent / "golden"


def load_golden(name):
    """Returns a committed fixture from `tests/golden/` (values generated with real Keras 3)."""
    with open(GOLDEN / name) as f:
        return json.load(f)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never touch the network: any socket connection fails loudly."""
    import socket

    def refuse(*args, **kwargs):
        raise RuntimeError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def _fresh_names():
    """Layer names (`dense`, `dense_1`, ...) restart in every test, as after `clear_session()`."""
    from minikeras.backend import clear_session

    clear_session()
    yield


def central_difference_grad(f, x, eps=1e-6):
    """d f / d x of a scalar function, by float64 central differences."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def mnist_cached():
    """True when the Keras dataset cache holds mnist.npz (CI seeds it from shared/data)."""
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.exists(os.path.join(home, "datasets", "mnist.npz"))


@pytest.fixture
def float64():
    """Runs a test with `floatx() == 'float64'` (for tight gradient checks)."""
    from minikeras.backend import floatx, set_floatx

    old = floatx()
    set_floatx("float64")
    yield
    set_floatx(old)


def check_layer_gradients(layer, x, rtol=1e-5, atol=1e-7, seed=0):
    """Checks the gradients of `sum(r * layer(x))` w.r.t. the input and every trainable weight.

    The gradients come from the training engine's path (a `StatelessScope` and autograd) and
    are compared with float64 central differences. Use with the `float64` fixture.
    """
    import autograd.numpy as anp

    from minikeras.stateless_scope import StatelessScope
    from minikeras.autograd_internals import value_and_grads

    x = np.asarray(x, dtype=np.float64)
    out = layer(x)
    weights = layer.trainable_weights
    r = np.random.default_rng(seed).normal(size=np.shape(out))

    def objective(values):
        with StatelessScope(zip(weights, values[1:])):
            return anp.sum(r * layer(values[0])), None

    values = [x] + [w.numpy() for w in weights]
    _, grads = value_and_grads(objective, values)
    for i, (value, g) in enumerate(zip(values, grads)):
        def f(v, i=i):
            vals = list(values)
            vals[i] = v
            return objective(vals)[0]

        name = "input" if i == 0 else weights[i - 1].path
        np.testing.assert_allclose(g, central_difference_grad(f, value), rtol=rtol, atol=atol,
                                   err_msg=f"gradient w.r.t. {name}")
