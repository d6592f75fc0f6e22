"""Recurrent primitives: a whole sequence through a recurrent cell as one traced node.

`simple_rnn` (here), `lstm` (lstm.py) and `gru` (gru.py) each run the recurrence over every
time step in NumPy and register one hand-written backward pass through time (BPTT):

- the input projection of all time steps is one matrix product before the loop
  (`(time * batch, in) @ (in, gates * units)`), so the loop does one small product per step;
- the forward pass keeps the activated gates, cell states and outputs of every step (in
  preallocated time-major buffers), so the backward pass derives every factor from them;
- after the backward loop, the kernel, recurrent-kernel and bias gradients are one product
  (or one sum) each over all time steps, not one per step.

Each primitive is a plain function that runs the forward pass on the raw values, then hands
the kept arrays (a `Forward`) to a traced node whose VJP reads them: what the VJP keeps is
what the contract of `minikeras.ops.nn` allows (arrays derived from the inputs in the forward
pass), and nothing outlives the step.

Conventions shared by the three primitives, which are Keras 3's:

- `x` is `(batch, time, features)`; `kernel` is `(features, gates * units)` and
  `recurrent_kernel` `(units, gates * units)` with Keras's gate order; states are
  `(batch, units)` and differentiable (initial states given to a layer get gradients).
- `go_backwards` reads the sequence from its last step; the returned sequence is in that
  processing order (Keras does not flip it back), and `mask` is read in the same order.
- `mask`: see the mask contract in `minikeras/ops/nn/__init__.py` (point 5).
- `zero_output_for_mask`: masked steps output zeros instead of the carried output (the
  states are carried either way); `Bidirectional` sets it when returning sequences.
- `dropout_masks` / `recurrent_dropout_masks`: `(G, batch, features)` / `(G, batch, units)`
  arrays of `0` or `1 / (1 - rate)`, fixed over time (Keras's masks): `G = 1` multiplies
  the input (state) of every gate by the same mask; `G = gates` gives each gate its own, as
  Keras's LSTM and GRU cells do once `recurrent_dropout > 0`. They are constants: no
  gradient flows to them.
- `activation` / `recurrent_activation` are names from `ACTIVATIONS` (those whose derivative
  is a function of their output); layers with other activations run a traced loop instead.

Every primitive returns a tuple `(output, *final_states)`, `output` being `(batch, time,
units)` with `return_sequences`, else `(batch, units)`.
"""

import collections

import numpy as np
from autograd.extend import defvjp_argnums, primitive
from autograd.tracer import getval

from minikeras.ops.nn.bias_activation import bias_gradient

# name -> (forward(a, out): out = f(a), may be in place; derivative(y): f'(x) from y = f(x)).
ACTIVATIONS = {}


def _activation(name):
    def register(pair):
        ACTIVATIONS[name] = pair
        return pair
    return register


