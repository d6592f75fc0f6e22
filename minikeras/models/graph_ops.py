"""The operations of a Keras 3 functional graph that are not layers: the mask computations.

When a Keras 3 layer computes the mask of a symbolic tensor (`Embedding(mask_zero=True)`:
`not_equal(ids, 0)`; `Masking`: `any(not_equal(x, v), axis=-1)`; merge layers: `logical_or`,
`concatenate`...), each `keras.ops` call becomes a node of the functional graph, and a
layer whose `call` takes `mask` records that symbolic mask in its node's `kwargs`. Keras
writes these operations into the model's config as entries of `layers` (module
`keras.src.ops.numpy`, class `NotEqual`, `Any`...). `GraphOperation` reads them back: it is
called on symbolic tensors like a layer (making a `Node`, so the graph runs it and writes it
back), computes in NumPy when the model runs, and is no layer (`model.layers` leaves it
out, as Keras's). Masks are booleans that are never differentiated, so the operations run
on plain values.

minikeras builds no such nodes itself (its layers carry symbolic masks that a running
model recomputes), so only models from Keras hold them.
"""

import numpy as np
from autograd.tracer import getval

from minikeras import tree
from minikeras.layers.keras_tensor import KerasTensor, Node, is_symbolic


def _any(x, axis=None, keepdims=False):
    return np.any(x, axis=_axis(axis), keepdims=keepdims)


def _all(x, axis=None, keepdims=False):
    return np.all(x, axis=_axis(axis), keepdims=keepdims)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _like(fill):
    def like(x, dtype=None):
        return np.full(np.shape(x), fill, dtype=dtype or np.asarray(x).dtype)
    return like


# Keras class name -> (NumPy function, the config keys passed to it as keyword arguments).
# The operations Keras 3's masks are built from (and their close relatives).
OPERATIONS = {
    "NotEqual": (np.not_equal, ()),
    "Equal": (np.equal, ()),
    "Any": (_any, ("axis", "keepdims")),
    "All": (_all, ("axis", "keepdims")),
    "LogicalOr": (np.logical_or, ()),
    "LogicalAnd": (np.logical_and, ()),
    "LogicalNot": (np.logical_not, ()),
    "ExpandDims": (lambda x, axis: np.expand_dims(x, _axis(axis)), ("axis",)),
    "Squeeze": (lambda x, axis=None: np.squeeze(x, _axis(axis)), ("axis",)),
    "OnesLike": (_like(1), ("dtype",)),
    "ZerosLike": (_like(0), ("dtype",)),
    "Concatenate": (lambda xs, axis=0: np.concatenate(xs, axis=axis), ("axis",)),
    "BroadcastTo": (lambda x, shape: np.broadcast_to(x, tuple(shape)), ("shape",)),
}
MODULES = ("keras.src.ops.numpy", "keras.src.ops.core")


def is_operation_config(entry):
    """Whether an entry of a functional config's `layers` is a Keras operation: its module
    is `keras.src.ops...` (`.keras` files), or, in the legacy form of `.h5` files (no
    module), its class is one of `OPERATIONS` and its config has no `trainable` (every
    layer's has one: that tells the operation `Concatenate` from the layer)."""
    if not isinstance(entry, dict):
        return False
    module = entry.get("module")
    if module is not None:
        return str(module).startswith("keras.src.ops")
    config = entry.get("config")
    return entry.get("class_name") in OPERATIONS and isinstance(config, dict) and \
        "trainable" not in config


class GraphOperation:
    """One `keras.ops` call of a Keras 3 functional graph (see the module docstring).

    Args:
        class_name: Keras's class name, e.g. `'NotEqual'`.
        module: Keras's module, e.g. `'keras.src.ops.numpy'`.
        config: its config (`name` and the operation's arguments, e.g. `axis`).

    Raises:
        NotImplementedError: for an operation minikeras does not provide.
    """

    def __init__(self, class_name, module, config):
        if class_name not in OPERATIONS:
            raise NotImplementedError(
                f"The functional model uses the Keras operation '{class_name}' (module "
                f"'{module}') on symbolic tensors; minikeras reads only the operations of "
                f"Keras's masks: {sorted(OPERATIONS)}.")
        self.class_name, self.module = class_name, module
        self.config = dict(config or {})
        self.name = self.config.get("name") or class_name.lower()
        fn, keys = OPERATIONS[class_name]
        self._fn = fn
        self._kwargs = {k: self.config[k] for k in keys if k in self.config}
        self._inbound_nodes = []

    def compute(self, *args):
        """The operation on plain values (traced values are read as their values)."""
        args = tree.map_structure(lambda a: np.asarray(getval(a)) if hasattr(a, "shape")
                                  else a, list(args))
        return self._fn(*args, **self._kwargs)

    def __call__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(f"Operation '{self.name}' ({self.class_name}) takes no keyword "
                            f"arguments in a call; received {sorted(kwargs)}.")
        if not is_symbolic(list(args)):
            return self.compute(*args)
        shapes = []
        for fill in (2, 3):
            def stand_in(t, fill=fill):
                if not isinstance(t, KerasTensor):
                    return t
                return np.zeros([fill if d is None else d for d in t.shape], t.dtype)
            shapes.append(self.compute(*tree.map_structure(stand_in, list(args))))
        a, b = shapes
        shape = tuple(x if x == y else None for x, y in zip(np.shape(a), np.shape(b)))
        output = KerasTensor(shape, np.asarray(a).dtype.name, name=self.name)
        Node(self, args[0], output, tuple(args[1:]), {})
        return output

    def get_config(self):
        return dict(self.config)

    def serialize(self):
        """The entry Keras writes for the operation (without `name`/`inbound_nodes`)."""
        return {"module": self.module, "class_name": self.class_name,
                "config": self.get_config(), "registered_name": self.class_name}

    def __repr__(self):
        return f"<GraphOperation {self.class_name} name={self.name}>"


def from_config(entry):
    """The `GraphOperation` of a functional config's `layers` entry."""
    return GraphOperation(entry["class_name"], entry.get("module") or "keras.src.ops.numpy",
                          entry.get("config"))
