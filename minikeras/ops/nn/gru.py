"""`gru`: Keras's GRU over a whole sequence, one traced node with a hand-written BPTT.

Gate order z, r, h in `kernel` `(features, 3 units)` and `recurrent_kernel`
`(units, 3 units)`. Per step, with `a = recurrent_activation` and `f = activation`:

- `reset_after=True` (Keras 3's default; `bias` `(2, 3 units)`: input bias, recurrent bias):

      x = x_t @ kernel + bias[0];  p = h @ recurrent_kernel + bias[1]
      z = a(x_z + p_z);  r = a(x_r + p_r);  hh = f(x_h + r * p_h)

- `reset_after=False` (Keras 2.3's; `bias` `(3 units,)`):

      x = x_t @ kernel + bias
      z = a(x_z + h @ R_z);  r = a(x_r + h @ R_r);  hh = f(x_h + (r * h) @ R_h)

then `h = z * h + (1 - z) * hh`. With Keras's defaults (`reset_after=True`, sigmoid gates,
tanh, no per-gate dropout) a fused path runs (`FusedGRUPart`, like the LSTM's); every other
setting runs `GRUPart`. See rnn.py for the shared conventions (layout, masks, go_backwards,
dropout masks, batch halves).
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


def _split_masks(masks):
    """Recurrent masks `(G, units, batch)` -> `(masks of z and r, mask of h)`."""
    if masks is None:
        return None, None
    if len(masks) == 1:
        return masks, masks[0]
    return masks[:2], masks[2]


class GRUPart:
    """`gru` on one batch part (feature-major: the state is `(units, batch)`)."""

    def __init__(self, shared, x, states, mask, dropout_masks, recurrent_dropout_masks):
        self.shared = s = shared
        self.seq = seq = prepare(x, mask, s.go_backwards, s.dtype)
        self.dm = feature_major_masks(dropout_masks)
        self.rm = feature_major_masks(recurrent_dropout_masks)
        self.h0 = feature_major(states[0])
        self.xp = project_inputs(seq.x, s.kernel_t, s.input_bias, self.dm)  # -> z, r, hh
        self.hs = np.empty((self.xp.shape[0],) + self.h0.shape, s.dtype)
        if s.reset_after:
            self._forward_reset_after()
        else:
            self._forward_reset_before()
        self.output = s.outputs(self.hs, seq)
        self.finals = [self.hs[-1].T]

    def _mix(self, t, h):
        """`h_t = hh + z * (h - hh)`, then the mask."""
        U = h.shape[0]
        xt, ht = self.xp[t], self.hs[t]
        hh = xt[2 * U:]
        np.subtract(h, hh, out=ht)
        ht *= xt[:U]
        ht += hh
        if self.seq.keep is not None:
            carry_masked(self.seq.keep[t], ht, h)
        return ht

    def _forward_reset_after(self):
        s = self.shared
        h = self.h0
        U = h.shape[0]
        self.hp = np.empty_like(self.xp)  # rk^T h + recurrent bias, kept
        tmp = np.empty_like(h)
        for t in range(self.xp.shape[0]):
            xt, pt = self.xp[t], self.hp[t]
            project_state(h, s.rk_t, self.rm, pt)
            if s.recurrent_bias is not None:
                pt += s.recurrent_bias[:, None]
            zr = xt[:2 * U]
            zr += pt[:2 * U]
            activate(s.recurrent_activation, zr)
            hh = xt[2 * U:]
            np.multiply(xt[U:2 * U], pt[2 * U:], out=tmp)
            hh += tmp
            activate(s.activation, hh)
            h = self._mix(t, h)

    def _forward_reset_before(self):
        s = self.shared
        h = self.h0
        U = h.shape[0]
        masks_zr, mask_h = _split_masks(self.rm)
        self.rh = np.empty_like(self.hs)  # r * h, the input of R_h, kept
        tmp2, tmp = np.empty((2 * U, h.shape[1]), s.dtype), np.empty_like(h)
        for t in range(self.xp.shape[0]):
            xt = self.xp[t]
            zr = xt[:2 * U]
            zr += project_state(h, s.rk_t[:2 * U], masks_zr, tmp2)
            activate(s.recurrent_activation, zr)
            rh = self.rh[t]
            np.multiply(xt[U:2 * U], h, out=rh)
            if mask_h is not None:
                rh *= mask_h
            hh = xt[2 * U:]
            hh += np.dot(s.rk_t[2 * U:], rh, out=tmp)
            activate(s.activation, hh)
            h = self._mix(t, h)

    def backward(self, g_output, g_states, argnums):
        s, seq, hs, xp = self.shared, self.seq, self.hs, self.xp
        T, U, B = hs.shape
        g_seq, g_last = s.output_cotangents(g_output, seq)
        dh = state_cotangent(g_states[0], U, B, s.dtype)
        if g_last is not None:
            dh += g_last
        dxp = np.empty_like(xp)
        dhp = np.empty_like(xp) if s.reset_after else None
        masks_zr, mask_h = _split_masks(self.rm)
        for t in range(T - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            dh_in, dh_passed = split_masked(dh, None if seq.mask is None else seq.mask[t])
            h_prev = hs[t - 1] if t else self.h0
            xt, dxt = xp[t], dxp[t]
            # The update gate and the candidate's pre-activation, common to both conventions.
            np.subtract(h_prev, xt[2 * U:], out=dxt[:U])
            dxt[:U] *= dh_in
            dhh = dxt[2 * U:]
            derivative(s.activation, xt[2 * U:], dhh)
            dhh *= dh_in
            dhh *= 1 - xt[:U]
            if s.reset_after:
                dh = self._step_reset_after(t, dxt, dh_in, dhp[t])
            else:
                dh = self._step_reset_before(t, dxt, h_prev, dh_in, masks_zr, mask_h)
            if dh_passed is not None:
                dh += dh_passed
        dx, dk = project_inputs_grads(seq.x, s.kernel_t, self.dm, dxp, 0 in argnums,
                                      1 in argnums)
        grads = {0: None if dx is None else s.input_grad(dx), 1: dk, 4: dh.T}
        if 2 in argnums:
            prev = previous_states(self.h0, hs)
            if s.reset_after:
                grads[2] = project_state_kernel_grad(prev, s.rk_t, self.rm, dhp)
            else:
                grads[2] = np.concatenate([
                    project_state_kernel_grad(prev, s.rk_t[:2 * U], masks_zr, dxp[:, :2 * U]),
                    np.tensordot(dxp[:, 2 * U:], self.rh, axes=([0, 2], [0, 2]))])
        if 3 in argnums:
            grads[3] = (np.stack([sum_bias(dxp), sum_bias(dhp)]) if s.reset_after
                        else sum_bias(dxp))
        return grads

    def _step_reset_after(self, t, dxt, dh_in, dpt):
        s = self.shared
        U = dh_in.shape[0]
        xt, pt = self.xp[t], self.hp[t]
        np.multiply(dxt[2 * U:], pt[2 * U:], out=dxt[U:2 * U])  # reset gate
        zr = dxt[:2 * U]
        zr *= derivative(s.recurrent_activation, xt[:2 * U], dpt[:2 * U])
        dpt[:2 * U] = zr
        np.multiply(dxt[2 * U:], xt[U:2 * U], out=dpt[2 * U:])
        dh = dh_in * xt[:U]
        dh += project_state_backward(dpt, s.rk_t, self.rm)
        return dh

    def _step_reset_before(self, t, dxt, h_prev, dh_in, masks_zr, mask_h):
        s = self.shared
        U = dh_in.shape[0]
        xt = self.xp[t]
        drh = np.dot(s.rk_t[2 * U:].T, dxt[2 * U:])  # gradient of r * h (the input of R_h)
        h_h = h_prev if mask_h is None else h_prev * mask_h
        np.multiply(drh, h_h, out=dxt[U:2 * U])  # reset gate
        zr = dxt[:2 * U]
        zr *= derivative(s.recurrent_activation, xt[:2 * U], np.empty_like(zr))
        dh = dh_in * xt[:U]
        drh *= xt[U:2 * U]
        if mask_h is not None:
            drh *= mask_h
        dh += drh
        dh += project_state_backward(zr, s.rk_t[:2 * U], masks_zr)
        return dh


class FusedGRUPart:
    """`gru` on one batch part with Keras's defaults (`reset_after=True`, sigmoid gates, tanh)
    and no per-gate dropout: the course's GRU, with the fewest NumPy calls per step.

    The inputs' share of every step is one product before the loop, `W_x @ [1; x_t]` with
    `W_x = [b_x | K^T]` `(3 units, features + 1)`, rows h, z, r; each step is then one product
    `W_r @ [h; 1]` with `W_r = [R^T | b_r]` `(3 units, units + 1)`, rows z, r, `p_h`, written
    straight into the step's gate buffer. The biases: z and r take `b0 + b1` in `b_x`, the
    candidate `b0_h` in `b_x` and `b1_h` in `b_r` (it is multiplied by r). The rows of z and r
    are halved (exact) for `sigmoid(a) = (1 + tanh(a / 2)) / 2`: one `tanh` over both and the
    affine map in place; then `hh = tanh(x_h + r * p_h)` and `h = hh + z * (h_prev - hh)`:
    11 calls per step. Unlike the LSTM's, the step's product cannot take `x_t` too without
    zero blocks (`x_h` and `p_h` need separate rows): on one BLAS thread that `(4 units, units
    + 1 + features)` product took 33 us per step of the course's GRU, against 15 us for
    `W_r`'s plus 7 us for its share of the batched projection.

    Backward, `dh` times a factor gives every block's gradient: `hh` `(1 - z)(1 - hh^2)`, z
    `(h_prev - hh) z (1 - z)`, r that of `hh` times `p_h r (1 - r)`, `p_h` that of `hh`
    times r; a fifth block, z, is the share of `dh` that reaches `h_prev` directly. These
    factors are computed for all steps before the loop, which then does 3 calls per step
    (the product by `dh`, the recurrent product, the direct share). After it, the input
    gradient is one product and the weight gradients two: rows h, z, r by `[1; x]` (`[db_x |
    dK^T]`) and rows z, r, `p_h` by `[h; 1]` (`[dR^T | db_r]`).

    Buffers (feature-major, `b` the part's batch): `hx` `(time + 1, units + 1 + features,
    b)` holds `[h_{t-1}; 1; x_t]` at `t` (the last entry's state is the final `h`), so that
    `[h; 1]` and `[1; x]` are both contiguous blocks; `xp` `(time, 3 units, b)` the inputs'
    share (rows h, z, r); `gates` `(time, 4 units, b)` the blocks hh, z, r, `p_h` of each
    step. They come from the buffer pool and go back to it when the part is collected (after
    the backward pass), so the outputs are copies.
    """

    def __init__(self, shared, x, states, mask, dropout_masks, recurrent_dropout_masks):
        self.shared = s = shared
        seq, self.dm, xt = fused_inputs(s, x, mask, dropout_masks)  # xt copied into hx
        self.seq = seq
        T, D, B = xt.shape
        U = s.fused_rk.shape[0]
        hx, xp, gates, rp = buffers.lease_arrays(self, [
            (T + 1, U + 1 + D, B), (T, 3 * U, B), (T, 4 * U, B), (U, B)], s.dtype)
        hx[:T, U + 1:] = xt if self.dm is None else xt * self.dm[0]
        hx[:, U] = 1
        hx[0, :U] = states[0].T
        wr, keep = s.fused_wr, seq.keep
        # Steps masked in every sequence of the part (the padding before the shortest sequence
        # starts) leave the state as it is: they are not computed, forward or backward.
        self.start = t0 = 0 if keep is None else first_computed(seq.mask)
        hx[1:t0 + 1, :U] = hx[0, :U]
        np.matmul(s.fused_wx, hx[t0:T, U:], out=xp[t0:])
        for t in range(t0, T):
            a = gates[t]
            np.dot(wr, hx[t, :U + 1], out=a[U:])
            zr = a[U:3 * U]  # sigmoid(a) = 0.5 + 0.5 tanh(a / 2), the rows halved
            zr += xp[t, U:]
            np.tanh(zr, out=zr)
            zr *= 0.5
            zr += 0.5
            np.multiply(a[2 * U:3 * U], a[3 * U:], out=rp)
            hh = a[:U]
            np.add(xp[t, :U], rp, out=hh)
            np.tanh(hh, out=hh)
            h = hx[t + 1, :U]
            np.subtract(hx[t, :U], hh, out=h)
            h *= a[U:2 * U]
            h += hh
            if keep is not None:
                np.copyto(h, hx[t, :U], where=keep[t])
        self.hx, self.gates = hx, gates
        self.output = np.array(s.outputs(hx[1:, :U], seq))  # copies: the buffers are pooled
        self.finals = [np.array(hx[T, :U].T)]

    def backward(self, g_output, g_states, argnums):
        s, seq, hx, gates, t0 = self.shared, self.seq, self.hx, self.gates, self.start
        T, U4, B = gates.shape
        U, K = U4 // 4, hx.shape[1]
        D = K - U - 1
        n = T - t0  # the steps computed
        g_seq, g_last = s.output_cotangents(g_output, seq)
        dh = state_cotangent(g_states[0], U, B, s.dtype)
        if g_last is not None:
            dh += g_last
        with buffers.scratch_arrays([(n, 5 * U, B), (4 * U, n, B), (K, n, B)],
                                    s.dtype) as (da, da_rows, hx_rows):
            hh, z, r = gates[t0:, :U], gates[t0:, U:2 * U], gates[t0:, 2 * U:3 * U]
            f_hh, f_z, f_r, f_p, f_h = (da[:, i * U:(i + 1) * U] for i in range(5))
            np.subtract(1, z, out=f_h)  # 1 - z until the end
            np.multiply(hh, hh, out=f_hh)
            np.subtract(1, f_hh, out=f_hh)
            f_hh *= f_h
            np.subtract(hx[t0:T, :U], hh, out=f_z)
            f_z *= z
            f_z *= f_h
            np.multiply(f_hh, r, out=f_p)
            np.subtract(1, r, out=f_r)
            f_r *= f_p
            f_r *= gates[t0:, 3 * U:]
            np.copyto(f_h, z)
            if seq.mask is not None:
                # A masked step passes dh through: its factors are 0 and its direct share 1.
                m = seq.mask[t0:]
                da[:, :4 * U] *= m
                f_h *= m
                f_h += 1 - m
            blocks = da.reshape(n, 5, U, B)
            rk = s.fused_rk
            for t in range(T - 1, t0 - 1, -1):
                j = t - t0
                if g_seq is not None:
                    dh += g_seq[t]
                blocks[j] *= dh
                dh_next = np.dot(rk, da[j, U:4 * U])
                dh_next += f_h[j]
                dh = dh_next
            if g_seq is not None and t0:
                dh += g_seq[:t0].sum(axis=0)
            # The operands of the products as `(rows, steps * b)` matrices, copied into pooled
            # scratch: the gradients of the inputs' share are rows [0, 3 units) (h, z, r),
            # those of the recurrent share rows [units, 4 units) (z, r, p_h).
            np.copyto(da_rows, da[:, :4 * U].transpose(1, 0, 2))
            da_rows = da_rows.reshape(4 * U, n * B)
            grads = {4: dh.T}
            if 0 in argnums:
                dx = np.matmul(s.fused_kernel_x, da_rows[:3 * U])
                dx = dx.reshape(D, n, B).transpose(1, 0, 2)
                if t0:
                    dx = np.concatenate([np.zeros((t0, D, B), s.dtype), dx])
                if self.dm is not None:
                    dx *= self.dm[0]
                grads[0] = s.input_grad(dx)
            if any(argnum in (1, 2, 3) for argnum in argnums):
                np.copyto(hx_rows, hx[t0:T].transpose(1, 0, 2))
                hx_rows = hx_rows.reshape(K, n * B)
                dwx = np.matmul(da_rows[:3 * U], hx_rows[U:].T)  # [db_x | dK^T], rows h, z, r
                dwr = np.matmul(da_rows[U:], hx_rows[:U + 1].T)  # [dR^T | db_r], rows z, r, h
                grads[1], grads[2] = dwx[:, 1:], dwr[:, :U]
                grads[3] = np.concatenate([dwx[:, 0], dwr[:, U]])
        return grads


class GRUForward(RecurrentForward):
    """The forward pass of `gru` and what its backward pass needs."""

    name, n_states, part_class = "gru", 1, GRUPart

    def __init__(self, x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                 return_sequences, zero_output_for_mask, activation, recurrent_activation,
                 reset_after, dropout_masks, recurrent_dropout_masks):
        check_activation(activation, "activation")
        check_activation(recurrent_activation, "recurrent_activation")
        dtype = np.result_type(getval(x), getval(kernel))
        x, kernel, rk, bias, h0 = (as_float(a, dtype) for a in (
            x, kernel, recurrent_kernel, bias, h0))
        check_sequence(x, mask, self.name)
        U = rk.shape[0]
        check_state(h0, (x.shape[0], U), self.name, "h0")
        expected = (2, 3 * U) if reset_after else (3 * U,)
        if bias is not None and bias.shape != expected:
            raise ValueError(f"gru: with reset_after={reset_after} the bias must have shape "
                             f"{expected}; received shape {bias.shape}.")
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.reset_after = reset_after
        self.fused = (reset_after and recurrent_activation == "sigmoid" and activation == "tanh"
                      and recurrent_dropout_masks is None
                      and (dropout_masks is None or len(dropout_masks) == 1))
        if self.fused:
            self.part_class = FusedGRUPart
            self._kernel = kernel
            self.fused_wx, self.fused_wr = self._fused_weights(kernel, rk, bias)
            self.fused_rk = rk  # the backward product's: Keras's columns z, r, h
        else:
            self.kernel_t, self.rk_t = feature_major(kernel), feature_major(rk)
            self.input_bias = bias[0] if bias is not None and reset_after else bias
            self.recurrent_bias = bias[1] if bias is not None and reset_after else None
        super().__init__(x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask,
                         as_float(dropout_masks, dtype), as_float(recurrent_dropout_masks, dtype),
                         dtype, x.shape[0] * x.shape[1] * (kernel.shape[0] + U) * 3 * U)

    @staticmethod
    def _fused_weights(kernel, rk, bias):
        """`(W_x, W_r)` of `FusedGRUPart`: `[b_x | K^T]` rows h, z, r and `[R^T | b_r]` rows
        z, r, h."""
        D, U = kernel.shape[0], rk.shape[0]
        wx = np.zeros((3 * U, D + 1), kernel.dtype)
        wr = np.zeros((3 * U, U + 1), kernel.dtype)
        wx[:U, 1:] = kernel[:, 2 * U:].T
        wx[U:, 1:] = kernel[:, :2 * U].T
        wr[:, :U] = rk.T
        if bias is not None:
            wx[:U, 0] = bias[0, 2 * U:]
            np.add(bias[0, :2 * U], bias[1, :2 * U], out=wx[U:, 0])
            wr[2 * U:, U] = bias[1, 2 * U:]
        # sigmoid(a) = 0.5 + 0.5 tanh(a / 2); halving is exact.
        wx[U:] *= 0.5
        wr[:2 * U] *= 0.5
        return wx, wr

    @functools.cached_property
    def fused_kernel_x(self):
        """`(features, 3 units)`: the input gradient's weights of the fused path, columns h,
        z, r (made only when the input needs a gradient)."""
        U = self._kernel.shape[1] // 3
        return np.concatenate([self._kernel[:, 2 * U:], self._kernel[:, :2 * U]], axis=1)

    def weight_grad(self, argnum, grad):
        """The parts' summed gradient of weight `argnum` in Keras's layout."""
        if not self.fused:
            return grad.T if argnum in (1, 2) else grad
        U = grad.shape[0] // (6 if argnum == 3 else 3)
        if argnum == 1:  # rows h, z, r -> columns z, r, h
            return np.concatenate([grad[U:].T, grad[:U].T], axis=1)
        if argnum == 2:  # rows z, r, h
            return grad.T
        # `[db_x (rows h, z, r); db_r (rows z, r, h)]`: z and r take their two biases as one
        # sum, so each gets its gradient.
        out = np.empty((2, 3 * U), grad.dtype)
        out[0, :2 * U], out[0, 2 * U:], out[1] = grad[U:3 * U], grad[:U], grad[3 * U:]
        return out


def gru(x, kernel, recurrent_kernel, bias, h0, mask=None, go_backwards=False,
        return_sequences=False, zero_output_for_mask=False, activation="tanh",
        recurrent_activation="sigmoid", reset_after=True, dropout_masks=None,
        recurrent_dropout_masks=None):
    """Keras's GRU over a whole sequence (see the module docstring).

    Args:
        x: `(batch, time, features)`.
        kernel: `(features, 3 units)`; recurrent_kernel: `(units, 3 units)`; bias:
            `(2, 3 units)` with `reset_after=True` (default), `(3 units,)` without, or None.
        h0: the initial state `(batch, units)`.
        activation: default `'tanh'`; recurrent_activation: default `'sigmoid'`.
        mask, go_backwards, return_sequences, zero_output_for_mask, dropout_masks,
            recurrent_dropout_masks: see `minikeras/ops/nn/rnn.py`.

    Returns:
        `(output, h)`: the output and the final state.
    """
    forward = GRUForward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                         return_sequences, zero_output_for_mask, activation,
                         recurrent_activation, reset_after, dropout_masks,
                         recurrent_dropout_masks)
    return unpack(recurrence(x, kernel, recurrent_kernel, bias, h0, forward=forward), 2)
