"""The recurrent cells `SimpleRNNCell`, `LSTMCell` and `GRUCell`, as in Keras 3.

A cell owns the weights and computes one time step, `call(inputs, states, training)` ->
`(output, new_states)`, written with autograd operations (what a user's cell, or `RNN` with an
activation the primitives do not have, runs once per step). `sequence_call` is minikeras's fast
path for a whole sequence: the recurrent layers call it and get one primitive of
`minikeras.ops.nn` (hand-written backward through time) instead of a traced loop. It returns
None when the primitive cannot compute what `call` would: an activation outside
`ops.nn.rnn.ACTIVATIONS`, or a subclass that overrides `call`.

Dropout follows Keras: in training, `dropout` multiplies the inputs and `recurrent_dropout` the
previous state by masks drawn once per sequence and fixed over its time steps; once
`recurrent_dropout > 0`, LSTM and GRU draw one mask per gate (Keras's `implementation=1`).
Rates of 0 or 1 apply no dropout (Keras tests `0 < rate < 1`).
"""

import autograd.numpy as anp
import numpy as np

from minikeras import activations
from minikeras.layers import weight_arguments
from minikeras.layers.base import Layer
from minikeras.layers.core import dropout_rng
from minikeras.ops import nn
from minikeras.ops.nn.rnn import ACTIVATIONS


def primitive_activation(activation):
    """The name the recurrent primitives know `activation` by, or None (then a traced loop)."""
    name = activations.fused_name(activation)
    if name is None and activation is activations.hard_sigmoid:
        name = "hard_sigmoid"
    return name if name in ACTIVATIONS else None


def _check_units(cls, units):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(f"Received an invalid value for argument `units` of {cls}, expected a "
                         f"positive integer, got {units!r}.")
    return int(units)


def _rate(value):
    return min(1.0, max(0.0, float(value)))


class UnitForgetBias:
    """LSTM's bias initializer with `unit_forget_bias=True`: the forget gate's quarter is 1,
    the rest comes from the user's `bias_initializer` (Keras builds the same concatenation)."""

    def __init__(self, initializer, units):
        self.initializer, self.units = initializer, units

    def __call__(self, shape, dtype=None):
        u = self.units
        return np.concatenate([self.initializer((u,), dtype=dtype), np.ones((u,), dtype=dtype),
                               self.initializer((2 * u,), dtype=dtype)])


