"""The fused GRU path (Keras's defaults: `reset_after=True`, sigmoid gates, tanh, no per-gate
dropout) against the general path, which computes the same function step by step: outputs,
final state and the gradient of every argument must agree. Per-gate masks of ones (the same
function) make the general path run on the same settings. Like the LSTM's, the fused path
skips the steps masked in every sequence before the first computed one, and its step buffers
come from the pool, so what it returns must never share their memory."""

import gc
import itertools

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras.ops.nn import buffers
from minikeras.ops.nn.gru import FusedGRUPart, GRUForward, GRUPart, gru
from tests.ops.gradcheck import check_grads

B, T, D, U = 3, 6, 4, 2
# Sequence 0 starts at step 2, 1 at step 3, 2 at step 2: steps 0 and 1 are masked in all
# three, and steps 4 (sequence 0) and 3 (sequence 2) inside the sequences.
LEADING_PADDING = np.array([[0, 0, 1, 1, 0, 1], [0, 0, 0, 1, 1, 1], [0, 0, 1, 0, 1, 1]], bool)
MASKS = {"none": None, "leading padding": LEADING_PADDING,
         "interior only": LEADING_PADDING | (np.arange(T) < 2),
         "all masked": np.zeros((B, T), bool)}


def _arguments(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) * 0.6 for s in [(B, T, D), (D, 3 * U), (U, 3 * U), (2, 3 * U),
                                                 (B, U)]]


def _part_class(args, **kwargs):
    kwargs = {"mask": None, "go_backwards": False, "return_sequences": False,
              "zero_output_for_mask": False, "activation": "tanh",
              "recurrent_activation": "sigmoid", "reset_after": True, "dropout_masks": None,
              "recurrent_dropout_masks": None, **kwargs}
    return GRUForward(*args, **kwargs).part_class


def _general(*args, dropout_masks=None, **kwargs):
    """`gru` on the general path: recurrent masks of ones per gate (the same function)."""
    if dropout_masks is not None:  # one input mask for every gate, repeated per gate
        dropout_masks = np.repeat(dropout_masks, 3, axis=0)
    ones = np.ones((3, B, U))
    return gru(*args, dropout_masks=dropout_masks, recurrent_dropout_masks=ones, **kwargs)


def _values_and_grads(fun, args, cotangents, **kwargs):
    def scalar(*a):
        return sum(anp.sum(w * o) for w, o in zip(cotangents, fun(*a, **kwargs)))
    return fun(*args, **kwargs), grad(scalar, argnum=tuple(range(len(args))))(*args)


def test_the_fused_path_runs_with_keras_defaults_only():
    args = _arguments()
    assert _part_class(args) is FusedGRUPart
    assert _part_class(args, dropout_masks=np.ones((1, B, D))) is FusedGRUPart
    assert _part_class(args, mask=LEADING_PADDING, go_backwards=True) is FusedGRUPart
    general = [dict(reset_after=False), dict(recurrent_activation="hard_sigmoid"),
               dict(activation="relu"), dict(dropout_masks=np.ones((3, B, D))),
               dict(recurrent_dropout_masks=np.ones((1, B, U)))]
    for kwargs in general:
        if kwargs.get("reset_after") is False:
            a = args[:3] + [args[3][0]] + args[4:]  # reset_after=False: bias (3 units,)
        else:
            a = args
        assert _part_class(a, **kwargs) is GRUPart, kwargs


@pytest.mark.parametrize("mask_name, go_backwards, return_sequences, zero_output",
                         list(itertools.product(MASKS, [False, True], [False, True],
                                                [False, True])))
def test_fused_matches_the_general_path(mask_name, go_backwards, return_sequences,
                                        zero_output):
    mask = MASKS[mask_name]
    if mask is not None and go_backwards:  # the same steps first in processing order
        mask = mask[:, ::-1]
    args = _arguments()
    kwargs = dict(mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                  zero_output_for_mask=zero_output)
    shapes = [(B, T, U) if return_sequences else (B, U), (B, U)]
    cotangents = [np.random.default_rng(1).normal(size=s) for s in shapes]
    got, got_grads = _values_and_grads(gru, args, cotangents, **kwargs)
    want, want_grads = _values_and_grads(_general, args, cotangents, **kwargs)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)
    for i, (g, w) in enumerate(zip(got_grads, want_grads)):
        assert g.shape == w.shape, f"argument {i}"
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12, err_msg=f"argument {i}")
    # Not trivially equal: the gradient of every argument is nonzero (all masked: the
    # state passes through, the input and weights get none).
    for i, g in enumerate(got_grads):
        assert np.any(g != 0) == (mask_name != "all masked" or i == 4), f"argument {i}"


