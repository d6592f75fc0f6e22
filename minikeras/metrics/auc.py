"""`AUC`: area under the ROC or precision-recall curve, by a Riemann sum over thresholds."""

import numpy as np

from minikeras import config
from minikeras.activations import sigmoid
from minikeras.metrics.base import Metric, as_float, divide_no_nan
from minikeras.metrics.confusion_utils import confusion_counts, evenly_spaced

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _enum_value(value):
    return getattr(value, "value", value)  # accept Keras's AUCCurve / AUCSummationMethod enums


class AUC(Metric):
    """Approximates the area under the ROC (default) or PR curve.

    Predictions are counted at `num_thresholds` thresholds; the area is a Riemann sum over
    them. With `thresholds` given, those are used (plus `-eps` and `1 + eps` endpoints).

    Args:
        num_thresholds: number of thresholds, > 1 (default 200).
        curve: `'ROC'` (default), `'PR'` or `'PRGAIN'`.
        summation_method: `'interpolation'` (default; for PR, Davis & Goadrich 2006),
            `'minoring'` (lower bound) or `'majoring'` (upper bound).
        name: default `'auc'`.
        dtype: the result dtype (default float32).
        thresholds: explicit thresholds in [0, 1] (default None).
        multi_label: one AUC per label column, then averaged (default False: flatten).
        num_labels: the number of labels when `multi_label=True` (default: from the data).
        label_weights: per-label weights (averaging weights when `multi_label=True`).
        from_logits: apply a sigmoid to the predictions first (default False).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve = _enum_value(curve)
        summation_method = _enum_value(summation_method)
        if str(curve).lower() not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". '
                             'Expected values are ["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(thresholds)
            self.num_thresholds = len(thresholds) + 2
            self._evenly = evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        # Endpoints just outside [0, 1] so predictions of exactly 0 or 1 are counted.
        eps = config.epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights,
                                                                            np.float32)
        self._from_logits = from_logits
        self.reset_state()

    @property
    def thresholds(self):
        """The thresholds used, endpoints included."""
        return list(self._thresholds)

    def reset_state(self):
        labels = self.num_labels if self.multi_label else None
        self._shape = None if self.multi_label and not labels else (
            (self.num_thresholds, labels) if labels else (self.num_thresholds,))
        zeros = None if self._shape is None else np.zeros(self._shape)
        self.true_positives = self.false_positives = zeros
        self.true_negatives = self.false_negatives = zeros

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_float(y_pred)
        if self.multi_label and y_pred.ndim != 2:
            raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                             f"{y_pred.ndim}. Full shape received for `y_pred`: {y_pred.shape}")
        if self._shape is None:
            self._shape = (self.num_thresholds, y_pred.shape[1])
            self.true_positives = self.false_positives = np.zeros(self._shape)
            self.true_negatives = self.false_negatives = np.zeros(self._shape)
        if self._from_logits:
            y_pred = sigmoid(y_pred)
        counts = confusion_counts(
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights, evenly=self._evenly)
        self.true_positives = self.true_positives + counts["tp"]
        self.false_positives = self.false_positives + counts["fp"]
        self.true_negatives = self.true_negatives + counts["tn"]
        self.false_negatives = self.false_negatives + counts["fn"]

    def _average(self, by_label):
        """Sum over thresholds, then (multi-label) the mean or label-weighted mean."""
        if not self.multi_label:
            return np.sum(by_label)
        per_label = np.sum(by_label, axis=0)
        if self.label_weights is None:
            return np.mean(per_label)
        return divide_no_nan(np.sum(per_label * self.label_weights), np.sum(self.label_weights))

    def _interpolate_pr_auc(self):
        """PR-AUC with precision interpolated between thresholds (Davis & Goadrich 2006)."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        increment = divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                  np.maximum(tp[1:] + fn[1:], 0))
        return self._average(increment)

    def result(self):
        if self.true_positives is None:
            return self._value(0.0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._value(self._interpolate_pr_auc())
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN, with Keras's fixes for no true positives / negative gains
            scale = divide_no_nan(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * divide_no_nan(fn, tp))
            x = np.maximum(recall_gain, 0.0)
            y = np.where(tp == 0, 1.0, 1.0 - scale * divide_no_nan(fp, tp))
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._value(self._average((x[:-1] - x[1:]) * heights))

    def get_config(self):
        config_ = {**super().get_config(), "num_thresholds": self.num_thresholds,
                   "curve": self.curve, "summation_method": self.summation_method,
                   "multi_label": self.multi_label, "num_labels": self.num_labels,
                   "label_weights": None if self.label_weights is None
                   else self.label_weights.tolist(),
                   "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config_["thresholds"] = self.thresholds[1:-1]
        return config_
