"""Keras's legacy HDF5 format (`model.save('model.h5')`, `model.save_weights('w.h5')`).

Layout (written by Keras 2.2, tf.keras 2 and Keras 3 alike):

```
/                      attrs keras_version, backend, model_config (JSON),
                             training_config (JSON: loss, metrics, optimizer_config, ...)
/model_weights         attrs layer_names, backend, keras_version
/model_weights/<layer> attr weight_names ['dense/kernel:0', ...]; datasets at those paths
/optimizer_weights     attr weight_names; datasets at those paths
```

Weights go to layers *by order* among the layers that have weights (or by name with
`by_name=True`), each layer's in Keras's legacy order: trainable weights, then non-trainable.
A weights-only file is the `model_weights` group at the root. Long name lists are split into
`layer_names0`, `layer_names1`, ... (`h5_io`).

What minikeras writes loads in Keras 3 and in tf.keras 2: an `InputLayer` entry with
`batch_input_shape` (tf.keras 2 cannot read Keras 3's `batch_shape`), `learning_rate` in the
optimizer config, metrics as plain strings, weight names `dense/kernel:0`, the optimizer state in
the order and names of tf.keras 2's legacy optimizers (Keras 3's for others); reading also
understands tf.keras 2.11+'s, Keras 3's and Keras 2.2's (optimizer_state.py).
"""

import os
import warnings

import h5py

from minikeras.object_registration import get_registered_name
from minikeras.saving import compile_config, h5_io, optimizer_state
from minikeras.saving.model_config import rebuild_model
from minikeras.utils.atomic_write import atomic_write

WRITER = h5_io.WRITER
BACKEND = "numpy"  # the Keras 3 backend name that describes minikeras


# ---------------------------------------------------------------------------- writing
def save_model(model, filepath, include_optimizer=True):
    """Writes `model` (config, weights, compile arguments and optimizer state) to `filepath`,
    atomically."""
    # tf.keras 2 names a registered class of the user's `'Package>Name'`, as here.
    config = {"class_name": get_registered_name(type(model)),
              "config": legacy_model_config(model)}
    if "layers" not in config["config"] and getattr(model, "get_build_config", None):
        # A subclassed model: its config alone does not build it (Keras's .h5 cannot hold one).
        build_config = model.get_build_config()
        if build_config is not None:
            config["build_config"] = build_config
    training = compile_config.training_config(model) if include_optimizer else None
    configs = {"model_config": config}
    if training is not None:
        configs["training_config"] = training
    with atomic_write(filepath) as tmp_path:
        with h5py.File(tmp_path, "w", libver=h5_io.LIBVER) as f:
            f.attrs["keras_version"] = WRITER.encode("utf-8")
            f.attrs["backend"] = BACKEND.encode("utf-8")
            h5_io.write_json(f, configs)
            write_weights(f.create_group("model_weights"), model)
            if training is not None:
                _write_optimizer_weights(f, model.optimizer)


def save_weights(model, filepath):
    """Writes the model's weights alone (Keras 2 / tf.keras `save_weights('w.h5')`)."""
    with atomic_write(filepath) as tmp_path:
        with h5py.File(tmp_path, "w", libver=h5_io.LIBVER) as f:
            write_weights(f, model)


