"""Regenerate tests/golden/vision_conv.json with REAL Keras 3 (the convolution layers).

    KERAS_BACKEND=jax JAX_PLATFORMS=cpu /work/kvenv/bin/python tests/golden/make_vision_golden.py

For every case: the layer's class and constructor arguments, an input drawn from a fixed NumPy
seed, weights drawn from the same generator and set with `set_weights` (in Keras's weight
order), Keras's output, its `compute_output_shape`, the weight shapes and `get_config()`. The
cases cover each padding / strides / dilation_rate / groups / data_format combination that
takes another code path in minikeras. float32 values are written as the shortest decimal that
gives back the same float32. The suite only reads the JSON (tests/layers/test_convolutional*).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import json  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

CF = {"data_format": "channels_first"}
CASES = [
    # (class, kwargs, input shape without batch)
    ("Conv1D", dict(filters=3, kernel_size=3), (7, 2)),
    ("Conv1D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (8, 2)),
    ("Conv1D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="causal"), (7, 2)),
    ("Conv1D", dict(filters=4, kernel_size=2, groups=2, activation="relu"), (6, 4)),
    ("Conv1D", dict(filters=3, kernel_size=3, padding="same", **CF), (2, 7)),
    ("Conv2D", dict(filters=3, kernel_size=(3, 3)), (6, 7, 2)),
    ("Conv2D", dict(filters=3, kernel_size=3, strides=2, padding="same"), (7, 6, 2)),
    ("Conv2D", dict(filters=2, kernel_size=(3, 2), strides=(2, 1)), (7, 6, 3)),
    ("Conv2D", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same",
                    activation="tanh"), (7, 7, 2)),
    ("Conv2D", dict(filters=4, kernel_size=2, groups=2, use_bias=False), (5, 5, 4)),
    ("Conv2D", dict(filters=3, kernel_size=3, activation="softmax"), (5, 6, 2)),
    ("Conv2D", dict(filters=3, kernel_size=(2, 3), strides=2, padding="same",
                    activation="sigmoid", **CF), (2, 6, 7)),
    ("Conv3D", dict(filters=2, kernel_size=2), (4, 3, 4, 2)),
    ("Conv3D", dict(filters=2, kernel_size=(2, 3, 2), strides=2, padding="same"), (4, 5, 4, 2)),
    ("Conv3D", dict(filters=2, kernel_size=2, **CF), (2, 3, 4, 3)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2), (4, 3)),
    ("Conv1DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same",
                             output_padding=1), (4, 3)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3), (4, 3, 3)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, strides=2, padding="same"), (3, 4, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=(3, 2), strides=2, output_padding=1),
     (3, 3, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=2, strides=3), (3, 2, 2)),
    ("Conv2DTranspose", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same"),
     (4, 4, 2)),
    ("Conv2DTranspose", dict(filters=3, kernel_size=3, strides=2, activation="relu", **CF),
     (2, 3, 4)),
    ("Conv3DTranspose", dict(filters=2, kernel_size=2, strides=2, padding="same"), (2, 3, 2, 2)),
    ("DepthwiseConv1D", dict(kernel_size=3, depth_multiplier=2), (7, 3)),
    ("DepthwiseConv1D", dict(kernel_size=3, strides=2, padding="same"), (8, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2), (6, 5, 3)),
    ("DepthwiseConv2D", dict(kernel_size=3, strides=2, padding="same"), (7, 6, 2)),
    ("DepthwiseConv2D", dict(kernel_size=2, dilation_rate=2, padding="same"), (5, 5, 2)),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, **CF), (3, 5, 6)),
    ("SeparableConv1D", dict(filters=3, kernel_size=3, padding="same", depth_multiplier=2),
     (7, 2)),
    ("SeparableConv2D", dict(filters=3, kernel_size=3), (6, 5, 2)),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, strides=2, padding="same",
                             depth_multiplier=2, activation="relu"), (7, 6, 3)),
    ("SeparableConv2D", dict(filters=2, kernel_size=2, dilation_rate=2, **CF), (2, 6, 6)),
]


def _num(v):
    v = np.float32(v)
    for digits in range(6, 12):
        s = f"{v:.{digits}g}"
        if np.float32(s) == v:
            return float(s)
    return float(v)


def _arr(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "values": [_num(v) for v in a.ravel()]}


def _jsonable(obj):
    return json.loads(json.dumps(obj, default=lambda o: list(o) if isinstance(o, tuple) else
                                 str(o)))


def main():
    rng = np.random.default_rng(14)
    cases = []
    for i, (cls, kwargs, shape) in enumerate(CASES):
        name = f"{cls.lower()}_{i}"
        layer = getattr(keras.layers, cls)(name=name, **kwargs)
        x = rng.normal(size=(2,) + shape).astype(np.float32)
        layer.build((None,) + shape)
        weights = [rng.normal(size=w.shape).astype(np.float32) * 0.5 for w in layer.weights]
        layer.set_weights(weights)
        y = np.asarray(layer(x))
        cases.append({
            "class": cls, "kwargs": {**kwargs, "name": name}, "x": _arr(x),
            "weights": [_arr(w) for w in weights],
            "weight_names": [w.path.split("/")[-1] for w in layer.weights],
            "y": _arr(y),
            "output_shape": list(layer.compute_output_shape((None,) + shape)),
            "keras_config": _jsonable(layer.get_config()),
        })
    meta = {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
            "backend": keras.backend.backend(), "floatx": keras.config.floatx(),
            "generated_by": "tests/golden/make_vision_golden.py"}
    with open(os.path.join(HERE, "vision_conv.json"), "w") as f:
        json.dump({"meta": meta, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
