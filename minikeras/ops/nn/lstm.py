"""`lstm`: Keras's LSTM over a whole sequence, one traced node with a hand-written BPTT.

Per step, with Keras's gate order i, f, c, o in `kernel` `(features, 4 units)`,
`recurrent_kernel` `(units, 4 units)` and `bias` `(4 units,)`:

    z = x_t @ kernel + h @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_c)
    c = f * c + i * g;  h = o * activation(c)

Inside the primitive the gate columns are reordered to i, f, o, c, so the three gates with the
recurrent activation are one contiguous block (one pass per step instead of two); gradients are
put back in Keras's order. See rnn.py for the shared conventions (masks, go_backwards,
dropout masks).
"""

import numpy as np

from minikeras.ops.nn.rnn import (activate, as_float, backprop_activation, carry_masked,
                                  check_activation, check_state, output_cotangents, outputs,
                                  prepare, previous_states, project_inputs,
                                  project_inputs_grads, project_state, project_state_backward,
                                  project_state_kernel_grad, recurrence, result_dtype,
                                  split_masked, sum_bias, time_major_to_batch, unpack)

_INTERNAL_ORDER = (0, 1, 3, 2)  # Keras's i, f, c, o -> i, f, o, c


def _columns(units):
    return np.concatenate([np.arange(g * units, (g + 1) * units) for g in _INTERNAL_ORDER])


def _reorder_masks(masks):
    return masks[list(_INTERNAL_ORDER)] if masks is not None and len(masks) == 4 else masks


class LSTMForward:
    """The forward pass of `lstm` and what its backward pass needs."""

    def __init__(self, x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards,
                 return_sequences, zero_output_for_mask, activation, recurrent_activation,
                 dropout_masks, recurrent_dropout_masks):
        check_activation(activation, "activation")
        check_activation(recurrent_activation, "recurrent_activation")
        dtype = result_dtype(x, kernel)
        x, kernel, rk, bias, h0, c0 = (as_float(a, dtype) for a in (
            x, kernel, recurrent_kernel, bias, h0, c0))
        seq = prepare(x, mask, go_backwards, dtype, "lstm")
        T, B, _ = seq.xt.shape
        U = rk.shape[0]
        check_state(h0, (B, U), "lstm", "h0")
        check_state(c0, (B, U), "lstm", "c0")
        cols = _columns(U)
        k, r = kernel[:, cols], rk[:, cols]
        dm = _reorder_masks(as_float(dropout_masks, dtype))
        rm = _reorder_masks(as_float(recurrent_dropout_masks, dtype))
        z = project_inputs(seq.xt, k, None if bias is None else bias[cols], dm)
        hs, cs, tcs = (np.empty((T, B, U), dtype) for _ in range(3))
        rec, ig = np.empty((B, 4 * U), dtype), np.empty((B, U), dtype)
        h, c = h0, c0
        with np.errstate(over="ignore"):
            for t in range(T):
                zt = z[t]
                zt += project_state(h, r, rm, rec)
                gates, cand = zt[:, :3 * U], zt[:, 3 * U:]
                activate(recurrent_activation, gates, gates)
                activate(activation, cand, cand)
                ct, tc, ht = cs[t], tcs[t], hs[t]
                np.multiply(zt[:, U:2 * U], c, out=ct)
                np.multiply(zt[:, :U], cand, out=ig)
                ct += ig
                activate(activation, ct, tc)
                np.multiply(zt[:, 2 * U:3 * U], tc, out=ht)
                if seq.keep is not None:
                    carry_masked(seq.keep[t], ct, c)
                    carry_masked(seq.keep[t], ht, h)
                h, c = ht, ct
        self.__dict__.update(
            seq=seq, cols=cols, k=k, r=r, has_bias=bias is not None, h0=h0, c0=c0, z=z, hs=hs,
            cs=cs, tcs=tcs, dm=dm, rm=rm, activation=activation,
            recurrent_activation=recurrent_activation, go_backwards=go_backwards,
            return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)
        self.result = (outputs(hs, seq, go_backwards, return_sequences, zero_output_for_mask),
                       hs[-1], cs[-1])

    def backward(self, g, argnums):
        seq, z, hs, cs, tcs, r = self.seq, self.z, self.hs, self.cs, self.tcs, self.r
        act, ract = self.activation, self.recurrent_activation
        T, B, U = hs.shape
        gy, gh, gc = g
        g_seq, g_last = output_cotangents(gy, T, B, U, seq, self.return_sequences,
                                          self.zero_output_for_mask, seq.dtype)
        dh = np.zeros((B, U), seq.dtype) if gh is None else np.array(gh, dtype=seq.dtype)
        dc = np.zeros((B, U), seq.dtype) if gc is None else np.array(gc, dtype=seq.dtype)
        if g_last is not None:
            dh += g_last
        dz = np.empty_like(z)
        for t in range(T - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            m = None if seq.mask is None else seq.mask[t]
            dh_in, dh_passed = split_masked(dh, m)
            dc_in, dc_passed = split_masked(dc, m)
            zt, dzt, tc = z[t], dz[t], tcs[t]
            c_prev = cs[t - 1] if t else self.c0
            np.multiply(dh_in, tc, out=dzt[:, 2 * U:3 * U])  # output gate
            dct = dh_in * zt[:, 2 * U:3 * U]
            backprop_activation(act, dct, tc)
            dct += dc_in
            np.multiply(dct, zt[:, 3 * U:], out=dzt[:, :U])  # input gate
            np.multiply(dct, c_prev, out=dzt[:, U:2 * U])  # forget gate
            np.multiply(dct, zt[:, :U], out=dzt[:, 3 * U:])  # candidate
            backprop_activation(ract, dzt[:, :3 * U], zt[:, :3 * U])
            backprop_activation(act, dzt[:, 3 * U:], zt[:, 3 * U:])
            dc = dct * zt[:, U:2 * U]
            if dc_passed is not None:
                dc += dc_passed
            dh = project_state_backward(dzt, r, self.rm)
            if dh_passed is not None:
                dh += dh_passed
        return self._grads(argnums, dz, dh, dc)

    def _unorder(self, grad, axis):
        out = np.empty_like(grad)
        if axis == 0:
            out[self.cols] = grad
        else:
            out[:, self.cols] = grad
        return out

    def _grads(self, argnums, dz, dh0, dc0):
        seq = self.seq
        dx, dk = project_inputs_grads(seq.xt, self.k, self.dm, dz, 0 in argnums, 1 in argnums)
        out = []
        for argnum in argnums:
            if argnum == 0:
                out.append(np.ascontiguousarray(time_major_to_batch(dx, self.go_backwards)))
            elif argnum == 1:
                out.append(self._unorder(dk, 1))
            elif argnum == 2:
                out.append(self._unorder(project_state_kernel_grad(
                    previous_states(self.h0, self.hs), self.r, self.rm, dz), 1))
            elif argnum == 3:
                out.append(self._unorder(sum_bias(dz), 0))
            elif argnum == 4:
                out.append(dh0)
            else:
                out.append(dc0)
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
