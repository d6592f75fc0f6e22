"""Step-by-step reference recurrences written from Keras's cell equations with autograd.numpy.

The primitives of `minikeras.ops.nn` (`lstm`, `gru`, `simple_rnn`) are checked against these:
one traced operation per step, masks applied as Keras 3's JAX backend applies them (a masked
step keeps every state and outputs the first state, or zeros with `zero_output_for_mask`),
dropout masks multiplying each gate's input / state. Slow and obviously right.
"""

import autograd.numpy as anp
import numpy as np



def sig(x):
    return 1 / (1 + anp.exp(-x))


ACT = {"tanh": anp.tanh, "sigmoid": sig, "relu": lambda x: anp.maximum(x, 0), "linear": lambda x: x,
       "hard_sigmoid": lambda x: anp.clip(x + 3, 0, 6) / 6}

def run(step, x, states, mask, go_backwards, return_sequences, zero_output_for_mask):
    T = x.shape[1]
    order = range(T - 1, -1, -1) if go_backwards else range(T)
    outs = []
    for t in order:
        out, new = step(x[:, t], states)
        if mask is not None:
            m = mask[:, t][:, None]
            out = anp.where(m, out, 0 * out if zero_output_for_mask else states[0])
            new = [anp.where(m, n, s) for n, s in zip(new, states)]
        states = new
        outs.append(out)
    y = anp.stack(outs, axis=1) if return_sequences else outs[-1]
    return (y, *states)

def gate(masks, g):
    if masks is None: return 1.0
    return masks[g] if len(masks) > 1 else masks[0]

def lstm_ref(x, k, rk, b, h0, c0, mask=None, go_backwards=False, return_sequences=False, zero_output_for_mask=False,
             activation="tanh", recurrent_activation="sigmoid", dropout_masks=None, recurrent_dropout_masks=None):
    u = rk.shape[0]; a, ra = ACT[activation], ACT[recurrent_activation]
    def step(xt, states):
        h, c = states
        zs = [anp.dot(xt * gate(dropout_masks, g), k[:, g*u:(g+1)*u]) + anp.dot(h * gate(recurrent_dropout_masks, g), rk[:, g*u:(g+1)*u])
              + (0 if b is None else b[g*u:(g+1)*u]) for g in range(4)]
        i, f, cc, o = ra(zs[0]), ra(zs[1]), a(zs[2]), ra(zs[3])
        c = f * c + i * cc
        h = o * a(c)
        return h, [h, c]
    return run(step, x, [h0, c0], mask, go_backwards, return_sequences, zero_output_for_mask)

def gru_ref(x, k, rk, b, h0, mask=None, go_backwards=False, return_sequences=False, zero_output_for_mask=False,
            activation="tanh", recurrent_activation="sigmoid", reset_after=True, dropout_masks=None, recurrent_dropout_masks=None):
    u = rk.shape[0]; a, ra = ACT[activation], ACT[recurrent_activation]
    if b is None: bi, br = 0, 0
    elif reset_after: bi, br = b[0], b[1]
    else: bi, br = b, None
    def sl(v, g): return 0 if (v is None or (isinstance(v, int))) else v[g*u:(g+1)*u]
    def step(xt, states):
        h, = states
        xs = [anp.dot(xt * gate(dropout_masks, g), k[:, g*u:(g+1)*u]) + sl(bi, g) for g in range(3)]
        hz, hr, hh_ = [h * gate(recurrent_dropout_masks, g) for g in range(3)]
        if reset_after:
            rz = anp.dot(hz, rk[:, :u]) + sl(br, 0); rr = anp.dot(hr, rk[:, u:2*u]) + sl(br, 1)
            z, r = ra(xs[0] + rz), ra(xs[1] + rr)
            hh = a(xs[2] + r * (anp.dot(hh_, rk[:, 2*u:]) + sl(br, 2)))
        else:
            z = ra(xs[0] + anp.dot(hz, rk[:, :u])); r = ra(xs[1] + anp.dot(hr, rk[:, u:2*u]))
            hh = a(xs[2] + anp.dot(r * hh_, rk[:, 2*u:]))
        h = z * h + (1 - z) * hh
        return h, [h]
    return run(step, x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask)

def simple_ref(x, k, rk, b, h0, mask=None, go_backwards=False, return_sequences=False, zero_output_for_mask=False,
               activation="tanh", dropout_masks=None, recurrent_dropout_masks=None):
    a = ACT[activation]
    def step(xt, states):
        h, = states
        h = a(anp.dot(xt * gate(dropout_masks, 0), k) + anp.dot(h * gate(recurrent_dropout_masks, 0), rk) + (0 if b is None else b))
        return h, [h]
    return run(step, x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask)
