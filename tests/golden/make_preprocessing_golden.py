"""Regenerate tests/golden/preprocessing.json with REAL Keras 3:

- `pad_sequences`: `keras.utils.pad_sequences` (Keras 3's own).
- `Tokenizer`: Keras 2's class as Keras 3.15 still ships it
  (`keras.src.legacy.preprocessing.text`, the same code as tf.keras 2's).
- `ImageDataGenerator` / `apply_affine_transform`: Keras 2's code as Keras 3.15 ships it
  (`keras.src.legacy.preprocessing.image`, the same as tf.keras 2.15's), which interpolates with
  SciPy's `ndimage.affine_transform` (SciPy is installed with JAX).

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_preprocessing_golden.py

Inputs are fixed (or drawn from fixed NumPy seeds). The test suite never imports Keras, SciPy or
this script; it only reads the JSON.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import json  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import scipy  # noqa: E402
from keras.src.legacy.preprocessing import image as legacy_image  # noqa: E402
from keras.src.legacy.preprocessing import text as legacy_text  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.filterwarnings("ignore")


def err(e):
    return f"{type(e).__name__}: {e}"


def pad_cases():
    seqs = [[1], [2, 3], [4, 5, 6], [], [7, 8, 9, 10, 11]]
    floats = [[1.5, -2.25], [3.75], [0.5, 0.25, 9.0]]
    cases = []
    for kwargs in ({}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"},
                   {"maxlen": 3, "truncating": "post"},
                   {"maxlen": 2, "padding": "post", "truncating": "post", "value": -1},
                   {"maxlen": 7, "value": 9}, {"dtype": "float32"}, {"maxlen": 1}):
        out = keras.utils.pad_sequences(seqs, **kwargs)
        cases.append({"sequences": seqs, "kwargs": kwargs, "out": out.tolist(),
                      "dtype": str(out.dtype)})
    for kwargs in ({"dtype": "float32"}, {}, {"dtype": "float64", "value": 0.5,
                                             "padding": "post"}):
        out = keras.utils.pad_sequences(floats, **kwargs)
        cases.append({"sequences": floats, "kwargs": kwargs, "out": out.tolist(),
                      "dtype": str(out.dtype)})
    samples = [[[1, 2], [3, 4]], [[5, 6]], []]  # sequences of 2-vectors
    out = keras.utils.pad_sequences(samples, maxlen=3)
    cases.append({"sequences": samples, "kwargs": {"maxlen": 3}, "out": out.tolist(),
                  "dtype": str(out.dtype)})
    words = [["a", "bc"], ["def"]]
    out = keras.utils.pad_sequences(words, dtype=object, value="<pad>")
    cases.append({"sequences": words, "kwargs": {"dtype": "object", "value": "<pad>"},
                  "out": out.tolist(), "dtype": str(out.dtype)})
    errors = []
    for seqs_, kwargs in (([[1, 2]], {"padding": "middle"}), ([[1, 2]], {"truncating": "x"}),
                          ([[1, 2]], {"value": "x"}), ([1, 2], {}),
                          ([[[1, 2]], [[1, 2, 3]]], {})):
        try:
            keras.utils.pad_sequences(seqs_, **kwargs)
            errors.append({"sequences": seqs_, "kwargs": kwargs, "error": None})
        except Exception as e:  # noqa: BLE001
            errors.append({"sequences": seqs_, "kwargs": kwargs, "error": err(e)})
    return {"cases": cases, "errors": errors}


TEXTS = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "Dogs and cats: the best of friends? The dog said 'no'.",
    "A\tcat\nand a DOG",
]
NEW_TEXTS = ["the cat and the unicorn", "", "dog dog dog homework"]


def tokenizer_state(tok):
    return {"word_index": tok.word_index,
            "index_word": {str(k): v for k, v in tok.index_word.items()},
            "word_counts": list(tok.word_counts.items()),
            "word_docs": dict(tok.word_docs),
            "index_docs": {str(k): v for k, v in tok.index_docs.items()},
            "document_count": tok.document_count}


def tokenizer_cases():
    cases = []
    for kwargs in ({}, {"num_words": 5}, {"oov_token": "<OOV>"},
                   {"num_words": 6, "oov_token": "<OOV>"}, {"lower": False},
                   {"char_level": True}, {"filters": "", "split": " "},
                   {"filters": "!.?", "split": "a"}, {"oov_token": "dog"}):
        tok = legacy_text.Tokenizer(**kwargs)
        tok.fit_on_texts(TEXTS)
        case = {"kwargs": kwargs, "state": tokenizer_state(tok),
                "sequences": tok.texts_to_sequences(TEXTS + NEW_TEXTS),
                "texts_back": tok.sequences_to_texts(tok.texts_to_sequences(NEW_TEXTS)),
                "matrices": {}}
        for mode in ("binary", "count", "tfidf", "freq"):
            case["matrices"][mode] = tok.texts_to_matrix(TEXTS + NEW_TEXTS, mode=mode).tolist()
        case["config"] = tok.get_config()
        cases.append(case)
    # fit on token lists and on sequences
    tok = legacy_text.Tokenizer()
    tok.fit_on_texts([["Hello", "World", "hello"], ["world"]])
    extra = {"token_lists": tokenizer_state(tok)}
    tok = legacy_text.Tokenizer(num_words=8)
    tok.fit_on_sequences([[1, 2, 2, 5], [5, 7], [3]])
    extra["fit_on_sequences"] = {"state": tokenizer_state(tok), "tfidf": tok.sequences_to_matrix(
        [[1, 2, 2, 5], [7, 7, 7], []], mode="tfidf").tolist()}
    extra["text_to_word_sequence"] = [
        legacy_text.text_to_word_sequence(t) for t in TEXTS] + [
        legacy_text.text_to_word_sequence("Keep,Case;Here", lower=False, filters=",")]
    extra["hashing_trick_md5"] = legacy_text.hashing_trick("the cat sat on the mat", 17,
                                                           hash_function="md5")
    return {"texts": TEXTS, "new_texts": NEW_TEXTS, "cases": cases, **extra}


def main(parts):
    path = os.path.join(HERE, "preprocessing.json")
    payload = {}
    if os.path.exists(path):
        with open(path) as f:
            payload = json.load(f)
    payload["meta"] = {"keras": keras.__version__, "jax": jax.__version__,
                       "numpy": np.__version__, "scipy": scipy.__version__,
                       "backend": keras.backend.backend(),
                       "generated_by": "tests/golden/make_preprocessing_golden.py"}
    makers = {"pad_sequences": pad_cases, "tokenizer": tokenizer_cases,
              "image": lambda: image_cases(), "resample": resample_cases}
    for name in parts or makers:
        payload[name] = makers[name]()
    text = json.dumps(payload, separators=(",", ":")) + "\n"
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {path}: {sorted(payload)}")


def f32list(a):
    """float32 values as the shortest decimals that give back the same float32."""
    a = np.asarray(a)
    if a.dtype == np.float32:
        return json.loads(json.dumps(a.tolist(), default=float)) if a.ndim == 0 else \
            [f32list(v) for v in a] if a.ndim > 1 else [float(str(v)) for v in a]
    return a.tolist()


def resample_cases():
    """scipy.ndimage.affine_transform itself, on random small images and maps: every fill
    mode, orders 0 and 1, float32 / float64 / uint8 images, coordinates far outside."""
    rng = np.random.default_rng(11)
    cases = []
    for k in range(48):
        rows, cols = (int(v) for v in rng.integers(1, 7, 2))
        dtype = ("float32", "float64", "uint8")[k % 3]
        if dtype == "uint8":
            image = rng.integers(0, 256, (rows, cols)).astype(np.uint8)
        else:
            image = np.round(rng.normal(size=(rows, cols)) * 10, 2).astype(dtype)
        matrix = np.round(rng.normal(size=(2, 2)) * rng.choice([0.5, 1.5, 4]), 3)
        offset = np.round(rng.normal(size=2) * rng.choice([1, 5, 25]), 3)
        mode = ("constant", "nearest", "reflect", "wrap")[k % 4]
        order = (k // 4) % 2
        out = scipy.ndimage.affine_transform(image, matrix, offset, order=order, mode=mode,
                                             cval=-3.25)
        cases.append({"image": image.tolist(), "dtype": dtype, "matrix": matrix.tolist(),
                      "offset": offset.tolist(), "mode": mode, "order": order,
                      "out": out.tolist()})
    return cases


def jsonable(kwargs):
    """numpy.sqrt -> "numpy.sqrt", arrays -> lists (the tests map them back)."""
    return {k: ("numpy." + v.__name__ if callable(v) else
                np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
            for k, v in kwargs.items()}


def image_cases():
    rng = np.random.default_rng(7)
    img = np.round(rng.normal(size=(5, 7, 2)), 3).astype(np.float32)  # rows 5, cols 7
    affine = []
    layouts = {"channels_last": (img, dict(row_axis=0, col_axis=1, channel_axis=2)),
               "channels_first": (np.ascontiguousarray(img.transpose(2, 0, 1)),
                                  dict(row_axis=1, col_axis=2, channel_axis=0)),
               "rows_after_cols": (np.ascontiguousarray(img.transpose(1, 0, 2)),
                                   dict(row_axis=1, col_axis=0, channel_axis=2))}
    full = [dict(theta=30), dict(tx=1.5, ty=-2.25), dict(theta=-17, tx=0.7, ty=1.2, shear=20,
                                                         zx=0.8, zy=1.3)]
    some = [dict(theta=90), dict(tx=3), dict(ty=-1), dict(shear=-35), dict(zx=2.0, zy=0.5),
            dict(zx=0.6, zy=0.6), dict(theta=180, zx=1.1)]
    for layout, (x, axes) in layouts.items():
        for params in full:
            for mode in ("constant", "nearest", "reflect", "wrap"):
                for order in ((1, 0) if layout == "channels_last" else (1,)):
                    out = legacy_image.apply_affine_transform(
                        x, **params, **axes, fill_mode=mode, cval=-1.5, order=order)
                    affine.append({"layout": layout, "params": params, "fill_mode": mode,
                                   "order": order, "out": f32list(out)})
        for params in some:
            out = legacy_image.apply_affine_transform(x, **params, **axes)
            affine.append({"layout": layout, "params": params, "fill_mode": "nearest",
                           "order": 1, "out": f32list(out)})

    images = np.round(rng.uniform(0, 255, size=(6, 6, 5, 3))).astype(np.float32)
    labels = np.arange(6)
    flows = []

    def record_flow(name, gen_kwargs, flow_kwargs, x=images, y=labels, fit=None,
                    generator_class=legacy_image.ImageDataGenerator):
        gen = generator_class(**gen_kwargs)
        if fit is not None:
            gen.fit(x, **fit)
        it = gen.flow(x, y, **flow_kwargs)
        by_index = [it[i] for i in range(len(it))]
        it.on_epoch_end()
        by_index.append(it[0])
        it2 = gen.flow(x, y, **flow_kwargs)
        by_next = [next(it2) for _ in range(len(it2) + 1)]

        def batch(b):
            return [f32list(b)] if isinstance(b, np.ndarray) else [f32list(v) for v in b]

        case = {"name": name, "generator": jsonable(gen_kwargs), "flow": jsonable(flow_kwargs),
                "fit": fit, "y": None if y is None else np.asarray(y).tolist(),
                "len": len(it), "by_index": [batch(b) for b in by_index],
                "by_next": [batch(b) for b in by_next]}
        for attr in ("mean", "std", "zca_whitening_matrix"):
            value = getattr(gen, attr)
            case[attr] = None if value is None else f32list(np.asarray(value, np.float32))
        flows.append(case)

    record_flow("augment", dict(rotation_range=40, shear_range=15, zoom_range=0.3,
                                horizontal_flip=True, vertical_flip=True, fill_mode="reflect",
                                rescale=1 / 255.0, channel_shift_range=10.0),
                dict(batch_size=4, shuffle=True, seed=42))
    record_flow("constant_fill_no_shuffle", dict(rotation_range=25, zoom_range=[0.7, 1.0],
                                                 fill_mode="constant", cval=7.0),
                dict(batch_size=5, shuffle=False, seed=3))
    record_flow("featurewise", dict(featurewise_center=True, featurewise_std_normalization=True,
                                    horizontal_flip=True),
                dict(batch_size=4, seed=5), fit={})
    record_flow("featurewise_fit_augmented", dict(featurewise_center=True,
                                                  featurewise_std_normalization=True,
                                                  rotation_range=30, rescale=0.5),
                dict(batch_size=6, seed=8), fit=dict(augment=True, rounds=2, seed=3))
    record_flow("samplewise_preprocessing", dict(samplewise_center=True,
                                                 samplewise_std_normalization=True,
                                                 preprocessing_function=np.sqrt, zoom_range=0.2,
                                                 interpolation_order=0),
                dict(batch_size=3, seed=9))
    record_flow("zca", dict(zca_whitening=True), dict(batch_size=6, shuffle=False),
                x=images[:, :3, :3, :1] / 255.0, fit={})
    cf = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
    record_flow("channels_first_subset", dict(data_format="channels_first", rotation_range=20,
                                              validation_split=0.5, vertical_flip=True),
                dict(batch_size=2, seed=1, subset="training", sample_weight=np.arange(6) / 6),
                x=cf, y=np.array([0, 1, 2, 0, 1, 2]))
    record_flow("validation_subset", dict(validation_split=0.5, rotation_range=20),
                dict(batch_size=2, seed=1, subset="validation"),
                y=np.array([0, 1, 2, 0, 1, 2]))
    record_flow("no_labels", dict(rotation_range=10), dict(batch_size=4, seed=2), y=None)

    class ShiftsAlongTheirNames(legacy_image.ImageDataGenerator):
        """Keras 2 with its shift axes swapped back: what minikeras does (see its docstring)."""

        def get_random_transform(self, img_shape, seed=None):
            params = super().get_random_transform(img_shape, seed)
            params["tx"], params["ty"] = params["ty"], params["tx"]
            return params

    for name, kwargs in (("shift_fraction", dict(width_shift_range=0.2, height_shift_range=0.3)),
                         ("shift_int_and_list", dict(width_shift_range=3,
                                                     height_shift_range=[1, 2])),
                         ("shift_pixels_float", dict(width_shift_range=2.5,
                                                     height_shift_range=1.0, rotation_range=5))):
        record_flow(name, kwargs, dict(batch_size=3, seed=21),
                    generator_class=ShiftsAlongTheirNames)

    params = []
    for kwargs in (dict(width_shift_range=0.2, height_shift_range=0.3, rotation_range=10,
                        zoom_range=0.1, shear_range=5, horizontal_flip=True),
                   dict(width_shift_range=3, height_shift_range=[1, 2]),
                   dict(channel_shift_range=20.0, vertical_flip=True)):
        gen = legacy_image.ImageDataGenerator(**kwargs)
        drawn = gen.get_random_transform((5, 7, 2), seed=11)
        params.append({"generator": kwargs, "params": {
            k: (None if v is None else float(v)) for k, v in drawn.items()}})
    return {"image": f32list(img), "affine": affine, "images": f32list(images),
            "flows": flows, "random_transform": params}


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