def test_fused_matches_the_general_path_with_one_input_dropout_mask():
    args = _arguments()
    rng = np.random.default_rng(2)
    dropout_masks = (rng.random((1, B, D)) < 0.7) / 0.7
    cotangents = [rng.normal(size=(B, T, U)), rng.normal(size=(B, U))]
    kwargs = dict(mask=LEADING_PADDING, return_sequences=True, dropout_masks=dropout_masks)
    got, got_grads = _values_and_grads(gru, args, cotangents, **kwargs)
    want, want_grads = _values_and_grads(_general, args, cotangents, **kwargs)
    for g, w in zip(list(got) + list(got_grads), list(want) + list(want_grads)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    dropped = dropout_masks[0] == 0  # (batch, features): those inputs get no gradient
    assert np.all(got_grads[0].transpose(0, 2, 1)[dropped] == 0)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_fused_gradients_against_central_differences(go_backwards):
    mask = LEADING_PADDING[:, ::-1] if go_backwards else LEADING_PADDING
    check_grads(gru, *_arguments(3), mask=mask, go_backwards=go_backwards,
                return_sequences=True)


def test_fused_without_bias_matches_the_general_path():
    x, k, rk, _, h0 = _arguments()
    cotangents = [np.random.default_rng(4).normal(size=(B, U))] * 2
    got, got_grads = _values_and_grads(lambda *a, **kw: gru(a[0], a[1], a[2], None, a[3], **kw),
                                       [x, k, rk, h0], cotangents)
    want, want_grads = _values_and_grads(
        lambda *a, **kw: _general(a[0], a[1], a[2], None, a[3], **kw), [x, k, rk, h0],
        cotangents)
    for g, w in zip(list(got) + list(got_grads), list(want) + list(want_grads)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_outputs_keep_their_values_when_the_buffers_are_reused(return_sequences, monkeypatch):
    buffers.clear()
    taken = []
    take = buffers.take

    def spy(shape, dtype):
        array = take(shape, dtype)
        taken.append(array)
        return array

    monkeypatch.setattr(buffers, "take", spy)
    rng = np.random.default_rng(1)
    shapes = [(64, 28, 28), (28, 192), (64, 192), (2, 192), (64, 64)]  # MiBs of buffers

    def call():
        args = [rng.normal(size=s).astype(np.float32) * 0.5 for s in shapes]
        return gru(*args, return_sequences=return_sequences)

    first = call()
    leased = taken[0]
    kept = [np.array(a) for a in first]
    gc.collect()  # the first call's part is collected: its buffers go back to the pool
    second = call()
    assert taken[-1] is leased  # the second call computed in the first one's buffers
    assert not any(np.array_equal(a, b) for a, b in zip(kept, second))
    for a, b in zip(first, kept):
        np.testing.assert_array_equal(a, b)



def test_fused_matches_the_general_path_on_batch_halves():
    # 256 sequences of 64 units: a step large enough to be split over two threads.
    rng = np.random.default_rng(5)
    b, u = 256, 64
    args = [rng.normal(size=s) * 0.3 for s in [(b, 5, 3), (3, 3 * u), (u, 3 * u), (2, 3 * u),
                                                 (b, u)]]
    mask = rng.random((b, 5)) < 0.8
    forward = GRUForward(*args, mask, False, True, False, "tanh", "sigmoid", True, None, None)
    assert [type(p) for p in forward.parts] == [FusedGRUPart, FusedGRUPart]
    cotangents = [rng.normal(size=(b, 5, u)), rng.normal(size=(b, u))]
    kwargs = dict(mask=mask, return_sequences=True)
    got, got_grads = _values_and_grads(gru, args, cotangents, **kwargs)
    ones = np.ones((3, b, u))
    want, want_grads = _values_and_grads(
        lambda *a, **kw: gru(*a, recurrent_dropout_masks=ones, **kw), args, cotangents, **kwargs)
    for g, w in zip(list(got) + list(got_grads), list(want) + list(want_grads)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
