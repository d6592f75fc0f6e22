"""F-scores: `FBetaScore` and `F1Score` for multi-class and multi-label classification."""

import numpy as np

from minikeras import config
from minikeras.metrics.base import Metric, as_float, to_numpy


class FBetaScore(Metric):
    """`(1 + b^2) * precision * recall / (b^2 * precision + recall)`, per class.

    Args:
        average: None (default; one score per class), `'micro'` (from the global counts),
            `'macro'` (mean of the class scores) or `'weighted'` (mean weighted by support).
        beta: the weight of recall, a float > 0 (default 1.0).
        threshold: predictions above it count as positive; None (default) makes each row's
            highest prediction the positive one.
        name: default `'fbeta_score'`.
        dtype: the result dtype (default float32).
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: "
                             f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self.reset_state()

    def reset_state(self):
        self.true_positives = self.false_positives = None
        self.false_negatives = self.intermediate_weights = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_float(y_true), as_float(y_pred)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred.shape} and "
                             f"y_true.shape={y_true.shape}.")
        if self.threshold is None:
            # The row maximum is the positive class; an all-zero row stays all negative.
            positive = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            positive = y_pred > np.float32(self.threshold)
        y_pred = positive.astype(np.float64)
        y_true = y_true.astype(np.float64)
        w = None if sample_weight is None else to_numpy(sample_weight, np.float64)[:, None]

        def weighted_sum(v):
            return np.sum(v if w is None else v * w, axis=self.axis)

        batch = (weighted_sum(y_pred * y_true), weighted_sum(y_pred * (1 - y_true)),
                 weighted_sum((1 - y_pred) * y_true), weighted_sum(y_true))
        if self.true_positives is not None:
            batch = tuple(a + b for a, b in zip((self.true_positives, self.false_positives,
                                                 self.false_negatives,
                                                 self.intermediate_weights), batch))
        (self.true_positives, self.false_positives, self.false_negatives,
         self.intermediate_weights) = batch

    def result(self):
        if self.true_positives is None:
            return self._value(0.0)
        eps = config.epsilon()
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta ** 2
        score = (1 + b2) * precision * recall / (b2 * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights / (np.sum(self.intermediate_weights) + eps)
            score = np.sum(score * weights)
        elif self.average is not None:  # micro (already global counts) and macro
            score = np.mean(score)
        return self._value(score)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """`2 * precision * recall / (precision + recall)`: `FBetaScore` with `beta=1`.

    Args:
        average: None (default), `'micro'`, `'macro'` or `'weighted'`, as in `FBetaScore`.
        threshold: None (default: each row's maximum is positive) or a float in (0, 1].
        name: default `'f1_score'`.
        dtype: the result dtype (default float32).
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config_ = super().get_config()
        del config_["beta"]
        return config_
