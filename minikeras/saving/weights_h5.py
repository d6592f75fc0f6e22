"""Keras 3's weights layout: the `.weights.h5` file and the `model.weights.h5` of a `.keras`.

Every object that owns state gets a group `<path>/vars` (attribute `name`) holding its own
variables as datasets `0`, `1`, ... The paths are those of Keras 3's walk over the model
(`keras/src/saving/saving_lib.py`): the model itself at the root (`vars`); for a Sequential or
functional model its `layers` first, each named by its class in snake case, made unique within
the list (`layers/dense`, `layers/dense_1`, `layers/dropout`...; not by the layer's name); then
the other attributes in sorted order (`optimizer`, or a subclassed model's own layer attributes
such as `encoder`), private ones last; inside a layer, its sub-layer attributes. An object met
twice is saved once, at its first path.

A layer's variables are its own (not its sub-layers'), trainable first, as Keras 3's
`Layer.save_own_variables`; the optimizer's are `optimizer.variables` (Keras 3's order).
"""

import io
import warnings

import h5py

from minikeras.layers.base import Layer
from minikeras.naming import to_snake_case
from minikeras.optimizers.base import Optimizer
from minikeras.saving import checksums, h5_io, optimizer_state
from minikeras.utils.atomic_write import atomic_write


# ---------------------------------------------------------------------------- the walk
def walk(model):
    """`(path, object)` for every layer and optimizer of `model` (the model first, path
    `''`), in Keras 3's order."""
    found = []
    _visit(model, "", set(), found)
    return found


def _visit(obj, path, visited, found):
    if id(obj) in visited:
        return
    visited.add(id(obj))
    found.append((path, obj))
    for name, child in _children(obj):
        child_path = f"{path}/{name}" if path else name
        if _is_saveable(child):
            _visit(child, child_path, visited, found)
        elif isinstance(child, (list, tuple, dict)):
            _visit_container(child, child_path, visited, found, set())


def _visit_container(container, path, visited, found, seen_containers):
    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    used = {}
    for item in container.values() if isinstance(container, dict) else container:
        if _is_saveable(item):
            _visit(item, f"{path}/{_unique(to_snake_case(type(item).__name__), used)}", visited,
                   found)
        elif isinstance(item, (list, tuple, dict)):
            _visit_container(item, f"{path}/{_unique('container', used)}", visited, found,
                             seen_containers)


def _unique(name, used):
    """Keras's names within one list: `dense`, `dense_1`, `dense_2`..."""
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _is_saveable(obj):
    return isinstance(obj, (Layer, Optimizer))


def _children(obj):
    """The attributes Keras 3's walk visits, in its order: a Sequential's or functional
    model's `layers` first, then the others sorted, private names last."""
    if isinstance(obj, Optimizer):
        return []
    children = {}
    is_model = hasattr(obj, "compiled") and hasattr(obj, "layers")
    graph_model = is_model and ("_input_layer" in vars(obj)  # a Sequential
                                or getattr(obj, "_nodes", None) is not None)  # a graph
    for name, value in vars(obj).items():
        if name.startswith("_") or name in _BASE_ATTRIBUTES:
            continue
        if _is_saveable(value) or (isinstance(value, (list, tuple, dict)) and value):
            children[name] = value
    if is_model:
        children.pop("layers", None)
        if not graph_model:
            children["layers"] = obj.layers
        if getattr(obj, "optimizer", None) is not None:
            children["optimizer"] = obj.optimizer
    ordered = sorted(children.items(), key=lambda item: item[0])
    return ([("layers", obj.layers)] if graph_model else []) + ordered


# Public attributes of minikeras's own base classes (Layer, Model, the trainer), which a
# Keras model does not have as state-holding attributes: never part of the walk.
_BASE_ATTRIBUTES = frozenset({
    "trainable", "built", "dtype", "name", "input_spec", "supports_masking",
    "activity_regularizer", "optimizer", "compiled", "stop_training", "history", "loss",
    "inputs", "outputs", "output_tensor",
})


def own_variables(obj):
    """The variables an object saves in its own `vars` group, in Keras 3's order."""
    if isinstance(obj, Optimizer):
        return list(obj.variables)
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


# ---------------------------------------------------------------------------- writing
def save_weights(model, filepath):
    """Writes `model`'s state (weights and optimizer) to a `.weights.h5` file, atomically."""
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    with atomic_write(filepath) as tmp_path:
        with h5py.File(tmp_path, "w", libver=h5_io.LIBVER) as f:
            write_state(f, model)


