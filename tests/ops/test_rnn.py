"""The recurrent primitives: values against a step-by-step reference, and the shared gradient
check (inputs, every weight, initial states) over masks, go_backwards, return_sequences,
zero_output_for_mask, dropout masks, activations and both GRU conventions."""

import itertools

import numpy as np
import pytest

from minikeras.ops.nn import gru, lstm, simple_rnn
from tests.ops.gradcheck import check_grads
from tests.ops.rnn_reference import gru_ref, lstm_ref, simple_ref

B, T, D, U = 3, 5, 4, 2
CASES = {
    "lstm": (lstm, lstm_ref, 4, {}),
    "gru": (gru, gru_ref, 3, {"reset_after": True}),
    "gru_reset_before": (gru, gru_ref, 3, {"reset_after": False}),
    "simple_rnn": (simple_rnn, simple_ref, 1, {}),
}


def _arguments(name, seed=0):
    fn, ref, gates, extra = CASES[name]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T, D))
    kernel = rng.normal(size=(D, gates * U)) * 0.5
    recurrent = rng.normal(size=(U, gates * U)) * 0.5
    bias = rng.normal(size=(2, gates * U) if extra.get("reset_after") else (gates * U,)) * 0.5
    states = [rng.normal(size=(B, U)) * 0.5 for _ in range(2 if name == "lstm" else 1)]
    # Row 0 starts masked (it outputs its initial state), row 2 ends masked.
    mask = np.array([[0, 1, 1, 0, 1], [1, 0, 1, 1, 1], [1, 1, 0, 1, 0]], bool)
    return fn, ref, gates, extra, [x, kernel, recurrent, bias, *states], mask, rng


def _dropout(rng, count, gates):
    count = gates if count == "per_gate" else count
    return dict(dropout_masks=(rng.random((count, B, D)) > 0.3) / 0.7,
                recurrent_dropout_masks=(rng.random((count, B, U)) > 0.3) / 0.7)


def _same(got, want):
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("masked, go_backwards, return_sequences, zero_output",
                         list(itertools.product([False, True], repeat=4)))
def test_values_and_gradients(name, masked, go_backwards, return_sequences, zero_output):
    fn, ref, _, extra, args, mask, _ = _arguments(name)
    kwargs = dict(mask=mask if masked else None, go_backwards=go_backwards,
                  return_sequences=return_sequences, zero_output_for_mask=zero_output, **extra)
    _same(fn(*args, **kwargs), ref(*args, **kwargs))
    check_grads(fn, *args, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("count", [1, "per_gate"])
def test_dropout_masks_multiply_each_gates_input_and_state(name, count):
    fn, ref, gates, extra, args, mask, rng = _arguments(name, seed=1)
    kwargs = dict(mask=mask, return_sequences=True, **extra, **_dropout(rng, count, gates))
    _same(fn(*args, **kwargs), ref(*args, **kwargs))
    check_grads(fn, *args, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("activation", ["relu", "linear", "sigmoid", "hard_sigmoid"])
def test_other_activations(name, activation):
    fn, ref, _, extra, args, mask, _ = _arguments(name, seed=2)
    kwargs = dict(mask=mask, return_sequences=True, activation=activation, **extra)
    if name != "simple_rnn":
        kwargs["recurrent_activation"] = "tanh" if activation == "hard_sigmoid" else "hard_sigmoid"
    _same(fn(*args, **kwargs), ref(*args, **kwargs))
    check_grads(fn, *args, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_bias(name):
    fn, ref, _, extra, args, mask, _ = _arguments(name, seed=3)
    args[3] = None
    kwargs = dict(mask=mask, return_sequences=True, **extra)
    _same(fn(*args, **kwargs), ref(*args, **kwargs))
    check_grads(fn, *args, **kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_masked_steps_get_exactly_zero_gradient_and_pass_the_state_gradient_through(name):
    from autograd import grad

    fn, _, _, extra, args, mask, _ = _arguments(name, seed=4)

    def loss(x, h0):
        a = list(args)
        a[0], a[4] = x, h0
        out = fn(*a, mask=mask, return_sequences=True, **extra)
        return (out[0] ** 2).sum() + (out[1] ** 2).sum()

    dx = grad(loss)(args[0], args[4])
    assert np.all(dx[~mask] == 0) and np.all(dx[mask] != 0)
    # Everything masked: each output is h0, the final state is h0, and dh0 collects both.
    full = np.zeros_like(mask)
    a = list(args)
    out = fn(*a, mask=full, return_sequences=True, **extra)
    np.testing.assert_array_equal(out[0], np.repeat(args[4][:, None], T, axis=1))
    np.testing.assert_array_equal(out[1], args[4])

    def loss_all_masked(h0):
        b = list(args)
        b[4] = h0
        out = fn(*b, mask=full, return_sequences=True, **extra)
        return (out[0] ** 2).sum() + (out[1] ** 2).sum()

    np.testing.assert_allclose(grad(loss_all_masked)(args[4]), 2 * (T + 1) * args[4])


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_in_float32_out(name):
    fn, _, _, extra, args, mask, _ = _arguments(name, seed=5)
    args32 = [a.astype(np.float32) for a in args]
    out = fn(*args32, mask=mask, return_sequences=True, **extra)
    assert all(o.dtype == np.float32 for o in out)
    # Saturated gates: exp overflows inside the sigmoid without a warning or a NaN.
    args32[0] = args32[0] * np.float32(1e4)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = fn(*args32, mask=mask, **extra)
    assert all(np.all(np.isfinite(o)) for o in out)


def test_bad_shapes_are_named():
    fn, _, _, extra, args, mask, _ = _arguments("lstm")
    with pytest.raises(ValueError, match=r"lstm: the initial state `c0` must have shape "
                                         r"\(batch, units\) = \(3, 2\); received shape \(3, 3\)"):
        lstm(*args[:5], np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, time\) = \(3, 5\)"):
        lstm(*args, mask=mask[:, :4])
    with pytest.raises(ValueError, match="expects inputs of shape \\(batch, time, features\\)"):
        lstm(args[0][:, 0], *args[1:])
    with pytest.raises(ValueError, match="`activation` as one of"):
        lstm(*args, activation="elu")
    _, _, _, _, gargs, _, _ = _arguments("gru")
    with pytest.raises(ValueError, match=r"reset_after=False the bias must have shape \(6,\)"):
        gru(*gargs, reset_after=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_halves_on_two_threads_give_the_same_values_and_gradients(name, monkeypatch):
    from minikeras.ops.nn import batch_split, rnn as rnn_module

    monkeypatch.setattr(batch_split, "MIN_WORK", 0)  # split even this small, odd batch (2 + 1)
    monkeypatch.setattr(rnn_module, "MIN_SPLIT_STEP_SIZE", 0)
    fn, ref, gates, extra, args, mask, rng = _arguments(name, seed=6)
    kwargs = dict(mask=mask, return_sequences=True, go_backwards=True, **extra,
                  **_dropout(rng, "per_gate", gates))
    _same(fn(*args, **kwargs), ref(*args, **kwargs))
    check_grads(fn, *args, **kwargs)
    kwargs = dict(zero_output_for_mask=True, mask=mask, **extra)
    _same(fn(*args, **kwargs), ref(*args, **kwargs))
    check_grads(fn, *args, **kwargs)
