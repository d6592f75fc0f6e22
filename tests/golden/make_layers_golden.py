"""Regenerate tests/golden/layers_vision.json with REAL Keras 3 (never imported by the tests).

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_layers_golden.py

The merging, reshaping, noise/regularization and image preprocessing layers: for each layer and
each argument combination that takes a different code path, the constructor arguments, Keras's
`get_config()` (without `name`), the symbolic output shape (batch None), the input(s) and the
output. Random layers are recorded where their result is exact: at inference (the identity),
and in training with a factor range of zero width (`RandomRotation(factor=(0.25, 0.25))` turns
every image by exactly 90 degrees), plus the invariants that hold for any draw (a RandomFlip
output is one of the flips; AlphaDropout takes two values; SpatialDropout drops whole maps;
GaussianDropout's mean and standard deviation over 200 000 draws). Inputs come from fixed NumPy
seeds, so two runs write the same file.
"""

import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_golden as mg  # noqa: E402  (the number format and JSON layout of every fixture)

import keras  # noqa: E402
from keras import layers  # noqa: E402

META = {**mg.META, "generated_by": "tests/golden/make_layers_golden.py"}


def data(shape, seed, low=-1.0, high=1.0):
    return np.random.RandomState(seed).uniform(low, high, size=shape).astype("float32")


def image_data(shape, seed):
    """Pixel-like values in [0, 255] with one decimal."""
    return np.round(data(shape, seed, 0.0, 255.0), 1).astype("float32")


def symbolic_shape(layer_fn, inputs):
    ins = [keras.Input(batch_shape=(None,) + x.shape[1:], dtype=str(x.dtype)) for x in inputs]
    out = layer_fn()(ins if len(ins) > 1 else ins[0])
    return list(out.shape)


