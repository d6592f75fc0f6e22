"""Turning user data into float32 arrays, validation splits and batches (Keras semantics)."""

import math

import numpy as np

from minikeras import tree
from minikeras import config


def _to_array(x, what):
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    try:
        arr = np.asarray(x)
    except Exception as e:  # ragged lists and the like
        raise ValueError(f"Could not convert `{what}` to a NumPy array: {e}") from None
    if arr.dtype == object:
        raise ValueError(f"`{what}` must be numeric arrays; received an array of Python objects "
                         f"with shape {arr.shape} (ragged lists?).")
    if arr.dtype.kind == "f" and arr.dtype != config.floatx():
        arr = arr.astype(config.floatx())
    elif arr.dtype.kind == "b":
        arr = arr.astype(config.floatx())
    return arr


def standardize(data, what, input_names=None):
    """Converts `x`, `y` or `sample_weight` (an array, list or dict of arrays) to float32 arrays."""
    if data is None:
        return None
    if isinstance(data, dict):
        if input_names is not None:
            missing = [n for n in input_names if n not in data]
            if missing:
                raise ValueError(f"`{what}` is a dict without the keys {missing}; expected keys "
                                 f"{list(input_names)}. Received keys: {sorted(data)}")
            return [_to_array(data[n], f"{what}['{n}']") for n in input_names]
        return {k: _to_array(v, f"{what}['{k}']") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape"):
        return [_to_array(d, f"{what}[{i}]") for i, d in enumerate(data)]
    return _to_array(data, what)


def num_samples(arrays, what="x"):
    sizes = {len(a) if np.ndim(a) else 1 for a in tree.flatten(arrays)}
    if len(sizes) > 1:
        raise ValueError(f"Data cardinality is ambiguous: the arrays of `{what}` have different "
                         f"numbers of samples: {sorted(sizes)}.")
    return sizes.pop() if sizes else 0


def check_finite(arrays, what):
    """Raises a ValueError when a float array of `what` holds NaN or inf."""
    for i, a in enumerate(tree.flatten(arrays)):
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            bad = np.argwhere(~np.isfinite(a))[0]
            raise ValueError(
                f"`{what}` contains NaN or infinite values (first at index {tuple(bad.tolist())}: "
                f"{a[tuple(bad)]}). Clean or impute the data before training."
            )


def check_cardinality(x, y=None, sample_weight=None):
    """Returns the number of samples, raising if x, y and sample_weight disagree."""
    n = num_samples(x, "x")
    for data, what in ((y, "y"), (sample_weight, "sample_weight")):
        if data is not None:
            m = num_samples(data, what)
            if m != n:
                raise ValueError(
                    "Data cardinality is ambiguous. Make sure all arrays contain the same number "
                    f"of samples. 'x' sizes: {n}, '{what}' sizes: {m}"
                )
    return n


def take(data, index):
    """Rows `index` of every array of a nested structure."""
    if data is None:
        return None
    if isinstance(data, np.ndarray):
        return data[index]
    return tree.map_structure(lambda a: a[index], data)


def train_validation_split(arrays, validation_split):
    """Splits off the *last* `validation_split` fraction, before any shuffling (as Keras does)."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: {validation_split}")
    n = num_samples(arrays[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`."
        )
    train = tuple(take(a, slice(0, split_at)) for a in arrays)
    val = tuple(take(a, slice(split_at, None)) for a in arrays)
    return train, val


def class_weight_to_sample_weight(y, class_weight):
    """Per-sample weights `class_weight[label]`; one-hot labels use their arg-max."""
    y = np.asarray(y)
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    missing = set(np.unique(labels).tolist()) - set(int(k) for k in class_weight)
    if missing:
        raise ValueError(f"`class_weight` must contain all classes in the data. The classes "
                         f"{sorted(missing)} exist in the data but not in `class_weight`.")
    table = np.zeros(max(max(int(k) for k in class_weight), labels.max(initial=0)) + 1,
                     dtype=config.floatx())
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def batch_slices(n, batch_size, shuffle, rng):
    """The row index of each batch: a permutation chunked (`shuffle=True`) or contiguous slices."""
    if shuffle:
        order = rng.permutation(n)
        return [order[i:i + batch_size] for i in range(0, n, batch_size)]
    return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
