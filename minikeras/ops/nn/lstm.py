"""`lstm`: Keras's LSTM over a whole sequence, one traced node with a hand-written BPTT.

Per step, with Keras's gate order i, f, c, o in `kernel` `(features, 4 units)`,
`recurrent_kernel` `(units, 4 units)` and `bias` `(4 units,)`:

    z = x_t @ kernel + h @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_c)
    c = f * c + i * g;  h = o * activation(c)

Inside the primitive the gates are reordered (i, f, o, g; o, i, f, g on the fused path) so
the three gates with the recurrent activation are one contiguous block of rows. With Keras's
default activations (sigmoid gates, tanh), one `tanh` pass over all four blocks computes the
step's gates, using `sigmoid(z) = (1 + tanh(z / 2)) / 2` on weights whose sigmoid rows are
halved beforehand (an exact operation in binary floating point). Gradients are put back in
Keras's order. See rnn.py for the shared conventions (layout, masks, go_backwards, dropout
masks, batch halves).
"""

import functools

import numpy as np
from autograd.tracer import getval

from minikeras.ops.nn import buffers
from minikeras.ops.nn.rnn import (RecurrentForward, activate, as_float, carry_masked,
                                  check_activation, check_sequence, check_state, derivative,
                                  feature_major, feature_major_masks, first_computed, fused_inputs,
                                  prepare, previous_states, project_inputs, project_inputs_grads,
                                  project_state, project_state_backward, project_state_kernel_grad,
                                  recurrence, split_masked, state_cotangent, sum_bias, unpack)

_INTERNAL_ORDER = (0, 1, 3, 2)  # Keras's i, f, c, o -> i, f, o, g
# The fused path's: the sigmoid gates o, i, f are rows [0, 3 units) and the three blocks whose
# gradients are the cell's gradient times a factor (i, f, g) rows [units, 4 units).
_FUSED_ORDER = (3, 0, 1, 2)  # -> o, i, f, g


@functools.lru_cache(maxsize=16)
def _rows(units):
    """Keras's gate columns in the internal order (read-only, shared between calls)."""
    rows = np.concatenate([np.arange(g * units, (g + 1) * units) for g in _INTERNAL_ORDER])
    rows.flags.writeable = False
    return rows


@functools.lru_cache(maxsize=16)
def _blocks(order, units):
    """`[(internal rows, Keras columns)]` of a gate order as slices, neighbours merged: the
    reordering as two or three block copies instead of a gather."""
    blocks = []
    for i, g in enumerate(order):
        if blocks and blocks[-1][1].stop == g * units:
            blocks[-1] = (slice(blocks[-1][0].start, (i + 1) * units),
                          slice(blocks[-1][1].start, (g + 1) * units))
        else:
            blocks.append((slice(i * units, (i + 1) * units), slice(g * units, (g + 1) * units)))
    return tuple(blocks)


def _to_internal(a, blocks, out):
    """Writes the gate columns of `a` `(n, 4 units)` (or `(4 units,)`) into the rows of `out`
    `(4 units, n)` (or `(4 units,)`) in the internal order."""
    for rows, cols in blocks:
        np.copyto(out[rows], a[..., cols].T)
    return out


def _reorder_masks(masks):
    return masks[list(_INTERNAL_ORDER)] if masks is not None and len(masks) == 4 else masks


