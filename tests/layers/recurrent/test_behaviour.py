"""Recurrent layers: bad input (named errors, no weight changed), stateful layers, dropout
(Keras's masks fixed over the time steps), Embedding and Masking, Keras 2 spellings."""

import warnings

import numpy as np
import pytest

from minikeras import layers
from minikeras.layers.core import dropout_rng
from minikeras.models import Sequential
from minikeras.ops import nn
from minikeras.stateless_scope import StatelessScope

B, T, D = 3, 5, 4


def _x(seed=0):
    return np.random.default_rng(seed).normal(size=(B, T, D)).astype("float32")


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_2d_input_names_the_layer_and_shape_before_creating_weights(cls):
    layer = getattr(layers, cls)(3, name="my_rnn")
    with pytest.raises(ValueError, match=r'layer "my_rnn" is incompatible with the layer: '
                                         r"expected ndim=3, found ndim=2. Full shape received: "
                                         r"\(3, 4\)"):
        layer(np.zeros((3, 4), "float32"))
    assert not layer.built and layer.weights == []
    layer(_x())  # the layer still works with the right input
    weights = layer.get_weights()
    with pytest.raises(ValueError, match="found ndim=2"):
        layer(np.zeros((3, 4), "float32"))
    assert all(np.array_equal(a, b) for a, b in zip(weights, layer.get_weights()))
    with pytest.raises(ValueError, match="found ndim=2"):
        layer(layers.Input((4,)))


def test_initial_state_of_the_wrong_shape_or_count_is_named():
    layer = layers.LSTM(3, name="enc")
    layer(_x())
    weights = layer.get_weights()
    with pytest.raises(ValueError, match=r"Layer 'enc': initial_state\[1\] must have shape "
                                         r"\(batch, units\) = \(3, 3\) for inputs of batch "
                                         r"size 3; received shape \(3, 2\)"):
        layer(_x(), initial_state=[np.zeros((3, 3)), np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"Layer 'enc' expects 2 initial state\(s\) of shapes "
                                         r"\[\(3, 3\), \(3, 3\)\], but it received 1"):
        layer(_x(), initial_state=[np.zeros((3, 3))])
    assert all(np.array_equal(a, b) for a, b in zip(weights, layer.get_weights()))


def test_mask_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match=r"Layer 'gru': the mask must have shape \(batch, "
                                         r"time\) = \(3, 5\); received shape \(3, 4\)"):
        layers.GRU(2)(_x(), mask=np.ones((3, 4), bool))


def test_bidirectional_needs_a_recurrent_layer():
    with pytest.raises(ValueError, match=r"`Bidirectional` wraps a recurrent layer .*; received "
                                         r"layer 'dense' of class Dense"):
        layers.Bidirectional(layers.Dense(3))
    with pytest.raises(ValueError, match="received backward_layer 'dense_1' of class Dense"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.Dense(3))
    with pytest.raises(ValueError, match="with a `keras.layers.Layer` instance"):
        layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="should have different `go_backwards`"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="Invalid merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match=r"stateful=True.*batch size must be static.*"
                                         r"sequence.shape=\(None, 5, 4\) \(layer 'lstm'\)"):
        Sequential([layers.Input((T, D)), layers.LSTM(2, stateful=True)])
    layer = layers.LSTM(2, stateful=True)
    layer(_x())  # an eager call has a batch size: Keras accepts it too
    with pytest.raises(ValueError, match="Expected batch size: 3\n- Received batch size: 2"):
        layer(_x()[:2])


def test_embedding_rejects_ids_out_of_range_before_any_change():
    layer = layers.Embedding(10, 2, name="words")
    layer(np.array([[1, 2]]))
    table = layer.get_weights()[0]
    with pytest.raises(ValueError, match=r"Embedding layer 'words': token ids must be in "
                                         r"\[0, 10\) \(input_dim=10\); received 10 at index "
                                         r"\(1, 2\)"):
        layer(np.array([[1, 2, 3], [4, 5, 10]]))
    with pytest.raises(ValueError, match=r"received -3 at index \(0, 1\)"):
        layer(np.array([[1, -3]]))
    np.testing.assert_array_equal(layer.get_weights()[0], table)
    with pytest.raises(ValueError, match="`input_dim` must be a positive integer"):
        layers.Embedding(0, 2)


# ----------------------------------------------------------------------------- stateful
def test_stateful_states_are_variables_outside_the_weights():
    layer = layers.GRU(2, stateful=True, return_sequences=True)
    x = _x(1)
    first = layer(x)
    assert [v.path for v in layer.states] == ["gru/rnn_state"]
    assert len(layer.weights) == 3  # Keras saves no state: files move both ways
    np.testing.assert_array_equal(layer.states[0].numpy(), first[:, -1])
    second = layer(x)
    again = layers.GRU(2, return_sequences=True)
    again(x)
    again.set_weights(layer.get_weights())
    np.testing.assert_allclose(second, again(x, initial_state=[first[:, -1]]), rtol=1e-6)
    layer.reset_states()
    np.testing.assert_allclose(layer(x), first, rtol=1e-6)
    layer.reset_states([np.ones((B, 2))])
    np.testing.assert_allclose(layer(x), again(x, initial_state=[np.ones((B, 2))]),
                               rtol=1e-6)
    with pytest.raises(AttributeError, match="must be stateful"):
        layers.GRU(2).reset_states()


