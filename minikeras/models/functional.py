"""The graph of a functional model: which layer calls it runs, in which order, and its config.

A functional model is the graph of `Node`s (layer calls) between its `Input`s and its outputs.
`map_graph` orders it as Keras 3 does (so `model.layers` has Keras's order), `graph_config`
writes Keras 3's config of it and `graph_from_config` calls the layers again to rebuild it,
from Keras 3's configs and from tf.keras 2's / Keras 2's.

A graph from Keras 3 may also hold operations that are not layers (`graph_ops.py`: the mask
computations whose result a layer's node reads as `mask=`): they are nodes of the graph,
run and written back, but not among `model.layers`.
"""

from minikeras import serialization, tree
from minikeras.layers.core import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.models import graph_ops


# --------------------------------------------------------------------------- the graph
def map_graph(inputs, outputs):
    """The nodes between `inputs` and `outputs`, and the layers they call, ordered as Keras.

    Args:
        inputs: flat list of the model's input `KerasTensor`s.
        outputs: flat list of its output `KerasTensor`s.

    Returns:
        `(nodes, layers, depths)`: nodes in an order that runs each after the nodes it reads
        from; layers by decreasing depth (inputs first), ties in the order a depth-first walk
        from the outputs meets them (Keras's `model.layers` order); `{id(node): depth}`, the
        outputs' nodes at depth 0 and each node one deeper than the deepest node reading it
        (Keras's `_nodes_by_depth`, which `summary` reads).

    Raises:
        ValueError: when an output depends on an input that is not in `inputs` ("Graph
            disconnected") or two layers have the same name.
    """
    nodes, first_seen = [], {}
    done, in_progress = set(), set()

    def visit(tensor):
        layer, index, _ = tensor._keras_history
        node = layer._inbound_nodes[index]
        if id(node) in done:
            return
        if id(node) in in_progress:
            raise ValueError(f"Tensor {tensor} from layer '{layer.name}' is part of a cycle.")
        first_seen.setdefault(id(layer), len(first_seen))
        in_progress.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        in_progress.discard(id(node))
        done.add(id(node))
        nodes.append(node)

    for output in outputs:
        visit(output)
    node_depth, layer_depth, layers_by_id = {}, {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        if not isinstance(node.layer, graph_ops.GraphOperation):  # not among the layers
            layers_by_id[id(node.layer)] = node.layer
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # an input no output depends on is still one of the model's layers
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], first_seen[id(layer)] = 0, -1
            layers_by_id[id(layer)] = layer
            node_depth[id(layer._inbound_nodes[0])] = 0
    layers = sorted(layers_by_id.values(),
                    key=lambda l: (-layer_depth[id(l)], first_seen[id(l)]))
    _check_connected(nodes, inputs)
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the '
                             "model. All layer names should be unique.")
    return nodes, layers, {id(node): node_depth[id(node)] for node in nodes}


def _check_connected(nodes, inputs):
    computable = {id(t) for t in inputs}
    for node in nodes:
        if isinstance(node.layer, InputLayer) and id(node.outputs) not in computable:
            raise ValueError(
                f"Graph disconnected: the output depends on input '{node.layer.name}' "
                f"{node.outputs.shape}, which is not among the model's `inputs`.")
        for t in tree.flatten(node.outputs):
            computable.add(id(t))


def own_node_offset(layer, legacy=False):
    """How many node indices a config counts before `layer`'s first call.

    tf.keras 2 counted a functional model's (and a built `Sequential`'s) own graph as its node 0;
    Keras 3 keeps that count, for functional models only, in `input_layers`/`output_layers`
    (not in the nodes' `keras_history`). minikeras models have no such node.
    """
    nodes = getattr(layer, "_nodes", None)
    if nodes is not None:  # a functional graph
        return 1
    if legacy and getattr(layer, "_input_layer", None) is not None:  # a built Sequential
        return 1
    return 0


