"""The fused LSTM path's own cases (Keras's default activations, no per-gate dropout): steps
masked in every sequence before the first computed one are skipped, forward and backward; its
step buffers come from the pool, so what it returns must never share their memory."""

import gc
import itertools

import numpy as np
import pytest

from minikeras.ops.nn import buffers, lstm
from tests.ops.gradcheck import check_grads
from tests.ops.rnn_reference import lstm_ref

B, T, D, U = 3, 6, 4, 2


@pytest.mark.parametrize("go_backwards, return_sequences, zero_output",
                         list(itertools.product([False, True], repeat=3)))
def test_leading_steps_masked_in_every_sequence(go_backwards, return_sequences, zero_output):
    rng = np.random.default_rng(0)
    args = [rng.normal(size=s) * 0.5 for s in [(B, T, D), (D, 4 * U), (U, 4 * U), (4 * U,),
                                                (B, U), (B, U)]]
    mask = np.array([[0, 0, 1, 1, 0, 1], [0, 0, 0, 1, 1, 1], [0, 0, 1, 0, 1, 1]], bool)
    if go_backwards:  # the same steps first in processing order
        mask = mask[:, ::-1]
    kwargs = dict(mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                  zero_output_for_mask=zero_output)
    got, want = lstm(*args, **kwargs), lstm_ref(*args, **kwargs)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    check_grads(lstm, *args, **kwargs)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_outputs_keep_their_values_when_the_buffers_are_reused(return_sequences):
    buffers.clear()
    rng = np.random.default_rng(1)
    shapes = [(64, 28, 28), (28, 256), (64, 256), (256,), (64, 64), (64, 64)]  # MiBs of buffers

    def call():
        args = [rng.normal(size=s).astype(np.float32) * 0.5 for s in shapes]
        return lstm(*args, return_sequences=return_sequences)

    first = call()
    kept = [np.array(a) for a in first]
    gc.collect()  # the first call's parts are collected: their buffers go back to the pool
    second = call()  # and this call takes them
    assert not any(np.array_equal(a, b) for a, b in zip(kept, second))
    for a, b in zip(first, kept):
        np.testing.assert_array_equal(a, b)
