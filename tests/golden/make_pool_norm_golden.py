"""Regenerate tests/golden/pool_norm.json with REAL Keras 3 (never imported by the tests).

    KERAS_BACKEND=jax JAX_PLATFORMS=cpu /work/kvenv/bin/python tests/golden/make_pool_norm_golden.py

The pooling and normalization layers. For every layer and every argument combination that
takes another code path (pool size, strides, padding, data_format; axis, center/scale,
rms_scaling, groups): the constructor arguments, Keras's `get_config()` (without `name`), the
symbolic output shape (batch None), the input, the weights set, the output, and the gradient
of `sum(w * output)` with respect to the input computed by JAX through the Keras layer. Max
pooling inputs are ReLU'd small integers, so most windows hold their maximum more than once:
the gradients record where JAX sends each window's cotangent.

BatchNormalization also records, for the same weights: the training-mode output and the moving
statistics after one `layer(x, training=True)` call; a frozen layer (`trainable=False`) called
with `training=True`; and a `Dense -> BatchNormalization -> Dense` model trained with `fit`
(SGD, two epochs, no shuffling): the history and every weight after training. Inputs come from
fixed NumPy seeds, so two runs write the same file.
"""

import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_golden as mg  # noqa: E402  (the number format and JSON layout of every fixture)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

META = {**mg.META, "generated_by": "tests/golden/make_pool_norm_golden.py"}


def data(shape, seed, low=-1.0, high=1.0):
    return np.random.RandomState(seed).uniform(low, high, size=shape).astype("float32")


def tied(shape, seed):
    """ReLU'd small integers: most pooling windows hold their maximum two or more times."""
    values = np.round(np.random.RandomState(seed).normal(0.0, 1.5, size=shape))
    return np.maximum(values, 0).astype("float32")


def error_text(e):
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(e))
    return f"{type(e).__name__}: " + " ".join(text.split())


def symbolic_shape(layer, x):
    return list(layer(keras.Input(batch_shape=(None,) + x.shape[1:])).shape)


def input_gradient(layer, x, w, **call_kwargs):
    """d sum(w * layer(x)) / dx, by JAX through the Keras layer."""
    return np.asarray(jax.grad(lambda v: jnp.sum(layer(v, **call_kwargs) * w))(jnp.asarray(x)))


def training_input_gradient(layer, x, w, **call_kwargs):
    """d sum(w * layer(x, training=True)) / dx through Keras's `stateless_call` (a training call
    assigns the moving statistics, which must not happen inside a JAX trace)."""
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def objective(v):
        out, _ = layer.stateless_call(trainable, non_trainable, v, training=True, **call_kwargs)
        return jnp.sum(out * w)

    return np.asarray(jax.grad(objective)(jnp.asarray(x)))


def layer_case(name, cls, kwargs, x, weights=None, gradient=True, seed=0):
    """One layer on one input: config, shape, output and input gradient."""
    layer = getattr(layers, cls)(**kwargs)
    entry = {"name": name, "class": cls, "kwargs": mg.jsonable(kwargs), "input": mg.tolist(x)}
    try:
        entry["output_shape"] = symbolic_shape(getattr(layers, cls)(**kwargs), x)
        out = mg.np_(layer(x))
        if weights is not None:
            layer.set_weights(weights)
            entry["weights"] = [mg.tolist(w) for w in weights]
            out = mg.np_(layer(x))
        entry["output"] = mg.tolist(out)
        if gradient:
            w = data(out.shape, seed + 100)
            entry["cotangent"] = mg.tolist(w)
            entry["input_gradient"] = mg.tolist(input_gradient(layer, x, w))
    except Exception as e:  # noqa: BLE001
        entry["error"] = error_text(e)
    entry["keras_config"] = mg.kconfig(layer)
    entry["weight_names"] = [v.path.split("/")[-1] for v in layer.weights]
    return entry