def to_bytes(model):
    """The `model.weights.h5` of a `.keras` archive, as bytes."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w", libver=h5_io.LIBVER) as f:
        write_state(f, model)
    return buffer.getvalue()


def write_state(f, model):
    f.attrs["keras_version"] = h5_io.WRITER  # Keras 3 writes no root attribute; it ignores it
    for path, obj in walk(model):
        group = f.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = obj.name
        for i, variable in enumerate(own_variables(obj)):
            h5_io.write_array(group, str(i), variable.numpy())
        checksums.write_members_checksum(group)
    checksums.write_tree_checksum(f)


# ---------------------------------------------------------------------------- reading
def load_weights(model, filepath, skip_mismatch=False):
    """Loads a `.weights.h5` file into `model` (and its optimizer's state, if compiled)."""
    with h5_io.open_for_reading(filepath, "weights") as reader:
        reader.strict = reader.written_here(reader.file)
        load_state(reader, model, skip_mismatch)


def load_state(reader, model, skip_mismatch=False, own_optimizer=False):
    """Sets every weight (and the optimizer state) from the file. Arrays are read and checked
    before anything is set: an error leaves the model as it was.

    Args:
        own_optimizer: the model's optimizer was rebuilt from the same file (`.keras`), so in a
            file minikeras wrote (`reader.strict`), a state that does not fit is damage.

    Raises:
        ValueError: naming the file and the layer, for counts or shapes that do not match
            (with `skip_mismatch`, a warning and that layer is skipped) or damaged content.
    """
    if not model.built:
        raise ValueError(f"You are loading weights from {reader.path} into a model that has not "
                         "yet been built. Try building the model first by calling it on some "
                         "data or by using `build()`.")
    reader.tree_checked()
    assignments, optimizer_entry = [], None
    for path, obj in walk(model):
        if isinstance(obj, Optimizer):
            optimizer_entry = (path, obj)
            continue
        variables = own_variables(obj)
        group = _vars_group(reader, path)
        keys = reader.members_checked(group) if group is not None else []
        if len(keys) != len(variables):
            message = (f"Layer '{obj.name}' expected {len(variables)} variables, but received "
                       f"{len(keys)} variables during loading (at '{path or '/'}'). Expected: "
                       f"{[v.name for v in variables]}")
            if skip_mismatch:
                warnings.warn(f"Skipping loading '{obj.name}' from {reader.path}: {message}",
                              stacklevel=3)
                continue
            raise reader.error(message)
        values = []
        for i, variable in enumerate(variables):
            value = reader.array(group, str(i), variable.shape)
            if h5_io.is_mismatch(value):
                message = (f"the weight '{variable.path}' of layer '{obj.name}' has shape "
                           f"{variable.shape}, but the file holds shape {value.shape} (at "
                           f"'{path}/vars/{i}').")
                if skip_mismatch:
                    warnings.warn(f"Skipping loading '{obj.name}' from {reader.path}: {message}",
                                  stacklevel=3)
                    values = None
                    break
                raise reader.error(message)
            values.append((variable, value))
        assignments.extend(values or [])
    tf_keras_2 = optimizer_entry is not None and \
        str(reader.keras_version or "").startswith("2.")
    optimizer_values = None if tf_keras_2 else _optimizer_values(
        reader, model, optimizer_entry, own_optimizer and reader.strict)
    h5_io.assign_loaded(assignments, reader.path)
    if optimizer_values is not None:
        optimizer_entry[1].set_weights(optimizer_values)
    elif tf_keras_2:
        _restore_tf_keras_2_optimizer(reader, model, optimizer_entry)


def _vars_group(reader, path):
    """The `vars` group of `path`, or None (also tf.keras 2.13's `_layer_checkpoint_dependencies`
    spelling of `layers`, as Keras 3 reads it)."""
    for candidate in (path, path.replace("layers", "_layer_checkpoint_dependencies", 1)):
        parent = reader.file
        for part in [p for p in candidate.split("/") if p]:
            parent = reader.group(parent, part, required=False)
            if parent is None:
                break
        if parent is not None:
            group = reader.group(parent, "vars", required=False)
            if group is not None:
                return group
    return None


def _optimizer_values(reader, model, entry, strict):
    """The optimizer state to set from the file (built on the model's trainable variables, as
    `fit` builds it), or None with Keras's warning when the file's does not fit (an error when
    `strict`)."""
    if entry is None:
        return None
    path, optimizer = entry
    group = _vars_group(reader, path)
    if group is None:
        if strict:
            raise reader.error("it has no optimizer state, which minikeras writes for a "
                               "compiled model: the file is damaged.")
        return None
    count = len(reader.members_checked(group))
    if count != len(optimizer.variables):
        optimizer.build(model.trainable_variables)
    variables = optimizer.variables

    def skip(reason):
        if strict:
            raise reader.error(f"its optimizer state does not fit its optimizer ({reason}): "
                               "the file is damaged.")
        warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because "
                      f"{reason}.", stacklevel=5)

    if count != len(variables):
        return skip(f"it has {len(variables)} variables whereas the saved optimizer in "
                    f"{reader.path} has {count} variables")
    values = []
    for i, variable in enumerate(variables):
        value = reader.array(group, str(i), variable.shape)
        if h5_io.is_mismatch(value):
            return skip(f"its variable '{variable.name}' has shape {variable.shape}, the file "
                        f"{reader.path} holds {value.shape}")
        values.append(value.astype(variable.dtype))
    return values


def _restore_tf_keras_2_optimizer(reader, model, entry):
    """The optimizer state of a `.keras` archive tf.keras 2.13+ wrote (its metadata's
    `keras_version` is 2.x): tf.keras 2's `optimizer.variables`, `iteration` then the slots, with
    no learning rate (it is in the config). Restored as that Keras's `.h5` state is (named by
    `optimizer_state.tf_keras_2_names`); one that does not fit leaves a fresh optimizer, with a
    warning."""
    path, optimizer = entry
    group = _vars_group(reader, path)
    if group is None:
        return
    count = len(reader.members_checked(group))
    trainable = model.trainable_variables
    names = optimizer_state.tf_keras_2_names(optimizer, trainable)
    if names is None or len(names) != count:
        warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because "
                      f"the saved optimizer in {reader.path} has {count} variables, which is "
                      f"not tf.keras 2's layout for {type(optimizer).__name__} on "
                      f"{len(trainable)} variables.", stacklevel=5)
        return
    optimizer_state.restore(optimizer, trainable, names,
                            lambda i, shape: reader.array(group, str(i), shape), reader.path)
