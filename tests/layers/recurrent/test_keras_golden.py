"""Every sequence layer against real Keras 3 (tests/golden/rnn.json): the same weights and
inputs give Keras's outputs, masked and unmasked, and the same config, variable paths,
symbolic output shape and output mask."""

import json

import numpy as np
import pytest

from minikeras import layers
from minikeras.backend import clear_session
from tests.layers.recurrent.golden_cases import (GOLDEN, B, T, D, assert_close, build,
                                                 built_layer, call, data)

CASES = {case["name"]: case for case in GOLDEN["cases"]}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_match_keras(name):
    case = CASES[name]
    layer = built_layer(case)
    assert [v.path for v in layer.weights] == case["weight_paths"]
    assert_close(call(layer, case), case["output"])


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if "keras_config" in c))
def test_config_matches_keras_and_round_trips(name):
    case = CASES[name]
    layer = built_layer(case)
    config = layer.get_config()
    assert config.pop("name") is not None
    assert json.loads(json.dumps(config)) == case["keras_config"]  # tuples are lists in JSON
    clear_session()
    clone = type(layer).from_config(layer.get_config())
    clone(np.zeros_like(np.asarray(case["x"] if case["x"] is not None else data((B, T, D), 1))))
    assert clone.get_config() == layer.get_config()
    assert [v.path for v in clone.weights] == case["weight_paths"]
    clone.set_weights(layer.get_weights())
    assert_close(call(clone, case), case["output"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_symbolic_shape_and_mask_match_keras(name):
    case = CASES[name]
    clear_session()
    layer = build(case["spec"])
    x = case["x"]
    shape = (T, D) if x is None else np.shape(x)[1:]
    dtype = case["x_dtype"]
    out = layer(layers.Input(shape=shape, dtype=dtype))
    assert _shapes(out) == case["symbolic_output_shape"]
    if "compute_mask" in case:
        layer = built_layer(case)
        from tests.layers.recurrent.golden_cases import inputs
        x, mask, _ = inputs(case)
        computed = layer.compute_mask(x, mask)
        want = case["compute_mask"]
        if want is None:
            assert computed is None
        elif isinstance(want, list) and want and (want[0] is None or isinstance(want[0], list)
                                                  and want[0] and isinstance(want[0][0], list)):
            assert len(computed) == len(want)
            for c, w in zip(computed, want):
                assert (c is None and w is None) or np.array_equal(np.asarray(c), w)
        else:
            np.testing.assert_array_equal(np.asarray(computed), np.asarray(want, bool))


def test_stateful_lstm_carries_its_states_between_calls_like_keras():
    golden = GOLDEN["stateful"]
    layer = layers.LSTM(3, stateful=True, return_sequences=True)
    layers.Input(batch_shape=(B, T, D))
    layer.build((B, T, D))
    layer.set_weights([np.asarray(w, np.float32) for w in golden["weights"]])
    x1, x2 = (np.asarray(golden[k], np.float32) for k in ("x1", "x2"))
    assert_close(layer(x1), golden["first"])
    assert_close(layer(x2), golden["second"])
    layer.reset_states()
    assert_close(layer(x2), golden["after_reset"])


def _shapes(out):
    return [_shapes(o) for o in out] if isinstance(out, (list, tuple)) else list(out.shape)