# ---------------------------------------------------------------------------------- pooling
POOL_ARGS = {
    # name suffix: (rank, kwargs, spatial shape)
    "1d_default": (1, {}, (7,)),
    "1d_overlap": (1, {"pool_size": 3, "strides": 1}, (6,)),
    "1d_same": (1, {"pool_size": 3, "strides": 2, "padding": "same"}, (8,)),
    "1d_channels_first": (1, {"data_format": "channels_first"}, (6,)),
    "2d_default": (2, {}, (6, 6)),
    "2d_remainder": (2, {"pool_size": (2, 2)}, (7, 5)),
    "2d_rect_strides": (2, {"pool_size": (2, 3), "strides": (1, 2)}, (5, 7)),
    "2d_gaps": (2, {"pool_size": 2, "strides": 3}, (7, 8)),
    "2d_same_overlap": (2, {"pool_size": 3, "strides": 2, "padding": "same"}, (6, 7)),
    "2d_same_disjoint": (2, {"pool_size": 2, "padding": "same"}, (5, 5)),
    "2d_channels_first": (2, {"pool_size": 2, "data_format": "channels_first"}, (4, 6)),
    "2d_channels_first_same": (2, {"pool_size": 3, "strides": 2, "padding": "same",
                                   "data_format": "channels_first"}, (5, 6)),
    "3d_default": (3, {}, (4, 4, 4)),
    "3d_same": (3, {"pool_size": 2, "strides": 1, "padding": "same"}, (3, 4, 3)),
    "3d_channels_first": (3, {"data_format": "channels_first"}, (4, 2, 4)),
}


def pooling_cases():
    out = []
    for seed, (suffix, (rank, kwargs, spatial)) in enumerate(POOL_ARGS.items()):
        channels_first = kwargs.get("data_format") == "channels_first"
        shape = (2, 3) + spatial if channels_first else (2,) + spatial + (3,)
        for kind in ("Max", "Average"):
            cls = f"{kind}Pooling{rank}D"
            x = tied(shape, seed) if kind == "Max" else data(shape, seed)
            if kind == "Average":  # Keras 3 has no default pool size for average pooling
                kwargs = {"pool_size": 2, **kwargs}
            out.append(layer_case(f"{kind.lower()}_{suffix}", cls, kwargs, x, seed=seed))
    # The Keras 2 names are the same classes.
    out.append({"aliases": {alias: getattr(layers, alias).__name__ for alias in (
        "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
        "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D",
        "GlobalAvgPool2D", "GlobalAvgPool3D")}})
    for name, cls, kwargs, shape in [
        ("error_pool_zero", "MaxPooling2D", {"pool_size": 0}, None),
        ("error_pool_negative", "AveragePooling1D", {"pool_size": -2}, None),
        ("error_pool_larger_than_input", "MaxPooling2D", {"pool_size": 3}, (1, 2, 5, 1)),
    ]:
        entry = {"name": name, "class": cls, "kwargs": kwargs}
        try:
            layer = getattr(layers, cls)(**kwargs)
            layer(keras.Input(batch_shape=shape))
        except Exception as e:  # noqa: BLE001
            entry["error"] = error_text(e)
        out.append(entry)
    return out


def global_pooling_cases():
    out = []
    seed = 50
    for rank, spatial in ((1, (5,)), (2, (3, 4)), (3, (2, 3, 2))):
        for kind in ("Max", "Average"):
            for kwargs in ({}, {"data_format": "channels_first", "keepdims": True},
                           {"keepdims": True}):
                seed += 1
                channels_first = kwargs.get("data_format") == "channels_first"
                shape = (2, 3) + spatial if channels_first else (2,) + spatial + (3,)
                x = tied(shape, seed) if kind == "Max" else data(shape, seed)
                cls = f"Global{kind}Pooling{rank}D"
                tag = "_".join(f"{k}_{v}" for k, v in kwargs.items()) or "default"
                out.append(layer_case(f"global_{kind.lower()}_{rank}d_{tag}", cls, kwargs, x,
                                      seed=seed))
    # A sequence mask (Embedding(mask_zero=True) before it): the mean of the unmasked steps.
    for kwargs in ({}, {"data_format": "channels_first", "keepdims": True}):
        channels_first = bool(kwargs)
        x = data((3, 4, 5) if channels_first else (3, 5, 4), 70)
        mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
        layer = layers.GlobalAveragePooling1D(**kwargs)
        w = data((3, 4, 1) if channels_first else (3, 4), 71)
        out.append({"name": f"global_average_1d_masked{'_channels_first' if kwargs else ''}",
                    "class": "GlobalAveragePooling1D", "kwargs": kwargs, "input": mg.tolist(x),
                    "mask": mg.tolist(mask), "output": mg.tolist(mg.np_(layer(x, mask=mask))),
                    "cotangent": mg.tolist(w),
                    "input_gradient": mg.tolist(input_gradient(layer, x, w, mask=mask)),
                    "keras_config": mg.kconfig(layer)})
    return out