def write_weights(group, model):
    """Writes every layer's weights into `group` (the `model_weights` layout)."""
    layers = model.layers
    h5_io.write_strings(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = BACKEND.encode("utf-8")
    group.attrs["keras_version"] = WRITER.encode("utf-8")
    for layer in layers:
        layer_group = group.create_group(layer.name)
        weights = legacy_weights(layer)
        names = _unique([f"{w.path}:0" for w in weights])
        h5_io.write_strings(layer_group, "weight_names", names)
        for name, weight in zip(names, weights):
            h5_io.write_array(layer_group, name, weight.numpy())


def _write_optimizer_weights(f, optimizer):
    """The optimizer state as tf.keras 2's legacy optimizer of its class keeps it (`Adam/iter:0`,
    `Adam/dense/kernel/m:0`, ..., one slot kind after another, no learning rate): tf.keras 2
    builds that optimizer from this file's config and restores it whole. Keras 3 reads an
    `.h5` optimizer state by position on an optimizer built on none of the variables
    (`iteration`, `learning_rate`): it takes the iteration count, warns at the first slot and
    keeps the config's learning rate (it cannot train such a model until it is compiled again,
    whatever the layout). Other optimizers (tf.keras 2 has no legacy AdamW, Lion, Adafactor,
    Lamb...; EMA, gradient accumulation, Nadam) are written in Keras 3's order and names
    (`adam/iteration`, `adam/learning_rate`, ...). minikeras reads both back."""
    state = optimizer_state.tf_keras_2_legacy_state(optimizer)
    if state is None:
        variables = optimizer.variables
        state = _unique([v.path for v in variables]), [v.numpy() for v in variables]
    names, arrays = state
    group = f.create_group("optimizer_weights")
    h5_io.write_strings(group, "weight_names", names)
    for name, array in zip(names, arrays):
        h5_io.write_array(group, name, array)


def legacy_weights(layer):
    """A layer's weights in the order `.h5` files keep them: trainable, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _unique(names):
    """Keras 2's rule for repeated names: `name`, `name_1`, `name_2`, ..."""
    out = []
    for name in names:
        candidate, k = name, 1
        while candidate in out:
            candidate, k = f"{name}_{k}", k + 1
        out.append(candidate)
    return out


# Arguments that recent Keras 3 writes and tf.keras 2 rejects ("unexpected keyword argument"):
# left out of `.h5` configs when they hold their default, None.
_KERAS3_ONLY_ARGUMENTS = frozenset({"input_axes", "output_axes", "lora_rank", "lora_alpha",
                                    "quantization_config"})
# Arguments Keras 3 added to layers tf.keras 2 has, which tf.keras 2 refuses: left out of an
# `.h5` config when they hold their default, so that tf.keras 2 reads the file (a non-default
# value stays: tf.keras 2 cannot build that layer, and says so).
_KERAS3_DEFAULTS = {
    "LayerNormalization": {"rms_scaling": False},
    "Resizing": {"data_format": "channels_last", "pad_to_aspect_ratio": False,
                 "fill_mode": "constant", "fill_value": 0.0, "antialias": False},
    "CenterCrop": {"data_format": "channels_last"},
    "ZeroPadding1D": {"data_format": "channels_last"},
}
_DTYPE_POLICIES = ("DTypePolicy", "FloatDTypePolicy")


def _readable_by_tf_keras(value):
    """A config value in the form tf.keras 2 reads: a Keras 3 `DTypePolicy` of one dtype is
    its name (`'float32'`), a mixed one tf.keras 2's `Policy`; unset Keras 3 arguments go."""
    if isinstance(value, dict):
        if value.get("class_name") in _DTYPE_POLICIES and isinstance(value.get("config"), dict):
            name = value["config"].get("name")
            if isinstance(name, str) and name.startswith("mixed_"):
                return {"class_name": "Policy", "config": {"name": name}}
            return name
        return {k: _readable_by_tf_keras(v) for k, v in value.items()
                if not (k in _KERAS3_ONLY_ARGUMENTS and v is None)}
    if isinstance(value, (list, tuple)):
        return [_readable_by_tf_keras(v) for v in value]
    return value


def legacy_model_config(model):
    """`model.get_config()` in the form tf.keras 2 reads (Keras 3 reads it too): `InputLayer`
    entries with `batch_input_shape` (tf.keras 2 rejects Keras 3's `batch_shape`), functional
    graphs with tf.keras 2's node lists, dtype policies as names, and without the Keras 3
    arguments tf.keras 2 rejects when they are unset."""
    return _readable_by_tf_keras(_legacy_layers(model.get_config(), model))


def _legacy_layers(config, model):
    """The `layers` of a (possibly nested) model config, in tf.keras 2's form."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        return config
    by_name = {layer.name: layer for layer in getattr(model, "layers", [])}
    graph = "input_layers" in config
    layers = []
    for entry in config["layers"]:
        if not isinstance(entry, dict) or str(entry.get("module", "")).startswith(
                "keras.src.ops"):
            # An operation of a Keras 3 graph (a mask's `not_equal`...) keeps its module: Keras
            # 3's `.h5` reader finds operations only through it (its own `.h5` files, which
            # leave it out, fail to load there).
            layers.append(entry)
            continue
        entry = dict(entry)
        inner = by_name.get(entry.get("name") or (entry.get("config") or {}).get("name"))
        entry["config"] = _legacy_layers(entry.get("config"), inner)
        defaults = _KERAS3_DEFAULTS.get(entry.get("class_name"), {})
        if defaults and isinstance(entry["config"], dict):
            entry["config"] = {k: v for k, v in entry["config"].items()
                               if not (k in defaults and v == defaults[k])}
        if entry.get("class_name") == "InputLayer":
            layer_config = dict(entry["config"])
            if "batch_shape" in layer_config:
                layer_config["batch_input_shape"] = layer_config.pop("batch_shape")
            layer_config.setdefault("sparse", False)
            layer_config.setdefault("ragged", False)
            entry["config"] = layer_config
        if graph and all(isinstance(n, dict) for n in entry.get("inbound_nodes", [])):
            nodes = [_legacy_node(n, by_name) for n in entry.get("inbound_nodes", [])]
            if all(n is not None for n in nodes):  # else: Keras 3's form (Keras 3 reads it)
                entry = {"class_name": entry.get("class_name"), "config": entry["config"],
                         "name": entry.get("name"), "inbound_nodes": nodes}
        layers.append(entry)
    config = dict(config, layers=layers)
    if graph:
        for key in ("input_layers", "output_layers"):
            value = config[key]
            if isinstance(value, list) and value and isinstance(value[0], str):
                config[key] = [value]  # tf.keras 2 lists one input as a list of one
    return config


def _legacy_node(node, by_name):
    """A Keras 3 node `{'args': [tensors, ...], 'kwargs': {...}}` as tf.keras 2's list
    `[[layer name, node index, tensor index, kwargs], ...]`, or None when the call had other
    positional arguments or tensors among its kwargs, which that list cannot hold."""
    args = node.get("args") or []
    if len(args) != 1 or any(t is not None for t in _keras_tensors(
            list((node.get("kwargs") or {}).values()))):
        return None  # a tensor among the kwargs (a Keras 3 graph's `mask=`): Keras 3's form
    entries = []
    for tensor in _keras_tensors(args[0]):
        if tensor is None:
            return None
        name, node_index, tensor_index = tensor
        offset = _own_nodes(by_name.get(name))
        entries.append([name, node_index + offset, tensor_index, node.get("kwargs") or {}])
    return entries


def _own_nodes(layer):
    """tf.keras 2 counted a nested model's own graph as its node 0 (a functional model, or a
    built Sequential): Keras 3's `keras_history` does not (models/functional.py's
    `own_node_offset`, which this package cannot import: `minikeras.models` imports it)."""
    nested_graph = getattr(layer, "_nodes", None) is not None
    return int(nested_graph or getattr(layer, "_input_layer", None) is not None)


def _keras_tensors(value):
    """The `keras_history` of every tensor in a node's first argument (None for a value that
    is not a tensor)."""
    if isinstance(value, list):
        return [t for v in value for t in _keras_tensors(v)]
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        return [list(value["config"]["keras_history"])]
    return [None]


# ---------------------------------------------------------------------------- reading
def load_model(filepath, custom_objects=None, compile=True):
    """Rebuilds the model saved in a Keras `.h5` file, with its weights, and (with `compile`)
    its compile arguments and optimizer state."""
    with h5_io.open_for_reading(filepath, "model") as reader:
        reader.strict = reader.written_here(reader.file)
        config = reader.json_attr(reader.file, "model_config", required=False)
        if config is None:
            raise reader.error("it has no model config (attribute 'model_config'). It may hold "
                               "weights only: build the model in code and call "
                               "`model.load_weights(path)`.")
        model = rebuild_model(reader, config, custom_objects, os.path.getsize(filepath))
        load_weights_from_group(reader, reader.group(reader.file, "model_weights"), model)
        if not compile:
            return model
        training = reader.json_attr(reader.file, "training_config", required=False)
        optimizer_group = reader.group(reader.file, "optimizer_weights", required=False)
        if reader.strict and (training is None) != (optimizer_group is None):
            raise reader.error("it has " + ("optimizer weights but no training config" if
                               training is None else "a training config but no optimizer "
                               "weights") + ", which minikeras writes together: the file is "
                               "damaged.")
        if training is None:
            warnings.warn(f"No training configuration found in {filepath}, so the model was "
                          "*not* compiled. Compile it manually.", stacklevel=3)
            return model
        compile_from_config(reader, model, training, custom_objects)
        if optimizer_group is not None:
            names = reader.strings(optimizer_group, "weight_names")
            optimizer_state.restore(
                model.optimizer, model.trainable_variables, names,
                lambda i, shape: reader.array(optimizer_group, names[i], shape), filepath,
                _optimizer_class_name(training), strict=reader.strict)
    return model


def compile_from_config(reader, model, training, custom_objects):
    """Compiles `model` with a saved training (or compile) config; errors name the file."""
    try:
        model.compile(**compile_config.compile_arguments(training, custom_objects))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
        raise reader.error(f"its training config could not be read: {e}. Load it with "
                           "`compile=False` to get the model without its compile "
                           "arguments.") from None


def _optimizer_class_name(training):
    config = training.get("optimizer_config") if isinstance(training, dict) else None
    return config.get("class_name") if isinstance(config, dict) else None


def load_weights(model, filepath, skip_mismatch=False, by_name=False):
    """Loads a legacy `.h5` file's weights (a whole-model file or a weights-only one)."""
    with h5_io.open_for_reading(filepath, "weights") as reader:
        group = reader.file
        if not _has_layer_names(reader, group) and reader.has(group, "model_weights"):
            group = reader.group(group, "model_weights")
        reader.strict = reader.written_here(group)
        load_weights_from_group(reader, group, model, skip_mismatch, by_name)


