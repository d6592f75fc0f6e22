"""Intersection-over-union metrics (segmentation): IoU, MeanIoU, BinaryIoU, OneHot(Mean)IoU.

A `(num_classes, num_classes)` confusion matrix of labels (rows) against predictions
(columns) is accumulated; `IoU = tp / (tp + fp + fn)` per class, averaged over the target
classes that occurred. Labels, predictions and weights are cast to int as in Keras (whose
default dtype for these metrics is int32); the result is float32.
"""

import warnings

import numpy as np

from minikeras import config
from minikeras.metrics.base import Metric, to_numpy


class IoU(Metric):
    """IoU of the classes in `target_class_ids`, averaged.

    Args:
        num_classes: the number of classes (the confusion matrix is that size squared).
        target_class_ids: the class ids to average over.
        name: default `'io_u'`.
        dtype: the dtype labels and weights are cast to (Keras default `'int32'`).
        ignore_class: a label whose entries are skipped (default None).
        sparse_y_true: labels are class ids (default True), else one-hot (arg-max taken).
        sparse_y_pred: predictions are class ids (default True), else scores (arg-max taken).
        axis: the class axis for the arg-max (default -1).
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        target_class_ids = list(target_class_ids)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.num_classes = num_classes
        self.target_class_ids = target_class_ids
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.reset_state()

    def reset_state(self):
        self.total_cm = np.zeros((self.num_classes, self.num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = to_numpy(y_true), to_numpy(y_pred)
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        y_true = y_true.astype(self.dtype).reshape(-1)
        y_pred = y_pred.astype(self.dtype).reshape(-1)
        if sample_weight is None:
            weights = np.ones(y_true.shape)
        else:
            sample_weight = to_numpy(sample_weight)
            if sample_weight.dtype.kind == "f" and np.dtype(self.dtype).kind in "iu":
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                              "result in an incorrect weight due to type casting Consider using "
                              "integer weights.", stacklevel=2)
            weights = sample_weight.astype(self.dtype).reshape(-1)
            if weights.size not in (1, y_true.size):
                raise ValueError(f"`sample_weight` of shape {sample_weight.shape} cannot weight "
                                 f"the {y_true.size} entries of `y_true`: give one weight per "
                                 "entry (or a scalar).")
            weights = np.broadcast_to(weights, y_true.shape)
        # Out-of-range ids (and `ignore_class`) never reach the confusion matrix.
        keep = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & \
            (y_pred < self.num_classes)
        if self.ignore_class is not None:
            keep &= y_true != self.ignore_class
        np.add.at(self.total_cm, (y_true[keep].astype(np.int64), y_pred[keep].astype(np.int64)),
                  weights[keep])

    def result(self):
        cm = self.total_cm
        tp = np.diag(cm)
        denominator = (cm.sum(axis=0) + cm.sum(axis=1) - tp)[self.target_class_ids]
        tp = tp[self.target_class_ids]
        valid = denominator > 1e-9  # classes never seen nor predicted are left out
        eps = config.epsilon()
        iou = np.where(valid, tp / (denominator + eps), 0.0)
        return np.float32(np.sum(iou) / (np.sum(valid) + eps))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary predictions: `y_pred >= threshold` is class 1.

    Args:
        target_class_ids: `(0, 1)` (default: the mean of both), `[0]` or `[1]`.
        threshold: default 0.5 (a prediction equal to it counts as class 1).
        name: default `'binary_io_u'`.
        dtype: default `'int32'`.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_numpy(y_pred, np.float32) >= np.float32(self.threshold)
        super().update_state(y_true, y_pred.astype(self.dtype), sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class (`IoU` with `target_class_ids = range(num_classes)`).

    Args:
        num_classes, name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as `IoU`.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config_ = super().get_config()
        del config_["target_class_ids"]
        return config_


class OneHotIoU(IoU):
    """`IoU` for one-hot labels and per-class scores (both arg-maxed over `axis`).

    Args:
        num_classes, target_class_ids, name, dtype, ignore_class, axis: as `IoU`.
        sparse_y_pred: default False (scores).
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config_ = super().get_config()
        del config_["sparse_y_true"]
        return config_


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels and per-class scores (both arg-maxed over `axis`).

    Args:
        num_classes, name, dtype, ignore_class, axis: as `MeanIoU`.
        sparse_y_pred: default False (scores).
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config_ = super().get_config()
        del config_["sparse_y_true"]
        return config_