def _sigmoid(a, out):
    # 1 / (1 + exp(-a)); exp overflows to inf for a < -88 (float32), giving exactly 0, as the
    # callers run under np.errstate(over="ignore").
    np.negative(a, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _sigmoid_derivative(y):
    d = 1 - y
    d *= y
    return d


def _tanh_derivative(y):
    d = y * y
    return np.subtract(1, d, out=d)


def _hard_sigmoid(a, out):
    # Keras 3's relu6(a + 3) / 6 (Keras 2's clip(0.2 a + 0.5, 0, 1) is another function).
    np.add(a, 3, out=out)
    np.clip(out, 0, 6, out=out)
    return np.divide(out, 6, out=out)


def _copy(a, out):
    if out is not a:
        np.copyto(out, a)
    return out


ACTIVATIONS.update({
    "tanh": (lambda a, out: np.tanh(a, out=out), _tanh_derivative),
    "sigmoid": (_sigmoid, _sigmoid_derivative),
    "relu": (lambda a, out: np.maximum(a, 0, out=out), lambda y: (y > 0).astype(y.dtype)),
    "linear": (_copy, lambda y: np.ones_like(y)),
    "hard_sigmoid": (_hard_sigmoid,
                     lambda y: (((y > 0) & (y < 1)) / np.asarray(6, y.dtype)).astype(y.dtype)),
})


def activate(name, a, out):
    """Writes `f(a)` into `out` (which may be `a`) for the activation called `name`."""
    return ACTIVATIONS[name][0](a, out)


def backprop_activation(name, g, y):
    """Multiplies `g` (an array this module allocated) in place by `f'` taken from `y = f(x)`."""
    if name != "linear":
        g *= ACTIVATIONS[name][1](y)
    return g


def check_activation(name, argument):
    if name not in ACTIVATIONS:
        raise ValueError(f"The recurrent primitives take `{argument}` as one of "
                         f"{sorted(ACTIVATIONS)}; received {name!r}.")


# ----------------------------------------------------------------------------- sequences
Sequence = collections.namedtuple("Sequence", ["xt", "mask", "keep", "dtype"])
Sequence.__doc__ = """A batch prepared for a recurrence: `xt` the input, time-major `(time,
batch, features)` in processing order; `mask` `(time, batch, 1)` of the dtype (1 where a step
is computed, 0 where it is skipped) and `keep` its boolean complement, or None without a mask."""


def prepare(x, mask, go_backwards, dtype, name):
    """The time-major input (and mask) in processing order, with Keras's checks."""
    if x.ndim != 3:
        raise ValueError(f"{name} expects inputs of shape (batch, time, features); received "
                         f"shape {x.shape}.")
    if x.shape[1] == 0:
        raise ValueError(f"{name} received a sequence of 0 time steps (input shape {x.shape}).")
    xt = x.transpose(1, 0, 2)
    if go_backwards:
        xt = xt[::-1]
    xt = np.ascontiguousarray(xt, dtype=dtype)
    if mask is None:
        return Sequence(xt, None, None, dtype)
    mask = np.asarray(mask)
    if mask.shape != x.shape[:2]:
        raise ValueError(f"{name}: the mask must have shape (batch, time) = {x.shape[:2]}; "
                         f"received shape {mask.shape}.")
    m = mask.astype(bool).T[:, :, None]
    if go_backwards:
        m = m[::-1]
    m = np.ascontiguousarray(m)
    return Sequence(xt, m.astype(dtype), ~m, dtype)


def time_major_to_batch(a, go_backwards=False):
    """`(time, batch, ...)` in processing order -> `(batch, time, ...)` in input order."""
    a = a[::-1] if go_backwards else a
    return a.transpose(1, 0, *range(2, a.ndim))


# ----------------------------------------------------------------------------- projections
def project_inputs(xt, kernel, bias, masks):
    """`x @ kernel + bias` for every time step at once, with per-gate input dropout masks.

    Returns a new `(time, batch, gates * units)` array (the caller may write into it).
    """
    T, B, D = xt.shape
    x2 = xt.reshape(T * B, D)
    if masks is None:
        z = np.dot(x2, kernel)
    elif len(masks) == 1:
        z = np.dot((xt * masks[0]).reshape(T * B, D), kernel)
    else:
        width = kernel.shape[1] // len(masks)
        z = np.empty((T * B, kernel.shape[1]), dtype=xt.dtype)
        for g, m in enumerate(masks):
            cols = slice(g * width, (g + 1) * width)
            z[:, cols] = np.dot((xt * m).reshape(T * B, D), kernel[:, cols])
    if bias is not None:
        z += bias
    return z.reshape(T, B, kernel.shape[1])


def project_inputs_grads(xt, kernel, masks, dz, need_x, need_kernel):
    """`(dx, dkernel)` of `project_inputs` for the cotangent `dz` (None where not needed);
    `dx` is time-major like `xt`."""
    T, B, D = xt.shape
    dz2 = dz.reshape(T * B, -1)
    dx = dkernel = None
    if masks is None:
        if need_x:
            dx = np.dot(dz2, kernel.T).reshape(T, B, D)
        if need_kernel:
            dkernel = np.dot(xt.reshape(T * B, D).T, dz2)
        return dx, dkernel
    width = kernel.shape[1] // len(masks)
    if need_kernel:
        dkernel = np.empty_like(kernel)
    for g, m in enumerate(masks):
        cols = slice(g * width, (g + 1) * width) if len(masks) > 1 else slice(None)
        if need_x:
            part = np.dot(dz2[:, cols], kernel[:, cols].T).reshape(T, B, D)
            part *= m
            dx = part if dx is None else dx + part
        if need_kernel:
            dkernel[:, cols] = np.dot((xt * m).reshape(T * B, D).T, dz2[:, cols])
    return dx, dkernel


def project_state(h, kernel, masks, out):
    """`out = h @ kernel` for one step, with per-gate recurrent dropout masks."""
    if masks is None:
        return np.dot(h, kernel, out=out)
    if len(masks) == 1:
        return np.dot(h * masks[0], kernel, out=out)
    width = kernel.shape[1] // len(masks)
    for g, m in enumerate(masks):
        cols = slice(g * width, (g + 1) * width)
        out[:, cols] = np.dot(h * m, kernel[:, cols])
    return out


def project_state_backward(dp, kernel, masks):
    """The state gradient of `project_state` for the cotangent `dp` (a new array)."""
    if masks is None:
        return np.dot(dp, kernel.T)
    if len(masks) == 1:
        dh = np.dot(dp, kernel.T)
        dh *= masks[0]
        return dh
    width = kernel.shape[1] // len(masks)
    dh = None
    for g, m in enumerate(masks):
        cols = slice(g * width, (g + 1) * width)
        part = np.dot(dp[:, cols], kernel[:, cols].T)
        part *= m
        dh = part if dh is None else dh + part
    return dh


def project_state_kernel_grad(h_prev, kernel, masks, dp):
    """The recurrent-kernel gradient over all steps: `h_prev` `(time, batch, units)` holds
    each step's incoming state, `dp` `(time, batch, gates * units)` its cotangent."""
    T, B, U = h_prev.shape
    dp2 = dp.reshape(T * B, -1)
    if masks is None or len(masks) == 1:
        hp = h_prev if masks is None else h_prev * masks[0]
        return np.dot(hp.reshape(T * B, U).T, dp2)
    width = kernel.shape[1] // len(masks)
    dk = np.empty_like(kernel)
    for g, m in enumerate(masks):
        cols = slice(g * width, (g + 1) * width)
        dk[:, cols] = np.dot((h_prev * m).reshape(T * B, U).T, dp2[:, cols])
    return dk


def previous_states(h0, hs):
    """`(time, batch, units)`: the state each step received (`h0`, then `hs[:-1]`)."""
    prev = np.empty_like(hs)
    prev[0] = h0
    prev[1:] = hs[:-1]
    return prev


# ----------------------------------------------------------------------------- outputs
def outputs(hs, seq, go_backwards, return_sequences, zero_output_for_mask):
    """The layer output from the step outputs `hs` `(time, batch, units)` (masked steps
    already carry the previous output)."""
    if zero_output_for_mask and seq.mask is not None:
        if return_sequences:
            return time_major_to_batch(hs * seq.mask)
        return hs[-1] * seq.mask[-1]
    if return_sequences:
        return time_major_to_batch(hs)
    return hs[-1]


def output_cotangents(g, T, B, U, seq, return_sequences, zero_output_for_mask, dtype):
    """The cotangent of each step's output `(time, batch, units)` (processing order), or
    `(None, dlast)` when only the last output was returned."""
    if g is None:
        return None, None
    g = np.asarray(g, dtype=dtype)
    if return_sequences:
        gt = np.ascontiguousarray(g.transpose(1, 0, 2))
        if zero_output_for_mask and seq.mask is not None:
            gt *= seq.mask
        return gt, None
    if zero_output_for_mask and seq.mask is not None:
        return None, g * seq.mask[-1]
    return None, g


def carry_masked(keep, new, old):
    """Masked steps carry the previous value: `new[keep] = old` (rows where the step is
    skipped), in place."""
    if keep is not None:
        np.copyto(new, old, where=keep)


def split_masked(g, m):
    """`(g * m, g * (1 - m))`: the part of a state cotangent that reaches the step's
    computation and the part that passes through a masked step unchanged."""
    if m is None:
        return g, None
    through = g * m
    return through, g - through


def as_float(a, dtype):
    return None if a is None else np.asarray(getval(a), dtype=dtype)


def result_dtype(x, kernel):
    dtype = np.result_type(getval(x), getval(kernel))
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float32)


