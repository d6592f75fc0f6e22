"""`Model`: functional (`Model(inputs, outputs)` gives a `Functional`) or subclassed (override
`call`), with Keras's configs: `get_config`, `from_config`, `to_json` and build configs."""

import inspect
import json
import warnings

import numpy as np

from minikeras import object_registration, serialization, tree
from minikeras.keras_mask import set_keras_mask
from minikeras.layers.base import (Layer, call_training, default_config_method, to_snake_case,
                                   unique_name)
from minikeras.layers.core import InputLayer
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.models import functional
from minikeras.models.output_checks import warn_about_untrainable_outputs
from minikeras.models.summary import print_summary
from minikeras.saving import compile_config, saving_api, serialization_lib
from minikeras.trainers.trainer import Trainer


def _functional_init_arguments(args, kwargs):
    """Whether `Model(...)` was called as `Model(inputs, outputs)` (Keras's rule)."""
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


def _functional_like_constructor(cls):
    """Whether `cls(inputs=..., outputs=..., name=...)` builds the class (Keras's rule): its
    `__init__` takes `(inputs, outputs, name)` or `(*args, **kwargs)`."""
    spec = inspect.getfullargspec(cls.__init__)
    return spec.args[1:] in (["inputs", "outputs"], ["inputs", "outputs", "name"]) or (
        spec.varargs is not None and spec.varkw is not None)


