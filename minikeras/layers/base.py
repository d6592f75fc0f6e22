"""`Layer`: the Keras-facing base class that owns variables and wraps a pure `call`."""

import collections
import inspect
import threading
import warnings

import numpy as np
from autograd.tracer import Box

from minikeras import config, constraints, initializers, regularizers, tree
from minikeras.keras_mask import get_keras_mask, outermost_mask_scope, set_keras_mask
from minikeras.naming import to_snake_case
from minikeras.stateless_scope import StatelessScope, current_scope
from minikeras.tensor import as_tensor
from minikeras.variables import Variable
from minikeras.layers.keras_tensor import KerasTensor, Node, is_symbolic

_uids = collections.defaultdict(int)
_call_context = threading.local()
# The `training` an enclosing call hands its layers when it had none to give (Keras's None
# inside a call): distinct from None, which means "no enclosing call".
_NO_FLAG = "no training flag"


def call_training():
    """The `training` flag of the innermost layer call running in this thread: True, False,
    or None (no call running, or a call that was given no flag)."""
    training = getattr(_call_context, "training", None)
    return None if training is _NO_FLAG else training


def reset_uids():
    """Restarts automatic layer names (`dense`, `dense_1`, ...) from scratch."""
    _uids.clear()


def unique_name(prefix):
    n = _uids[prefix]
    _uids[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


class InputSpec:
    """Constraints a layer puts on its input: rank and fixed axis sizes.

    Args:
        ndim: exact rank, or None.
        min_ndim: minimum rank, or None.
        axes: dict `{axis: size}` of required sizes.
    """

    def __init__(self, ndim=None, min_ndim=None, axes=None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})

    def check(self, layer, shape):
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(
                f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
                f"ndim={self.ndim}, found ndim={rank}. Full shape received: {tuple(shape)}"
            )
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(
                f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
                f"min_ndim={self.min_ndim}, found ndim={rank}. Full shape received: {tuple(shape)}"
            )
        for axis, size in self.axes.items():
            got = shape[axis] if -rank <= axis < rank else None
            if got is not None and size is not None and got != size:
                raise ValueError(
                    f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected axis '
                    f"{axis} of input shape to have value {size}, but received input with shape "
                    f"{tuple(shape)}"
                )


def dtype_from_config(dtype):
    """The dtype name a layer's `dtype` argument stands for.

    Accepts None (`floatx()`), a name or NumPy dtype, and the dtype policies of configs: Keras
    3's `{'class_name': 'DTypePolicy', 'config': {'name': 'float32'}}` and tf.keras 2's
    `{'class_name': 'Policy', ...}`. A mixed policy (`'mixed_float16'`) gives its variable
    dtype, float32: minikeras computes in one dtype.
    """
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name")
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return "float32"
    return np.dtype(dtype).name