def _has_layer_names(reader, group):
    return reader.has_attr(group, "layer_names") or reader.has_attr(group, "layer_names0")


def load_weights_from_group(reader, group, model, skip_mismatch=False, by_name=False):
    """Sets the model's weights from a `model_weights`-layout group. Every array is read and
    checked before any weight is set: an error leaves the model as it was.

    Raises:
        ValueError: naming the file, for counts or shapes that do not match (unless
            `skip_mismatch`, which skips those weights with a warning) and damaged content.
    """
    if not _has_layer_names(reader, group):
        raise reader.error("it has no list of layers (attribute 'layer_names'); it is not a "
                           "Keras weights file or it is damaged.")
    saved = []
    for name in reader.strings(group, "layer_names"):
        layer_group = reader.group(group, name)
        saved.append((name, layer_group, reader.strings(layer_group, "weight_names")))
    if not model.built and any(names for _, _, names in saved):
        raise reader.error(f"model '{model.name}' is not built, so it has no weights to load "
                           "into. Build it first (call it on data, or give its first layer an "
                           "input shape).")
    pairs = _match_by_name(saved, model) if by_name else \
        _match_by_order(reader, saved, model)
    assignments = []
    for k, (layer, (name, layer_group, weight_names)) in enumerate(pairs):
        variables = legacy_weights(layer)
        if len(weight_names) != len(variables):
            message = (f"Weight count mismatch for layer #{k} (named {layer.name} in the current "
                       f"model, {name} in the save file). Layer expects {len(variables)} "
                       f"weight(s). Received {len(weight_names)} saved weight(s).")
            if by_name and skip_mismatch:
                warnings.warn(f"Skipping layer {layer.name} of {reader.path}: {message}",
                              stacklevel=3)
                continue
            raise reader.error(message)
        for variable, weight_name in zip(variables, weight_names):
            value = reader.array(layer_group, weight_name, variable.shape)
            if h5_io.is_mismatch(value):
                message = (f"Shape mismatch in layer #{k} (named {layer.name}) for weight "
                           f"{variable.path}. Weight expects shape {variable.shape}. Received "
                           f"saved weight with shape {value.shape}.")
                if skip_mismatch:
                    warnings.warn(f"Skipping a weight of {reader.path}: {message}", stacklevel=3)
                    continue
                raise reader.error(message)
            assignments.append((variable, value))
    h5_io.assign_loaded(assignments, reader.path)


def _match_by_order(reader, saved, model):
    with_weights = [entry for entry in saved if entry[2]]
    layers = [layer for layer in model.layers if legacy_weights(layer)]
    if len(with_weights) != len(layers):
        raise reader.error(
            f"Layer count mismatch when loading weights from file. Model expected {len(layers)} "
            f"layers with weights ({[l.name for l in layers]}), found {len(with_weights)} saved "
            f"layers with weights ({[name for name, _, _ in with_weights]}).")
    return list(zip(layers, with_weights))


def _match_by_name(saved, model):
    by_name = {}
    for layer in model.layers:
        by_name.setdefault(layer.name, []).append(layer)
    return [(layer, entry) for entry in saved for layer in by_name.get(entry[0], [])]
