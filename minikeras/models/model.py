"""`Model`: functional (`Model(inputs, outputs)`) or subclassed (override `call`)."""

from minikeras import tree
from minikeras.layers.base import Layer, to_snake_case, unique_name
from minikeras.layers.core import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.models.summary import print_summary
from minikeras.trainers.trainer import Trainer


class Model(Trainer, Layer):
    """A layer with training: `compile`, `fit`, `evaluate`, `predict`, `summary`, ...

    Functional: `Model(inputs=Input((784,)), outputs=Dense(10)(...))`.
    Subclassed: define layers in `__init__` and the forward pass in `call(inputs, training)`.

    Args:
        inputs: the `Input` tensor(s) of a functional model.
        outputs: the output tensor(s) of a functional model.
        name: the model's name.
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        functional = inputs is not None or outputs is not None
        name = kwargs.pop("name", None)
        if name is None:
            name = unique_name("functional" if functional and type(self) is Model
                               else to_snake_case(type(self).__name__))
        Layer.__init__(self, name=name, **kwargs)
        self._init_trainer()
        self._nodes = None
        if functional:
            if inputs is None or outputs is None:
                raise ValueError("A functional Model needs both `inputs` and `outputs`.")
            self._init_graph(inputs, outputs)

    # ------------------------------------------------------------------ functional graph
    def _init_graph(self, inputs, outputs):
        for t in tree.flatten(inputs) + tree.flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Model inputs and outputs must be symbolic tensors from "
                                 f"`keras.Input(...)` and layer calls. Received: {t!r}")
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self.inputs, self.outputs = tree.flatten(inputs), tree.flatten(outputs)
        nodes, seen = [], set()

        def visit(node):
            if id(node) in seen:
                return
            seen.add(id(node))
            for parent in node.parent_nodes:
                visit(parent)
            nodes.append(node)

        for t in self.outputs:
            layer, index, _ = t._keras_history
            visit(layer._inbound_nodes[index])
        input_ids = {id(t) for t in self.inputs}
        for node in nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in input_ids:
                raise ValueError(
                    f"Graph disconnected: the output depends on input '{node.layer.name}' "
                    f"{node.outputs.shape}, which is not among the model's `inputs`."
                )
        self._nodes = nodes
        layers = []
        for node in nodes:
            if not any(node.layer is l for l in layers):
                layers.append(node.layer)
        self.__dict__["_layers"] = layers
        self.built = True

    def _run_graph(self, inputs):
        values = {}
        given = self._flatten_inputs(inputs)
        for t, x in zip(self.inputs, given):
            values[id(t)] = x
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = tree.map_structure(lambda t: values[id(t)], node.inputs)
            out = node.layer(args, *node.args, **node.kwargs)
            for t, o in zip(tree.flatten(node.outputs), tree.flatten(out)):
                values[id(t)] = o
        return tree.pack_sequence_as(self._outputs_struct, [values[id(t)] for t in self.outputs])

    def _flatten_inputs(self, inputs):
        if isinstance(inputs, dict):
            return [inputs[t.name] if t.name in inputs else inputs[t._keras_history[0].name]
                    for t in self.inputs]
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), but it "
                             f"received {len(flat)}.")
        return flat

    def call(self, inputs, training=None):
        if self._nodes is None:
            raise NotImplementedError(
                f"Model '{self.name}' has no `call`: subclasses of Model must implement "
                "`call(self, inputs, training=None)`, or create the model with "
                "`Model(inputs, outputs)`."
            )
        return self._run_graph(inputs)

    def compute_output_shape(self, input_shape):
        if self._nodes is not None:
            return tree.map_structure(lambda t: t.shape, self._outputs_struct)
        return super().compute_output_shape(input_shape)

    @property
    def input(self):
        """The model's input tensor (a list when it has several), as `model.input` in Keras."""
        if not getattr(self, "inputs", None):
            raise AttributeError(f"Model '{self.name}' has no defined input: it is not built yet.")
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def output(self):
        """The model's output tensor (a list when it has several)."""
        if not getattr(self, "outputs", None):
            raise AttributeError(f"Model '{self.name}' has no defined output: it is not built yet.")
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    # ------------------------------------------------------------------ structure
    @property
    def layers(self):
        """The model's layers (for a functional model, `InputLayer`s included, as in Keras)."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """Returns a layer by `name` or by `index` in `layers`."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[l.name for l in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index to `get_layer`.")

    def _output_names_or_none(self):
        if getattr(self, "outputs", None):
            return [t._keras_history[0].name for t in self.outputs]
        return None

    def _input_names_or_none(self):
        if getattr(self, "inputs", None):
            return [t._keras_history[0].name for t in self.inputs]
        return None

    def _input_shapes_or_none(self):
        if getattr(self, "inputs", None):
            return [t.shape for t in self.inputs]
        return None

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras's table of layers, output shapes and parameter counts."""
        print_summary(self, line_length=line_length, print_fn=print_fn,
                      show_trainable=show_trainable)

    def get_config(self):
        raise NotImplementedError(
            f"Model '{self.name}': serializing a functional or subclassed model's config is not "
            "implemented yet in minikeras (Sequential models are supported)."
        )