# --------------------------------------------------------------------------- writing
def graph_config(model):
    """Keras 3's config of a functional model: `name`, `trainable`, `layers` (each layer's
    config with its `name` and `inbound_nodes`), `input_layers` and `output_layers`."""
    own = {id(node) for node in model._nodes}
    operations = model_operations(model)
    index_in_model = {}  # a node's index among its layer's calls that belong to this model
    for layer in list(model._layers) + operations:
        kept = 0
        for node in layer._inbound_nodes:
            if id(node) in own:
                index_in_model[id(node)] = kept
                kept += 1

    def history(tensor, offset=False):
        layer, index, tensor_index = tensor._keras_history
        node_index = index_in_model[id(layer._inbound_nodes[index])]
        return [layer.name, node_index + (own_node_offset(layer) if offset else 0), tensor_index]

    def tensor_config(x):
        if not isinstance(x, KerasTensor):
            return serialization.serialize_keras_object(x)
        return {"class_name": "__keras_tensor__",
                "config": {"shape": x.shape, "dtype": x.dtype, "keras_history": history(x)}}

    def argument_config(x):  # an argument that may hold tensors (an operation's operands)
        if isinstance(x, KerasTensor) or tree.is_nested(x) and any(
                isinstance(leaf, KerasTensor) for leaf in tree.flatten(x)):
            return tree.map_structure(tensor_config, x)
        return serialization.serialize_keras_object(x)

    def kwargs_config(kwargs):
        plain = {k: v for k, v in kwargs.items() if not isinstance(v, KerasTensor)}
        out = serialization.serialize_dict(plain)
        for k, v in kwargs.items():
            if isinstance(v, KerasTensor):  # a symbolic `mask=` from a Keras graph
                out[k] = tensor_config(v)
        return {k: out[k] for k in kwargs}

    def entry(layer):
        inbound = [{"args": [tree.map_structure(tensor_config, node.inputs)]
                    + [argument_config(a) for a in node.args],
                    "kwargs": kwargs_config(node.kwargs)}
                   for node in layer._inbound_nodes
                   if id(node) in own and not isinstance(layer, InputLayer)]
        config = layer.serialize() if isinstance(layer, graph_ops.GraphOperation) else \
            serialization.serialize_keras_object(layer)
        config["name"] = layer.name
        config["inbound_nodes"] = inbound
        return config

    # An operation is written after the layer (or operation) that made its first input, as
    # Keras orders them.
    after = {}
    for op in operations:
        first = op._inbound_nodes[0].input_tensors[0]._keras_history[0]
        after.setdefault(id(first), []).append(op)
    layer_configs = []

    def add(layer):
        layer_configs.append(entry(layer))
        for op in after.pop(id(layer), []):
            add(op)

    for layer in model._layers:
        add(layer)
    for ops in after.values():  # made by a layer of another model: at the end
        for op in ops:
            add(op)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": tree.map_structure(lambda t: history(t, offset=True),
                                           model._inputs_struct),
        "output_layers": tree.map_structure(lambda t: history(t, offset=True),
                                            model._outputs_struct),
    }


def model_operations(model):
    """The graph operations (not layers) among the model's nodes, in node order."""
    seen, ops = set(), []
    for node in model._nodes:
        if isinstance(node.layer, graph_ops.GraphOperation) and id(node.layer) not in seen:
            seen.add(id(node.layer))
            ops.append(node.layer)
    return ops


# --------------------------------------------------------------------------- reading
def is_graph_config(config):
    """Whether a model config describes a functional graph (Keras 2, tf.keras 2 or 3)."""
    return isinstance(config, dict) and all(
        key in config for key in ("layers", "input_layers", "output_layers"))


