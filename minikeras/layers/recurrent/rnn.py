"""`RNN`: the recurrent layer around a cell (Keras 3's `keras.layers.RNN`).

`RNN(cell)` runs any cell over the time axis. The built-in cells run a whole sequence as one
primitive with a hand-written backward pass (`cell.sequence_call`, see cells.py); any other
cell (a user's, or a built-in one with an activation the primitives lack) runs as a traced
loop, one `cell(x_t, states)` per step, with Keras 3's mask rule applied around each step.

Masks (`mask=`, `(batch, time)` booleans): a masked step leaves every state unchanged and
outputs the previous output (Keras 3 JAX: the first state), or zeros with
`zero_output_for_mask=True`; see the contract in `minikeras/ops/nn/__init__.py`.

Initial states: `layer(x, initial_state=[h0, c0])` passes them as a tensor argument of the
call, recorded in a functional model's node as Keras 3 records it (their graph and gradients
follow). As in Keras 3, a call with two tensor arguments gets no automatic mask: the mask of a
masked `x` is not applied (an explicit `mask=` is), though the output still carries it.
Keras 2's `layer([x, h0, c0])` is read too, with `x`'s mask applied, as tf.keras 2 did.
`stateful=True` keeps the final states of each call as the initial states
of the next, in non-trainable variables `layer.states` (not weights: Keras saves none of them),
reset by `reset_states()`.
"""

import numpy as np
from autograd.tracer import getval

import autograd.numpy as anp

from minikeras import regularizers, tree
from minikeras.layers.base import Layer
from minikeras.layers.recurrent.cells import RecurrentCell
from minikeras.layers.recurrent.stacked import StackedRNNCells
from minikeras.layers.recurrent.wrapper import deserialize_layer, prefix_paths
from minikeras.serialization import serialize_keras_object
from minikeras.variables import Variable, assign_arrays


def keras2_sequence_shape(kwargs):
    """Keras 2's `input_dim=` / `input_length=` of recurrent layers, as `input_shape=`."""
    if "input_dim" in kwargs or "input_length" in kwargs:
        input_dim = kwargs.pop("input_dim", None)
        input_length = kwargs.pop("input_length", None)
        kwargs.setdefault("input_shape", (input_length, input_dim))
    return kwargs


def _is_shape(shape):
    return isinstance(shape, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in shape)


def sequence_shape(input_shape):
    """The shape of the sequence input, from a build/compute shape that may be a list
    `[sequence shape, *initial state shapes]`."""
    if _is_shape(input_shape):
        return tuple(input_shape)
    return tuple(input_shape[0])


def inputs_with_initial_state(args, kwargs):
    """`(args, kwargs)` of a call, with `initial_state=` as a flat list of states (it stays a
    keyword argument: a functional node records it as Keras 3 does, and the call has two tensor
    arguments, so no automatic mask is passed, Keras 3's rule); tf.keras 2's `constants`
    refused.
    """
    kwargs = dict(kwargs)
    initial_state = kwargs.pop("initial_state", None)
    if kwargs.pop("constants", None) is not None:
        raise NotImplementedError("RNN `constants` (tf.keras 2) are not supported by "
                                  "minikeras; pass them as part of the inputs of your cell.")
    if initial_state is None:
        return args, kwargs
    kwargs["initial_state"] = tree.flatten(
        list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state])
    return args, kwargs


