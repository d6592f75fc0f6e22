"""Symbolic tensors and the nodes that connect layers in a functional model."""

from minikeras import tree


class KerasTensor:
    """The symbolic output of `Input(...)` or of a layer called on symbolic inputs.

    Attributes:
        shape: tuple, with None for unknown dimensions (the batch).
        dtype: dtype name.
        name: a readable name.
    """

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        self._keras_history = history  # (layer, node_index, tensor_index)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"A symbolic KerasTensor {self.shape} (from `Input` or a layer called on one) cannot be "
            "converted to a NumPy array. Build a `Model(inputs, outputs)` and call it on data."
        )

    def _unsupported(self, *args, **kwargs):
        raise TypeError(
            "Arithmetic on symbolic KerasTensors is not supported in minikeras; use layers such as "
            "`Add`, `Multiply`, `Lambda`, or write a Layer subclass."
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unsupported
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = __getitem__ = _unsupported


def is_symbolic(x):
    return any(isinstance(leaf, KerasTensor) for leaf in tree.flatten(x))


class Node:
    """One call of `layer` on symbolic `inputs`, producing `outputs` (both nested structures).

    `args`/`kwargs` are the call's other arguments, replayed when the model runs (in a graph
    read from Keras 3 they may hold KerasTensors: a symbolic `mask=`).
    """

    def __init__(self, layer, inputs, outputs, args=(), kwargs=None):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.args = args
        self.kwargs = kwargs or {}
        # Every KerasTensor the call reads: its inputs, then those among its other arguments
        # (a symbolic `mask=` of a Keras graph, an operation's second operand).
        rest = [leaf for leaf in tree.flatten([list(self.args), self.kwargs])
                if isinstance(leaf, KerasTensor)]
        self.input_tensors = tree.flatten(inputs) + rest
        self.tensor_arguments = bool(rest)  # the graph must pass their values
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(tree.flatten(outputs)):
            t._keras_history = (layer, self.index, i)

    @property
    def parent_nodes(self):
        """The nodes that produced the tensors this node reads."""
        parents = []
        for t in self.input_tensors:
            layer, index, _ = t._keras_history
            parents.append(layer._inbound_nodes[index])
        return parents
