"""Regenerate tests/losses/golden_extra.json with REAL Keras 3 (never run by the test suite).

Cases the shared `tests/golden/losses.json` does not cover: Dice, Tversky, the generalized
cross-entropy, `ignore_class`, label smoothing with logits, per-class focal `alpha`,
`(N,)` against `(N, 1)` shapes, non-binary hinge labels, 3-D sparse labels, scalar weights.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/losses/make_golden_extra.py
"""

import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import f32, np_, tolist  # noqa: E402  (one JSON format for all fixtures)


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def cases():
    rng = np.random.RandomState(21)
    N, C = 5, 4
    logits = f32(rng.normal(size=(N, C)) * 2)
    probs = f32(softmax(logits))
    labels = np.array([0, 2, 1, 3, 2], "int32")
    onehot = f32(np.eye(C)[labels])
    seg_true = f32(rng.randint(0, 2, size=(N, 6)))
    seg_pred = f32(rng.uniform(0, 1, size=(N, 6)))
    bin_true = f32(rng.randint(0, 2, size=(N, 3)))
    bin_logits = f32(rng.normal(size=(N, 3)) * 2)
    bin_probs = f32(1 / (1 + np.exp(-bin_logits)))
    reg_true = f32(rng.normal(size=(N,)))
    reg_pred = f32(rng.normal(size=(N, 1)))
    seq_logits = f32(rng.normal(size=(N, 3, C)))
    seq_labels = rng.randint(0, C, size=(N, 3)).astype("int32")
    L = keras.losses
    return [
        ("dice", "dice", {}, "Dice", {}, seg_true, seg_pred),
        ("dice_axis1", "dice", {"axis": 1}, "Dice", {"axis": 1}, seg_true, seg_pred),
        ("tversky", "tversky", {"alpha": 0.3, "beta": 0.7, "axis": 1}, "Tversky",
         {"alpha": 0.3, "beta": 0.7, "axis": 1}, seg_true, seg_pred),
        ("cgce", "categorical_generalized_cross_entropy", {"q": 0.5},
         "CategoricalGeneralizedCrossEntropy", {"q": 0.5}, labels, probs),
        ("scce_ignore_class", "sparse_categorical_crossentropy", {"ignore_class": 2},
         "SparseCategoricalCrossentropy", {"ignore_class": 2}, labels, probs),
        ("scce_3d_logits", "sparse_categorical_crossentropy", {"from_logits": True},
         "SparseCategoricalCrossentropy", {"from_logits": True}, seq_labels, seq_logits),
        ("cce_logits_smoothing", "categorical_crossentropy",
         {"from_logits": True, "label_smoothing": 0.2}, "CategoricalCrossentropy",
         {"from_logits": True, "label_smoothing": 0.2}, onehot, logits),
        ("bce_logits_smoothing", "binary_crossentropy",
         {"from_logits": True, "label_smoothing": 0.1}, "BinaryCrossentropy",
         {"from_logits": True, "label_smoothing": 0.1}, bin_true, bin_logits),
        ("bfce_smoothing", "binary_focal_crossentropy",
         {"label_smoothing": 0.1, "gamma": 1.0}, "BinaryFocalCrossentropy",
         {"label_smoothing": 0.1, "gamma": 1.0}, bin_true, bin_probs),
        ("cfce_alpha_list", "categorical_focal_crossentropy",
         {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 1.0}, "CategoricalFocalCrossentropy",
         {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 1.0}, onehot, probs),
        ("huber_delta2", "huber", {"delta": 2.0}, "Huber", {"delta": 2.0},
         f32(rng.normal(size=(N, C)) * 3), f32(rng.normal(size=(N, C)))),
        ("mse_N_vs_N1", "mean_squared_error", {}, "MeanSquaredError", {}, reg_true, reg_pred),
        ("mae_N1_vs_N", "mean_absolute_error", {}, "MeanAbsoluteError", {},
         reg_true.reshape(-1, 1), reg_pred.reshape(-1)),
        ("bce_N_vs_N1", None, {}, "BinaryCrossentropy", {}, bin_true[:, 0],
         bin_probs[:, :1]),
        ("bce_N_vs_N", "binary_crossentropy", {}, "BinaryCrossentropy", {}, bin_true[:, 0],
         bin_probs[:, 0]),
        ("hinge_nonbinary", "hinge", {}, "Hinge", {},
         f32([[-1, 0, 1], [1, 1, -1], [0, 0, 1], [1, -1, -1], [-1, 1, 0]]), bin_logits),
        ("kl_zero_targets", "kl_divergence", {}, "KLDivergence", {},
         f32(np.eye(C)[labels]), probs),
        ("cosine_axis0", "cosine_similarity", {"axis": 0}, "CosineSimilarity", {"axis": 0},
         f32(rng.normal(size=(N, C))), f32(rng.normal(size=(N, C)))),
    ]


def main():
    sw = f32([1.0, 0.5, 2.0, 0.0, 2.5])
    out = []
    for name, fn, kwargs, cls, ckw, yt, yp in cases():
        C_ = getattr(keras.losses, cls)
        case = {"name": name, "fn": fn, "kwargs": kwargs, "y_true": tolist(yt),
                "y_true_dtype": str(yt.dtype), "y_pred": tolist(yp), "class": cls,
                "class_kwargs": ckw, "sample_weight": tolist(sw)}

        def attempt(key, f):
            try:
                case[key] = tolist(np_(f()))
            except Exception as e:  # record what real Keras does
                case[key] = None
                case[key + "_error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"

        if fn is not None:
            attempt("per_sample", lambda: getattr(keras.losses, fn)(yt, yp, **kwargs))
        attempt("reduced", lambda: C_(**ckw)(yt, yp))
        attempt("reduced_weighted", lambda: C_(**ckw)(yt, yp, sample_weight=sw))
        attempt("reduced_scalar_weight", lambda: C_(**ckw)(yt, yp, sample_weight=2.0))
        attempt("reduced_sum", lambda: C_(**ckw, reduction="sum")(yt, yp))
        attempt("reduced_none", lambda: C_(**ckw, reduction=None)(yt, yp))
        attempt("reduced_mean_with_sample_weight_weighted",
                lambda: C_(**ckw, reduction="mean_with_sample_weight")(yt, yp, sample_weight=sw))
        out.append(case)
    payload = {"meta": {"keras": keras.__version__, "jax": jax.__version__,
                        "backend": keras.backend.backend(), "floatx": keras.config.floatx(),
                        "generated_by": "tests/losses/make_golden_extra.py"},
               "cases": out}
    with open(os.path.join(HERE, "golden_extra.json"), "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