class RNN(Layer):
    """Runs a recurrent cell over the time axis of its input.

    Args:
        cell: a cell (an object with `call(inputs, states)` returning `(output, new_states)`
            and a `state_size`), or a list of cells (stacked with `StackedRNNCells`).
        return_sequences: return the output of every step `(batch, time, units)` instead of
            the last one (default False).
        return_state: also return the final states (default False).
        go_backwards: read the sequence from its end; the returned sequence is in that order
            (default False).
        stateful: carry the final states of a batch into the next call (default False; needs
            a fixed batch size).
        unroll: accepted for Keras compatibility; the computation is the same.
        zero_output_for_mask: masked steps output zeros instead of the previous output
            (default False).

    Call arguments: `inputs` `(batch, time, features)`, `initial_state` (a list of arrays,
    default zeros), `mask` `(batch, time)`, `training`.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer "
                             f"or list of integers, one integer per RNN state). Received: "
                             f"cell={cell}")
        if kwargs.pop("time_major", False):
            raise NotImplementedError(
                "time_major=True (tf.keras 2) is not supported by minikeras: pass inputs of "
                "shape (batch, time, features) and leave time_major at False.")
        super().__init__(**keras2_sequence_shape(kwargs))
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None  # the state variables of a stateful layer, made by build
        self._batch_size = None

    # ------------------------------------------------------------------------- states
    @property
    def state_size(self):
        """The cell's state sizes, always as a list (one entry per state; a nested list for
        stacked cells)."""
        size = self.cell.state_size
        return list(size) if isinstance(size, (list, tuple)) else [size]

    def _zero_states(self, batch_size):
        """Zero initial states in the structure the cell's `call` takes."""
        make = getattr(self.cell, "get_initial_state", None)
        states = make(batch_size=batch_size) if make is not None else [
            np.zeros((batch_size, size), dtype=self.dtype) for size in tree.flatten(
                self.state_size)]
        return list(states) if isinstance(states, (list, tuple)) else [states]

    def get_initial_state(self, batch_size):
        """Zero initial states for a batch of `batch_size` sequences."""
        return self._zero_states(batch_size)

    def _initial_states(self, initial_state, batch_size):
        template = self._zero_states(batch_size)
        if initial_state is None:
            if self.stateful:
                return tree.pack_sequence_as(template, [v.value for v in self.states])
            return template
        given = tree.flatten(list(initial_state) if isinstance(initial_state, (list, tuple))
                             else [initial_state])
        expected = tree.flatten(template)
        if len(given) != len(expected):
            raise ValueError(
                f"Layer '{self.name}' expects {len(expected)} initial state(s) of shapes "
                f"{[tuple(np.shape(e)) for e in expected]}, but it received {len(given)} "
                "initial state(s).")
        states = []
        for i, (state, zero) in enumerate(zip(given, expected)):
            shape = tuple(np.shape(getval(state)))
            if shape != zero.shape:
                raise ValueError(
                    f"Layer '{self.name}': initial_state[{i}] must have shape (batch, units) = "
                    f"{zero.shape} for inputs of batch size {batch_size}; received shape "
                    f"{shape}.")
            if isinstance(state, Variable):
                state = state.value
            if isinstance(state, np.ndarray) and state.dtype != self.dtype:
                state = state.astype(self.dtype)
            states.append(state)
        return tree.pack_sequence_as(template, states)

    def reset_states(self, states=None):
        """Sets the states of a stateful layer to zeros (or to `states`, as tf.keras 2)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful to reset its states.")
        if self.states is None:
            return
        values = [np.zeros(v.shape, v.dtype) for v in self.states] if states is None else \
            tree.flatten(list(states) if isinstance(states, (list, tuple)) else [states])
        if len(values) != len(self.states):
            raise ValueError(f"Layer '{self.name}' expects {len(self.states)} state(s), but it "
                             f"received {len(values)} state value(s).")
        for i, (variable, value) in enumerate(zip(self.states, values)):
            if np.shape(value) != variable.shape:
                raise ValueError(f"State {i} of layer '{self.name}' has shape {variable.shape}; "
                                 f"received a value of shape {np.shape(value)}.")
        for variable, value in zip(self.states, values):
            variable.assign(np.asarray(value))

    def reset_state(self):
        """Keras 3's name for `reset_states()`."""
        self.reset_states()

    # ------------------------------------------------------------------------- building
    def _check_sequence_shape(self, shape):
        if len(shape) < 3:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim=3, found ndim={len(shape)}. Full shape received: {tuple(shape)}. A "
                "recurrent layer reads inputs of shape (batch, time, features).")

    def build(self, input_shape):
        shape = sequence_shape(input_shape)
        self._check_sequence_shape(shape)
        if self.stateful and shape[0] is None:
            raise ValueError(
                "When using `stateful=True` in a RNN, the batch size must be static. Found "
                f"dynamic batch size: sequence.shape={shape} (layer '{self.name}'). Give the "
                "first layer a fixed batch size, e.g. `keras.Input(shape, batch_size=32)` or "
                "`batch_input_shape=(32, ...)`.")
        if isinstance(self.cell, Layer):
            if not self.cell.built:
                self.cell._build_from_shapes((shape[0],) + shape[2:])
            prefix_paths(self.cell, self.name)  # also a cell built alone (from its config)
        if self.stateful:
            self._batch_size = shape[0]
            self.states = [Variable(np.zeros((shape[0], size), dtype=self.dtype),
                                    trainable=False, name="rnn_state")
                           for size in tree.flatten(self.state_size)]
            for variable in self.states:
                variable.path = f"{self.name}/rnn_state"
        self.built = True

    def get_build_config(self):
        shapes = self.__dict__.get("_build_shapes")
        if not self.built or shapes is None:
            return None
        return {"input_shape": sequence_shape(shapes)}

    def build_from_config(self, config_):
        config_ = config_ or {}
        shape = config_.get("input_shape", config_.get("sequences_shape"))
        if shape is not None:
            self._build_from_shapes(tuple(shape))

    # ------------------------------------------------------------------------- calling
    def __call__(self, *args, **kwargs):
        args, kwargs = inputs_with_initial_state(args, kwargs)
        return super().__call__(*args, **kwargs)

    def _standardize_mask(self, mask, shape):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if mask is None:
            return None
        mask = np.asarray(getval(mask))
        if mask.shape != tuple(shape[:2]):
            raise ValueError(f"Layer '{self.name}': the mask must have shape (batch, time) = "
                             f"{tuple(shape[:2])}; received shape {mask.shape}.")
        return mask.astype(bool)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if isinstance(sequences, (list, tuple)):  # [x, *initial_states]
            sequences, *given = sequences
            if given:
                initial_state = given
        shape = tuple(sequences.shape)
        self._check_sequence_shape(shape)
        if self.stateful and self._batch_size is not None and shape[0] != self._batch_size:
            raise ValueError(
                "If an RNN is stateful, the batch size of the input sequences must be the same "
                f"as the batch size of the initial state (layer '{self.name}').\n- Expected "
                f"batch size: {self._batch_size}\n- Received batch size: {shape[0]}")
        mask = self._standardize_mask(mask, shape)
        states = self._initial_states(initial_state, shape[0])
        fast = getattr(self.cell, "sequence_call", None)
        result = None if fast is None else fast(
            sequences, states, mask, self.go_backwards, self.return_sequences,
            self.zero_output_for_mask, training)
        if result is None:
            result = self._traced_loop(sequences, states, mask, training)
        output, new_states = result
        if self.stateful:
            # Truncated backpropagation through time: the next batch starts from the values.
            # Written at once even inside a stateless scope (a step of fit, evaluate or
            # predict), as TensorFlow's variables are: the states are not among the model's
            # variables that a step hands back (Keras 3's JAX trainer drops them there, so its
            # stateful layers restart every batch from zeros; its TensorFlow trainer and tf.keras
            # 2 carry them from batch to batch, as here).
            assign_arrays(self.states, [np.array(getval(s), dtype=self.dtype)
                                        for s in tree.flatten(new_states)])
        if self.return_state:
            return [output, *new_states]
        return output

    def _traced_loop(self, x, states, mask, training):
        """One traced `cell(x_t, states)` per step, with Keras 3's mask rule around it."""
        cells = self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]
        input_dim = x.shape[-1]
        for cell in cells:  # dropout masks fixed over the sequence, as Keras's
            if isinstance(cell, RecurrentCell):
                cell._sequence_masks = cell.dropout_masks(x.shape[0], input_dim, training)
            input_dim = getattr(cell, "output_size", None) or input_dim
        steps = range(x.shape[1] - 1, -1, -1) if self.go_backwards else range(x.shape[1])
        outputs = []
        try:
            for t in steps:
                if isinstance(self.cell, Layer):
                    out, new = self.cell(x[:, t], states, training=training)
                else:
                    out, new = self.cell.call(x[:, t], states)
                new = list(new) if isinstance(new, (list, tuple)) else [new]
                if mask is not None:
                    keep = mask[:, t][:, None]
                    carried = tree.flatten(states[-1])[0] if isinstance(
                        self.cell, StackedRNNCells) else tree.flatten(states)[0]
                    out = anp.where(keep, out, 0 * out if self.zero_output_for_mask else carried)
                    new = tree.pack_sequence_as(states, [
                        anp.where(keep, n, s) for n, s in zip(tree.flatten(new),
                                                              tree.flatten(states))])
                states = new
                outputs.append(out)
        finally:
            for cell in cells:
                if isinstance(cell, RecurrentCell):
                    cell._sequence_masks = None
        output = anp.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return output, states

    # ------------------------------------------------------------------------- shapes, masks
    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return self.state_size[0] if size is None else size

    def compute_output_shape(self, input_shape):
        shape = sequence_shape(input_shape)
        self._check_sequence_shape(shape)
        batch = shape[0]
        output = (batch, shape[1], self._output_size()) if self.return_sequences else (
            batch, self._output_size())
        if not self.return_state:
            return output
        states = [[(batch, s) for s in size] if isinstance(size, (list, tuple)) else (batch, size)
                  for size in self.state_size]
        return (output, *states)

    def compute_mask(self, inputs, mask=None):
        """The input's mask on a returned sequence; None on a last output and on states."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    # ------------------------------------------------------------------------- config
    def _rnn_config(self):
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}

    def get_config(self):
        return {**super().get_config(), **self._rnn_config(),
                "cell": serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        config_ = dict(config_)
        cell = deserialize_layer(config_.pop("cell"), custom_objects)
        return cls(cell, **config_)


def check_use_cudnn(use_cudnn):
    """Keras 3's check of `use_cudnn` (minikeras never uses cuDNN, so it changes nothing)."""
    if use_cudnn not in ("auto", True, False):
        raise ValueError("Invalid valid received for argument `use_cudnn`. Expected one of "
                         f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}")


