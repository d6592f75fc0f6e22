"""Regenerate tests/metrics/golden_extra.json with REAL Keras 3 (never run by the test suite).

Cases the shared `tests/golden/metrics.json` does not cover: the X-at-Y metrics, R2Score,
the loss-based metric classes, multi-label / weighted / from-logits / explicit-threshold /
PRGAIN AUC, evenly spaced Precision thresholds, top_k with class_id, sorted-id top-k,
Mean and Sum of per-entry values, other F-score settings, rank mismatches, the IoU family and
the correlation metrics.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/metrics/make_golden_extra.py
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
from make_golden import f32, tolist  # noqa: E402  (one JSON format for all fixtures)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def main():
    rng = np.random.RandomState(5)
    w8 = f32([1.0, 0.0, 2.0, 0.5, 1.0, 3.0, 1.5, 0.25])

    def two(make):
        return [make(), make()]

    def binary():
        yt = rng.randint(0, 2, size=(8, 3))
        yp = np.round(np.clip(0.35 * yt + rng.uniform(0, 0.65, size=(8, 3)), 0, 1), 3)
        return f32(yt), f32(yp)

    def categorical():
        lab = rng.randint(0, 4, size=8)
        return f32(np.eye(4)[lab]), f32(softmax(rng.normal(size=(8, 4)) * 2)), lab

    def regression():
        return f32(rng.normal(size=(8, 3))), f32(rng.normal(size=(8, 3)))

    def batches(pairs):
        return [{"y_true": pairs[0][0], "y_pred": pairs[0][1], "sample_weight": None},
                {"y_true": pairs[1][0], "y_pred": pairs[1][1], "sample_weight": w8}]

    bin_b = batches(two(binary))
    bin_b[0]["y_pred"][0, 0] = 0.0  # exact 0 and 1 predictions hit AUC's endpoint thresholds
    bin_b[0]["y_pred"][1, 1] = 1.0
    logit_b = [{**b, "y_pred": f32(np.log(np.clip(b["y_pred"], 1e-3, 1 - 1e-3)
                                         / (1 - np.clip(b["y_pred"], 1e-3, 1 - 1e-3))))}
               for b in bin_b]
    cats = two(categorical)
    cat_b = batches([(c[0], c[1]) for c in cats])
    sparse_b = batches([(c[2].astype("int32"), c[1]) for c in cats])
    sorted_ids_b = batches([(c[2].astype("int32"), f32(np.argsort(-c[1], axis=-1)))
                            for c in cats])
    reg_b = batches(two(regression))
    ids_b = batches([(c[2].astype("int32"), np.argmax(c[1], -1).astype("int32")) for c in cats])
    pos_b = batches([(np.abs(r[0]) + f32(0.1), np.abs(r[1]) + f32(0.1)) for r in two(regression)])
    pm1_b = batches([(f32(2 * b[0] - 1), f32(4 * b[1] - 2)) for b in two(binary)])
    one_d_b = batches([(b[0][:, 0], b[1][:, :1]) for b in two(binary)])
    M = keras.metrics
    specs = [
        ("SensitivityAtSpecificity", {"specificity": 0.5}, bin_b),
        ("SensitivityAtSpecificity", {"specificity": 0.8, "num_thresholds": 7}, bin_b),
        ("SpecificityAtSensitivity", {"sensitivity": 0.5}, bin_b),
        ("PrecisionAtRecall", {"recall": 0.5}, bin_b),
        ("PrecisionAtRecall", {"recall": 0.7, "class_id": 2}, bin_b),
        ("RecallAtPrecision", {"precision": 0.6}, bin_b),
        ("RecallAtPrecision", {"precision": 0.9, "num_thresholds": 1}, bin_b),
        ("R2Score", {}, reg_b),
        ("R2Score", {"class_aggregation": "variance_weighted_average"}, reg_b),
        ("R2Score", {"class_aggregation": None}, reg_b),
        ("R2Score", {"num_regressors": 2}, reg_b),
        ("LogCoshError", {}, reg_b),
        ("KLDivergence", {}, batches([(c[0], c[1]) for c in two(categorical)])),
        ("Poisson", {}, pos_b),
        ("BinaryCrossentropy", {}, bin_b),
        ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, logit_b),
        ("CategoricalCrossentropy", {"label_smoothing": 0.2}, cat_b),
        ("SparseCategoricalCrossentropy", {}, sparse_b),
        ("SparseCategoricalCrossentropy", {"ignore_class": 1}, sparse_b),
        ("Hinge", {}, pm1_b),
        ("SquaredHinge", {}, bin_b),
        ("CategoricalHinge", {}, cat_b),
        ("AUC", {"multi_label": True}, bin_b),
        ("AUC", {"multi_label": True, "num_labels": 3, "label_weights": [0.2, 0.3, 0.5]}, bin_b),
        ("AUC", {"label_weights": [0.2, 0.3, 0.5]}, bin_b),
        ("AUC", {"from_logits": True}, logit_b),
        ("AUC", {"thresholds": [0.2, 0.5, 0.8]}, bin_b),
        ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, bin_b),
        ("AUC", {"curve": "PRGAIN"}, bin_b),
        ("AUC", {"curve": "PR", "summation_method": "majoring", "num_thresholds": 9}, bin_b),
        ("AUC", {"multi_label": True, "curve": "PR"}, bin_b),
        ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, bin_b),
        ("Recall", {"thresholds": [0.2, 0.4, 0.6, 0.8]}, bin_b),
        ("Precision", {"top_k": 2, "class_id": 1}, bin_b),
        ("Recall", {"top_k": 2}, bin_b),
        ("Precision", {}, one_d_b),
        ("TruePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, bin_b),
        ("TopKCategoricalAccuracy", {"k": 1}, cat_b),
        ("SparseTopKCategoricalAccuracy", {"k": 2, "from_sorted_ids": True}, sorted_ids_b),
        ("BinaryAccuracy", {}, one_d_b),
        ("CosineSimilarity", {"axis": -1}, pm1_b),
        ("FBetaScore", {"beta": 0.5, "average": "weighted", "threshold": 0.4}, bin_b),
        ("F1Score", {"average": "micro", "threshold": 0.5}, bin_b),
        ("RootMeanSquaredError", {}, one_d_b),
        ("PearsonCorrelation", {}, reg_b),
        ("ConcordanceCorrelation", {}, reg_b),
        ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, ids_b),
        ("IoU", {"num_classes": 4, "target_class_ids": [1, 3], "ignore_class": 0}, ids_b),
        ("MeanIoU", {"num_classes": 4}, ids_b),
        ("BinaryIoU", {}, bin_b),
        ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, bin_b),
        ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 2]}, cat_b),
        ("OneHotMeanIoU", {"num_classes": 4}, cat_b),
        ("MeanAbsoluteError", {}, one_d_b),
    ]
    cases = []
    for cls, config, bs in specs:
        m = getattr(M, cls)(**config)
        results, err = [], None
        try:
            for b in bs:
                m.update_state(b["y_true"], b["y_pred"], sample_weight=b["sample_weight"])
                results.append(tolist(np.asarray(m.result())))
        except Exception as e:
            err = f"{type(e).__name__}: {str(e).splitlines()[0]}"
        case = {"class": cls, "config": config,
                "batches": [{k: tolist(v) for k, v in b.items()} for b in bs],
                "result_after_each_batch": results}
        if err:
            case["error"] = err
        cases.append(case)

    # Mean / Sum of per-entry values (N, 2) with per-sample weights
    for cls in ("Mean", "Sum"):
        m = getattr(M, cls)()
        vals = [f32(rng.normal(size=(4, 2))), f32(rng.normal(size=(4, 2)))]
        wts = [None, f32([1.0, 0.0, 2.0, 0.5])]
        res = []
        for v, w in zip(vals, wts):
            m.update_state(v, sample_weight=w)
            res.append(tolist(np.asarray(m.result())))
        cases.append({"class": cls, "config": {},
                      "batches": [{"values": tolist(v), "sample_weight": tolist(w)}
                                  for v, w in zip(vals, wts)],
                      "result_after_each_batch": res})
    payload = {"meta": {"keras": keras.__version__, "jax": jax.__version__,
                        "backend": keras.backend.backend(), "floatx": keras.config.floatx(),
                        "generated_by": "tests/metrics/make_golden_extra.py"},
               "cases": cases}
    with open(os.path.join(HERE, "golden_extra.json"), "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
