"""What `compile` was given, written into a file and read back: the `training_config` of a
Keras `.h5` file and the `compile_config` of a `.keras` file.

Written so that every Keras can read it: losses and metrics given as names stay plain strings
(tf.keras 2 wraps `'accuracy'` in a `MeanMetricWrapper` config that Keras 3 cannot read back),
functions are written by name, `Loss`/`Metric` objects as `{'class_name', 'config'}`, and the
optimizer's config says `learning_rate` (never `lr`). Read back, every spelling Keras wrote is
accepted: Keras 2.2's `lr`, tf.keras 2's `MeanMetricWrapper` and `Custom>Adam`, Keras 3's
`{'module', 'class_name', ...}`.
"""

from minikeras import losses as losses_module
from minikeras import metrics as metrics_module
from minikeras import optimizers as optimizers_module
from minikeras.object_registration import all_custom_objects, get_registered_name

# Keys of Keras 3's optimizer config that tf.keras 2 rejects, with their defaults: left out of
# `.h5` files when they hold them. tf.keras 2 then builds its (legacy) optimizer of that name and
# Keras 3 its own, both from the same config.
_KERAS3_ONLY_OPTIMIZER_DEFAULTS = {"weight_decay": None, "use_ema": False, "ema_momentum": 0.99,
                                   "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                   "gradient_accumulation_steps": None}


def compile_specs(model):
    """What `model.compile` was given: `{'optimizer', 'loss', 'loss_weights', 'metrics',
    'weighted_metrics'}`, or None for a model that was not compiled."""
    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        return None
    return {"optimizer": model.optimizer, "loss": getattr(model, "_loss_spec", None),
            "loss_weights": getattr(model, "_loss_weights_spec", None),
            "metrics": getattr(model, "_metrics_spec", None),
            "weighted_metrics": getattr(model, "_weighted_metrics_spec", None)}


# ---------------------------------------------------------------------------- writing
def _spec_to_config(spec, keras3):
    """A loss or metric spec (a name, a function, an object, or a list/dict of them) as JSON."""
    if spec is None or isinstance(spec, (str, bool, int, float)):
        return spec
    if isinstance(spec, dict):
        return {str(k): _spec_to_config(v, keras3) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_spec_to_config(v, keras3) for v in spec]
    if hasattr(spec, "get_config") and not isinstance(spec, type):
        module = _module_of(spec) if keras3 else None
        config = {"class_name": get_registered_name(type(spec)), "config": spec.get_config()}
        return {"module": module, **config, "registered_name": None} if keras3 else config
    if callable(spec):
        return get_registered_name(spec)
    raise TypeError(f"Cannot save the compile argument {spec!r}: expected a name, a function, a "
                    "Loss or Metric object, or a list or dict of them.")


def _module_of(obj):
    if isinstance(obj, losses_module.Loss):
        return "keras.losses"
    if isinstance(obj, metrics_module.Metric):
        return "keras.metrics"
    return None


def optimizer_config(optimizer, keras3=False):
    """`{'class_name', 'config'}` of the optimizer (Keras 3's layout with `module` when
    `keras3`); `.h5` files leave out the Keras 3 keys tf.keras 2 rejects when they hold their
    defaults."""
    config = dict(optimizer.get_config())
    if not keras3 and not config.get("use_ema"):
        for key, default in _KERAS3_ONLY_OPTIMIZER_DEFAULTS.items():
            if key in config and config[key] == default:
                del config[key]
    name = get_registered_name(type(optimizer))
    if keras3:
        return {"module": "keras.optimizers", "class_name": name, "config": config,
                "registered_name": None}
    return {"class_name": name, "config": config}


def _full_loss_names(config):
    """Loss names as Keras 3 reads them back from an `.h5` file: Keras 3.15 fails on its own
    aliases there (`'mse'`, `'mae'`, `'kld'`, `'logcosh'`), so each name is written as the
    function's full name (`'mean_squared_error'`), which tf.keras 2 reads too."""
    if isinstance(config, str):
        try:
            loss = losses_module.get(config)
        except ValueError:
            return config
        return getattr(loss, "__name__", config) if not isinstance(loss, type) and \
            not hasattr(loss, "get_config") else config
    if isinstance(config, list):
        return [_full_loss_names(c) for c in config]
    if isinstance(config, dict) and "class_name" not in config:
        return {k: _full_loss_names(v) for k, v in config.items()}
    return config


def training_config(model):
    """The `training_config` of a Keras `.h5` file (None when the model is not compiled)."""
    specs = compile_specs(model)
    if specs is None:
        return None
    return {"loss": _full_loss_names(_spec_to_config(specs["loss"], keras3=False)),
            "metrics": _spec_to_config(specs["metrics"], keras3=False),
            "weighted_metrics": _spec_to_config(specs["weighted_metrics"], keras3=False),
            "loss_weights": _spec_to_config(specs["loss_weights"], keras3=False),
            "optimizer_config": optimizer_config(specs["optimizer"])}


def keras3_compile_config(model):
    """The `compile_config` of a Keras 3 `.keras` file's config (None when not compiled)."""
    specs = compile_specs(model)
    if specs is None:
        return None
    return {"optimizer": optimizer_config(specs["optimizer"], keras3=True),
            "loss": _spec_to_config(specs["loss"], keras3=True),
            "loss_weights": _spec_to_config(specs["loss_weights"], keras3=True),
            "metrics": _spec_to_config(specs["metrics"], keras3=True),
            "weighted_metrics": _spec_to_config(specs["weighted_metrics"], keras3=True),
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


# ---------------------------------------------------------------------------- reading
def compile_arguments(config, custom_objects=None):
    """`model.compile` keyword arguments from a `training_config` (`.h5`) or a
    `compile_config` (`.keras`).

    Raises:
        ValueError, TypeError: for configs that name unknown objects or are malformed.
    """
    if not isinstance(config, dict):
        raise ValueError(f"the compile configuration should be a dict, found "
                         f"{type(config).__name__}")
    objects = all_custom_objects(custom_objects)
    optimizer = config.get("optimizer_config", config.get("optimizer"))
    if isinstance(optimizer, str):
        optimizer = {"class_name": optimizer, "config": {}}
    if not isinstance(optimizer, dict) or not isinstance(optimizer.get("config", {}), dict):
        raise ValueError(f"its optimizer configuration should be a dict with 'class_name' and "
                         f"'config'; found {optimizer!r}")
    return {
        "optimizer": optimizers_module.deserialize(optimizer, custom_objects=objects),
        "loss": _spec_from_config(config.get("loss"), losses_module.deserialize, objects),
        "loss_weights": config.get("loss_weights"),
        "metrics": _metrics_from_config(config.get("metrics"), objects),
        "weighted_metrics": _metrics_from_config(config.get("weighted_metrics"), objects),
    }


def _spec_from_config(config, deserialize, objects):
    """A loss or metric spec back from its JSON: names stay names (compile resolves them, and
    `'accuracy'` keeps its meaning), user names map to `objects`, dicts become objects."""
    if config is None:
        return None
    if isinstance(config, str):
        return objects.get(config, config)
    if isinstance(config, list):
        return [_spec_from_config(c, deserialize, objects) for c in config]
    if isinstance(config, dict) and "class_name" in config:
        if config["class_name"] == "MeanMetricWrapper":  # tf.keras 2's form of a named metric
            return _named_metric(config.get("config") or {}, objects)
        return deserialize(config, custom_objects=objects)
    if isinstance(config, dict):  # {output name: spec}
        return {k: _spec_from_config(v, deserialize, objects) for k, v in config.items()}
    raise ValueError(f"cannot read the compile argument {config!r}")


def _named_metric(config, objects):
    """tf.keras 2 writes `metrics=['accuracy']` as `MeanMetricWrapper(name='accuracy',
    fn='categorical_accuracy')`: the name is what the user wrote, when Keras knows it."""
    name, fn = config.get("name"), config.get("fn")
    for candidate in (name, fn):
        if isinstance(candidate, str) and candidate in objects:
            return objects[candidate]
        if candidate in ("accuracy", "acc"):
            return candidate
        if isinstance(candidate, str):
            try:
                metrics_module.get(candidate)
            except ValueError:
                continue
            return candidate
    raise ValueError(f"Unknown metric function: {fn!r}. Pass it in `custom_objects`.")


def _metrics_from_config(config, objects):
    spec = _spec_from_config(config, metrics_module.deserialize, objects)
    # tf.keras 2 writes one list per output even for one output: [['accuracy']].
    if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], list):
        return spec[0]
    return spec