# ----------------------------------------------------------------------------- normalization
def bn_weights(channels, seed):
    rng = np.random.RandomState(seed)
    return [rng.uniform(0.5, 1.5, channels).astype("float32"),       # gamma
            rng.uniform(-0.5, 0.5, channels).astype("float32"),      # beta
            rng.uniform(-0.3, 0.3, channels).astype("float32"),      # moving_mean
            rng.uniform(0.5, 2.0, channels).astype("float32")]       # moving_variance


def batch_norm_cases():
    out = []
    specs = [
        ("bn_default", {}, (6, 4), 0),
        ("bn_axis1_momentum_epsilon", {"axis": 1, "momentum": 0.9, "epsilon": 0.01},
         (4, 3, 2, 2), 1),
        ("bn_no_center_no_scale", {"center": False, "scale": False}, (5, 3, 4), 2),
        ("bn_no_scale", {"scale": False}, (5, 4), 3),
        ("bn_conv_channels_last", {"momentum": 0.5}, (3, 4, 4, 2), 4),
    ]
    for name, kwargs, shape, seed in specs:
        x = data(shape, seed + 10, -2.0, 3.0)
        layer = layers.BatchNormalization(**kwargs)
        layer.build(x.shape)
        channels = x.shape[kwargs.get("axis", -1)]
        full = bn_weights(channels, seed)
        weights = ([full[0]] if kwargs.get("scale", True) else []) + \
            ([full[1]] if kwargs.get("center", True) else []) + full[2:]
        layer.set_weights(weights)
        w = data(x.shape, seed + 20)
        entry = {"name": name, "class": "BatchNormalization", "kwargs": kwargs,
                 "input": mg.tolist(x), "weights": [mg.tolist(v) for v in weights],
                 "weight_names": [v.path.split("/")[-1] for v in layer.weights],
                 "trainable_names": [v.path.split("/")[-1] for v in layer.trainable_weights],
                 "output_shape": symbolic_shape(layers.BatchNormalization(**kwargs), x),
                 "cotangent": mg.tolist(w),
                 "inference_output": mg.tolist(mg.np_(layer(x, training=False))),
                 "inference_input_gradient": mg.tolist(input_gradient(layer, x, w,
                                                                      training=False)),
                 "training_input_gradient": mg.tolist(training_input_gradient(layer, x, w))}
        training_output = mg.np_(layer(x, training=True))  # updates the moving statistics
        entry["training_output"] = mg.tolist(training_output)
        entry["moving_after_one_training_call"] = [mg.tolist(mg.np_(v)) for v in
                                                   (layer.moving_mean, layer.moving_variance)]
        layer.set_weights(weights)
        entry["keras_config"] = mg.kconfig(layer)
        out.append(entry)

    # Masked statistics: only the unmasked steps of a (batch, steps, features) input count.
    x = data((3, 5, 4), 32, -2.0, 3.0)
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    layer = layers.BatchNormalization(momentum=0.5)
    layer.build(x.shape)
    weights = bn_weights(4, 6)
    layer.set_weights(weights)
    w = data(x.shape, 33)
    entry = {"name": "bn_masked", "class": "BatchNormalization", "kwargs": {"momentum": 0.5},
             "input": mg.tolist(x), "mask": mg.tolist(mask),
             "weights": [mg.tolist(v) for v in weights], "cotangent": mg.tolist(w),
             "training_input_gradient": mg.tolist(training_input_gradient(layer, x, w,
                                                                          mask=mask))}
    layer.set_weights(weights)
    entry["training_output"] = mg.tolist(mg.np_(layer(x, training=True, mask=mask)))
    entry["moving_after_one_training_call"] = [mg.tolist(mg.np_(v)) for v in
                                               (layer.moving_mean, layer.moving_variance)]
    out.append(entry)

    # A frozen layer runs in inference mode even when called with training=True.
    x = data((6, 4), 30, -2.0, 3.0)
    layer = layers.BatchNormalization()
    layer.build(x.shape)
    weights = bn_weights(4, 5)
    layer.set_weights(weights)
    layer.trainable = False
    out.append({"name": "bn_frozen", "class": "BatchNormalization", "kwargs": {},
                "input": mg.tolist(x), "weights": [mg.tolist(v) for v in weights],
                "training_output": mg.tolist(mg.np_(layer(x, training=True))),
                "weights_after": [mg.tolist(mg.np_(v)) for v in layer.weights],
                "keras_config": mg.kconfig(layer)})

    # Non-default arguments: the config Keras writes.
    for name, kwargs in [
        ("bn_config_everything", {"axis": 1, "momentum": 0.8, "epsilon": 0.002,
                                  "center": False, "beta_initializer": "ones",
                                  "gamma_initializer": "zeros",
                                  "moving_mean_initializer": "ones",
                                  "moving_variance_initializer": "zeros",
                                  "gamma_regularizer": "l2", "beta_regularizer": "l1",
                                  "gamma_constraint": "non_neg",
                                  "beta_constraint": "unit_norm"}),
    ]:
        out.append({"name": name, "class": "BatchNormalization", "kwargs": kwargs,
                    "keras_config": mg.kconfig(layers.BatchNormalization(**kwargs))})
    return out


