"""Recurrent primitives: a whole sequence through a recurrent cell as one traced node.

`simple_rnn` (here), `lstm` (lstm.py) and `gru` (gru.py) each run the recurrence over every
time step in NumPy and register one hand-written backward pass through time (BPTT):

- the input projection of all time steps is one batched product before the loop, so the loop
  does one small product per step (and the backward loop one);
- the forward pass keeps the activated gates, cell states and outputs of every step in
  preallocated buffers, so the backward pass derives every factor from them;
- after the backward loop, the kernel, recurrent-kernel and bias gradients are one product
  (or one sum) each over all time steps.

Inside, a step works *feature-major*: a state is `(units, batch)` and the gates of a step are
`(gates * units, batch)`, so each gate is a contiguous block of rows and every elementwise pass
of a step runs over contiguous memory (a column slice of a batch-major `(batch, 4 units)` row
runs three times slower). A large step (`MIN_SPLIT_STEP_SIZE`) is split in two batch halves
computed on two threads (`batch_split`): the recurrence of each sequence is independent of the others, so each half runs
exactly as it would alone, and the weight gradients of the halves are added in a fixed order.

Each primitive is a plain function that runs the forward pass on the raw values, then hands the
kept arrays (a `RecurrentForward`) to the traced node `recurrence`, whose VJP reads them: what
the VJP keeps is what the contract of `minikeras.ops.nn` allows (arrays derived from the inputs
in the forward pass), and nothing outlives the step.

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
import weakref

import numpy as np
from autograd.extend import defvjp_argnums, primitive
from autograd.tracer import getval

from minikeras.ops.nn.batch_split import batch_parts, run_parts


# ----------------------------------------------------------------------------- activations
def _sigmoid(a, out):
    # 1 / (1 + exp(-a)); exp overflows to inf for a < -88 (float32), giving exactly 0: the
    # forward passes run under np.errstate(over="ignore").
    np.negative(a, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _sigmoid_derivative(y, out):
    np.subtract(1, y, out=out)
    out *= y
    return out


def _tanh_derivative(y, out):
    np.multiply(y, y, out=out)
    return np.subtract(1, out, out=out)


def _hard_sigmoid(a, out):
    # Keras 3's relu6(a + 3) / 6 (Keras 2's clip(0.2 a + 0.5, 0, 1) is another function).
    np.add(a, 3, out=out)
    np.clip(out, 0, 6, out=out)
    return np.divide(out, 6, out=out)


def _hard_sigmoid_derivative(y, out):
    np.greater(y, 0, out=out, casting="unsafe")
    out *= y < 1
    return np.divide(out, 6, out=out)


def _copy(a, out):
    if out is not a:
        np.copyto(out, a)
    return out


Activation = collections.namedtuple("Activation", ["forward", "derivative"])
Activation.__doc__ = """`forward(a, out)` writes `f(a)` into `out` (which may be `a`);
`derivative(y, out)` writes `f'(x)` into `out`, computed from `y = f(x)`."""

ACTIVATIONS = {
    "tanh": Activation(lambda a, out: np.tanh(a, out=out), _tanh_derivative),
    "sigmoid": Activation(_sigmoid, _sigmoid_derivative),
    "relu": Activation(lambda a, out: np.maximum(a, 0, out=out),
                       lambda y, out: np.greater(y, 0, out=out, casting="unsafe")),
    "linear": Activation(_copy, lambda y, out: _fill(out, 1)),
    "hard_sigmoid": Activation(_hard_sigmoid, _hard_sigmoid_derivative),
}


def _fill(out, value):
    out.fill(value)
    return out


def activate(name, a, out=None):
    """Writes `f(a)` into `out` (default: in place) for the activation called `name`."""
    return ACTIVATIONS[name].forward(a, a if out is None else out)


def derivative(name, y, out):
    """Writes `f'` of the activation called `name` into `out`, from its output `y`."""
    return ACTIVATIONS[name].derivative(y, out)


def check_activation(name, argument):
    if name not in ACTIVATIONS:
        raise ValueError(f"The recurrent primitives take `{argument}` as one of "
                         f"{sorted(ACTIVATIONS)}; received {name!r}.")


# ----------------------------------------------------------------------------- sequences
Sequence = collections.namedtuple("Sequence", ["x", "mask", "keep"])
Sequence.__doc__ = """One batch part prepared for a recurrence: `x` the input, `(time,
features, batch)` in processing order; `mask` `(time, 1, batch)` of the dtype (1 where a step
is computed, 0 where it is skipped) and `keep` its boolean complement, or None without a mask."""


def check_sequence(x, mask, name):
    if x.ndim != 3:
        raise ValueError(f"{name} expects inputs of shape (batch, time, features); received "
                         f"shape {x.shape}.")
    if x.shape[1] == 0:
        raise ValueError(f"{name} received a sequence of 0 time steps (input shape {x.shape}).")
    if mask is not None and np.shape(mask) != x.shape[:2]:
        raise ValueError(f"{name}: the mask must have shape (batch, time) = {x.shape[:2]}; "
                         f"received shape {np.shape(mask)}.")


def check_state(state, shape, name, which):
    if state.shape != shape:
        raise ValueError(f"{name}: the initial state `{which}` must have shape (batch, units) "
                         f"= {shape}; received shape {state.shape}.")


def prepare(x, mask, go_backwards, dtype):
    """The feature-major, time-major input (and mask) of one batch part, in processing order."""
    xt = time_major_input(x, go_backwards)
    return Sequence(np.ascontiguousarray(xt, dtype=dtype), *prepare_mask(mask, go_backwards,
                                                                         dtype))


def time_major_input(x, go_backwards):
    """`(batch, time, features)` -> a `(time, features, batch)` view in processing order."""
    xt = x.transpose(1, 2, 0)
    return xt[::-1] if go_backwards else xt


def prepare_mask(mask, go_backwards, dtype):
    """`(mask, keep)` of `Sequence` for a `(batch, time)` mask (None, None without one)."""
    if mask is None:
        return None, None
    m = np.asarray(mask).astype(bool).T[:, None, :]
    if go_backwards:
        m = m[::-1]
    m = np.ascontiguousarray(m)
    return m.astype(dtype), ~m


def feature_major(a):
    """`(batch, n)` -> a contiguous `(n, batch)`; None stays None."""
    return None if a is None else np.ascontiguousarray(a.T)


def first_computed(mask):
    """The first step of a `(time, 1, batch)` mask that any sequence computes (time if none
    does)."""
    computed = mask.reshape(len(mask), -1).any(axis=1)
    return int(computed.argmax()) if computed.any() else len(mask)


def feature_major_masks(masks):
    """Dropout masks `(G, batch, n)` -> `(G, n, batch)`."""
    return None if masks is None else np.ascontiguousarray(masks.transpose(0, 2, 1))


def fused_inputs(shared, x, mask, dropout_masks):
    """What a fused part reads: `(Sequence(None, mask, keep), feature-major dropout masks,
    x as a (time, features, batch) view in processing order)`."""
    seq = Sequence(None, *prepare_mask(mask, shared.go_backwards, shared.dtype))
    return seq, feature_major_masks(dropout_masks), time_major_input(x, shared.go_backwards)


# ----------------------------------------------------------------------------- projections
def project_inputs(x, kernel_t, bias, masks):
    """`kernel^T @ x_t + bias` for every step at once: `(time, gates * units, batch)`, a new
    array (the caller writes into it). `x` is `(time, features, batch)`, `kernel_t`
    `(gates * units, features)`, `masks` per-gate dropout masks `(G, features, batch)`."""
    if masks is None:
        z = np.matmul(kernel_t, x)
    elif len(masks) == 1:
        z = np.matmul(kernel_t, x * masks[0])
    else:
        width = kernel_t.shape[0] // len(masks)
        z = np.empty((x.shape[0], kernel_t.shape[0], x.shape[2]), x.dtype)
        for g, m in enumerate(masks):
            np.matmul(kernel_t[g * width:(g + 1) * width], x * m,
                      out=z[:, g * width:(g + 1) * width])
    if bias is not None:
        z += bias[:, None]
    return z


def project_inputs_grads(x, kernel_t, masks, dz, need_x, need_kernel):
    """`(dx, dkernel_t)` of `project_inputs` for the cotangent `dz` (None where not needed);
    `dx` is `(time, features, batch)` like `x`."""
    if masks is None:
        dx = np.matmul(kernel_t.T, dz) if need_x else None
        dk = np.tensordot(dz, x, axes=([0, 2], [0, 2])) if need_kernel else None
        return dx, dk
    width = kernel_t.shape[0] // len(masks)
    dx = dk = None
    if need_kernel:
        dk = np.empty_like(kernel_t)
    for g, m in enumerate(masks):
        rows = slice(g * width, (g + 1) * width) if len(masks) > 1 else slice(None)
        if need_x:
            part = np.matmul(kernel_t[rows].T, dz[:, rows])
            part *= m
            dx = part if dx is None else dx + part
        if need_kernel:
            dk[rows] = np.tensordot(dz[:, rows], x * m, axes=([0, 2], [0, 2]))
    return dx, dk


def project_state(h, kernel_t, masks, out):
    """`out = kernel^T @ h` for one step (`h` `(units, batch)`), with per-gate masks."""
    if masks is None:
        return np.dot(kernel_t, h, out=out)
    if len(masks) == 1:
        return np.dot(kernel_t, h * masks[0], out=out)
    width = kernel_t.shape[0] // len(masks)
    for g, m in enumerate(masks):
        np.dot(kernel_t[g * width:(g + 1) * width], h * m, out=out[g * width:(g + 1) * width])
    return out


def project_state_backward(dp, kernel_t, masks, out=None):
    """The state gradient of `project_state` for the cotangent `dp`."""
    if masks is None:
        return np.dot(kernel_t.T, dp, out=out)
    width = kernel_t.shape[0] // len(masks)
    dh = None
    for g, m in enumerate(masks):
        rows = slice(g * width, (g + 1) * width) if len(masks) > 1 else slice(None)
        part = np.dot(kernel_t[rows].T, dp[rows])
        part *= m
        dh = part if dh is None else dh + part
    if out is None:
        return dh
    np.copyto(out, dh)
    return out


def project_state_kernel_grad(h_prev, kernel_t, masks, dp):
    """The recurrent-kernel gradient (transposed, like `kernel_t`) over all steps: `h_prev`
    `(time, units, batch)` holds each step's incoming state, `dp` `(time, gates * units,
    batch)` its cotangent."""
    if masks is None:
        return np.tensordot(dp, h_prev, axes=([0, 2], [0, 2]))
    if len(masks) == 1:
        return np.tensordot(dp, h_prev * masks[0], axes=([0, 2], [0, 2]))
    width = kernel_t.shape[0] // len(masks)
    dk = np.empty_like(kernel_t)
    for g, m in enumerate(masks):
        rows = slice(g * width, (g + 1) * width)
        dk[rows] = np.tensordot(dp[:, rows], h_prev * m, axes=([0, 2], [0, 2]))
    return dk


def previous_states(h0, hs):
    """`(time, units, batch)`: the state each step received (`h0`, then `hs[:-1]`)."""
    prev = np.empty_like(hs)
    prev[0] = h0
    prev[1:] = hs[:-1]
    return prev


def carry_masked(keep, new, old):
    """Masked steps carry the previous value (in place on the rows of `new` where `keep`)."""
    np.copyto(new, old, where=keep)


def split_masked(g, m):
    """`(g * m, g * (1 - m))`: the part of a state cotangent that reaches the step's
    computation and the part that passes through a masked step unchanged."""
    if m is None:
        return g, None
    through = g * m
    return through, g - through


def sum_bias(dz):
    """The bias gradient from `(time, rows, batch)` cotangents: their sums over time and
    batch, `(rows,)`."""
    return np.add.reduce(np.add.reduce(dz, axis=0), axis=1)


# ----------------------------------------------------------------------------- the node
# The batch is split over two threads only when a step's state holds at least this many
# numbers. A step is ~20 small NumPy calls whose Python side holds the GIL; with the course's
# LSTM (batch 64, 64 units: 4096) two threads cost 15-25 % more CPU time than one and gave no
# wall-time gain on the shared 2-core machine (benchmarks/lstm_numpy_floor.py, alternating
# rounds); larger steps make each call's unlocked part long enough to overlap.
MIN_SPLIT_STEP_SIZE = 16384

@primitive
def recurrence(*arrays, forward):
    """The traced node of a recurrent primitive: returns `forward.result`, computed from the
    raw `arrays` by `forward` (a `RecurrentForward`)."""
    return forward.result


def _recurrence_vjp(argnums, ans, args, kwargs):
    forward = kwargs["forward"]
    return lambda g: forward.backward(g, argnums)


defvjp_argnums(recurrence, _recurrence_vjp)


def unpack(result, n):
    """The node's tuple as a plain tuple of `n` arrays (traced or not), as callers expect."""
    return tuple(result[i] for i in range(n))


def as_float(a, dtype):
    return None if a is None else np.asarray(getval(a), dtype=dtype)


class RecurrentForward:
    """The forward pass of a recurrent primitive over the batch parts, and its backward pass.

    A subclass sets `name`, `n_states` and `part_class` (whose instances compute one batch
    part: `part_class(self, x, states, mask, dropout_masks, recurrent_dropout_masks)` with
    attributes `output` and `finals`, and `backward(g_output, g_states, argnums)` returning
    `{argnum: gradient}` with the weight gradients as partial sums) and prepares the shared
    weights in `setup`.
    """

    name = n_states = part_class = None

    def __init__(self, x, states, mask, go_backwards, return_sequences, zero_output_for_mask,
                 dropout_masks, recurrent_dropout_masks, dtype, work):
        batch = x.shape[0]
        self.go_backwards = go_backwards
        self.return_sequences = return_sequences
        self.zero_output_for_mask = zero_output_for_mask and mask is not None
        self.dtype = dtype
        units = states[0].shape[1]
        self.slices = (batch_parts(batch, work) if batch * units >= MIN_SPLIT_STEP_SIZE
                       else [slice(0, batch)])

        # The parts see this object through a weak proxy: with a strong reference back, the
        # forward pass and its parts would form a cycle, kept alive after the backward pass
        # until the garbage collector runs, and pooled buffers they lease would come back
        # late (most steps would then allocate afresh).
        shared = weakref.proxy(self)

        def run(i, rows):
            with np.errstate(over="ignore"):
                return self.part_class(
                    shared, x[rows], [s[rows] for s in states],
                    None if mask is None else mask[rows],
                    None if dropout_masks is None else dropout_masks[:, rows],
                    None if recurrent_dropout_masks is None else recurrent_dropout_masks[:,
                                                                                          rows])

        self.parts = run_parts(run, self.slices)
        self.result = (self._join([p.output for p in self.parts]),
                       *(self._join([p.finals[k] for p in self.parts])
                         for k in range(self.n_states)))

    @staticmethod
    def _join(pieces):
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces, axis=0)

    def backward(self, g, argnums):
        g = [None if gi is None else np.asarray(gi, self.dtype) for gi in g]
        parts = run_parts(lambda i, rows: self.parts[i].backward(
            None if g[0] is None else g[0][rows],
            [None if gs is None else gs[rows] for gs in g[1:]], argnums), self.slices)
        out = []
        for argnum in argnums:
            pieces = [p[argnum] for p in parts]
            if argnum == 0 or argnum >= 4:  # per-sequence: the input and the initial states
                out.append(self._join(pieces))
            else:  # weights: partial sums, added in a fixed order
                total = pieces[0]
                for piece in pieces[1:]:
                    total = total + piece
                out.append(self.weight_grad(argnum, total))
        return out

    def weight_grad(self, argnum, grad):
        """The gradient of weight `argnum` in the caller's layout, from the parts' sum."""
        return grad

    # Helpers the parts share.
    def outputs(self, hs, seq):
        """The part's output from the step outputs `hs` `(time, units, batch)` (masked steps
        already carry the previous output)."""
        if self.zero_output_for_mask:
            hs = hs * seq.mask
        if self.return_sequences:
            return hs.transpose(2, 0, 1)
        return hs[-1].T

    def output_cotangents(self, g, seq):
        """`(per step (time, units, batch) or None, last step (units, batch) or None)`."""
        if g is None:
            return None, None
        if self.return_sequences:
            gt = np.ascontiguousarray(g.transpose(1, 2, 0))
            if self.zero_output_for_mask:
                gt *= seq.mask
            return gt, None
        last = np.array(g.T)
        if self.zero_output_for_mask:
            last *= seq.mask[-1]
        return None, last

    def input_grad(self, dx):
        """`(time, features, batch)` in processing order -> `(batch, time, features)`."""
        if self.go_backwards:
            dx = dx[::-1]
        return np.ascontiguousarray(dx.transpose(2, 0, 1))


def state_cotangent(g, units, batch, dtype):
    """A part's state cotangent as a new `(units, batch)` array (zeros when unused)."""
    return np.zeros((units, batch), dtype) if g is None else np.array(g.T, dtype=dtype)


# ----------------------------------------------------------------------------- SimpleRNN
class SimpleRNNPart:
    """`simple_rnn` on one batch part."""

    def __init__(self, shared, x, states, mask, dropout_masks, recurrent_dropout_masks):
        self.shared = s = shared
        self.seq = seq = prepare(x, mask, s.go_backwards, s.dtype)
        self.dm = feature_major_masks(dropout_masks)
        self.rm = feature_major_masks(recurrent_dropout_masks)
        self.h0 = h = feature_major(states[0])
        hs = project_inputs(seq.x, s.kernel_t, s.bias, self.dm)  # becomes the outputs
        rec = np.empty_like(h)
        for t in range(hs.shape[0]):
            ht = hs[t]
            ht += project_state(h, s.rk_t, self.rm, rec)
            activate(s.activation, ht)
            if seq.keep is not None:
                carry_masked(seq.keep[t], ht, h)
            h = ht
        self.hs = hs
        self.output = s.outputs(hs, seq)
        self.finals = [hs[-1].T]

    def backward(self, g_output, g_states, argnums):
        s, seq, hs = self.shared, self.seq, self.hs
        T, U, B = hs.shape
        g_seq, g_last = s.output_cotangents(g_output, seq)
        dh = state_cotangent(g_states[0], U, B, s.dtype)
        if g_last is not None:
            dh += g_last
        da = np.empty_like(hs)
        for t in range(T - 1, -1, -1):
            if g_seq is not None:
                dh += g_seq[t]
            through, passed = split_masked(dh, None if seq.mask is None else seq.mask[t])
            dat = da[t]
            derivative(s.activation, hs[t], dat)
            dat *= through
            dh = project_state_backward(dat, s.rk_t, self.rm)
            if passed is not None:
                dh += passed
        dx, dk = project_inputs_grads(seq.x, s.kernel_t, self.dm, da, 0 in argnums,
                                      1 in argnums)
        grads = {0: None if dx is None else s.input_grad(dx), 1: dk, 4: dh.T}
        if 2 in argnums:
            grads[2] = project_state_kernel_grad(previous_states(self.h0, hs), s.rk_t, self.rm,
                                                 da)
        if 3 in argnums:
            grads[3] = sum_bias(da)
        return grads


class SimpleRNNForward(RecurrentForward):
    """The forward pass of `simple_rnn` and what its backward pass needs."""

    name, n_states, part_class = "simple_rnn", 1, SimpleRNNPart

    def __init__(self, x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                 return_sequences, zero_output_for_mask, activation, dropout_masks,
                 recurrent_dropout_masks):
        check_activation(activation, "activation")
        dtype = np.result_type(getval(x), getval(kernel))
        x, kernel, rk, bias, h0 = (as_float(a, dtype) for a in (
            x, kernel, recurrent_kernel, bias, h0))
        check_sequence(x, mask, self.name)
        check_state(h0, (x.shape[0], rk.shape[0]), self.name, "h0")
        self.kernel_t, self.rk_t, self.bias = feature_major(kernel), feature_major(rk), bias
        self.activation = activation
        super().__init__(x, [h0], mask, go_backwards, return_sequences, zero_output_for_mask,
                         as_float(dropout_masks, dtype), as_float(recurrent_dropout_masks, dtype),
                         dtype, x.shape[0] * x.shape[1] * (kernel.shape[0] + rk.shape[0]) *
                         rk.shape[1])

    def weight_grad(self, argnum, grad):
        return grad.T if argnum in (1, 2) else grad


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
