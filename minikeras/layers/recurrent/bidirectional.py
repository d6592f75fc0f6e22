"""`Bidirectional`: a recurrent layer run forwards and backwards, outputs merged (Keras 3)."""

import autograd.numpy as anp

from minikeras.layers.base import Layer
from minikeras.layers.recurrent.rnn import RNN, inputs_with_initial_state, sequence_shape
from minikeras.layers.recurrent.wrapper import deserialize_layer, prefix_paths
from minikeras.serialization import serialize_keras_object

MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _check_recurrent(layer, argument):
    if not isinstance(layer, Layer):
        raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
                         f"instance. Received: {argument}={layer}")
    if not isinstance(layer, RNN):
        raise ValueError(f"`Bidirectional` wraps a recurrent layer (RNN, LSTM, GRU, SimpleRNN, "
                         f"...) that can read a sequence backwards; received {argument} "
                         f"'{layer.name}' of class {type(layer).__name__}.")


def _renamed_copy(layer, prefix, go_backwards=None):
    """A fresh layer from `layer`'s config (Keras: the wrapper never reuses its weights),
    named `prefix + name`, unbuilt (the wrapper builds it and names its variables)."""
    config = serialize_keras_object(layer)
    config.pop("build_config", None)
    name = layer.name[len(prefix):] if layer.name.startswith(prefix) else layer.name
    config["config"]["name"] = prefix + name
    if go_backwards is not None:
        config["config"]["go_backwards"] = go_backwards
    return deserialize_layer(config)


class Bidirectional(Layer):
    """Runs a recurrent layer over the sequence forwards and a copy of it backwards, and merges
    their outputs.

    Args:
        layer: the recurrent layer (an `RNN`, `LSTM`, `GRU`, `SimpleRNN`); the wrapper makes
            fresh copies named `forward_<name>` and `backward_<name>` (Keras: its weights are
            not reused).
        merge_mode: `'concat'` (default), `'sum'`, `'mul'`, `'ave'`, or None (a list of both
            outputs).
        weights: initial weights, the forward layer's then the backward layer's (default None).
        backward_layer: the layer to run backwards (default: a copy of `layer` with
            `go_backwards=True`); it must agree with `layer` on `stateful`,
            `return_sequences` and `return_state`, and differ on `go_backwards`.

    Call arguments: as the wrapped layer's; `initial_state` lists the forward layer's states,
    then the backward layer's. The backward output sequence is flipped back to the input's
    order before merging. With `return_sequences`, masked steps output zeros (Keras sets
    `zero_output_for_mask` on both layers).
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        _check_recurrent(layer, "layer")
        if backward_layer is not None:
            _check_recurrent(backward_layer, "backward_layer")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                             'one of {"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = _renamed_copy(layer, "forward_")
        self.backward_layer = (_renamed_copy(layer, "backward_", go_backwards=True)
                               if backward_layer is None else backward_layer)
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = None if weights is None else list(weights)
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_layer_config(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards "
                             f"{forward.go_backwards}, backward_layer.go_backwards="
                             f"{backward.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(forward, attribute), getattr(backward, attribute)
            if a != b:
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{attribute}", got "{a}" for '
                                 f'forward layer and "{b}" for backward layer')

    # ------------------------------------------------------------------------- states
    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_states(self, states=None):
        """Resets both layers' states (zeros, or the forward half then the backward half)."""
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        states = list(states)
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def reset_state(self):
        self.reset_states()

    # ------------------------------------------------------------------------- building
    def build(self, input_shape):
        shape = sequence_shape(input_shape)
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub._build_from_shapes(shape)
            prefix_paths(sub, self.name)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def get_build_config(self):
        shapes = self.__dict__.get("_build_shapes")
        return None if not self.built or shapes is None else {
            "input_shape": sequence_shape(shapes)}

    def build_from_config(self, config_):
        shape = (config_ or {}).get("input_shape", (config_ or {}).get("sequences_shape"))
        if shape is not None:
            self._build_from_shapes(tuple(shape))

    # ------------------------------------------------------------------------- calling
    def __call__(self, *args, **kwargs):
        args, kwargs = inputs_with_initial_state(args, kwargs)
        return super().__call__(*args, **kwargs)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):
            sequences, *given = sequences
            if given:
                initial_state = given
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(
                initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev[:, ::-1]
        if self.merge_mode == "concat":
            output = anp.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    # ------------------------------------------------------------------------- shapes, masks
    def compute_output_shape(self, input_shape):
        output = self.forward_layer.compute_output_shape(sequence_shape(input_shape))
        state_shapes = []
        if self.return_state:
            output, state_shapes = output[0], list(output[1:])
        if self.merge_mode == "concat":
            output = tuple(output[:-1]) + (output[-1] * 2,)
        if self.merge_mode is None:
            output = [output, output]
        if self.return_state:
            return tuple((output if self.merge_mode is None else [output]) + state_shapes * 2)
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0] if mask else None
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            n_states = len(self.forward_layer.state_size) * 2
            head = output_mask if isinstance(output_mask, list) else [output_mask]
            return head + [None] * n_states
        return output_mask

    # ------------------------------------------------------------------------- config
    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        config_ = dict(config_)
        config_["layer"] = deserialize_layer(config_["layer"], custom_objects)
        backward = config_.pop("backward_layer", None)
        if backward is not None:
            config_["backward_layer"] = deserialize_layer(backward, custom_objects)
        return cls(**config_)



