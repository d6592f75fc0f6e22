"""The cases of tests/golden/rnn.json (made by tests/golden/make_rnn_golden.py with Keras 3),
rebuilt in minikeras: specs to layers, the seeded inputs and weights, Keras's outputs."""

import numpy as np

from minikeras import layers
from minikeras.backend import clear_session
from tests.conftest import load_golden

GOLDEN = load_golden("rnn.json")
B, T, D = 3, 5, 4


def data(shape, seed, scale=1.0):
    """The golden script's seeded values (NumPy's RandomState stream is stable)."""
    return (np.random.RandomState(seed).uniform(-1, 1, size=shape) * scale).astype("float32")


def build(spec):
    """A minikeras layer from a spec: `{'class', 'kwargs', 'layer'?, 'backward_layer'?,
    'cell'?}`."""
    kwargs = dict(spec.get("kwargs", {}))
    for key in ("layer", "backward_layer"):
        if key in spec:
            kwargs[key] = build(spec[key])
    if "cell" in spec:
        cells = [build(c) for c in spec["cell"]]
        kwargs["cell"] = cells if len(cells) > 1 else cells[0]
    return getattr(layers, spec["class"])(**kwargs)


def case_named(name):
    return next(c for c in GOLDEN["cases"] if c["name"] == name)


def inputs(case):
    x = data((B, T, D), 1) if case["x"] is None else np.asarray(case["x"], case["x_dtype"])
    mask = None if case["mask"] is None else np.asarray(case["mask"], bool)
    states = None if case["initial_state"] is None else [
        np.asarray(s, np.float32) for s in case["initial_state"]]
    return x, mask, states


def weights(case):
    return [data(shape, case["weight_seed"] + i, 0.6)
            for i, shape in enumerate(case["weight_shapes"])]


def built_layer(case):
    """The case's layer, named as Keras named it, built and holding the case's weights."""
    clear_session()
    layer = build(case["spec"])
    x, _, states = inputs(case)
    layer(x, initial_state=states) if states is not None else layer(x)
    layer.set_weights(weights(case))
    return layer


def call(layer, case):
    x, mask, states = inputs(case)
    kwargs = {}
    if states is not None:
        kwargs["initial_state"] = states
    if mask is not None:
        kwargs["mask"] = mask
    return layer(x, **kwargs)


def assert_close(got, want, rtol=1e-5, atol=2e-6):
    if want is None:
        assert got is None
        return
    if isinstance(want, list) and want and isinstance(want[0], list) and not _is_array(want):
        assert isinstance(got, (list, tuple)) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_close(g, w, rtol, atol)
        return
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                               rtol=rtol, atol=atol)


def _is_array(nested):
    try:
        np.asarray(nested, np.float64)
        return True
    except (ValueError, TypeError):
        return False
