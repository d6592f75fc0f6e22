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


# ---------------------------------------------------------------------------- writing
def training_config(model):
    """The `training_config` of a Keras `.h5` file (None when the model is not compiled):
    `model.get_compile_config()` in tf.keras 2's form."""
    compiled = model.get_compile_config() if getattr(model, "compiled", False) else None
    if not compiled or getattr(model, "optimizer", None) is None:
        return None
    return {"loss": _full_loss_names(_legacy(compiled.get("loss"))),
            "metrics": _legacy(compiled.get("metrics")),
            "weighted_metrics": _legacy(compiled.get("weighted_metrics")),
            "loss_weights": _legacy(compiled.get("loss_weights")),
            "optimizer_config": optimizer_config(model.optimizer)}


def _legacy(value):
    """A serialized compile argument in tf.keras 2's form, which Keras 3 reads too: a function
    by its name, an object as `{'class_name', 'config'}` (a registered class of the user's by
    its `'Package>Name'`)."""
    if isinstance(value, list):
        return [_legacy(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "class_name" not in value:  # {output name: spec}
        return {k: _legacy(v) for k, v in value.items()}
    if value["class_name"] == "function":
        return value.get("config")
    registered = value.get("registered_name")
    name = registered if isinstance(registered, str) and ">" in registered else \
        value["class_name"]
    return {"class_name": name, "config": value.get("config")}


def optimizer_config(optimizer):
    """`{'class_name', 'config'}` of the optimizer, without the Keras 3 keys tf.keras 2
    rejects when they hold their defaults."""
    config = dict(optimizer.get_config())
    if not config.get("use_ema"):
        for key, default in _KERAS3_ONLY_OPTIMIZER_DEFAULTS.items():
            if key in config and config[key] == default:
                del config[key]
    return {"class_name": get_registered_name(type(optimizer)), "config": config}


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
