"""`gru`: Keras's GRU over a whole sequence, one traced node with a hand-written BPTT.

Gate order z, r, h in `kernel` `(features, 3 units)` and `recurrent_kernel`
`(units, 3 units)`. Per step, with `a = recurrent_activation` and `f = activation`:

- `reset_after=True` (Keras 3's default; `bias` `(2, 3 units)`: input bias, recurrent bias):

      x = x_t @ kernel + bias[0];  p = h @ recurrent_kernel + bias[1]
      z = a(x_z + p_z);  r = a(x_r + p_r);  hh = f(x_h + r * p_h)

- `reset_after=False` (Keras 2.3's; `bias` `(3 units,)`):

      x = x_t @ kernel + bias
      z = a(x_z + h @ R_z);  r = a(x_r + h @ R_r);  hh = f(x_h + (r * h) @ R_h)

then `h = z * h + (1 - z) * hh`. See rnn.py for the shared conventions.
"""

import numpy as np

from minikeras.ops.nn.rnn import (activate, as_float, backprop_activation, carry_masked,
                                  check_activation, check_state, output_cotangents, outputs,
                                  prepare, previous_states, project_inputs,
                                  project_inputs_grads, project_state, project_state_backward,
                                  project_state_kernel_grad, recurrence, result_dtype,
                                  split_masked, sum_bias, time_major_to_batch, unpack)


def _check_bias(bias, units, reset_after):
    expected = (2, 3 * units) if reset_after else (3 * units,)
    if bias is not None and bias.shape != expected:
        raise ValueError(f"gru: with reset_after={reset_after} the bias must have shape "
                         f"{expected}; received shape {bias.shape}.")


