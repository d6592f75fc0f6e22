"""`gru`: Keras's GRU over a whole sequence, one traced node with a hand-written BPTT.

Gate order z, r, h in `kernel` `(features, 3 units)` and `recurrent_kernel`
`(units, 3 units)`. Per step, with `a = recurrent_activation` and `f = activation`:

- `reset_after=True` (Keras 3's default; `bias` `(2, 3 units)`: input bias, recurrent bias):

      x = x_t @ kernel + bias[0];  p = h @ recurrent_kernel + bias[1]
      z = a(x_z + p_z);  r = a(x_r + p_r);  hh = f(x_h + r * p_h)

- `reset_after=False` (Keras 2.3's; `bias` `(3 units,)`):

      x = x_t @ kernel + bias
      z = a(x_z + h @ R_z);  r = a(x_r + h @ R_r);  hh = f(x_h + (r * h) @ R_h)

then `h = z * h + (1 - z) * hh`. See rnn.py for the shared conventions (layout, masks,
go_backwards, dropout masks, batch halves).
"""

import numpy as np
from autograd.tracer import getval

from minikeras.ops.nn.rnn import (RecurrentForward, activate, as_float, carry_masked,
                                  check_activation, check_sequence, check_state, derivative,
                                  feature_major, feature_major_masks, prepare, previous_states,
                                  project_inputs, project_inputs_grads, project_state,
                                  project_state_backward, project_state_kernel_grad, recurrence,
                                  split_masked, state_cotangent, sum_bias, unpack)


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
        self.kernel_t, self.rk_t = feature_major(kernel), feature_major(rk)
        self.input_bias = bias[0] if bias is not None and reset_after else bias
        self.recurrent_bias = bias[1] if bias is not None and reset_after else None
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.reset_after = reset_after
        super().__init__(x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask,
                         as_float(dropout_masks, dtype), as_float(recurrent_dropout_masks, dtype),
                         dtype, x.shape[0] * x.shape[1] * (kernel.shape[0] + U) * 3 * U)

    def weight_grad(self, argnum, grad):
        return grad.T if argnum in (1, 2) else grad


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
