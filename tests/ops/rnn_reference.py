"""Step-by-step reference recurrences written from Keras's cell equations with autograd.numpy.

The primitives of `minikeras.ops.nn` (`lstm`, `gru`, `simple_rnn`) are checked against these:
one traced operation per step, masks applied as Keras 3's JAX backend applies them (a masked
step keeps every state and outputs the first state, or zeros with `zero_output_for_mask`),
dropout masks multiplying each gate's input / state. Slow and obviously right.
"""

import autograd.numpy as anp


def sig(x):
    return 1 / (1 + anp.exp(-x))


ACT = {"tanh": anp.tanh, "sigmoid": sig, "relu": lambda x: anp.maximum(x, 0),
       "linear": lambda x: x, "hard_sigmoid": lambda x: anp.clip(x + 3, 0, 6) / 6}


def run(step, x, states, mask, go_backwards, return_sequences, zero_output_for_mask):
    """Keras's loop: `step(x_t, states) -> (output, new_states)` over the time axis."""
    steps = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    outs = []
    for t in steps:
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
    """Gate `g`'s dropout mask (the shared one when there is one), or 1."""
    if masks is None:
        return 1.0
    return masks[g] if len(masks) > 1 else masks[0]


def columns(w, g, u):
    return w[..., g * u:(g + 1) * u]


def lstm_ref(x, k, rk, b, h0, c0, mask=None, go_backwards=False, return_sequences=False,
             zero_output_for_mask=False, activation="tanh", recurrent_activation="sigmoid",
             dropout_masks=None, recurrent_dropout_masks=None):
    u = rk.shape[0]
    a, ra = ACT[activation], ACT[recurrent_activation]

    def step(xt, states):
        h, c = states
        z = [anp.dot(xt * gate(dropout_masks, g), columns(k, g, u))
             + anp.dot(h * gate(recurrent_dropout_masks, g), columns(rk, g, u))
             + (0 if b is None else columns(b, g, u)) for g in range(4)]
        i, f, cc, o = ra(z[0]), ra(z[1]), a(z[2]), ra(z[3])
        c = f * c + i * cc
        h = o * a(c)
        return h, [h, c]

    return run(step, x, [h0, c0], mask, go_backwards, return_sequences, zero_output_for_mask)


def gru_ref(x, k, rk, b, h0, mask=None, go_backwards=False, return_sequences=False,
            zero_output_for_mask=False, activation="tanh", recurrent_activation="sigmoid",
            reset_after=True, dropout_masks=None, recurrent_dropout_masks=None):
    u = rk.shape[0]
    a, ra = ACT[activation], ACT[recurrent_activation]
    if b is None:
        input_bias = recurrent_bias = None
    else:
        input_bias, recurrent_bias = (b[0], b[1]) if reset_after else (b, None)

    def bias(v, g):
        return 0 if v is None else columns(v, g, u)

    def step(xt, states):
        h, = states
        xs = [anp.dot(xt * gate(dropout_masks, g), columns(k, g, u)) + bias(input_bias, g)
              for g in range(3)]
        hz, hr, hh_ = [h * gate(recurrent_dropout_masks, g) for g in range(3)]
        if reset_after:
            z = ra(xs[0] + anp.dot(hz, columns(rk, 0, u)) + bias(recurrent_bias, 0))
            r = ra(xs[1] + anp.dot(hr, columns(rk, 1, u)) + bias(recurrent_bias, 1))
            hh = a(xs[2] + r * (anp.dot(hh_, columns(rk, 2, u)) + bias(recurrent_bias, 2)))
        else:
            z = ra(xs[0] + anp.dot(hz, columns(rk, 0, u)))
            r = ra(xs[1] + anp.dot(hr, columns(rk, 1, u)))
            hh = a(xs[2] + anp.dot(r * hh_, columns(rk, 2, u)))
        h = z * h + (1 - z) * hh
        return h, [h]

    return run(step, x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask)


def simple_ref(x, k, rk, b, h0, mask=None, go_backwards=False, return_sequences=False,
               zero_output_for_mask=False, activation="tanh", dropout_masks=None,
               recurrent_dropout_masks=None):
    a = ACT[activation]

    def step(xt, states):
        h, = states
        h = a(anp.dot(xt * gate(dropout_masks, 0), k)
              + anp.dot(h * gate(recurrent_dropout_masks, 0), rk) + (0 if b is None else b))
        return h, [h]

    return run(step, x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask)