class RecurrentCell(Layer):
    """What the three cells share: units, activations, weights' settings, dropout, seed.

    Args:
        units: positive integer, the size of the state.
        activation: default `'tanh'`.
        use_bias: default True.
        kernel_initializer: default `'glorot_uniform'`; recurrent_initializer: default
            `'orthogonal'`; bias_initializer: default `'zeros'`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: default None.
        kernel_constraint, recurrent_constraint, bias_constraint: default None.
        dropout: fraction of the inputs dropped in training (default 0).
        recurrent_dropout: fraction of the previous state dropped in training (default 0).
        seed: integer seed of the dropout masks (default None).
    """

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        self.implementation = kwargs.pop("implementation", 2)  # Keras 2 / tf.keras configs
        super().__init__(**kwargs)
        self.units = _check_units(type(self).__name__, units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        weight_arguments.store(self, "kernel", kernel_initializer, kernel_regularizer,
                               kernel_constraint)
        weight_arguments.store(self, "recurrent", recurrent_initializer, recurrent_regularizer,
                               recurrent_constraint)
        weight_arguments.store(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.dropout = _rate(dropout)
        self.recurrent_dropout = _rate(recurrent_dropout)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._sequence_masks = None  # set by RNN's traced loop for the steps of one sequence
        self.state_size = self.units
        self.output_size = self.units

    def _add_weights(self, input_dim, bias_shape, bias_initializer):
        width = self.gates * self.units
        self.kernel = weight_arguments.add_weight(self, "kernel", (input_dim, width))
        self.recurrent_kernel = weight_arguments.add_weight(
            self, "recurrent_kernel", (self.units, width), "recurrent")
        self.bias = weight_arguments.add_weight(
            self, "bias", bias_shape, initializer=bias_initializer) if self.use_bias else None

    def _input_dim(self, input_shape):
        dim = input_shape[-1]
        if dim is None:
            raise ValueError(f"The last dimension of the input to {type(self).__name__} "
                             f"'{self.name}' must be defined. Received input shape "
                             f"{tuple(input_shape)}.")
        return dim

    # ------------------------------------------------------------------------- dropout
    def _mask_counts(self):
        """`(input masks, recurrent masks)`: one for every gate once `recurrent_dropout` is
        used (or `implementation=1`), else one input mask shared by the gates."""
        per_gate = self.recurrent_dropout > 0 or self.implementation == 1
        return (self.gates if per_gate else 1), self.gates

    def dropout_masks(self, batch_size, input_dim, training):
        """`(input masks, recurrent masks)` for one sequence, each None when not used:
        arrays `(G, batch, input_dim)` / `(G, batch, units)` of 0 and `1 / (1 - rate)`."""
        if not training or not (0.0 < self.dropout < 1.0 or 0.0 < self.recurrent_dropout < 1.0):
            return None, None
        count, recurrent_count = self._mask_counts()
        rng = dropout_rng(self._rng)
        return (_masks(rng, self.dropout, (count, batch_size, input_dim), self.dtype),
                _masks(rng, self.recurrent_dropout, (recurrent_count, batch_size, self.units),
                       self.dtype))

    def _step_masks(self, inputs, state, training):
        if self._sequence_masks is not None:
            return self._sequence_masks
        return self.dropout_masks(inputs.shape[0], inputs.shape[-1], training)

    # ------------------------------------------------------------------------- states
    def get_initial_state(self, batch_size=None):
        """Zero states, one `(batch_size, size)` array per entry of `state_size`."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [
            self.state_size]
        return [np.zeros((batch_size, size), dtype=self.dtype) for size in sizes]

    def _sequence_call_allowed(self, cls):
        return type(self).call is cls.call and type(self).sequence_call is cls.sequence_call

    def _bias_value(self):
        return self.bias.value if self.use_bias else None

    # ------------------------------------------------------------------------- config
    def get_config(self):
        config_ = super().get_config()
        config_.update(
            units=self.units, activation=activations.serialize(self.activation),
            use_bias=self.use_bias, **weight_arguments.config(self, "kernel", "recurrent", "bias"),
            dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed)
        return config_


def _masks(rng, rate, shape, dtype):
    if not 0.0 < rate < 1.0:
        return None
    keep = rng.random(shape) >= rate
    return keep.astype(dtype) / np.asarray(1.0 - rate, dtype)


def _gate(masks, g):
    """The dropout mask of gate `g` (the shared one when there is one), or None."""
    if masks is None:
        return None
    return masks[g] if len(masks) > 1 else masks[0]


def _gate_product(x, masks, g, kernel, units):
    """`(x * mask_g) @ kernel[:, gate g]`: one gate's share of a projection."""
    m = _gate(masks, g)
    return anp.dot(x if m is None else x * m, kernel[:, g * units:(g + 1) * units])


def _projection(x, masks, kernel, units, gates):
    """`x @ kernel` for all gates at once, or gate by gate with per-gate masks."""
    if masks is None:
        return [anp.dot(x, kernel)[:, g * units:(g + 1) * units] for g in range(gates)]
    return [_gate_product(x, masks, g, kernel, units) for g in range(gates)]


def _states(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


class SimpleRNNCell(RecurrentCell):
    """The cell of `SimpleRNN`: `h = activation(x @ kernel + h @ recurrent_kernel + bias)`.

    Args: see `RecurrentCell` (Keras's `SimpleRNNCell` arguments and defaults).
    """

    gates = 1

    def build(self, input_shape):
        self._add_weights(self._input_dim(input_shape), (self.units,), self.bias_initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h = _states(states)[0]
        dm, rm = self._step_masks(inputs, h, training)
        z = _gate_product(inputs, dm, 0, self.kernel.value, self.units) + _gate_product(
            h, rm, 0, self.recurrent_kernel.value, self.units)
        if self.use_bias:
            z = z + self.bias.value
        h = self.activation(z)
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def sequence_call(self, sequences, states, mask, go_backwards, return_sequences,
                      zero_output_for_mask, training):
        """The whole sequence as one `ops.nn.simple_rnn` (see the module docstring)."""
        activation = primitive_activation(self.activation)
        if activation is None or not self._sequence_call_allowed(SimpleRNNCell):
            return None
        dm, rm = self.dropout_masks(sequences.shape[0], sequences.shape[-1], training)
        out, h = nn.simple_rnn(
            sequences, self.kernel.value, self.recurrent_kernel.value, self._bias_value(),
            states[0], mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
            zero_output_for_mask=zero_output_for_mask, activation=activation,
            dropout_masks=dm, recurrent_dropout_masks=rm)
        return out, [h]


class LSTMCell(RecurrentCell):
    """The cell of `LSTM` (Hochreiter & Schmidhuber, 1997), Keras's gate order i, f, c, o.

    Args:
        recurrent_activation: the gates' activation (default `'sigmoid'`).
        unit_forget_bias: add 1 to the forget gate's bias at initialization (default True;
            Jozefowicz et al., 2015).
        Others: see `RecurrentCell` (Keras's `LSTMCell` arguments and defaults).
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        bias_initializer = (UnitForgetBias(self.bias_initializer, self.units)
                            if self.unit_forget_bias else self.bias_initializer)
        self._add_weights(self._input_dim(input_shape), (4 * self.units,), bias_initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h, c = _states(states)[:2]
        dm, rm = self._step_masks(inputs, h, training)
        u = self.units
        x = _projection(inputs, dm, self.kernel.value, u, 4)
        r = _projection(h, rm, self.recurrent_kernel.value, u, 4)
        z = [x[g] + r[g] for g in range(4)]
        if self.use_bias:
            b = self.bias.value
            z = [z[g] + b[g * u:(g + 1) * u] for g in range(4)]
        i, f, o = (self.recurrent_activation(z[g]) for g in (0, 1, 3))
        c = f * c + i * self.activation(z[2])
        h = o * self.activation(c)
        return h, [h, c]

    def sequence_call(self, sequences, states, mask, go_backwards, return_sequences,
                      zero_output_for_mask, training):
        """The whole sequence as one `ops.nn.lstm` (see the module docstring)."""
        activation = primitive_activation(self.activation)
        recurrent_activation = primitive_activation(self.recurrent_activation)
        if activation is None or recurrent_activation is None or \
                not self._sequence_call_allowed(LSTMCell):
            return None
        dm, rm = self.dropout_masks(sequences.shape[0], sequences.shape[-1], training)
        out, h, c = nn.lstm(
            sequences, self.kernel.value, self.recurrent_kernel.value, self._bias_value(),
            states[0], states[1], mask=mask, go_backwards=go_backwards,
            return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask,
            activation=activation, recurrent_activation=recurrent_activation, dropout_masks=dm,
            recurrent_dropout_masks=rm)
        return out, [h, c]

    def get_config(self):
        config_ = super().get_config()
        config_.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                       unit_forget_bias=self.unit_forget_bias)
        return config_


class GRUCell(RecurrentCell):
    """The cell of `GRU` (Cho et al., 2014), Keras's gate order z, r, h.

    Args:
        recurrent_activation: the gates' activation (default `'sigmoid'`).
        reset_after: apply the reset gate after the recurrent product (default True, Keras 3
            and cuDNN's convention, with a bias of shape `(2, 3 units)`); False applies it
            before (Keras 2.2's convention, bias `(3 units,)`).
        Others: see `RecurrentCell` (Keras's `GRUCell` arguments and defaults).
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def build(self, input_shape):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_weights(self._input_dim(input_shape), shape, self.bias_initializer)
        self.built = True

    def call(self, inputs, states, training=False):
        h = _states(states)[0]
        dm, rm = self._step_masks(inputs, h, training)
        u, rk = self.units, self.recurrent_kernel.value
        x = _projection(inputs, dm, self.kernel.value, u, 3)
        input_bias = recurrent_bias = None
        if self.use_bias:
            b = self.bias.value
            input_bias, recurrent_bias = (b[0], b[1]) if self.reset_after else (b, None)
            x = [x[g] + input_bias[g * u:(g + 1) * u] for g in range(3)]
        if self.reset_after:
            r_ = _projection(h, rm, rk, u, 3)
            if recurrent_bias is not None:
                r_ = [r_[g] + recurrent_bias[g * u:(g + 1) * u] for g in range(3)]
            z = self.recurrent_activation(x[0] + r_[0])
            r = self.recurrent_activation(x[1] + r_[1])
            hh = self.activation(x[2] + r * r_[2])
        else:
            z = self.recurrent_activation(x[0] + _gate_product(h, rm, 0, rk, u))
            r = self.recurrent_activation(x[1] + _gate_product(h, rm, 1, rk, u))
            m = _gate(rm, 2)
            hh = self.activation(x[2] + anp.dot(r * (h if m is None else h * m), rk[:, 2 * u:]))
        h = z * h + (1 - z) * hh
        return h, ([h] if isinstance(states, (list, tuple)) else h)

    def sequence_call(self, sequences, states, mask, go_backwards, return_sequences,
                      zero_output_for_mask, training):
        """The whole sequence as one `ops.nn.gru` (see the module docstring)."""
        activation = primitive_activation(self.activation)
        recurrent_activation = primitive_activation(self.recurrent_activation)
        if activation is None or recurrent_activation is None or \
                not self._sequence_call_allowed(GRUCell):
            return None
        dm, rm = self.dropout_masks(sequences.shape[0], sequences.shape[-1], training)
        out, h = nn.gru(
            sequences, self.kernel.value, self.recurrent_kernel.value, self._bias_value(),
            states[0], mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
            zero_output_for_mask=zero_output_for_mask, activation=activation,
            recurrent_activation=recurrent_activation, reset_after=self.reset_after,
            dropout_masks=dm, recurrent_dropout_masks=rm)
        return out, [h]

    def get_config(self):
        config_ = super().get_config()
        config_.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                       reset_after=self.reset_after)
        return config_
