"""Recurrent layers: output shapes for every return_sequences / return_state / go_backwards
combination (eager and symbolic), and the shared gradient check through the layers (input,
every weight, initial states, masked steps, the traced loop of other activations)."""

import itertools

import numpy as np
import pytest

from minikeras import layers
from minikeras.stateless_scope import StatelessScope
from tests.ops.gradcheck import check_grads, check_layer_grads

B, T, D, U = 3, 5, 4, 2
LAYERS = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}
MASK = np.array([[0, 1, 1, 0, 1], [1, 1, 1, 1, 1], [1, 1, 0, 1, 0]], bool)


def _x(seed=0, dtype="float32"):
    return np.random.default_rng(seed).normal(size=(B, T, D)).astype(dtype)


@pytest.mark.parametrize("cls", sorted(LAYERS))
@pytest.mark.parametrize("return_sequences, return_state, go_backwards",
                         list(itertools.product([False, True], repeat=3)))
def test_every_combination_has_keras_shapes(cls, return_sequences, return_state, go_backwards):
    make = lambda: getattr(layers, cls)(U, return_sequences=return_sequences,  # noqa: E731
                                        return_state=return_state, go_backwards=go_backwards)
    out = make()(_x())
    symbolic = make()(layers.Input((T, D)))
    expected = (B, T, U) if return_sequences else (B, U)
    if return_state:
        assert isinstance(out, list) and len(out) == 1 + LAYERS[cls]
        assert out[0].shape == expected and all(s.shape == (B, U) for s in out[1:])
        assert [tuple(s.shape) for s in symbolic] == [(None,) + expected[1:]] + [
            (None, U)] * LAYERS[cls]
        # The returned state is the last step's output, whatever the output is.
        last = out[0][:, -1] if return_sequences else out[0]
        np.testing.assert_array_equal(out[1], last)
    else:
        assert out.shape == expected and out.dtype == np.float32
        assert tuple(symbolic.shape) == (None,) + expected[1:]


@pytest.mark.parametrize("cls", sorted(LAYERS))
def test_go_backwards_reads_the_reversed_sequence(cls):
    x = _x(1)
    forward = getattr(layers, cls)(U, return_sequences=True)
    backward = getattr(layers, cls)(U, return_sequences=True, go_backwards=True)
    forward(x), backward(x)
    backward.set_weights(forward.get_weights())
    # Keras returns the backward sequence in processing order: not flipped back.
    np.testing.assert_allclose(backward(x), forward(x[:, ::-1]), rtol=1e-6)


@pytest.mark.parametrize("cls", sorted(LAYERS))
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True},
                                     {"use_bias": False, "activation": "relu"}])
def test_layer_gradients_input_and_every_weight(float64, cls, options):
    layer = getattr(layers, cls)(U, **options)
    check_layer_grads(layer, _x(2, "float64"))


def _scoped(layer, **call_kwargs):
    """`f(x, *weights, *initial_states)`: the layer as a function of everything it reads."""
    weights = layer.trainable_weights

    def fn(x, *values):
        n = len(weights)
        with StatelessScope(zip(weights, values[:n])):
            states = list(values[n:]) or None
            return layer(x, initial_state=states, **call_kwargs)
    return fn


@pytest.mark.parametrize("cls", sorted(LAYERS))
@pytest.mark.parametrize("return_sequences, go_backwards", [(True, False), (False, True)])
def test_gradients_with_a_mask_and_initial_states(float64, cls, return_sequences, go_backwards):
    layer = getattr(layers, cls)(U, return_sequences=return_sequences, return_state=True,
                                 go_backwards=go_backwards)
    x = _x(3, "float64")
    rng = np.random.default_rng(3)
    states = [rng.normal(size=(B, U)) for _ in range(LAYERS[cls])]
    layer(x, initial_state=states)
    check_grads(_scoped(layer, mask=MASK), x, *[w.numpy() for w in layer.trainable_weights],
                *states, check_float32=False)


@pytest.mark.parametrize("cls, cell_kwargs", [
    ("LSTMCell", {"activation": "elu"}), ("GRUCell", {"recurrent_activation": "softsign"}),
    ("SimpleRNNCell", {"activation": "softplus"})])
def test_the_traced_loop_of_other_activations_has_exact_gradients(float64, cls, cell_kwargs):
    layer = layers.RNN(getattr(layers, cls)(U, **cell_kwargs), return_sequences=True,
                       go_backwards=True)
    x = _x(4, "float64")
    layer(x)
    check_grads(_scoped(layer, mask=MASK), x, *[w.numpy() for w in layer.trainable_weights],
                check_float32=False)


class _TracedLSTMCell(layers.LSTMCell):
    """An LSTM cell whose `call` is overridden: RNN must run it step by step."""

    def call(self, inputs, states, training=False):
        return super().call(inputs, states, training=training)


@pytest.mark.parametrize("masked, go_backwards, return_sequences, zero_output",
                         list(itertools.product([False, True], repeat=4)))
def test_the_traced_loop_and_the_primitive_agree(masked, go_backwards, return_sequences,
                                                 zero_output):
    options = dict(go_backwards=go_backwards, return_sequences=return_sequences,
                   zero_output_for_mask=zero_output, return_state=True)
    fast = layers.RNN(layers.LSTMCell(3), **options)
    slow = layers.RNN(_TracedLSTMCell(3), **options)
    x, mask = _x(5), MASK if masked else None
    fast(x), slow(x)
    slow.set_weights(fast.get_weights())
    for a, b in zip(fast(x, mask=mask), slow(x, mask=mask)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_stacked_cells_run_cell_by_cell_as_keras_runs_them_step_by_step():
    cells = lambda cls: [cls(3), layers.GRUCell(2)]  # noqa: E731
    fast = layers.RNN(cells(layers.LSTMCell), return_sequences=True, go_backwards=True,
                      return_state=True)
    slow = layers.RNN(cells(_TracedLSTMCell), return_sequences=True, go_backwards=True,
                      return_state=True)
    x = _x(6)
    fast(x), slow(x)
    slow.set_weights(fast.get_weights())
    got, want = fast(x, mask=MASK), slow(x, mask=MASK)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(got[1] + got[2], want[1] + want[2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_bidirectional_and_time_distributed_gradients(float64):
    x = _x(7, "float64")
    for mode in ("concat", "sum", "mul", "ave"):
        check_layer_grads(layers.Bidirectional(layers.GRU(2, return_sequences=True),
                                               merge_mode=mode), x)
    check_layer_grads(layers.TimeDistributed(layers.Dense(3, activation="tanh")), x)
    layer = layers.Bidirectional(layers.LSTM(2, return_sequences=True))
    layer(x)
    check_grads(_scoped(layer, mask=MASK), x, *[w.numpy() for w in layer.trainable_weights],
                check_float32=False)


def test_embedding_gradient_is_the_scatter_add(float64):
    layer = layers.Embedding(6, 3)
    ids = np.array([[1, 2, 1], [5, 0, 1]])
    layer(ids)
    table = layer.embeddings

    def fn(values):
        with StatelessScope([(table, values)]):
            return layer(ids)
    check_grads(fn, table.numpy(), check_float32=False)
