"""Shared helpers of the loss functions: input preparation, argument checks, warnings.

Everything here works on `autograd.numpy` values (possibly traced) without mutating them.
Shapes are read from the values' attributes once `prepare` has made arrays of them (a traced
value has them too), else with NumPy's own `np.shape` / `np.ndim`: autograd's versions are
wrapped functions, a microsecond or more each on every training step.
"""

import os
import sys
import warnings

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval, isbox

from minikeras import config
from minikeras.variables import unwrap


def as_float(x):
    """A floating array (floatx for integer input); traced values pass through untouched."""
    x = unwrap(x)
    if isbox(x):
        return x
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(config.floatx())


def prepare(y_true, y_pred):
    """Unwraps Variables and casts the labels to the predictions' dtype."""
    y_pred = as_float(y_pred)
    y_true = unwrap(y_true)
    if not isbox(y_true):
        y_true = np.asarray(y_true, dtype=y_pred.dtype)
    return y_true, y_pred


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by one trailing axis of size 1, as Keras does.

    A rank-1 partner is expanded (so `(N,)` against `(N, 1)` stays per-sample) unless
    `expand_rank_1=False`; otherwise the size-1 axis is squeezed.
    """
    r1, r2 = np.ndim(x1), np.ndim(x2)
    if r1 == r2 + 1 and np.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = anp.expand_dims(x2, -1)
        else:
            x1 = anp.squeeze(x1, -1)
    elif r2 == r1 + 1 and np.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = anp.expand_dims(x1, -1)
        else:
            x2 = anp.squeeze(x2, -1)
    return x1, x2


def check_label_smoothing(label_smoothing):
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError("`label_smoothing` must be a float in [0, 1]. "
                         f"Received: label_smoothing={label_smoothing}")


def check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def check_same_shape(fn_name, y_true, y_pred, hint=""):
    """Raises, naming `fn_name`, unless the prepared (array or traced) values share a shape."""
    if y_true.shape != y_pred.shape:
        raise ValueError(f"`{fn_name}` expects `y_true` and `y_pred` of the same shape. "
                         f"Received: y_true.shape={y_true.shape}, "
                         f"y_pred.shape={y_pred.shape}.{hint}")


# Frames in minikeras or autograd are skipped, so a warning points at the user's line.
_INTERNAL = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,
             os.path.dirname(os.path.abspath(getval.__code__.co_filename)) + os.sep)


def warn(message, category=UserWarning):
    """Warns pointing at the first caller outside minikeras and autograd (the user's line)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def check_probabilities(fn_name, y_pred, axis=None):
    """Warns when `from_logits=False` but `y_pred` cannot be probabilities.

    Keras computes silently (and trains badly); the message is constant so Python shows it
    once rather than on every step.
    """
    values = np.asarray(getval(y_pred))
    if values.size == 0:
        return
    if values.min() < 0.0 or values.max() > 1.0:
        warn(
            f"`{fn_name}` received `from_logits=False`, but `y_pred` has values outside [0, 1], "
            "so it looks like logits rather than probabilities. If the last layer has no "
            "softmax/sigmoid activation, pass `from_logits=True` to the loss.")
    elif axis is not None and np.any(np.abs(values.sum(axis=axis) - 1.0) > 1e-3):
        warn(
            f"`{fn_name}` received probabilities that do not sum to 1 along axis {axis}; they "
            "are rescaled to sum to 1, as Keras does. For independent (multi-label) "
            "probabilities use `binary_crossentropy`.")