def error_text(e):
    """The whole message (Keras wraps errors raised in `call` in a multi-line one)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(e))  # Keras's bold markers
    return f"{type(e).__name__}: " + " ".join(text.split())


def case(name, cls, kwargs, inputs, training=None, shape=True, output=True):
    """Runs `cls(**kwargs)` on `inputs` (a list: several inputs make a list call)."""
    make = lambda: getattr(layers, cls)(**kwargs)  # noqa: E731
    layer = make()
    call_input = inputs if len(inputs) > 1 else inputs[0]
    entry = {"name": name, "class": cls, "kwargs": mg.jsonable(kwargs),
             "inputs": [mg.tolist(x) for x in inputs],
             "input_dtypes": [str(x.dtype) for x in inputs]}
    if training is not None:
        entry["training"] = training
    try:
        out = layer(call_input, training=training) if training is not None else layer(call_input)
        if output:
            entry["output"] = mg.tolist(mg.np_(out))
        entry["output_dtype"] = str(mg.np_(out).dtype)
        entry["output_shape_eager"] = list(mg.np_(out).shape)
    except Exception as e:  # noqa: BLE001
        entry["error"] = error_text(e)
    entry["keras_config"] = mg.kconfig(layer)
    if shape and "error" not in entry:
        if inputs[0].ndim == 3 and cls in UNBATCHED:  # a single image: no batch axis
            entry["output_shape"] = list(make().compute_output_shape(inputs[0].shape))
        else:
            entry["output_shape"] = symbolic_shape(make, inputs)
    return entry


UNBATCHED = ("Resizing", "CenterCrop", "RandomRotation", "RandomFlip", "RandomZoom",
             "RandomTranslation", "RandomContrast", "RandomBrightness")


def merging_cases():
    a, b, c = data((2, 3, 4), 1), data((2, 3, 4), 2), data((2, 3, 4), 3)
    col, vec = data((2, 1, 4), 4), data((2, 4), 5)
    cases = [
        case("add_2", "Add", {}, [a, b]),
        case("add_3", "Add", {}, [a, b, c]),
        case("add_broadcast_1", "Add", {}, [a, col]),
        case("add_lower_rank", "Add", {}, [a, vec]),
        case("subtract", "Subtract", {}, [a, b]),
        case("multiply_3", "Multiply", {}, [a, b, c]),
        case("multiply_broadcast", "Multiply", {}, [col, a]),
        case("average_3", "Average", {}, [a, b, c]),
        case("maximum_3", "Maximum", {}, [a, b, c]),
        case("minimum_2", "Minimum", {}, [a, b]),
        case("concatenate_last", "Concatenate", {}, [a, b]),
        case("concatenate_axis1", "Concatenate", {"axis": 1}, [a, data((2, 2, 4), 6)]),
        case("concatenate_axis_neg2", "Concatenate", {"axis": -2}, [a, data((2, 1, 4), 7), b]),
        case("dot_vectors", "Dot", {"axes": -1}, [vec, data((2, 4), 8)]),
        case("dot_vectors_normalize", "Dot", {"axes": 1, "normalize": True},
             [vec, data((2, 4), 8)]),
        case("dot_axes_1_2", "Dot", {"axes": [1, 2]}, [data((2, 3, 4), 9), data((2, 5, 3), 10)]),
        case("dot_axes_2_2_normalize", "Dot", {"axes": [2, 2], "normalize": True},
             [data((2, 3, 4), 9), data((2, 5, 4), 11)]),
        case("dot_vector_matrix", "Dot", {"axes": [1, 1]}, [vec, data((2, 4, 3), 12)]),
        case("dot_rank4", "Dot", {"axes": [3, 1]},
             [data((2, 2, 3, 4), 13), data((2, 4, 2, 2), 14)]),
    ]
    errors = [
        ("concatenate_mismatch", layers.Concatenate, [(None, 3, 4), (None, 4, 5)]),
        ("add_mismatch", layers.Add, [(None, 3), (None, 4)]),
        ("subtract_three", layers.Subtract, [(None, 3), (None, 3), (None, 3)]),
        ("dot_mismatch", lambda: layers.Dot(axes=1), [(None, 3), (None, 4)]),
    ]
    for name, make, shapes in errors:
        try:
            make()([keras.Input(batch_shape=s) for s in shapes])
            message = None
        except Exception as e:  # noqa: BLE001
            message = error_text(e)
        cases.append({"name": name, "symbolic_error_shapes": shapes, "error": message})
    return cases


def reshaping_cases():
    seq, img, vol = data((2, 5, 3), 20), data((2, 4, 5, 2), 21), data((1, 3, 4, 2, 2), 22)
    return [
        case("zero_padding1d_default", "ZeroPadding1D", {}, [seq]),
        case("zero_padding1d_pair", "ZeroPadding1D", {"padding": [1, 2]}, [seq]),
        case("zero_padding1d_channels_first", "ZeroPadding1D",
             {"padding": 2, "data_format": "channels_first"}, [seq]),
        case("zero_padding2d_default", "ZeroPadding2D", {}, [img]),
        case("zero_padding2d_pairs", "ZeroPadding2D", {"padding": [[1, 2], [0, 1]]}, [img]),
        case("zero_padding2d_channels_first", "ZeroPadding2D",
             {"padding": [2, 1], "data_format": "channels_first"}, [img]),
        case("zero_padding3d_default", "ZeroPadding3D", {}, [vol]),
        case("zero_padding3d_channels_first", "ZeroPadding3D",
             {"padding": [[0, 1], [1, 0], [1, 1]], "data_format": "channels_first"}, [vol]),
        case("cropping1d_default", "Cropping1D", {}, [seq]),
        case("cropping1d_end", "Cropping1D", {"cropping": [0, 2]}, [seq]),
        case("cropping2d_pairs", "Cropping2D", {"cropping": [[1, 0], [2, 1]]}, [img]),
        case("cropping2d_channels_first", "Cropping2D",
             {"cropping": 1, "data_format": "channels_first"}, [data((2, 2, 5, 4), 23)]),
        case("cropping3d_default", "Cropping3D", {}, [data((1, 3, 4, 5, 2), 24)]),
        case("cropping3d_channels_first", "Cropping3D",
             {"cropping": [[1, 0], [0, 0], [0, 1]], "data_format": "channels_first"}, [vol]),
        case("cropping3d_too_much", "Cropping3D",
             {"cropping": [[1, 0], [0, 0], [1, 1]], "data_format": "channels_first"}, [vol]),
        case("cropping2d_too_much", "Cropping2D", {"cropping": [[2, 2], [0, 0]]}, [img]),
        case("up_sampling1d_default", "UpSampling1D", {}, [seq]),
        case("up_sampling1d_3", "UpSampling1D", {"size": 3}, [seq]),
        case("up_sampling2d_default", "UpSampling2D", {}, [img]),
        case("up_sampling2d_channels_first", "UpSampling2D",
             {"size": [2, 3], "data_format": "channels_first"}, [img]),
        case("up_sampling2d_bilinear", "UpSampling2D", {"interpolation": "bilinear"}, [img]),
        case("up_sampling2d_bilinear_3_2_channels_first", "UpSampling2D",
             {"size": [3, 2], "interpolation": "bilinear", "data_format": "channels_first"}, [img]),
        case("up_sampling3d_default", "UpSampling3D", {}, [vol]),
        case("up_sampling3d_channels_first", "UpSampling3D",
             {"size": [1, 2, 1], "data_format": "channels_first"}, [vol]),
        case("repeat_vector", "RepeatVector", {"n": 3}, [data((2, 4), 25)]),
        case("permute_2_1", "Permute", {"dims": [2, 1]}, [seq]),
        case("permute_3_1_2", "Permute", {"dims": [3, 1, 2]}, [img]),
        case("reshape_minus_one", "Reshape", {"target_shape": [-1]}, [img]),
        case("reshape_2_minus_one", "Reshape", {"target_shape": [2, -1]}, [img]),
        case("reshape_full", "Reshape", {"target_shape": [10, 4]}, [img]),
        case("reshape_minus_one_middle", "Reshape", {"target_shape": [4, -1, 2]}, [img]),
        case("flatten_channels_last", "Flatten", {}, [img]),
        case("flatten_channels_first", "Flatten", {"data_format": "channels_first"}, [img]),
    ]


def regularization_cases():
    x = data((3, 4), 30)
    cases = []
    for cls, kwargs in [("GaussianNoise", {"stddev": 0.3, "seed": 1}),
                        ("GaussianDropout", {"rate": 0.4, "seed": 1}),
                        ("AlphaDropout", {"rate": 0.2, "noise_shape": None, "seed": 1}),
                        ("ActivityRegularization", {"l1": 0.01, "l2": 0.02})]:
        cases.append(case(f"{cls}_inference", cls, kwargs, [x], training=False))
    for cls, shape, kwargs in [("SpatialDropout1D", (2, 3, 4), {"rate": 0.5}),
                               ("SpatialDropout2D", (2, 3, 3, 4), {"rate": 0.5}),
                               ("SpatialDropout2D", (2, 4, 3, 3),
                                {"rate": 0.5, "data_format": "channels_first"}),
                               ("SpatialDropout3D", (1, 2, 2, 2, 3), {"rate": 0.3})]:
        cases.append(case(f"{cls}_{kwargs.get('data_format', 'channels_last')}_inference", cls,
                          kwargs, [data(shape, 31)], training=False))

    # ActivityRegularization's penalty, divided by the batch size.
    layer = layers.ActivityRegularization(l1=0.01, l2=0.02)
    layer(x)
    cases.append({"name": "activity_regularization_loss", "class": "ActivityRegularization",
                  "kwargs": {"l1": 0.01, "l2": 0.02}, "inputs": [mg.tolist(x)],
                  "losses": [mg.tolist(mg.np_(v)) for v in layer.losses]})

    # Training: what holds for any draw.
    ones = np.ones((400, 500), "float32")
    y = mg.np_(layers.GaussianDropout(0.4, seed=3)(ones, training=True))
    cases.append({"name": "gaussian_dropout_training_stats", "class": "GaussianDropout",
                  "kwargs": {"rate": 0.4}, "n": int(y.size), "mean": float(y.mean()),
                  "std": float(y.std()), "theory_std": float(np.sqrt(0.4 / 0.6))})
    y = mg.np_(layers.GaussianNoise(0.3, seed=3)(ones, training=True))
    cases.append({"name": "gaussian_noise_training_stats", "class": "GaussianNoise",
                  "kwargs": {"stddev": 0.3}, "n": int(y.size), "mean": float(y.mean()),
                  "std": float(y.std())})
    for value in (0.0, 1.0):
        y = mg.np_(layers.AlphaDropout(0.2, seed=3)(np.full((400, 500), value, "float32"),
                                                    training=True))
        values, counts = np.unique(y, return_counts=True)
        cases.append({"name": f"alpha_dropout_training_values_x{int(value)}",
                      "class": "AlphaDropout", "kwargs": {"rate": 0.2}, "input_value": value,
                      "values": mg.tolist(values), "fractions": (counts / y.size).tolist()})
    y = mg.np_(layers.SpatialDropout2D(0.5, seed=3)(np.ones((50, 3, 3, 8), "float32"),
                                                    training=True))
    maps = y.transpose(0, 3, 1, 2).reshape(400, 9)
    cases.append({"name": "spatial_dropout2d_training_maps", "class": "SpatialDropout2D",
                  "kwargs": {"rate": 0.5}, "values": mg.tolist(np.unique(y)),
                  "maps_constant": bool((maps == maps[:, :1]).all()),
                  "fraction_dropped": float((maps[:, 0] == 0).mean())})
    return cases


def preprocessing_cases():
    img = image_data((2, 4, 5, 2), 40)
    img_cf = image_data((2, 2, 4, 5), 41)
    small = image_data((2, 3, 2, 2), 42)
    single = image_data((4, 5, 2), 43)
    unit = data((2, 4, 5, 2), 44, 0.0, 1.0)
    cases = [
        case("rescaling_1_255", "Rescaling", {"scale": 1 / 255.0}, [img]),
        case("rescaling_offset", "Rescaling", {"scale": 2.0 / 255.0, "offset": -1.0}, [img]),
        case("rescaling_uint8", "Rescaling", {"scale": 0.5}, [img.astype("uint8")]),
        case("resizing_bilinear_down", "Resizing", {"height": 3, "width": 3}, [img]),
        case("resizing_bilinear_up", "Resizing", {"height": 5, "width": 7}, [small]),
        case("resizing_nearest_down", "Resizing",
             {"height": 3, "width": 2, "interpolation": "nearest"}, [img]),
        case("resizing_nearest_up", "Resizing",
             {"height": 5, "width": 3, "interpolation": "nearest"}, [small]),
        case("resizing_antialias_down", "Resizing",
             {"height": 2, "width": 3, "antialias": True}, [img]),
        case("resizing_crop_to_aspect_ratio", "Resizing",
             {"height": 3, "width": 3, "crop_to_aspect_ratio": True}, [img]),
        case("resizing_pad_to_aspect_ratio", "Resizing",
             {"height": 4, "width": 4, "pad_to_aspect_ratio": True, "fill_value": 7.0}, [img]),
        case("resizing_pad_to_aspect_ratio_rows", "Resizing",
             {"height": 6, "width": 4, "pad_to_aspect_ratio": True}, [small]),
        case("resizing_channels_first", "Resizing",
             {"height": 3, "width": 6, "data_format": "channels_first"}, [img_cf]),
        case("resizing_uint8", "Resizing", {"height": 3, "width": 4}, [img.astype("uint8")]),
        case("resizing_single_image", "Resizing", {"height": 2, "width": 3}, [single]),
        case("center_crop", "CenterCrop", {"height": 2, "width": 3}, [img]),
        case("center_crop_channels_first", "CenterCrop",
             {"height": 3, "width": 2, "data_format": "channels_first"}, [img_cf]),
        case("center_crop_larger_resizes", "CenterCrop", {"height": 6, "width": 4}, [img]),
        case("center_crop_single_image", "CenterCrop", {"height": 3, "width": 3}, [single]),
    ]
    # Random layers at inference: the identity.
    for cls, kwargs in [("RandomFlip", {"seed": 1}), ("RandomRotation", {"factor": 0.2}),
                        ("RandomZoom", {"height_factor": 0.3}),
                        ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.1}),
                        ("RandomContrast", {"factor": 0.3}),
                        ("RandomBrightness", {"factor": 0.2})]:
        cases.append(case(f"{cls}_inference", cls, kwargs, [img], training=False))

    # Training with zero-width factor ranges: exact transforms.
    rot = [("rotation_90_bilinear_reflect", {"factor": [0.25, 0.25]}),
           ("rotation_45_bilinear_reflect", {"factor": [0.125, 0.125]}),
           ("rotation_30_nearest", {"factor": [1 / 12, 1 / 12], "interpolation": "nearest"}),
           ("rotation_45_wrap", {"factor": [0.125, 0.125], "fill_mode": "wrap"}),
           ("rotation_45_constant", {"factor": [-0.125, -0.125], "fill_mode": "constant",
                                     "fill_value": 9.0}),
           ("rotation_45_nearest_fill", {"factor": [0.125, 0.125], "fill_mode": "nearest"}),
           ("rotation_60_channels_first", {"factor": [1 / 6, 1 / 6],
                                           "data_format": "channels_first"})]
    for name, kwargs in rot:
        x = img_cf if kwargs.get("data_format") == "channels_first" else img
        cases.append(case(name, "RandomRotation", kwargs, [x], training=True))
    cases.append(case("rotation_45_single_image", "RandomRotation",
                      {"factor": [0.125, 0.125]}, [single], training=True))
    zoom = [("zoom_out_reflect", {"height_factor": [0.5, 0.5]}),
            ("zoom_in_bilinear", {"height_factor": [-0.3, -0.3]}),
            ("zoom_width_separate_constant", {"height_factor": [0.2, 0.2],
                                              "width_factor": [-0.4, -0.4],
                                              "fill_mode": "constant"}),
            ("zoom_out_wrap_nearest", {"height_factor": [0.6, 0.6], "fill_mode": "wrap",
                                       "interpolation": "nearest"}),
            ("zoom_out_nearest_fill", {"height_factor": [0.5, 0.5], "fill_mode": "nearest"})]
    for name, kwargs in zoom:
        cases.append(case(name, "RandomZoom", kwargs, [img], training=True))
    shift = [("translation_reflect", {"height_factor": [0.25, 0.25], "width_factor": [-0.2, -0.2]}),
             ("translation_fraction_bilinear", {"height_factor": [0.1, 0.1],
                                                "width_factor": [0.3, 0.3]}),
             ("translation_wrap", {"height_factor": [-0.5, -0.5], "width_factor": [0.4, 0.4],
                                   "fill_mode": "wrap"}),
             ("translation_constant", {"height_factor": [0.5, 0.5], "width_factor": [0.0, 0.0],
                                       "fill_mode": "constant", "fill_value": 3.0}),
             ("translation_nearest_fill_channels_first",
              {"height_factor": [0.25, 0.25], "width_factor": [0.4, 0.4], "fill_mode": "nearest",
               "data_format": "channels_first"})]
    for name, kwargs in shift:
        x = img_cf if kwargs.get("data_format") == "channels_first" else img
        cases.append(case(name, "RandomTranslation", kwargs, [x], training=True))
    cases += [
        case("contrast_fixed_1_5", "RandomContrast", {"factor": [-0.5, 0.5]}, [img],
             training=True),
        case("contrast_fixed_unit_range", "RandomContrast",
             {"factor": [-0.8, 0.8], "value_range": [0, 1]}, [unit], training=True),
        case("contrast_identity_clips", "RandomContrast", {"factor": 0.0, "value_range": [0, 100]},
             [img], training=True),
        case("contrast_config_number", "RandomContrast", {"factor": 0.3}, [img], training=False),
        case("brightness_fixed", "RandomBrightness", {"factor": [0.1, 0.1]}, [img],
             training=True),
        case("brightness_fixed_negative_unit", "RandomBrightness",
             {"factor": [-0.2, -0.2], "value_range": [1, 0]}, [unit], training=True),
    ]
    for mode in ("horizontal", "vertical", "horizontal_and_vertical"):
        cases.append(case(f"flip_{mode}", "RandomFlip", {"mode": mode, "seed": 5},
                          [image_data((8, 2, 3, 1), 45)], training=True))
    return cases


def main():
    payload = {"merging": merging_cases(), "reshaping": reshaping_cases(),
               "regularization": regularization_cases(), "preprocessing": preprocessing_cases()}
    payload = {"meta": META, **payload}
    path = os.path.join(mg.HERE, "layers_vision.json")
    with open(path, "w") as f:
        f.write(mg._dumps(payload))
        f.write("\n")
    print(f"wrote layers_vision.json: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