class Model(Trainer, Layer):
    """A layer with training: `compile`, `fit`, `evaluate`, `predict`, `summary`, ...

    Functional: `Model(inputs=Input((784,)), outputs=Dense(10)(...))`.
    Subclassed: define layers in `__init__` and the forward pass in `call(inputs, training)`.

    Args:
        inputs: the `Input` tensor(s) of a functional model.
        outputs: the output tensor(s) of a functional model.
        name: the model's name.
    """

    def __new__(cls, *args, **kwargs):
        # `Model(inputs, outputs)` is a `Functional`, as in Keras; subclasses stay themselves.
        if cls is Model and _functional_init_arguments(args, kwargs):
            cls = Functional
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        is_functional = inputs is not None or outputs is not None
        name = kwargs.pop("name", None)
        if name is None:
            name = unique_name("functional" if type(self) is Functional
                               else to_snake_case(type(self).__name__))
        Layer.__init__(self, name=name, **kwargs)
        self._init_trainer()
        self._nodes = None
        if is_functional:
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
        self._nodes, layers, self._node_depths = functional.map_graph(self.inputs, self.outputs)
        self.__dict__["_layers"] = layers
        self.built = True

    def _run_graph(self, inputs, mask=None):
        values = {}
        given = self._flatten_inputs(inputs)
        if mask is not None:  # the masks of the inputs, as `Functional.call` sets them
            for x, m in zip(given, tree.flatten(mask)):
                if m is not None:
                    set_keras_mask(x, m)
        for t, x in zip(self.inputs, given):
            values[id(t)] = x
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = tree.map_structure(lambda t: values[id(t)], node.inputs)
            kwargs = node.kwargs
            if kwargs.get("training") is True and call_training() is False:
                # Inference (predict, evaluate, `training=False`) wins over a node recorded
                # with `training=True` (Keras 3 writes it for augmentation layers); a node
                # recorded with `training=False` stays in inference during fit (tf.keras's
                # transfer-learning recipe `base(x, training=False)`).
                kwargs = {**kwargs, "training": False}
            node_args = node.args
            if node.tensor_arguments:  # a Keras graph's symbolic `mask=` or operand
                def value(t):
                    return values[id(t)] if isinstance(t, KerasTensor) else t
                node_args = tree.map_structure(value, list(node_args))
                kwargs = tree.map_structure(value, kwargs)
            out = node.layer(args, *node_args, **kwargs)
            for t, o in zip(tree.flatten(node.outputs), tree.flatten(out)):
                values[id(t)] = o
        outputs = tree.pack_sequence_as(self._outputs_struct,
                                        [values[id(t)] for t in self.outputs])
        # `Model(inputs, [output])` returns the output itself, as Keras unpacks a singleton.
        return outputs[0] if isinstance(outputs, (list, tuple)) and len(outputs) == 1 else outputs

    def _flatten_inputs(self, inputs):
        if isinstance(inputs, dict):
            return [inputs[t.name] if t.name in inputs else inputs[t._keras_history[0].name]
                    for t in self.inputs]
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), but it "
                             f"received {len(flat)}.")
        return flat

    def call(self, inputs, training=None, mask=None):
        if self._nodes is None:
            raise NotImplementedError(
                f"Model '{self.name}' has no `call`: subclasses of Model must implement "
                "`call(self, inputs, training=None)`, or create the model with "
                "`Model(inputs, outputs)`."
            )
        return self._run_graph(inputs, mask)

    def compute_output_shape(self, input_shape):
        if self._nodes is not None:
            return _unpack_singleton(tree.map_structure(lambda t: t.shape, self._outputs_struct))
        return super().compute_output_shape(input_shape)

    @property
    def input(self):
        """The model's input tensor (a list when it has several), as `model.input` in Keras."""
        if not getattr(self, "inputs", None):
            raise AttributeError(f"Model '{self.name}' has no defined input: it is not built yet.")
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def input_shape(self):
        """A functional model's input shape (a list when it has several), as Keras's."""
        if self._nodes is None:
            return super().input_shape
        return _unpack_singleton(tree.map_structure(lambda t: t.shape, self._inputs_struct))

    @property
    def output_shape(self):
        """A functional model's output shape (a list or dict when it has several)."""
        if self._nodes is None:
            return super().output_shape
        return _unpack_singleton(tree.map_structure(lambda t: t.shape, self._outputs_struct))

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
        """The names `compile` and the data use for the outputs, in the order of the flat
        outputs: the keys of a dict of outputs (sorted, as it flattens), else the names of
        the layers that produce them (Keras's `output_names`)."""
        struct = getattr(self, "_outputs_struct", None)
        if isinstance(struct, dict):
            return sorted(struct)
        if getattr(self, "outputs", None):
            return [t._keras_history[0].name for t in self.outputs]
        # A subclassed model: what its first call returned (see Trainer._know_outputs).
        return self.__dict__.get("_probed_output_names")

    @property
    def output_names(self):
        """The names of the layers that produce the outputs, as Keras 3's `output_names`."""
        if not getattr(self, "outputs", None):
            return []
        return [t._keras_history[0].name for t in self.outputs]

    def _input_names_or_none(self):
        if getattr(self, "inputs", None):
            return [t._keras_history[0].name for t in self.inputs]
        return None

    def _input_shapes_or_none(self):
        if getattr(self, "inputs", None):
            return [t.shape for t in self.inputs]
        return None

    def _warn_about_untrainable_outputs(self, stacklevel):
        """Warns about one-unit outputs that cannot train (output_checks.py); the trainer
        calls it once per `compile`."""
        warn_about_untrainable_outputs(self, self._compiled_loss, stacklevel=stacklevel + 1)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras's table of layers, output shapes and parameter counts."""
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    # ------------------------------------------------------------------ saving
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model (config, weights, compile arguments, optimizer state), as
        `keras.Model.save`: `.keras` gives Keras 3's zip, `.h5`/`.hdf5` the legacy HDF5 file
        that Keras 3 and tf.keras 2 load. The write is atomic; the optimizer is not changed.

        Args:
            filepath: a path ending in `.keras`, `.h5` or `.hdf5`.
            overwrite: replace an existing file without asking (default True).
            zipped: accepted for Keras 3 compatibility (only zipped `.keras` is written).
            include_optimizer: (`.h5`) also save compile arguments and optimizer state
                (default True).
        """
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Saves the weights (and optimizer state): `.weights.h5` in Keras 3's layout,
        `.h5`/`.hdf5` in tf.keras 2's (which Keras 3 refuses to write)."""
        saving_api.save_weights(self, filepath, overwrite=overwrite,
                                max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights from a `.keras`, `.weights.h5` or legacy `.h5` file (minikeras's or
        Keras's).

        Args:
            filepath: the file.
            skip_mismatch: skip weights whose shape does not match, with a warning (default
                False: raise).
            by_name: (keyword, legacy `.h5` only) match layers by name, as tf.keras 2.
        """
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    # ------------------------------------------------------------------ configs
    @default_config_method
    def get_config(self):
        """The model's config, as Keras 3 writes it.

        A functional model gives its graph: `name`, `trainable`, `layers` (each with its
        `inbound_nodes`), `input_layers`, `output_layers`. A subclassed model without its own
        `get_config` gives `name`, its constructor's arguments (when they are plain values),
        `trainable` and `dtype`; override `get_config` (and accept its keys in `__init__`)
        otherwise.

        Raises:
            NotImplementedError: for a subclassed model whose constructor took other values
                (layers, arrays...) and that does not override `get_config`.
        """
        if self._nodes is not None and _functional_like_constructor(type(self)):
            return functional.graph_config(self)
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates a model from its config (new weights).

        A functional config (`layers`, `input_layers`, `output_layers`: Keras 3's, tf.keras
        2's or Keras 2's) rebuilds the graph; any other config is passed to the constructor,
        `cls(**config)`, as Keras does for subclassed models.

        Args:
            config: the dict `get_config()` returned.
            custom_objects: optional `{name: class or function}` of the user's objects.
        """
        if functional.is_graph_config(config) and (
                cls in (Model, Functional) or _functional_like_constructor(cls)):
            with object_registration.CustomObjectScope(custom_objects):
                inputs, outputs = functional.graph_from_config(config, deserialize_layer,
                                                               custom_objects)
            rest = {k: v for k, v in config.items() if k not in (
                "name", "trainable", "layers", "input_layers", "output_layers")}
            model = (Functional if cls is Model else cls)(
                inputs=inputs, outputs=outputs, name=config.get("name"), **rest)
            if config.get("trainable") is not None:
                model.trainable = config["trainable"]
            return model
        try:
            with object_registration.CustomObjectScope(custom_objects):
                return cls(**config)
        except TypeError as e:
            raise TypeError(
                "Unable to revive model from config. When overriding the `get_config()` "
                "method, make sure that the returned config contains all items used as "
                f"arguments in the constructor to {cls}, which is the default behavior. You "
                "can override this default behavior by defining a `from_config(cls, config)` "
                f"class method to specify how to create an instance of {cls.__name__} from "
                f"its config.\n\nReceived config={config}\n\nError encountered during "
                f"deserialization: {e}") from e

    def to_json(self, **kwargs):
        """The model's Keras 3 config (`keras.saving.serialize_keras_object(model)`) as a JSON
        string; `keras.models.model_from_json` reads it back.

        Args:
            **kwargs: passed to `json.dumps` (e.g. `indent=2`).
        """
        return json.dumps(serialization.serialize_keras_object(self), **kwargs)

    def get_build_config(self):
        """`{'input_shape': ...}` of a built subclassed model (None for a functional model,
        whose config rebuilds it)."""
        if self._nodes is not None:
            return {"input_shape": None}
        return super().get_build_config()

    def build_from_config(self, config):
        """Builds a subclassed model from `get_build_config()`'s output, by running it once on
        zeros of that shape (so its layers create their weights)."""
        shape = (config or {}).get("input_shape")
        if shape is None or self.built:
            return
        self._build_shapes = shape
        self(_zeros(_shapes(shape), self.dtype))
        self.built = True

    def get_compile_config(self):
        """What `compile` was given, serialized (`{}` before `compile`), as Keras writes it
        next to a model's config: `optimizer`, `loss`, `loss_weights`, `metrics`,
        `weighted_metrics`, `run_eagerly`, `steps_per_execution`, `jit_compile`."""
        if not getattr(self, "compiled", False):
            return {}
        return serialization.serialize_dict({
            "optimizer": self.optimizer, "loss": self._loss_spec,
            "loss_weights": self._loss_weights_spec, "metrics": self._metrics_spec,
            "weighted_metrics": self._weighted_metrics_spec, "run_eagerly": False,
            "steps_per_execution": 1, "jit_compile": "auto"})

    def compile_from_config(self, config):
        """Compiles the model with `get_compile_config()`'s output (or an older Keras's
        training config: one reader, `saving.compile_config`), and creates the
        optimizer's state when the model is built (so saved optimizer weights can be loaded).
        A model whose class overrides `compile` is not compiled (a warning says so), as in
        Keras."""
        if type(self).compile is not Trainer.compile:
            warnings.warn(
                "`compile()` was not called as part of model loading because the model's "
                "`compile()` method is custom. All subclassed Models that have `compile()` "
                "overridden should also override `get_compile_config()` and "
                "`compile_from_config(config)`. Alternatively, you can call `compile()` "
                "manually after loading.", stacklevel=2)
            return
        if not config:
            return
        self.compile(**compile_config.compile_arguments(config))
        if self.built and self.optimizer is not None:
            self.optimizer.build(self.trainable_variables)


class Functional(Model):
    """The class of `Model(inputs, outputs)`: a model that is a graph of layer calls."""


# The model classes a config may name (`'Functional'` is tf.keras 2's and Keras 3's name of
# `Model(inputs, outputs)`, `'Model'` Keras 2's); sequential.py adds `Sequential`.
serialization_lib.MODEL_CLASSES.update(Model=Model, Functional=Functional)


def model_from_json(json_string, custom_objects=None):
    """Creates a model (new weights) from `model.to_json()`'s output, as
    `keras.models.model_from_json`; also reads the JSON of tf.keras 2 and Keras 2.

    Args:
        json_string: the JSON text.
        custom_objects: optional `{name: class or function}` of the user's objects.

    Raises:
        ValueError: for text that is not JSON, or names a class nobody provides.
    """
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as e:
        raise ValueError(f"`model_from_json` expects the JSON text of a model config "
                         f"(from `model.to_json()`); it could not be parsed: {e}") from None
    return model_from_config(config, custom_objects)


def model_from_config(config, custom_objects=None):
    """Creates a model (or a layer) from its `{'class_name', 'config', ...}` dict, as
    `keras.models.model_from_config` (tf.keras 2)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("A model config must be a dict with 'class_name' and 'config' keys "
                         f"(from `keras.saving.serialize_keras_object(model)`). Received: "
                         f"{str(config)[:200]}")
    return serialization.deserialize_keras_object(
        config, custom_objects, namespaces=serialization_lib.namespaces(), kind="model")


def deserialize_layer(config, custom_objects=None):
    """A layer (or a nested model) from its entry in a model's config."""
    return serialization.deserialize_keras_object(
        config, custom_objects, namespaces=serialization_lib.namespaces(), kind="layer")


def _unpack_singleton(x):
    return x[0] if isinstance(x, list) and len(x) == 1 else x


def _zeros(shapes, dtype):
    """Zeros of each shape of a structure (unknown dimensions, the batch, set to 1)."""
    if isinstance(shapes, dict):
        return {k: _zeros(v, dtype) for k, v in shapes.items()}
    if isinstance(shapes, list):
        return [_zeros(s, dtype) for s in shapes]
    return np.zeros([1 if d is None else d for d in shapes], dtype=dtype)


def _shapes(shape):
    """A build config's shape (JSON lists) as tuples, keeping lists of shapes and dicts."""
    if isinstance(shape, dict):
        return {k: _shapes(v) for k, v in shape.items()}
    if all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    return [_shapes(s) for s in shape]