def sum_bias(dz):
    return bias_gradient(dz.reshape(-1, dz.shape[-1]))


# ----------------------------------------------------------------------------- the node
@primitive
def recurrence(*arrays, forward):
    """The traced node of a recurrent primitive: returns `forward.result`, computed from the
    raw `arrays` by `forward` (an object with `result` and `backward(g, argnums)`)."""
    return forward.result


def _recurrence_vjp(argnums, ans, args, kwargs):
    forward = kwargs["forward"]
    return lambda g: forward.backward(g, argnums)


defvjp_argnums(recurrence, _recurrence_vjp)


def unpack(result, n):
    """The node's tuple as a plain tuple of `n` arrays (traced or not), as callers expect."""
    return tuple(result[i] for i in range(n))


# ----------------------------------------------------------------------------- SimpleRNN
class SimpleRNNForward:
    """The forward pass of `simple_rnn` and what its backward pass needs."""

    def __init__(self, x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                 return_sequences, zero_output_for_mask, activation, dropout_masks,
                 recurrent_dropout_masks):
        check_activation(activation, "activation")
        dtype = result_dtype(x, kernel)
        x, kernel, rk, bias, h0 = (as_float(a, dtype) for a in (x, kernel, recurrent_kernel,
                                                               bias, h0))
        seq = prepare(x, mask, go_backwards, dtype, "simple_rnn")
        dm, rm = as_float(dropout_masks, dtype), as_float(recurrent_dropout_masks, dtype)
        T, B, _ = seq.xt.shape
        U = rk.shape[0]
        check_state(h0, (B, U), "simple_rnn", "h0")
        hs = project_inputs(seq.xt, kernel, bias, dm)  # overwritten by the step outputs
        rec = np.empty((B, U), dtype)
        h = h0
        with np.errstate(over="ignore"):
            for t in range(T):
                ht = hs[t]
                ht += project_state(h, rk, rm, rec)
                activate(activation, ht, ht)
                carry_masked(None if seq.keep is None else seq.keep[t], ht, h)
                h = ht
        self.__dict__.update(x_shape=x.shape, kernel=kernel, rk=rk, has_bias=bias is not None,
                             h0=h0, seq=seq, hs=hs, dm=dm, rm=rm, activation=activation,
                             go_backwards=go_backwards, return_sequences=return_sequences,
                             zero_output_for_mask=zero_output_for_mask)
        self.result = (outputs(hs, seq, go_backwards, return_sequences, zero_output_for_mask),
                       hs[-1])

    def backward(self, g, argnums):
        seq, hs, rk = self.seq, self.hs, self.rk
        T, B, U = hs.shape
        gy, gh = g
        g_seq, g_last = output_cotangents(gy, T, B, U, seq, self.return_sequences,
                                          self.zero_output_for_mask, seq.dtype)
        dh = np.zeros((B, U), seq.dtype) if gh is None else np.array(gh, dtype=seq.dtype)
        if g_last is not None:
            dh += g_last
        da = np.empty_like(hs)
        for t in range(T - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            through, passed = split_masked(dh, None if seq.mask is None else seq.mask[t])
            dat = da[t]
            np.copyto(dat, through)
            backprop_activation(self.activation, dat, hs[t])
            dh = project_state_backward(dat, rk, self.rm)
            if passed is not None:
                dh += passed
        return self._grads(argnums, da, dh)

    def _grads(self, argnums, da, dh0):
        seq = self.seq
        dx, dkernel = project_inputs_grads(seq.xt, self.kernel, self.dm, da, 0 in argnums,
                                           1 in argnums)
        out = []
        for argnum in argnums:
            if argnum == 0:
                out.append(np.ascontiguousarray(time_major_to_batch(dx, self.go_backwards)))
            elif argnum == 1:
                out.append(dkernel)
            elif argnum == 2:
                out.append(project_state_kernel_grad(previous_states(self.h0, self.hs),
                                                     self.rk, self.rm, da))
            elif argnum == 3:
                out.append(sum_bias(da))
            else:
                out.append(dh0)
        return out


def check_state(state, shape, name, which):
    if state.shape != shape:
        raise ValueError(f"{name}: the initial state `{which}` must have shape (batch, units) "
                         f"= {shape}; received shape {state.shape}.")


def simple_rnn(x, kernel, recurrent_kernel, bias, h0, mask=None, go_backwards=False,
               return_sequences=False, zero_output_for_mask=False, activation="tanh",
               dropout_masks=None, recurrent_dropout_masks=None):
    """Keras's SimpleRNN over a whole sequence: `h_t = activation(x_t @ kernel + bias +
    h_{t-1} @ recurrent_kernel)`, one traced node with a hand-written BPTT.

    Args:
        x: `(batch, time, features)`.
        kernel: `(features, units)`; recurrent_kernel: `(units, units)`; bias: `(units,)` or
            None.
        h0: the initial state `(batch, units)`.
        mask, go_backwards, return_sequences, zero_output_for_mask, activation (default
            `'tanh'`), dropout_masks, recurrent_dropout_masks: see the module docstring.

    Returns:
        `(output, h)`: the output and the final state.
    """
    forward = SimpleRNNForward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                               return_sequences, zero_output_for_mask, activation,
                               dropout_masks, recurrent_dropout_masks)
    return unpack(recurrence(x, kernel, recurrent_kernel, bias, h0, forward=forward), 2)