class CellRNN(RNN):
    """What `SimpleRNN`, `LSTM` and `GRU` share: the cell's settings read as the layer's own
    attributes (`layer.units`, `layer.dropout`...) and Keras 3's flat config, which holds the
    cell's arguments instead of a nested `cell` entry."""

    units = property(lambda self: self.cell.units)
    activation = property(lambda self: self.cell.activation)
    use_bias = property(lambda self: self.cell.use_bias)
    kernel_initializer = property(lambda self: self.cell.kernel_initializer)
    recurrent_initializer = property(lambda self: self.cell.recurrent_initializer)
    bias_initializer = property(lambda self: self.cell.bias_initializer)
    kernel_regularizer = property(lambda self: self.cell.kernel_regularizer)
    recurrent_regularizer = property(lambda self: self.cell.recurrent_regularizer)
    bias_regularizer = property(lambda self: self.cell.bias_regularizer)
    kernel_constraint = property(lambda self: self.cell.kernel_constraint)
    recurrent_constraint = property(lambda self: self.cell.recurrent_constraint)
    bias_constraint = property(lambda self: self.cell.bias_constraint)
    dropout = property(lambda self: self.cell.dropout)
    recurrent_dropout = property(lambda self: self.cell.recurrent_dropout)

    def get_config(self):
        cell_config = self.cell.get_config()
        for own in ("name", "trainable", "dtype"):
            cell_config.pop(own, None)
        config_ = {**Layer.get_config(self), **self._rnn_config(), **cell_config,
                   "activity_regularizer": regularizers.serialize(self.activity_regularizer)}
        return config_

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        return cls(**config_)