def test_a_stateful_update_inside_a_scope_is_applied_at_once():
    """The engine runs each batch of fit/evaluate/predict inside a stateless scope; the states
    are not among the variables a step hands back, so they are written at once (as
    TensorFlow's variables are; tests/layers/recurrent/test_stateful_training.py)."""
    layer = layers.LSTM(2, stateful=True)
    first = layer(_x())
    with StatelessScope() as scope:
        second = layer(_x(2))
    assert not set(scope.updates) & set(layer.states)
    assert not np.allclose(first, second)
    np.testing.assert_array_equal(layer.states[0].numpy(), second)


# ----------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("cls, gates", [("SimpleRNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_dropout_masks_are_drawn_once_per_sequence_as_keras_draws_them(cls, gates):
    layer = getattr(layers, cls)(3, dropout=0.4, recurrent_dropout=0.3, seed=5,
                                 return_sequences=True)
    x = _x(3)
    np.testing.assert_array_equal(layer(x), layer(x, training=False))  # inference: none
    out = layer(x, training=True)
    # The same draws, made by hand: one (gates, batch, features) input mask and one
    # (gates, batch, units) recurrent mask, fixed over the time steps.
    rng = np.random.default_rng(5)
    count = gates if cls != "SimpleRNN" else 1
    dm = (rng.random((count, B, D)) >= 0.4).astype("float32") / np.float32(0.6)
    rm = (rng.random((count, B, 3)) >= 0.3).astype("float32") / np.float32(0.7)
    cell = layer.cell
    weights = [cell.kernel.numpy(), cell.recurrent_kernel.numpy(), cell.bias.numpy()]
    states = [np.zeros((B, 3), "float32")] * (2 if cls == "LSTM" else 1)
    expected = getattr(nn, {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}[cls])(
        x, *weights, *states, return_sequences=True, dropout_masks=dm,
        recurrent_dropout_masks=rm)[0]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert not np.allclose(out, layer(x, training=False))


def test_input_dropout_alone_uses_one_mask_for_all_gates_and_the_steps_rng_in_training():
    layer = layers.LSTM(3, dropout=0.5)
    dm, rm = layer.cell.dropout_masks(B, D, training=True)
    assert dm.shape == (1, B, D) and rm is None
    assert set(np.unique(dm)) <= {0.0, 2.0}
    with StatelessScope(training=True, seed=11):
        first = layer.cell.dropout_masks(B, D, training=True)[0]
    with StatelessScope(training=True, seed=11):
        again = layer.cell.dropout_masks(B, D, training=True)[0]
    np.testing.assert_array_equal(first, again)  # the training step's generator decides
    assert dropout_rng(None) is not None


# ----------------------------------------------------------------------------- Embedding, Masking
def test_embedding_mask_zero_and_keras2_input_length():
    with pytest.warns(DeprecationWarning, match="input_length"):
        layer = layers.Embedding(10, 3, mask_zero=True, input_length=4)
    assert layer._batch_input_shape == (None, 4) and layer.supports_masking
    ids = np.array([[3, 0, 1, 0]])
    out = layer(ids)
    np.testing.assert_array_equal(out, layer.get_weights()[0][ids])
    np.testing.assert_array_equal(layer.compute_mask(ids), [[True, False, True, False]])
    assert layers.Embedding(10, 3).compute_mask(ids) is None
    floats = layer(ids.astype("float32"))  # Keras casts other inputs to integers
    np.testing.assert_array_equal(floats, out)


def test_masking_zeroes_the_masked_steps_and_computes_the_mask():
    x = _x(4)
    x[0, 1:3] = 0.0
    x[2, 4] = 0.0
    layer = layers.Masking()
    out = layer(x)
    mask = layer.compute_mask(x)
    np.testing.assert_array_equal(mask, np.any(x != 0, axis=-1))
    assert not mask[0, 1] and not mask[2, 4] and mask.sum() == B * T - 3
    np.testing.assert_array_equal(out, x * mask[..., None])
    # LSTM after Masking, with the mask passed as the model will pass it.
    lstm = layers.LSTM(2)
    skipped = lstm(out, mask=mask)
    np.testing.assert_allclose(skipped[0], lstm(np.delete(x[:1], [1, 2], axis=1))[0],
                               rtol=1e-6)


# ----------------------------------------------------------------------------- Keras 2
def test_keras2_spellings():
    layer = layers.LSTM(4, input_dim=3, input_length=7)
    assert layer._batch_input_shape == (None, 7, 3)
    with pytest.warns(UserWarning, match="CuDNNLSTM"):
        cudnn = layers.CuDNNLSTM(4, return_sequences=True)
    assert type(cudnn) is layers.LSTM and cudnn.return_sequences
    with pytest.warns(UserWarning, match="CuDNNGRU"):
        assert type(layers.CuDNNGRU(2)) is layers.GRU
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.GRU.from_config({**layers.GRU(2).get_config(), "implementation": 1,
                                "time_major": False})
    with pytest.raises(NotImplementedError, match="time_major=True"):
        layers.LSTM(2, time_major=True)


def test_keras2_module_paths_resolve(tmp_path):
    import subprocess
    import sys

    code = ("from keras.layers.recurrent import LSTM, GRU, SimpleRNN\n"
            "from keras.layers.embeddings import Embedding\n"
            "from keras.layers.wrappers import Bidirectional, TimeDistributed\n"
            "from tensorflow.keras.layers import LSTM as L2\n"
            "import minikeras.layers as m\n"
            "assert LSTM is m.LSTM and L2 is m.LSTM and Embedding is m.Embedding\n"
            "assert Bidirectional is m.Bidirectional and TimeDistributed is m.TimeDistributed\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-m", "minikeras", "-c", code],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