def fit_cases():
    """`Dense -> BatchNormalization -> Dense` trained by fit, every weight recorded."""
    out = []
    rng = np.random.RandomState(40)
    x = rng.uniform(-1, 2, (8, 4)).astype("float32")
    y = rng.uniform(-1, 1, (8, 2)).astype("float32")
    for name, bn_kwargs, frozen in [("fit_bn", {"momentum": 0.9}, False),
                                    ("fit_bn_frozen", {}, True)]:
        model = keras.Sequential([keras.Input((4,)), layers.Dense(3),
                                  layers.BatchNormalization(**bn_kwargs), layers.Dense(2)])
        init = [data(v.shape, 41 + i, -0.8, 0.8) for i, v in enumerate(model.weights)]
        variance = [v.path for v in model.weights].index(
            model.layers[1].moving_variance.path)
        init[variance] = np.abs(init[variance]) + 0.5
        model.set_weights(init)
        if frozen:
            model.layers[1].trainable = False
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        out.append({"name": name, "bn_kwargs": bn_kwargs, "frozen": frozen, "x": mg.tolist(x),
                    "y": mg.tolist(y), "init_weights": [mg.tolist(w) for w in init],
                    "weight_names": [v.path for v in model.weights],
                    "history": {k: [float(np.float32(v)) for v in vs]
                                for k, vs in history.history.items()},
                    "final_weights": [mg.tolist(mg.np_(v)) for v in model.weights],
                    "predict": mg.tolist(model.predict(x, verbose=0))})
    return out


def other_normalization_cases():
    out = []
    specs = [
        ("ln_default", "LayerNormalization", {}, (3, 5), True),
        ("ln_two_axes", "LayerNormalization", {"axis": [1, 2], "epsilon": 0.1}, (2, 3, 4), True),
        ("ln_axis1", "LayerNormalization", {"axis": 1}, (2, 3, 4), True),
        ("ln_no_center_no_scale", "LayerNormalization", {"center": False, "scale": False},
         (3, 5), True),
        ("ln_rms_scaling", "LayerNormalization", {"rms_scaling": True}, (3, 5), True),
        ("gn_last_axis", "GroupNormalization", {"groups": 2}, (2, 3, 4), True),
        ("gn_axis1", "GroupNormalization", {"groups": 2, "axis": 1, "epsilon": 0.01},
         (2, 4, 3, 3), True),
        ("gn_instance", "GroupNormalization", {"groups": -1}, (2, 5, 3), True),
        ("gn_no_center", "GroupNormalization", {"groups": 1, "center": False}, (2, 3, 2, 4),
         True),
        ("unit_default", "UnitNormalization", {}, (3, 4), False),
        ("unit_two_axes", "UnitNormalization", {"axis": [1, 2]}, (2, 3, 4), False),
        ("unit_axis1", "UnitNormalization", {"axis": 1}, (2, 3, 4), False),
    ]
    for seed, (name, cls, kwargs, shape, has_weights) in enumerate(specs):
        x = data(shape, 60 + seed, -2.0, 3.0)
        layer = getattr(layers, cls)(**kwargs)
        layer(x)
        weights = None
        if has_weights and layer.weights:
            weights = [data(v.shape, 70 + seed + i, 0.5, 1.5) for i, v in
                       enumerate(layer.weights)]
        out.append(layer_case(name, cls, kwargs, x, weights=weights, seed=seed))
    out.append(layer_case("unit_zero_vector", "UnitNormalization", {},
                          np.zeros((2, 3), "float32"), gradient=False))
    return out


def main():
    payload = {
        "pooling": pooling_cases(),
        "global_pooling": global_pooling_cases(),
        "batch_normalization": batch_norm_cases(),
        "fit": fit_cases(),
        "normalization": other_normalization_cases(),
    }
    mg.write_json("pool_norm.json", payload)


if __name__ == "__main__":
    main()