class LSTMPart:
    """`lstm` on one batch part (feature-major: states `(units, batch)`)."""

    def __init__(self, shared, x, states, mask, dropout_masks, recurrent_dropout_masks):
        self.shared = s = shared
        self.seq = seq = prepare(x, mask, s.go_backwards, s.dtype)
        self.dm = feature_major_masks(_reorder_masks(dropout_masks))
        self.rm = feature_major_masks(_reorder_masks(recurrent_dropout_masks))
        self.h0, self.c0 = h, c = feature_major(states[0]), feature_major(states[1])
        U = h.shape[0]
        z = project_inputs(seq.x, s.forward_kernel_t, s.forward_bias, self.dm)
        T, _, B = z.shape
        hs, cs, tcs = (np.empty((T, U, B), s.dtype) for _ in range(3))
        rec, ig = np.empty((4 * U, B), s.dtype), np.empty((U, B), s.dtype)
        act, ract, halved = s.activation, s.recurrent_activation, s.halved_sigmoid
        for t in range(T):
            zt = z[t]
            zt += project_state(h, s.forward_rk_t, self.rm, rec)
            gates = zt[:3 * U]
            if halved:  # sigmoid(z) = 0.5 + 0.5 tanh(z / 2): one tanh pass for the 4 blocks
                np.tanh(zt, out=zt)
                gates *= 0.5
                gates += 0.5
            else:
                activate(ract, gates)
                activate(act, zt[3 * U:])
            ct, tc, ht = cs[t], tcs[t], hs[t]
            np.multiply(zt[U:2 * U], c, out=ct)
            np.multiply(zt[:U], zt[3 * U:], out=ig)
            ct += ig
            activate(act, ct, tc)
            np.multiply(zt[2 * U:3 * U], tc, out=ht)
            if seq.keep is not None:
                carry_masked(seq.keep[t], ct, c)
                carry_masked(seq.keep[t], ht, h)
            h, c = ht, ct
        self.z, self.hs, self.cs, self.tcs = z, hs, cs, tcs
        self.output = s.outputs(hs, seq)
        self.finals = [hs[-1].T, cs[-1].T]

    def backward(self, g_output, g_states, argnums):
        s, seq, z, hs, cs, tcs = self.shared, self.seq, self.z, self.hs, self.cs, self.tcs
        act, ract, rk_t = s.activation, s.recurrent_activation, s.rk_t
        T, U, B = hs.shape
        g_seq, g_last = s.output_cotangents(g_output, seq)
        dh = state_cotangent(g_states[0], U, B, s.dtype)
        dc = state_cotangent(g_states[1], U, B, s.dtype)
        if g_last is not None:
            dh += g_last
        dz = np.empty_like(z)
        tmp, dct = np.empty((U, B), s.dtype), np.empty((U, B), s.dtype)
        for t in range(T - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            m = None if seq.mask is None else seq.mask[t]
            dh_in, dh_passed = split_masked(dh, m)
            dc_in, dc_passed = split_masked(dc, m)
            zt, dzt, tc = z[t], dz[t], tcs[t]
            c_prev = cs[t - 1] if t else self.c0
            derivative(ract, zt[:3 * U], dzt[:3 * U])  # i, f, o: a'(pre-activation)
            np.multiply(dh_in, tc, out=tmp)
            dzt[2 * U:3 * U] *= tmp  # output gate
            derivative(act, tc, dct)  # the cell: dc + dh * o * f'(c)
            dct *= zt[2 * U:3 * U]
            dct *= dh_in
            dct += dc_in
            dzt[:U] *= zt[3 * U:]  # input gate: dc * g
            dzt[U:2 * U] *= c_prev  # forget gate: dc * c_prev
            dzt[:2 * U].reshape(2, U, B)[...] *= dct
            dg = dzt[3 * U:]  # candidate: dc * i * f'(g)
            derivative(act, zt[3 * U:], dg)
            dg *= zt[:U]
            dg *= dct
            dc = dct * zt[U:2 * U]
            if dc_passed is not None:
                dc += dc_passed
            dh = project_state_backward(dzt, rk_t, self.rm)
            if dh_passed is not None:
                dh += dh_passed
        dx, dk = project_inputs_grads(seq.x, s.kernel_t, self.dm, dz, 0 in argnums,
                                      1 in argnums)
        grads = {0: None if dx is None else s.input_grad(dx), 1: dk, 4: dh.T, 5: dc.T}
        if 2 in argnums:
            grads[2] = project_state_kernel_grad(previous_states(self.h0, hs), rk_t, self.rm,
                                                 dz)
        if 3 in argnums:
            grads[3] = sum_bias(dz)
        return grads


class FusedLSTMPart:
    """`lstm` on one batch part with Keras's default activations (sigmoid gates, tanh) and no
    per-gate dropout: the course's LSTM, with the fewest NumPy calls per step.

    Gates in the order o, i, f, g. Each step is one product `W @ [h; x_t; 1]` of the weights
    `W = [R^T | K^T | b]` `(4 units, units + features + 1)` (sigmoid rows halved) with the
    stacked state, input and a row of ones, written straight into the step's gate buffer, then
    one `tanh` over the four gate blocks, the sigmoid's affine map in place, and the cell
    update as one product of `[i; f]` with `[g; c_prev]` (kept next to each other for it): 8
    calls per step forward. Backward, every factor that does not depend on the recurrence
    (the slopes times what each gate multiplies) is computed for all steps at once before the
    loop, which then does 5 calls and one product per step; all weight gradients are one
    product after it.

    Buffers (feature-major, `b` the part's batch): `hx` `(time + 1, units + features + 1, b)`
    holds `[h_{t-1}; x_t; 1]` at `t` (the last entry's state is the final `h`); `tt`
    `(time + 1, 5 units, b)` the gates o, i, f, g of step `t` then `c_{t-1}` (the last
    entry's cell is the final `c`); `tcs` `tanh(c_t)`. They come from the buffer pool and go
    back to it when the part is collected (after the backward pass), so the outputs are
    copies: writing each step's results into freshly allocated memory cost ~25 us per step
    (the first touch of every page and cache line), a third of the loop's elementwise time.
    """

    def __init__(self, shared, x, states, mask, dropout_masks, recurrent_dropout_masks):
        self.shared = s = shared
        seq, self.dm, xt = fused_inputs(s, x, mask, dropout_masks)  # xt copied into hx
        self.seq = seq
        T, D, B = xt.shape
        U = s.fused_w_backward_r.shape[0]
        hx, tt, tcs, products = buffers.lease_arrays(self, [
            (T + 1, U + D + 1, B), (T + 1, 5 * U, B), (T, U, B), (2 * U, B)], s.dtype)
        hx[:T, U:U + D] = xt if self.dm is None else xt * self.dm[0]
        hx[:, U + D] = 1
        hx[0, :U] = states[0].T
        tt[0, 4 * U:] = states[1].T
        w, keep = s.fused_w, seq.keep
        # Steps masked in every sequence of the part (the padding before the shortest sequence
        # starts) leave the states as they are: they are not computed, forward or backward.
        self.start = t0 = 0 if keep is None else first_computed(seq.mask)
        hx[1:t0 + 1, :U] = hx[0, :U]
        tt[1:t0 + 1, 4 * U:] = tt[0, 4 * U:]
        for t in range(t0, T):
            a = tt[t, :4 * U]
            np.dot(w, hx[t], out=a)
            np.tanh(a, out=a)
            gate = a[:3 * U]  # sigmoid(z) = 0.5 + 0.5 tanh(z / 2)
            gate *= 0.5
            gate += 0.5
            np.multiply(a[U:3 * U], tt[t, 3 * U:], out=products)  # [i * g; f * c_prev]
            c = tt[t + 1, 4 * U:]
            np.add(products[:U], products[U:], out=c)
            np.tanh(c, out=tcs[t])
            h = hx[t + 1, :U]
            np.multiply(a[:U], tcs[t], out=h)
            if keep is not None:
                np.copyto(c, tt[t, 4 * U:], where=keep[t])
                np.copyto(h, hx[t, :U], where=keep[t])
        self.hx, self.tt, self.tcs = hx, tt, tcs
        self.output = np.array(s.outputs(hx[1:, :U], seq))  # copies: the buffers are pooled
        self.finals = [np.array(hx[T, :U].T), np.array(tt[T, 4 * U:].T)]

    def backward(self, g_output, g_states, argnums):
        s, seq, hx, tt, tcs, t0 = self.shared, self.seq, self.hx, self.tt, self.tcs, self.start
        T, U, B = tcs.shape
        K = hx.shape[1]
        D = K - U - 1
        n = T - t0  # the steps computed
        g_seq, g_last = s.output_cotangents(g_output, seq)
        dh = state_cotangent(g_states[0], U, B, s.dtype)
        dc = state_cotangent(g_states[1], U, B, s.dtype)
        if g_last is not None:
            dh += g_last
        w_r = s.fused_w_backward_r
        shapes = [(n, 4 * U, B), (n, U, B), (U, B), (4 * U, n, B), (K, n, B), (n, U, B)]
        with buffers.scratch_arrays(shapes, s.dtype) as (da, dc_dh, dct, da_rows, hx_rows,
                                                          forget_passed):
            # The factors of every step at once: the slopes (sigmoid' = s (1 - s), tanh' =
            # 1 - g^2) times what each gate multiplies: o <- dh * tanh(c); i <- dc * g,
            # f <- dc * c_prev; g <- dc * i. And the cell gradient's share of dh:
            # o * (1 - tanh(c)^2).
            sig, g = tt[t0:T, :3 * U], tt[t0:T, 3 * U:4 * U]
            np.subtract(1, sig, out=da[:, :3 * U])
            da[:, :3 * U] *= sig
            np.multiply(g, g, out=da[:, 3 * U:])
            np.subtract(1, da[:, 3 * U:], out=da[:, 3 * U:])
            da[:, :U] *= tcs[t0:]
            da[:, U:3 * U] *= tt[t0:T, 3 * U:]
            da[:, 3 * U:] *= tt[t0:T, U:2 * U]
            np.multiply(tcs[t0:], tcs[t0:], out=dc_dh)
            np.subtract(1, dc_dh, out=dc_dh)
            dc_dh *= tt[t0:T, :U]
            forget, passed = tt[t0:T, 2 * U:3 * U], None
            if seq.mask is not None:
                # A masked step passes dh and dc through: its factors are 0 and its forget
                # gate 1, and dh adds its own value on the masked columns.
                m = seq.mask[t0:]
                passed = 1 - m
                da *= m
                dc_dh *= m
                forget = np.multiply(forget, m, out=forget_passed)
                forget += passed
            da_ifg = da[:, U:].reshape(n, 3, U, B)
            for t in range(T - 1, t0 - 1, -1):
                j = t - t0
                if g_seq is not None:
                    dh += g_seq[t]
                np.multiply(dh, dc_dh[j], out=dct)
                dct += dc
                da_ifg[j] *= dct
                da[j, :U] *= dh
                dc = dct * forget[j]
                dh_next = np.dot(w_r, da[j])
                if passed is not None:
                    dh_next += dh * passed[j]
                dh = dh_next
            if g_seq is not None and t0:
                dh += g_seq[:t0].sum(axis=0)
            # The operands of the weight-gradient product as `(rows, steps * b)` matrices,
            # copied into pooled scratch; the input gradient is then one product too (faster
            # than one per step on long sequences).
            np.copyto(da_rows, da.transpose(1, 0, 2))
            da_rows = da_rows.reshape(4 * U, n * B)
            grads = {4: dh.T, 5: dc.T}
            if 0 in argnums:
                dx = np.matmul(s.fused_w_backward_x, da_rows).reshape(D, n, B).transpose(1, 0, 2)
                if t0:
                    dx = np.concatenate([np.zeros((t0, D, B), s.dtype), dx])
                if self.dm is not None:
                    dx *= self.dm[0]
                grads[0] = s.input_grad(dx)
            if any(argnum in (1, 2, 3) for argnum in argnums):
                np.copyto(hx_rows, hx[t0:T].transpose(1, 0, 2))
                dw = np.matmul(da_rows, hx_rows.reshape(K, n * B).T)
                grads[1], grads[2], grads[3] = dw[:, U:U + D], dw[:, :U], dw[:, U + D]
        return grads


class LSTMForward(RecurrentForward):
    """The forward pass of `lstm` and what its backward pass needs."""

    name, n_states, part_class = "lstm", 2, LSTMPart

    def __init__(self, x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards,
                 return_sequences, zero_output_for_mask, activation, recurrent_activation,
                 dropout_masks, recurrent_dropout_masks):
        check_activation(activation, "activation")
        check_activation(recurrent_activation, "recurrent_activation")
        dtype = np.result_type(getval(x), getval(kernel))
        x, kernel, rk, bias, h0, c0 = (as_float(a, dtype) for a in (
            x, kernel, recurrent_kernel, bias, h0, c0))
        check_sequence(x, mask, self.name)
        U = rk.shape[0]
        check_state(h0, (x.shape[0], U), self.name, "h0")
        check_state(c0, (x.shape[0], U), self.name, "c0")
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.halved_sigmoid = recurrent_activation == "sigmoid" and activation == "tanh"
        if self.halved_sigmoid and recurrent_dropout_masks is None and (
                dropout_masks is None or len(dropout_masks) == 1):
            self.part_class = FusedLSTMPart
            self.blocks = blocks = _blocks(_FUSED_ORDER, U)
            D = kernel.shape[0]
            w = np.empty((4 * U, U + D + 1), dtype)  # [R^T | K^T | b], gates o, i, f, g
            # Sigmoid rows halved: sigmoid(z) = 0.5 + 0.5 tanh(z / 2).
            _to_internal(rk, blocks, w[:, :U])
            _to_internal(kernel, blocks, w[:, U:U + D])
            if bias is None:
                w[:, U + D] = 0
            else:
                _to_internal(bias, blocks, w[:, U + D])
            w[:3 * U] *= 0.5
            self.fused_w = w
            self._kernel = kernel
            self.fused_w_backward_r = _to_internal(rk, blocks, np.empty((4 * U, U), dtype)).T
        else:
            self.blocks = _blocks(_INTERNAL_ORDER, U)
            rows = _rows(U)
            self.kernel_t = np.ascontiguousarray(kernel.T[rows])
            self.rk_t = np.ascontiguousarray(rk.T[rows])
            self.bias = None if bias is None else bias[rows]
            self.forward_kernel_t, self.forward_rk_t, self.forward_bias = (
                self._halved(a) for a in (self.kernel_t, self.rk_t, self.bias))
        super().__init__(x, [h0, c0], mask, go_backwards, return_sequences,
                         zero_output_for_mask, as_float(dropout_masks, dtype),
                         as_float(recurrent_dropout_masks, dtype), dtype,
                         x.shape[0] * x.shape[1] * (kernel.shape[0] + U) * 4 * U)

    def _halved(self, a):
        """`a` with the rows of the sigmoid gates halved (exact), for the one-tanh forward."""
        if a is None or not self.halved_sigmoid:
            return a
        a = np.array(a)
        a[:3 * (len(a) // 4)] *= 0.5
        return a

    @functools.cached_property
    def fused_w_backward_x(self):
        """`(features, 4 units)`: the input gradient's weights of the fused path (made only
        when the input needs a gradient)."""
        U = self.fused_w.shape[0] // 4
        return _to_internal(self._kernel, self.blocks,
                            np.empty((4 * U, self._kernel.shape[0]), self.dtype)).T

    def weight_grad(self, argnum, grad):
        """The internal order's rows of `grad` back to Keras's gate columns."""
        out = np.empty(grad.shape[::-1], grad.dtype)
        for rows, cols in self.blocks:
            np.copyto(out[..., cols], grad[rows].T)
        return out


def lstm(x, kernel, recurrent_kernel, bias, h0, c0, mask=None, go_backwards=False,
         return_sequences=False, zero_output_for_mask=False, activation="tanh",
         recurrent_activation="sigmoid", dropout_masks=None, recurrent_dropout_masks=None):
    """Keras's LSTM over a whole sequence (see the module docstring).

    Args:
        x: `(batch, time, features)`.
        kernel: `(features, 4 units)`; recurrent_kernel: `(units, 4 units)`; bias:
            `(4 units,)` or None. Gate order i, f, c, o.
        h0, c0: the initial states `(batch, units)`.
        activation: default `'tanh'`; recurrent_activation: default `'sigmoid'`.
        mask, go_backwards, return_sequences, zero_output_for_mask, dropout_masks,
            recurrent_dropout_masks: see `minikeras/ops/nn/rnn.py`.

    Returns:
        `(output, h, c)`: the output and the final states.
    """
    forward = LSTMForward(x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards,
                          return_sequences, zero_output_for_mask, activation,
                          recurrent_activation, dropout_masks, recurrent_dropout_masks)
    return unpack(recurrence(x, kernel, recurrent_kernel, bias, h0, c0, forward=forward), 3)
