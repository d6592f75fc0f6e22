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
    """d f / d x of a scalar function, by float64 central differences (`tests/ops/gradcheck.py`)."""
    from tests.ops.gradcheck import central_differences

    return central_differences(f, x, eps)


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
    """Checks the gradients of `sum(r * layer(x))` w.r.t. the input and every trainable weight
    (`tests/ops/gradcheck.check_layer_grads`, the shared helper). Use with the `float64` fixture."""
    from tests.ops.gradcheck import check_layer_grads

    check_layer_grads(layer, x, rtol=rtol, atol=atol, seed=seed)