class GRUForward:
    """The forward pass of `gru` and what its backward pass needs."""

    def __init__(self, x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                 return_sequences, zero_output_for_mask, activation, recurrent_activation,
                 reset_after, dropout_masks, recurrent_dropout_masks):
        check_activation(activation, "activation")
        check_activation(recurrent_activation, "recurrent_activation")
        dtype = result_dtype(x, kernel)
        x, kernel, rk, bias, h0 = (as_float(a, dtype) for a in (
            x, kernel, recurrent_kernel, bias, h0))
        seq = prepare(x, mask, go_backwards, dtype, "gru")
        T, B, _ = seq.xt.shape
        U = rk.shape[0]
        check_state(h0, (B, U), "gru", "h0")
        _check_bias(bias, U, reset_after)
        dm, rm = as_float(dropout_masks, dtype), as_float(recurrent_dropout_masks, dtype)
        self.__dict__.update(seq=seq, kernel=kernel, rk=rk, bias=bias, h0=h0, dm=dm, rm=rm,
                             activation=activation, recurrent_activation=recurrent_activation,
                             reset_after=reset_after, go_backwards=go_backwards,
                             return_sequences=return_sequences,
                             zero_output_for_mask=zero_output_for_mask)
        input_bias = bias if bias is None or not reset_after else bias[0]
        self.xp = project_inputs(seq.xt, kernel, input_bias, dm)  # becomes z, r, hh
        self.hs = np.empty((T, B, U), dtype)
        with np.errstate(over="ignore"):
            if reset_after:
                self._forward_reset_after()
            else:
                self._forward_reset_before()
        self.result = (outputs(self.hs, seq, go_backwards, return_sequences,
                               zero_output_for_mask), self.hs[-1])

    def _mix(self, t, h):
        """`h_t = hh + z * (h - hh)`, then the mask."""
        U = self.hs.shape[2]
        xt, ht = self.xp[t], self.hs[t]
        hh = xt[:, 2 * U:]
        np.subtract(h, hh, out=ht)
        ht *= xt[:, :U]
        ht += hh
        carry_masked(None if self.seq.keep is None else self.seq.keep[t], ht, h)
        return ht

    def _forward_reset_after(self):
        T, B, U = self.hs.shape
        act, ract = self.activation, self.recurrent_activation
        recurrent_bias = None if self.bias is None else self.bias[1]
        self.hp = np.empty_like(self.xp)  # h @ recurrent_kernel + recurrent bias, kept
        tmp = np.empty((B, U), self.seq.dtype)
        h = self.h0
        for t in range(T):
            xt, pt = self.xp[t], self.hp[t]
            project_state(h, self.rk, self.rm, pt)
            if recurrent_bias is not None:
                pt += recurrent_bias
            zr = xt[:, :2 * U]
            zr += pt[:, :2 * U]
            activate(ract, zr, zr)
            hh = xt[:, 2 * U:]
            np.multiply(xt[:, U:2 * U], pt[:, 2 * U:], out=tmp)
            hh += tmp
            activate(act, hh, hh)
            h = self._mix(t, h)

    def _split_recurrent(self):
        """`(R_zr, R_h, masks_zr, mask_h)` for reset_after=False."""
        U = self.rk.shape[0]
        rm = self.rm
        if rm is None:
            masks_zr = mask_h = None
        elif len(rm) == 1:
            masks_zr, mask_h = rm, rm[0]
        else:
            masks_zr, mask_h = rm[:2], rm[2]
        return (np.ascontiguousarray(self.rk[:, :2 * U]), np.ascontiguousarray(self.rk[:, 2 * U:]),
                masks_zr, mask_h)

    def _forward_reset_before(self):
        T, B, U = self.hs.shape
        act, ract = self.activation, self.recurrent_activation
        r_zr, r_h, masks_zr, mask_h = self._split_recurrent()
        self.rh = np.empty((T, B, U), self.seq.dtype)  # r * h, the input of R_h, kept
        tmp2, tmp = np.empty((B, 2 * U), self.seq.dtype), np.empty((B, U), self.seq.dtype)
        h = self.h0
        for t in range(T):
            xt = self.xp[t]
            zr = xt[:, :2 * U]
            zr += project_state(h, r_zr, masks_zr, tmp2)
            activate(ract, zr, zr)
            rh = self.rh[t]
            np.multiply(xt[:, U:2 * U], h, out=rh)
            if mask_h is not None:
                rh *= mask_h
            hh = xt[:, 2 * U:]
            hh += np.dot(rh, r_h, out=tmp)
            activate(act, hh, hh)
            h = self._mix(t, h)

    def backward(self, g, argnums):
        seq, hs = self.seq, self.hs
        T, B, U = hs.shape
        gy, gh = g
        g_seq, g_last = output_cotangents(gy, T, B, U, seq, self.return_sequences,
                                          self.zero_output_for_mask, seq.dtype)
        dh = np.zeros((B, U), seq.dtype) if gh is None else np.array(gh, dtype=seq.dtype)
        if g_last is not None:
            dh += g_last
        dxp = np.empty_like(self.xp)
        if self.reset_after:
            dhp = np.empty_like(self.xp)
            step = self._backward_step_reset_after
            extra = (dhp,)
        else:
            dhp = None
            step = self._backward_step_reset_before
            extra = self._split_recurrent()
        for t in range(T - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            dh_in, dh_passed = split_masked(dh, None if seq.mask is None else seq.mask[t])
            h_prev = hs[t - 1] if t else self.h0
            xt, dxt = self.xp[t], dxp[t]
            # z and the candidate's pre-activation, common to both conventions.
            np.subtract(h_prev, xt[:, 2 * U:], out=dxt[:, :U])
            dxt[:, :U] *= dh_in
            np.subtract(1, xt[:, :U], out=dxt[:, 2 * U:])
            dxt[:, 2 * U:] *= dh_in
            backprop_activation(self.activation, dxt[:, 2 * U:], xt[:, 2 * U:])
            dh = step(t, dxt, h_prev, dh_in, *extra)
            if dh_passed is not None:
                dh += dh_passed
        return self._grads(argnums, dxp, dhp, dh)

    def _backward_step_reset_after(self, t, dxt, h_prev, dh_in, dhp):
        U = self.hs.shape[2]
        xt, pt, dpt = self.xp[t], self.hp[t], dhp[t]
        np.multiply(dxt[:, 2 * U:], pt[:, 2 * U:], out=dxt[:, U:2 * U])  # reset gate
        backprop_activation(self.recurrent_activation, dxt[:, :2 * U], xt[:, :2 * U])
        dpt[:, :2 * U] = dxt[:, :2 * U]
        np.multiply(dxt[:, 2 * U:], xt[:, U:2 * U], out=dpt[:, 2 * U:])
        dh = dh_in * xt[:, :U]
        dh += project_state_backward(dpt, self.rk, self.rm)
        return dh

    def _backward_step_reset_before(self, t, dxt, h_prev, dh_in, r_zr, r_h, masks_zr, mask_h):
        U = self.hs.shape[2]
        xt = self.xp[t]
        drh = np.dot(dxt[:, 2 * U:], r_h.T)  # gradient of r * h (the input of R_h)
        h_h = h_prev if mask_h is None else h_prev * mask_h
        np.multiply(drh, h_h, out=dxt[:, U:2 * U])  # reset gate
        backprop_activation(self.recurrent_activation, dxt[:, :2 * U], xt[:, :2 * U])
        dh = dh_in * xt[:, :U]
        drh *= xt[:, U:2 * U]
        if mask_h is not None:
            drh *= mask_h
        dh += drh
        dh += project_state_backward(dxt[:, :2 * U], r_zr, masks_zr)
        return dh

    def _grads(self, argnums, dxp, dhp, dh0):
        seq, U = self.seq, self.hs.shape[2]
        dx, dk = project_inputs_grads(seq.xt, self.kernel, self.dm, dxp, 0 in argnums,
                                      1 in argnums)
        out = []
        for argnum in argnums:
            if argnum == 0:
                out.append(np.ascontiguousarray(time_major_to_batch(dx, self.go_backwards)))
            elif argnum == 1:
                out.append(dk)
            elif argnum == 2:
                prev = previous_states(self.h0, self.hs)
                if self.reset_after:
                    out.append(project_state_kernel_grad(prev, self.rk, self.rm, dhp))
                else:
                    r_zr, _, masks_zr, _ = self._split_recurrent()
                    dr = np.empty_like(self.rk)
                    dr[:, :2 * U] = project_state_kernel_grad(prev, r_zr, masks_zr,
                                                              dxp[:, :, :2 * U])
                    dr[:, 2 * U:] = np.dot(self.rh.reshape(-1, U).T,
                                           dxp[:, :, 2 * U:].reshape(-1, U))
                    out.append(dr)
            elif argnum == 3:
                out.append(np.stack([sum_bias(dxp), sum_bias(dhp)]) if self.reset_after
                           else sum_bias(dxp))
            else:
                out.append(dh0)
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
