"""Reductions whose autograd rules would change the dtype."""

import numpy as np
from autograd.extend import defvjp, primitive

_sum = np.add.reduce


@primitive
def mean_all(x):
    """Returns the mean of all entries of `x`, in `x`'s dtype.

    autograd's `np.mean` VJP divides by a NumPy int64, which turns float32 gradients into
    float64 for the whole backward pass; this one keeps the dtype.
    """
    return _sum(x, None) / x.size


defvjp(mean_all, lambda ans, x: lambda g: np.full(x.shape, g / x.size, dtype=x.dtype))