def dtype_policy_config(dtype):
    """Keras 3's config of the dtype policy of a layer computing in `dtype`."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype},
            "registered_name": None}


_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))


def _auto_config(cls, args, kwargs):
    """The constructor arguments of `cls(*args, **kwargs)` with their defaults, as Keras records
    them to write the config of a layer that has no `get_config` of its own; None when they
    are not all plain values (strings, numbers, booleans, None, and lists/dicts of them)."""
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())[1:]
    if any(p.kind == p.POSITIONAL_ONLY for p in params):
        return None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(signature.parameters)))  # self
    for p in params:
        if p.kind == p.VAR_KEYWORD:
            arguments.update(arguments.pop(p.name, {}))
        elif p.kind == p.VAR_POSITIONAL and arguments.pop(p.name, ()):
            return None
    arguments.pop("name", None)  # get_config writes the layer's name
    if not all(isinstance(v, _AUTO_CONFIG_TYPES) for v in tree.flatten(arguments)):
        return None
    return arguments


def default_config_method(method):
    """Marks the `get_config` that a class without its own inherits (Keras's `@default`)."""
    method.is_default_config = True
    return method


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(np.shape(x))


def _standardize_input(x):
    """Casts float data to `floatx()` (Keras autocasting); leaves traced values alone."""
    if isinstance(x, Variable):
        return x.value
    if type(x) in Box.types and x._node is not None:
        return x  # a tensor a GradientTape watches: a plain copy would drop it from the tape
    if isinstance(x, (np.ndarray, list, tuple, int, float, np.number)):
        arr = np.asarray(x)
        if arr.dtype.kind == "f" and arr.dtype != config.floatx():
            return arr.astype(config.floatx())
        return arr
    return x


def _standardize_inputs(inputs):
    """Standardizes one input, or each of several given as a list, tuple or dict."""
    if isinstance(inputs, Box):  # traced by the training step: already standard
        return inputs
    if isinstance(inputs, dict):
        return {k: _standardize_input(v) for k, v in inputs.items()}
    if isinstance(inputs, (list, tuple)) and inputs and hasattr(inputs[0], "shape"):
        return [_standardize_input(v) for v in inputs]
    return _standardize_input(inputs)


class Layer:
    """Base class of all layers, as `keras.layers.Layer`.

    Subclasses create weights in `build(input_shape)` with `add_weight`, compute in
    `call(inputs, training=None)`, and describe themselves in `get_config()`.

    Args:
        trainable: whether the layer's weights are updated by training (default True).
        dtype: the layer's dtype (default `floatx()`).
        name: the layer's name (default: the class name in snake case, made unique).
        activity_regularizer: a regularizer applied to the layer's output (default None).
        input_shape: (Keras 2 style) the shape of the input, without the batch axis.
        input_dim: (Keras 2 style) the size of a 1-D input.
        batch_input_shape: (Keras 2 style) the input shape including the batch axis.
    """

    def __new__(cls, *args, **kwargs):
        # The arguments of the call, for the config of a subclass without `get_config`.
        instance = super().__new__(cls)
        instance.__dict__["_auto_config"] = _auto_config(cls, args, kwargs)
        return instance

    def __init__(self, trainable=True, dtype=None, name=None, activity_regularizer=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", kwargs.pop("batch_shape", None))
        batch_size = kwargs.pop("batch_size", None)
        for unused in ("autocast", "dynamic"):  # in Keras 3 and tf.keras 2 configs
            kwargs.pop(unused, None)
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._layers = getattr(self, "_layers", [])
        self._inbound_nodes = []
        self._losses = []
        self.built = False
        self._trainable = bool(trainable)  # not the setter: sub-layers keep their own flag
        self.dtype = dtype_from_config(dtype)
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.input_spec = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._batch_input_shape = (batch_size,) + tuple(input_shape)
        else:
            self._batch_input_shape = None

    @property
    def trainable(self):
        """Whether training updates the layer's weights (default True)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        # As in Keras 3, freezing a layer freezes every layer inside it: a frozen base model's
        # BatchNormalization then runs in inference mode and keeps its moving statistics.
        self._trainable = bool(value)
        for layer in self.__dict__.get("_layers", ()):
            layer.trainable = value

    # ----------------------------------------------------------------------------- masks
    @property
    def supports_masking(self):
        """Whether the layer computes an output mask with `compute_mask` (Keras 3's default:
        True exactly when the class overrides `compute_mask`; layers set it in `__init__`).

        A layer that does not support masking and receives a masked input warns, as Keras
        3 does, and its outputs carry no mask.
        """
        value = self.__dict__.get("_supports_masking")
        if value is None:
            return type(self).compute_mask is not Layer.compute_mask
        return value

    @supports_masking.setter
    def supports_masking(self, value):
        self.__dict__["_supports_masking"] = bool(value)

    def compute_mask(self, inputs, mask=None):
        """The mask of the layer's outputs, from its inputs and their mask (`mask`: one per
        input, in the inputs' structure). By default the input's mask, unchanged: the
        output has the input's steps (Dense on a sequence, activations, dropout...)."""
        return mask

    def _output_masks(self, inputs, outputs, previous_mask, stacklevel=4):
        """Attaches the output masks after a call (Keras 3's rule): a layer that supports
        masking gives `compute_mask(inputs, previous_mask)` to each output that has no mask
        yet (a nested model's outputs already carry theirs); one that does not, warns when
        it received a mask."""
        if previous_mask is None and type(self).compute_mask is Layer.compute_mask:
            return  # no mask to pass on or to warn about (the common case)
        if self.supports_masking:
            if type(self).compute_mask is Layer.compute_mask and not _any_mask(previous_mask):
                return
            flat = tree.flatten(outputs)
            if all(get_keras_mask(o) is not None for o in flat):
                return
            masks = self.compute_mask(inputs, previous_mask)
            if masks is None:
                return
            for output, mask in zip(flat, tree.flatten(masks)):
                if mask is not None and get_keras_mask(output) is None:
                    set_keras_mask(output, mask)
        elif _any_mask(previous_mask):
            warnings.warn(
                f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input with "
                "a mask attached to it. However, this layer does not support masking and will "
                "therefore destroy the mask information. Downstream layers will not see the "
                "mask.", stacklevel=stacklevel)  # the line that called the layer

    # ----------------------------------------------------------------------------- tracking
    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Layer) and value is not self:
            d.setdefault("_layers", [])
            if not any(value is l for l in d["_layers"]):
                d["_layers"].append(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            d.setdefault("_layers", [])
            for v in value:
                if not any(v is l for l in d["_layers"]):
                    d["_layers"].append(v)
        elif isinstance(value, Variable) and "_trainable_variables" in d:
            if not any(value is v for v in self._trainable_variables + self._non_trainable_variables):
                (self._trainable_variables if value.trainable else self._non_trainable_variables).append(value)
        object.__setattr__(self, name, value)

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   regularizer=None, constraint=None, name=None, **kwargs):
        """Creates a weight `Variable` owned by this layer.

        Args:
            shape: the weight's shape (default `()`).
            initializer: an initializer or its name (default `'glorot_uniform'` for floats).
            dtype: the dtype (default the layer's).
            trainable: whether training updates it (default True).
            regularizer: a regularizer whose penalty joins the training loss (default None).
            constraint: a projection applied after each optimizer update (default None).
            name: the weight's name, e.g. `'kernel'`.

        Returns:
            The new `Variable`.
        """
        if isinstance(shape, str):  # Keras 2 order: add_weight(name, shape, ...)
            name, shape = shape, initializer if not callable(initializer) else None
            if "shape" in kwargs:
                shape = kwargs.pop("shape")
        for unused in ("autocast", "aggregation", "synchronization", "use_resource", "partitioner",
                       "caching_device", "experimental_autocast", "getter"):
            kwargs.pop(unused, None)
        if kwargs:
            raise TypeError(f"add_weight() got unexpected keyword arguments: {sorted(kwargs)}")
        shape = () if shape is None else tuple(int(s) for s in shape)
        initializer = initializers.get(initializer if initializer is not None else "glorot_uniform")
        variable = Variable(initializer, shape=shape, dtype=dtype or self.dtype, trainable=trainable,
                            name=name or "variable",
                            regularizer=regularizers.get(regularizer),
                            constraint=constraints.get(constraint))
        variable.path = f"{self.name}/{variable.name}"
        (self._trainable_variables if trainable else self._non_trainable_variables).append(variable)
        return variable

    @property
    def variables(self):
        seen, out = set(), []
        for v in self._trainable_variables + self._non_trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._layers:
            for v in layer.variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def weights(self):
        """All weights: this layer's own (in creation order), then its sub-layers'."""
        return self.variables

    @property
    def trainable_weights(self):
        return [v for v in self.variables if v.trainable and self._is_trainable(v)] if self.trainable else []

    @property
    def non_trainable_weights(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.variables if id(v) not in trainable]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def _is_trainable(self, variable):
        """False when the variable belongs to a sub-layer that was frozen."""
        for layer in self._layers:
            if any(variable is v for v in layer.variables):
                return layer.trainable and layer._is_trainable(variable)
        return True

    def get_weights(self):
        """Returns the weights as a list of NumPy arrays, in `weights` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Sets the weights from a list of arrays, in `weights` order."""
        params = self.weights
        if len(weights) != len(params):
            raise ValueError(
                f"Layer {self.name} expects {len(params)} weights, but the given weights "
                f"list has {len(weights)} elements."
            )
        for variable, value in zip(params, weights):
            value = np.asarray(value)
            if value.shape != variable.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {variable.shape} is not compatible with "
                    f"provided weight shape {value.shape} (variable '{variable.path}')."
                )
        for variable, value in zip(params, weights):
            variable.assign(value)

    def count_params(self):
        """Returns the total number of scalars in the layer's weights."""
        if not self.built and not self.weights:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(np.prod(v.shape, dtype=np.int64) for v in self.weights))

    # ----------------------------------------------------------------------------- losses
    def add_loss(self, loss):
        """Adds a scalar loss (e.g. a penalty) that joins the training loss."""
        scope = current_scope()
        if scope is not None:
            scope.add_loss(self, loss)  # the scope decides: a step collects, a tape keeps
        else:
            self._losses.append(loss)

    @property
    def losses(self):
        """The losses this layer and the layers inside it added during the latest outermost
        call (`add_loss`, activity regularizers), then the penalties of the trainable
        weights' regularizers, in Keras's order: after an eager `model(x)`, a model's
        `losses` holds its layers' activity penalties."""
        out = list(self._losses)
        for layer in self._sublayers():
            out.extend(layer._losses)
        for v in self.trainable_weights:
            if v.regularizer is not None:
                out.append(v.regularizer(v.value))
        return out

    def _sublayers(self):
        """Every layer inside this one (recursively, each once), not this one."""
        seen, order, stack = {id(self)}, [], list(reversed(self.__dict__.get("_layers", ())))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            order.append(layer)
            stack.extend(reversed(layer.__dict__.get("_layers", ())))
        return order

    def _clear_losses(self):
        """Forgets the losses of earlier calls, here and in every layer inside (Keras does it
        when an outermost call begins, so that `losses` never piles up across calls)."""
        self._losses.clear()
        for layer in self._sublayers():
            layer._losses.clear()

    # ----------------------------------------------------------------------------- building
    def build(self, input_shape):
        """Creates the layer's weights; called once with the first input's shape."""
        self.built = True

    def _build_from_shapes(self, shapes):
        if not self.built:
            self._build_shapes = shapes  # for get_build_config
            try:
                self.build(shapes)
            except TypeError:
                if len(inspect.signature(self.build).parameters) != 0:
                    raise
                self.build()
            self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; the identity by default."""
        return inputs

    @classmethod
    def _call_params(cls):
        cache = cls.__dict__.get("_call_params_cache")
        if cache is None:
            params = inspect.signature(cls.call).parameters
            cache = ("training" in params, "mask" in params)
            cls._call_params_cache = cache
        return cache

    @classmethod
    def _training_default(cls):
        """The default of `training` in `call`'s signature (None when it has none)."""
        cache = cls.__dict__.get("_training_default_cache")
        if cache is None:
            param = inspect.signature(cls.call).parameters.get("training")
            default = None if param is None or param.default is param.empty else param.default
            cache = (default,)
            cls._training_default_cache = cache
        return cache[0]

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"Layer {self.name} was called without inputs.")
            args = (kwargs.pop("inputs"),)
        inputs, rest = args[0], args[1:]
        nested = isinstance(inputs, (list, tuple, dict))
        if type(inputs) is KerasTensor or nested and is_symbolic(inputs):
            return self._symbolic_call(inputs, rest, kwargs)
        if getattr(_call_context, "training", None) is None:
            self._clear_losses()  # an outermost call: `losses` will be this call's
        outer = getattr(_call_context, "training", None)
        with outermost_mask_scope() as scope:
            outputs = self._masked_call(inputs, rest, kwargs, nested)
            if outer is None and current_scope() is None:
                # A user's eager call: tf.keras's `.numpy()` works, and the masks that the
                # scope held move onto the returned tensors, as Keras's `_keras_mask`.
                tensors = as_tensor(outputs)
                if scope is not None and scope.holds_masks():
                    for raw, tensor in zip(tree.flatten(outputs), tree.flatten(tensors)):
                        mask = scope.get(raw)
                        if mask is not None and tensor is not raw:
                            set_keras_mask(tensor, mask)
                return tensors
        return outputs

    def _masked_call(self, inputs, rest, kwargs, nested):
        """Builds, calls `call` with the input's mask (Keras 3's rules, below) and attaches
        the output masks."""
        # The masks are read before the inputs are standardized (a cast or a view is a new
        # array) and attached to the standardized ones.
        input_masks = tree.map_structure(get_keras_mask, inputs) if nested else \
            get_keras_mask(inputs)
        standard = _standardize_inputs(inputs)
        if standard is not inputs and _any_mask(input_masks):
            for x, mask in zip(tree.flatten(standard), tree.flatten(input_masks)):
                set_keras_mask(x, mask)
        inputs = standard
        if not self.built:
            self._build_from_shapes(tree.map_structure(_shape_of, inputs))
        if self.input_spec is not None and not nested:
            self.input_spec.check(self, inputs.shape)
        has_training, has_mask = self._call_params()
        training = kwargs.pop("training", None)
        # Keras 3: an explicit `mask=` is the previous mask; otherwise the first input's.
        # `call` receives the input's mask when it takes `mask` and the call has one tensor
        # argument (with several, a `<argument>_mask` parameter receives each one's).
        explicit = kwargs.get("mask")
        previous_mask = explicit if explicit is not None else input_masks
        if has_mask:
            if explicit is None:
                if rest or _has_tensor_kwargs(kwargs):
                    self._fill_argument_masks(inputs, rest, kwargs)
                else:
                    kwargs["mask"] = input_masks
        else:
            kwargs.pop("mask", None)
        # Keras's priority for `training`: the value passed, else the enclosing call's (a
        # model passes its flag to its layers; the training step's scope stands for the
        # step's call), else the default in `call`'s signature (the augmentation layers'
        # `training=True`). A call that ends with no value passes None and leaves the
        # layers inside it no value either (`_NO_FLAG`), as an eager `model(x)` in Keras.
        outer = getattr(_call_context, "training", None)
        if training is None:
            training = None if outer is _NO_FLAG else outer
            if training is None and outer is None:
                scope = current_scope()
                if scope is not None and scope.training is not None:
                    training = bool(scope.training)
            if training is None:
                training = self._training_default()
            if training is None:
                training = _NO_FLAG
        if has_training:
            kwargs["training"] = None if training is _NO_FLAG else training
        _call_context.training = training
        try:
            outputs = self.call(inputs, *rest, **kwargs)
        finally:
            _call_context.training = outer
        if self.activity_regularizer is not None:
            for out in tree.flatten(outputs):
                batch = out.shape[0] if len(out.shape) else 1
                self.add_loss(self.activity_regularizer(out) / batch)
        self._output_masks(inputs, outputs, previous_mask)
        return outputs

    def _fill_argument_masks(self, inputs, rest, kwargs):
        """Keras 3's rule for a call with several tensor arguments: `mask` is left alone, and
        each tensor argument `name` whose `call` has a `name_mask` parameter (left None)
        receives that argument's mask (Attention's `query_mask`...)."""
        try:
            bound = inspect.signature(self.call).bind_partial(inputs, *rest, **kwargs)
        except TypeError:
            return
        params = inspect.signature(self.call).parameters
        for name, value in bound.arguments.items():
            key = f"{name}_mask"
            if key in params and kwargs.get(key) is None and _is_tensor_argument(value):
                kwargs[key] = tree.map_structure(get_keras_mask, value) if tree.is_nested(
                    value) else get_keras_mask(value)

    # ----------------------------------------------------------------------------- symbolic
    def _symbolic_call(self, inputs, args, kwargs):
        shapes = tree.map_structure(lambda t: t.shape, inputs)
        single = isinstance(inputs, KerasTensor)  # (a shape is a tuple: `is_nested` is True)
        if self.input_spec is not None and single:  # before `build` fails less clearly
            self.input_spec.check(self, shapes)
        self._build_from_shapes(shapes)
        if self.input_spec is not None and single:  # a spec `build` set
            self.input_spec.check(self, shapes)
        call_kwargs = {k: v for k, v in kwargs.items() if not (k == "mask" and v is None)}
        out_shapes = self.compute_output_shape(shapes) if not call_kwargs and not args else \
            self._infer_output_shape(shapes, args, call_kwargs)
        outputs = _map_shapes(lambda s: KerasTensor(s, self.dtype, name=self.name), out_shapes)
        explicit = kwargs.get("mask")
        previous_mask = explicit if explicit is not None else (
            get_keras_mask(inputs) if single else tree.map_structure(get_keras_mask, inputs))
        self._symbolic_output_masks(inputs, outputs, previous_mask)
        if self._call_params()[1]:  # Keras records the `mask` of a call that takes one
            kwargs = {**kwargs, "mask": kwargs.get("mask")}
        Node(self, inputs, outputs, args, kwargs)
        return outputs

    def _symbolic_output_masks(self, inputs, outputs, previous_mask):
        """Gives symbolic outputs the `_keras_mask` Keras gives them: a boolean KerasTensor
        whose shape comes from running `compute_mask` on stand-in arrays (twice, with the
        unknown dimensions set to 2 and 3, as `compute_output_shape`). Only the shape of a
        symbolic mask is known; a model computes the values when it runs."""
        if not self.supports_masking:
            self._output_masks(inputs, outputs, previous_mask, stacklevel=5)  # the warning
            return
        if type(self).compute_mask is Layer.compute_mask:
            # The output mask is the input's (Keras passes the same symbolic mask on).
            if _any_mask(previous_mask):
                for output, mask in zip(tree.flatten(outputs), tree.flatten(previous_mask)):
                    if mask is not None and get_keras_mask(output) is None:
                        set_keras_mask(output, mask)
            return
        runs = []
        for fill in (2, 3):
            def stand_in(t, fill=fill):
                if t is None:
                    return None
                shape = [fill if d is None else d for d in t.shape]
                return np.ones(shape, bool) if t.dtype == "bool" else np.zeros(shape, t.dtype)

            dummy_inputs = tree.map_structure(stand_in, inputs)
            dummy_masks = tree.map_structure(stand_in, previous_mask)
            with StatelessScope(training=False):
                masks = self.compute_mask(dummy_inputs, dummy_masks)
            runs.append(tree.map_structure(
                lambda m: None if m is None else tuple(int(d) for d in np.shape(m)), masks))
        if runs[0] is None:
            return
        flat_outputs = tree.flatten(outputs)
        for output, a, b in zip(flat_outputs, _flat_shapes(runs[0]), _flat_shapes(runs[1])):
            if a is not None and get_keras_mask(output) is None:
                set_keras_mask(output, KerasTensor(_merge_shapes(a, b), "bool",
                                                   name=f"{self.name}_mask"))

    def compute_output_shape(self, input_shape):
        """Returns the output shape for `input_shape` (None for unknown dimensions).

        By default the layer is run on zeros twice, with unknown dimensions set to 2 and to 3:
        output dimensions that differ between the runs are unknown.
        """
        return self._infer_output_shape(input_shape, (), {})

    def _infer_output_shape(self, input_shape, args, kwargs):
        runs = []
        for fill in (2, 3):
            dummy = _map_shapes(lambda s: np.zeros([fill if d is None else d for d in s],
                                                   dtype=self.dtype), input_shape)
            call_kwargs = {k: _stand_in(v, fill) for k, v in kwargs.items()}
            if self._call_params()[0]:
                call_kwargs.setdefault("training", False)
            with StatelessScope(training=False):
                out = self.call(dummy, *args, **call_kwargs)
            runs.append(tree.map_structure(lambda o: tuple(int(d) for d in np.shape(o)), out))
        return _merge_shapes(runs[0], runs[1])

    @property
    def input(self):
        self._require_node("input")
        return self._inbound_nodes[0].inputs

    @property
    def output(self):
        self._require_node("output")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: t.shape, self.input) if self._inbound_nodes else \
            self._batch_input_shape

    @property
    def output_shape(self):
        self._require_node("output_shape")
        return tree.map_structure(lambda t: t.shape, self.output)

    def _require_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input and thus has no "
                f"defined `{what}`."
            )

    # ----------------------------------------------------------------------------- config
    @default_config_method
    def get_config(self):
        """Returns the constructor arguments that recreate this layer (without weights).

        Keras 3's base config: `name`, `trainable`, `dtype` (a dtype policy) and, when there is
        one, `activity_regularizer`. A subclass that does not override `get_config` gets its
        constructor arguments added, when they were plain values (numbers, strings, lists...),
        as in Keras 3.

        Raises:
            NotImplementedError: for a subclass without `get_config` whose constructor was given
                other values (layers, arrays, functions...): it must write its own.
        """
        config_ = {"name": self.name}
        if getattr(type(self).get_config, "is_default_config", False):
            auto = self.__dict__.get("_auto_config")
            if auto is None:
                raise NotImplementedError(_NO_CONFIG_MESSAGE.format(type(self).__name__))
            config_.update(auto)
            params = inspect.signature(type(self).__init__).parameters
            if "name" not in params and "kwargs" not in params:
                config_.pop("name")
        config_.update(trainable=self.trainable, dtype=dtype_policy_config(self.dtype))
        if self.activity_regularizer is not None:
            config_["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config_

    @classmethod
    def from_config(cls, config_):
        """Creates a layer from `get_config()`'s output."""
        return cls(**config_)

    def get_build_config(self):
        """`{'input_shape': shape}` of the layer's first input, once built by a call (else
        None); Keras writes it next to the config so that loading builds the layer."""
        shapes = self.__dict__.get("_build_shapes")
        if not self.built or shapes is None:
            return None
        return {"input_shape": shapes}

    def build_from_config(self, config_):
        """Builds the layer from `get_build_config()`'s output (weights are created, not set)."""
        shape = config_.get("input_shape") if config_ else None
        if shape is not None:
            self._build_from_shapes(_as_shapes(shape))

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_NO_CONFIG_MESSAGE = """Object {0} was created by passing non-serializable argument values in \
`__init__()`, and therefore the object must override `get_config()` in order to be serializable. \
Please implement `get_config()`.

Example:

class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({{"arg1": self.arg1, "arg2": self.arg2}})
        return config
"""


def _as_shapes(shapes):
    """A config's shape (lists, from JSON) as the tuples `build` receives; nested shapes (a
    list of shapes, a dict) keep their structure."""
    if isinstance(shapes, dict):
        return {k: _as_shapes(v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)) and all(d is None or isinstance(d, int) for d in shapes):
        return tuple(shapes)
    return [_as_shapes(s) for s in shapes]


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _map_shapes(fn, shapes):
    """Applies `fn` to each shape tuple of a nested structure of shapes."""
    if _is_shape(shapes):
        return fn(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return [_map_shapes(fn, s) for s in shapes]


def _merge_shapes(a, b):
    """Shapes of two runs, with the dimensions that differ between them set to None."""
    if _is_shape(a):
        return tuple(x if x == y else None for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _merge_shapes(a[k], b[k]) for k in a}
    return [_merge_shapes(x, y) for x, y in zip(a, b)]


def _stand_in(value, fill):
    """Stand-in arrays for the KerasTensors of a call argument (an explicit symbolic mask):
    ones for booleans, zeros otherwise, unknown dimensions set to `fill`."""
    def one(t):
        if not isinstance(t, KerasTensor):
            return t
        shape = [fill if d is None else d for d in t.shape]
        return np.ones(shape, bool) if t.dtype == "bool" else np.zeros(shape, t.dtype)

    return tree.map_structure(one, value) if tree.is_nested(value) else one(value)


def _flat_shapes(shapes):
    """The shapes (or Nones) of a structure of mask shapes, in `tree.flatten`'s order."""
    if shapes is None or _is_shape(shapes):
        return [shapes]
    if isinstance(shapes, dict):
        return [s for k in sorted(shapes) for s in _flat_shapes(shapes[k])]
    return [s for item in shapes for s in _flat_shapes(item)]


def _any_mask(masks):
    """Whether a mask structure (None, a mask, or a list/dict of them) holds a mask."""
    if masks is None:
        return False
    if isinstance(masks, (list, tuple, dict)):
        return any(m is not None for m in tree.flatten(masks))
    return True


def _is_tensor_argument(x):
    """Whether a call argument holds a tensor (an array, a traced value or a KerasTensor)."""
    return any(isinstance(leaf, (np.ndarray, Box, KerasTensor, Variable))
               for leaf in tree.flatten(x))


def _has_tensor_kwargs(kwargs):
    return any(k not in ("mask", "training") and _is_tensor_argument(v)
               for k, v in kwargs.items())