def graph_from_config(config, deserialize_layer, custom_objects=None):
    """Rebuilds the layers of a functional config and calls them as the config says.

    Args:
        config: the model's config (`layers`, `input_layers`, `output_layers`, ...).
        deserialize_layer: `f(layer_config, custom_objects) -> layer`.
        custom_objects: the user's objects, for the layers and the calls' arguments.

    Returns:
        `(inputs, outputs)`: the structures of tensors to build the model from.

    Raises:
        ValueError: for a config whose layers cannot all be called (a cycle, a missing layer,
            a disconnected node).
    """
    created, pending, order = {}, {}, []
    for layer_data in config["layers"]:
        name = layer_data.get("name") or (layer_data.get("config") or {}).get("name")
        layer = graph_ops.from_config(layer_data) if graph_ops.is_operation_config(
            layer_data) else deserialize_layer(layer_data, custom_objects)
        created[name] = layer
        order.append(name)
        pending[name] = list(layer_data.get("inbound_nodes") or [])
    legacy = any(isinstance(node, list) for nodes in pending.values() for node in nodes)

    # Each node is processed once every tensor it reads exists; a layer shared at different
    # depths (A(B(A(B(x))))) needs several passes.
    while any(pending.values()):
        progressed = False
        for name in order:
            while pending[name]:
                call = _node_call(pending[name][0], created, legacy, custom_objects)
                if call is None:
                    break
                args, kwargs = call
                created[name](*args, **kwargs)
                pending[name].pop(0)
                progressed = True
        if not progressed:
            stuck = {name: nodes for name, nodes in pending.items() if nodes}
            raise ValueError("Invalid Functional model configuration. The graph of the "
                             "Functional model either has loops or disconnected nodes. The "
                             f"following nodes failed to be resolved: {stuck}")

    def tensor(entry):
        name, node_index, tensor_index = entry[0], entry[1], entry[2]
        layer = _layer(created, name)
        node_index -= own_node_offset(layer, legacy)
        return tree.flatten(layer._inbound_nodes[node_index].outputs)[tensor_index]

    inputs = _map_entries(tensor, config["input_layers"])
    outputs = _map_entries(tensor, config["output_layers"])
    if legacy:  # tf.keras 2 wrote every model's inputs and outputs as lists
        inputs, outputs = _unwrap_single(inputs), _unwrap_single(outputs)
    return inputs, outputs


def _layer(created, name):
    if name not in created:
        raise ValueError(f"Invalid Functional model configuration: unknown layer '{name}'. "
                         f"Known layers: {sorted(created)}.")
    return created[name]


def _is_entry(x):
    return isinstance(x, (list, tuple)) and len(x) in (3, 4) and isinstance(x[0], str) and \
        isinstance(x[1], int) and isinstance(x[2], int)


def _map_entries(fn, entries):
    """Applies `fn` to each `[layer_name, node_index, tensor_index]` of a nested structure."""
    if _is_entry(entries):
        return fn(entries)
    if isinstance(entries, dict):
        return {k: _map_entries(fn, v) for k, v in entries.items()}
    if isinstance(entries, tuple):
        return tuple(_map_entries(fn, v) for v in entries)
    return [_map_entries(fn, v) for v in entries]


def _unwrap_single(x):
    return x[0] if isinstance(x, list) and len(x) == 1 else x


def _existing_output(created, name, node_index, tensor_index, legacy):
    """The tensor a node reads, or None while the call that makes it has not been replayed."""
    layer = _layer(created, name)
    node_index -= own_node_offset(layer, legacy) if legacy else 0
    if node_index < 0:
        raise ValueError(f"Invalid Functional model configuration: node index {node_index} of "
                         f"layer '{name}'.")
    if node_index >= len(layer._inbound_nodes):
        return None
    return tree.flatten(layer._inbound_nodes[node_index].outputs)[tensor_index]


def _node_call(node_data, created, legacy, custom_objects):
    """`(args, kwargs)` of one layer call of the config, or None if an input is not ready."""
    missing = []

    def resolve(x):  # the tensors a call reads (a Keras 3 `mask=` among its kwargs too)
        if isinstance(x, serialization.TensorReference):
            t = _existing_output(created, x.layer_name, x.node_index, x.tensor_index, legacy)
            if t is None:
                missing.append(x)
            return t
        if isinstance(x, dict):
            return {k: resolve(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return type(x)(resolve(v) for v in x)
        return x

    if isinstance(node_data, list):  # Keras 2: [[name, node, tensor, kwargs], ...]
        inputs, kwargs = [], {}
        for entry in node_data:
            if not _is_entry(entry):
                raise ValueError("Cannot deserialize the model (invalid config data?): "
                                 f"inbound node entry {entry!r}.")
            t = _existing_output(created, entry[0], entry[1], entry[2], legacy)
            if t is None:
                return None
            inputs.append(t)
            kwargs = entry[3] if len(entry) == 4 else kwargs
        kwargs = resolve(dict(serialization.deserialize_keras_object(kwargs, custom_objects)
                              or {}))
        return None if missing else ([_unwrap_single(inputs)], kwargs)
    args = serialization.deserialize_keras_object(node_data.get("args", []), custom_objects)
    kwargs = serialization.deserialize_keras_object(node_data.get("kwargs", {}), custom_objects)
    args, kwargs = resolve(list(args)), resolve(dict(kwargs or {}))
    return None if missing else (args, kwargs)
