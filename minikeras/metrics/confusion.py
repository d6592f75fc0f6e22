"""Threshold metrics: TruePositives... counts, Precision, Recall and the X-at-Y family."""

import numpy as np

from minikeras.metrics.base import Metric, divide_no_nan
from minikeras.metrics.confusion_utils import (
    NEG_INF,
    confusion_counts,
    evenly_spaced,
    parse_thresholds,
)


class _ConfusionMetric(Metric):
    """Accumulates the weighted confusion counts (`true_positives`, `false_positives`,
    `true_negatives`, `false_negatives`) at each of `self.thresholds`."""

    def _setup(self, thresholds, top_k=None, class_id=None):
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = evenly_spaced(self.thresholds)
        self.reset_state()

    def reset_state(self):
        zeros = np.zeros(len(self.thresholds))
        self.true_positives = self.false_positives = zeros
        self.true_negatives = self.false_negatives = zeros

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight=sample_weight,
                                  top_k=self.top_k, class_id=self.class_id, evenly=self._evenly)
        self.true_positives = self.true_positives + counts["tp"]
        self.false_positives = self.false_positives + counts["fp"]
        self.true_negatives = self.true_negatives + counts["tn"]
        self.false_negatives = self.false_negatives + counts["fn"]

    def _per_threshold(self, values):
        """One value for one threshold, else one per threshold (as Keras returns)."""
        return self._value(values[0] if len(self.thresholds) == 1 else values)


class _CountMetric(_ConfusionMetric):
    """One of the four counts, at each threshold; `accumulator` names which."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds)

    @property
    def accumulator(self):
        raise NotImplementedError

    def result(self):
        return self._per_threshold(self.accumulator)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


_COUNT_ARGS = """

    Args:
        thresholds: a float or a list of floats in [0, 1] (default 0.5); a prediction counts as
            positive when it is strictly above a threshold. One value per threshold.
        name: the metric's name (default `'{name}'`).
        dtype: the result dtype (default float32).
    """


class TruePositives(_CountMetric):
    __doc__ = "The weighted number of true positives." + _COUNT_ARGS.format(name="true_positives")

    @property
    def accumulator(self):
        return self.true_positives


class FalsePositives(_CountMetric):
    __doc__ = "The weighted number of false positives." + _COUNT_ARGS.format(
        name="false_positives")

    @property
    def accumulator(self):
        return self.false_positives


class TrueNegatives(_CountMetric):
    __doc__ = "The weighted number of true negatives." + _COUNT_ARGS.format(name="true_negatives")

    @property
    def accumulator(self):
        return self.true_negatives


class FalseNegatives(_CountMetric):
    __doc__ = "The weighted number of false negatives." + _COUNT_ARGS.format(
        name="false_negatives")

    @property
    def accumulator(self):
        return self.false_negatives


class _PrecisionRecall(_ConfusionMetric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds, top_k, class_id)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


_PR_ARGS = """

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction is positive when strictly
            above it (default 0.5, or "in the top k" when `top_k` is set). One value per threshold.
        top_k: only the k highest predictions of each sample can be positive (default None).
        class_id: compute the metric for this column of the last axis only (default None).
        name: default `'{name}'`.
        dtype: the result dtype (default float32).
    """


class Precision(_PrecisionRecall):
    __doc__ = "`tp / (tp + fp)`: how many predicted positives are real." + _PR_ARGS.format(
        name="precision")

    def result(self):
        return self._per_threshold(divide_no_nan(self.true_positives,
                                                 self.true_positives + self.false_positives))


class Recall(_PrecisionRecall):
    __doc__ = "`tp / (tp + fn)`: how many real positives are predicted." + _PR_ARGS.format(
        name="recall")

    def result(self):
        return self._per_threshold(divide_no_nan(self.true_positives,
                                                 self.true_positives + self.false_negatives))


class _SensitivitySpecificityBase(_ConfusionMetric):
    """Best value of the rate `_target` subject to the rate `_constraint` being >= `value`,
    over `num_thresholds` evenly spaced thresholds in [0, 1] (Keras default 200)."""

    _target = ""
    _constraint = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._constraint}` must be in the range [0, 1]. "
                             f"Received: {self._constraint}={value}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        self.top_k = None
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            self.thresholds = [0.0] + [(i + 1) / (num_thresholds - 1)
                                       for i in range(num_thresholds - 2)] + [1.0]
            self._evenly = True
        self.reset_state()

    def _rates(self):
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        return {"sensitivity": divide_no_nan(tp, tp + fn), "recall": divide_no_nan(tp, tp + fn),
                "specificity": divide_no_nan(tn, tn + fp), "precision": divide_no_nan(tp, tp + fp)}

    def result(self):
        rates = self._rates()
        feasible = rates[self._constraint] >= self.value
        return self._value(np.max(np.where(feasible, rates[self._target], 0.0), initial=0.0))

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                self._constraint: self.value, "class_id": self.class_id}


_AT_ARGS = """

    Args:
        {constraint}: the minimum {constraint}, in [0, 1].
        num_thresholds: the number of thresholds (default 200).
        class_id: optional column of the last axis to score (default None).
        name: the metric's name (default `'{name}'`).
        dtype: the result dtype (default float32).
    """


class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    __doc__ = ("The best sensitivity (recall) where specificity >= `specificity`."
               + _AT_ARGS.format(constraint="specificity", name="sensitivity_at_specificity"))
    _target, _constraint = "sensitivity", "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity


class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    __doc__ = ("The best specificity where sensitivity (recall) >= `sensitivity`."
               + _AT_ARGS.format(constraint="sensitivity", name="specificity_at_sensitivity"))
    _target, _constraint = "specificity", "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity


class PrecisionAtRecall(_SensitivitySpecificityBase):
    __doc__ = ("The best precision where recall >= `recall`."
               + _AT_ARGS.format(constraint="recall", name="precision_at_recall"))
    _target, _constraint = "precision", "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall


class RecallAtPrecision(_SensitivitySpecificityBase):
    __doc__ = ("The best recall where precision >= `precision`."
               + _AT_ARGS.format(constraint="precision", name="recall_at_precision"))
    _target, _constraint = "recall", "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision
