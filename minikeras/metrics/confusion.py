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
    """Accumulates the counts named in `_counts` at `self.thresholds`."""

    _counts = ()

    def _setup(self, thresholds, top_k=None, class_id=None):
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = evenly_spaced(self.thresholds)
        self.reset_state()

    def reset_state(self):
        for key in self._counts:
            setattr(self, _ATTR[key], np.zeros(len(self.thresholds)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight=sample_weight,
                                  top_k=self.top_k, class_id=self.class_id, evenly=self._evenly)
        for key in self._counts:
            setattr(self, _ATTR[key], getattr(self, _ATTR[key]) + counts[key])

    def _per_threshold(self, values):
        """One value for one threshold, else one per threshold (as Keras returns)."""
        return self._value(values[0] if len(self.thresholds) == 1 else values)


_ATTR = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
         "fn": "false_negatives"}


def _count_class(class_name, key, doc):
    class Count(_ConfusionMetric):
        __doc__ = doc + """

    Args:
        thresholds: a float or a list of floats in [0, 1] (default 0.5); a prediction counts as
            positive when it is strictly above a threshold. One value per threshold.
        name: the metric's name (default the class name in snake case).
        dtype: the result dtype (default float32).
    """
        _counts = (key,)

        def __init__(self, thresholds=None, name=None, dtype=None):
            super().__init__(name=name, dtype=dtype)
            self._setup(thresholds)

        @property
        def accumulator(self):
            return getattr(self, _ATTR[key])

        def result(self):
            return self._per_threshold(self.accumulator)

        def get_config(self):
            return {**super().get_config(), "thresholds": self.init_thresholds}

    Count.__name__ = Count.__qualname__ = class_name
    Count.__module__ = "minikeras.metrics"
    return Count


TruePositives = _count_class("TruePositives", "tp", "The weighted number of true positives.")
FalsePositives = _count_class("FalsePositives", "fp", "The weighted number of false positives.")
TrueNegatives = _count_class("TrueNegatives", "tn", "The weighted number of true negatives.")
FalseNegatives = _count_class("FalseNegatives", "fn", "The weighted number of false negatives.")


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
    _counts = ("tp", "fp")

    def result(self):
        return self._per_threshold(divide_no_nan(self.true_positives,
                                                 self.true_positives + self.false_positives))


class Recall(_PrecisionRecall):
    __doc__ = "`tp / (tp + fn)`: how many real positives are predicted." + _PR_ARGS.format(
        name="recall")
    _counts = ("tp", "fn")

    def result(self):
        return self._per_threshold(divide_no_nan(self.true_positives,
                                                 self.true_positives + self.false_negatives))


class _SensitivitySpecificityBase(_ConfusionMetric):
    """Best value of one rate subject to another rate being >= `value`, over
    `num_thresholds` evenly spaced thresholds in [0, 1] (Keras default 200)."""

    _counts = ("tp", "fp", "tn", "fn")
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
        setattr(self, self._constraint, value)
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


def _at_class(class_name, target, constraint):
    def __init__(self, value=None, num_thresholds=200, class_id=None, name=None, dtype=None,
                 **kwargs):
        if constraint in kwargs:
            value = kwargs.pop(constraint)
        if kwargs or value is None:
            raise TypeError(f"{class_name}() takes `{constraint}`, `num_thresholds`, `class_id`, "
                            f"`name`, `dtype`; received {sorted(kwargs)}.")
        _SensitivitySpecificityBase.__init__(self, value, num_thresholds, class_id, name, dtype)

    doc = (f"Best {target} where {constraint} >= the given value, over `num_thresholds` "
           "(default 200) evenly spaced thresholds.\n\n    Args:\n"
           f"        {constraint}: the minimum {constraint}, in [0, 1].\n"
           "        num_thresholds: default 200.\n        class_id: optional column to score.\n"
           "        name, dtype: as for every metric.\n    ")
    return type(class_name, (_SensitivitySpecificityBase,),
                {"__init__": __init__, "__doc__": doc, "_target": target,
                 "_constraint": constraint, "__module__": "minikeras.metrics"})


SensitivityAtSpecificity = _at_class("SensitivityAtSpecificity", "sensitivity", "specificity")
SpecificityAtSensitivity = _at_class("SpecificityAtSensitivity", "specificity", "sensitivity")
PrecisionAtRecall = _at_class("PrecisionAtRecall", "precision", "recall")
RecallAtPrecision = _at_class("RecallAtPrecision", "recall", "precision")
