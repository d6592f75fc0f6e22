"""`affine_resample`: SciPy's `ndimage.affine_transform` for 2-D images, in NumPy.

Keras 2's `apply_affine_transform` hands each channel to SciPy; minikeras has no SciPy, so this
module reproduces what SciPy (`ni_interpolation.c`) computes for the orders Keras uses (1,
linear, its default, and 0, nearest) and its four fill modes, with the arithmetic in the same
order so that the results agree with SciPy's to the last bit (tests/golden/preprocessing.json,
from SciPy 1.17).

For an output pixel `o = (row, col)` SciPy samples the input at
`c = offset + o[0] * matrix[:, 0] + o[1] * matrix[:, 1]`, summed in that order. Along each axis
of length n the fill mode then decides (SciPy's rules, which differ from the pictures in
Keras's docstring at the edges):

- `"constant"`: a coordinate outside `[0, n - 1]` on any axis gives `cval`, with no
  interpolation towards it.
- `"nearest"`: the coordinate is kept; the pixels of its window are clamped into the image
  (so weights still come from the coordinate: `x*w + x*(1 - w)`, not always exactly x).
- `"reflect"`: the coordinate is mirrored about the pixel edges (`d c b a | a b c d | d c b a`;
  a point just below 0 goes to `1e-15 - 1`, SciPy's guard), its window clamped.
- `"wrap"`: SciPy's legacy wrap, periodic with period `n - 1` (the first and last pixels
  coincide), which is what Keras's `fill_mode="wrap"` has always done.

Order 1 then weighs the two pixels of each axis around the coordinate by `1 - f` and
`1 - (1 - f)` for its fraction `f`; order 0 takes the pixel at `floor(c + 0.5)`.
"""

import functools

import numpy as np

FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def affine_resample(image, matrix, offset, order=1, mode="nearest", cval=0.0):
    """Resamples the last two axes of `image` (rows, columns) through an affine map.

    Args:
        image: array of shape `(..., rows, cols)`; leading axes (channels) share the map.
        matrix: 2x2 array mapping output (row, col) to input coordinates.
        offset: length-2 array added to the mapped coordinates.
        order: 1 (linear) or 0 (nearest pixel).
        mode: one of `FILL_MODES`.
        cval: the value of points outside the image with `mode="constant"`.

    Returns:
        An array of the same shape and dtype (integer dtypes rounded and clipped as SciPy does).
    """
    if mode not in FILL_MODES:
        raise ValueError(f"fill_mode must be one of {FILL_MODES}. Received: {mode!r}")
    image = np.asarray(image)
    rows, cols = image.shape[-2:]
    matrix = np.asarray(matrix, dtype=np.float64)
    offset = np.asarray(offset, dtype=np.float64)
    out_i, out_j = _grid(rows, cols)
    outside = None
    axes = []  # per axis: (low index, high index or None, weight of the low index or None)
    for k, n in ((0, rows), (1, cols)):
        # SciPy's order of operations: offset[k] + i*m[k,0], then + j*m[k,1].
        c = (offset[k] + out_i * matrix[k, 0]) + out_j * matrix[k, 1]
        if mode == "constant":
            off = (c < 0) | (c > n - 1)
            outside = off if outside is None else outside | off
            c = np.where(off, 0.0, c)
        elif mode != "nearest":  # "nearest" keeps the coordinate and clamps the window
            c = _map_coordinate(c, n, mode)
        axes.append(_window(c, n, mode, order))
    flat = image.reshape(image.shape[:-2] + (rows * cols,)).astype(np.float64, copy=False)
    (r0, r1, wr0), (c0, c1, wc0) = axes
    if order == 1:
        wr1, wc1 = 1.0 - wr0, 1.0 - wc0  # SciPy makes the weights sum to exactly 1
        r0, r1 = r0 * cols, r1 * cols
        # Summed in SciPy's order: (0,0), (0,1), (1,0), (1,1), each value*w_row*w_col.
        total = np.take(flat, r0 + c0, axis=-1) * wr0 * wc0
        total += np.take(flat, r0 + c1, axis=-1) * wr0 * wc1
        total += np.take(flat, r1 + c0, axis=-1) * wr1 * wc0
        total += np.take(flat, r1 + c1, axis=-1) * wr1 * wc1
    else:
        total = np.take(flat, r0 * cols + c0, axis=-1)
    total = total.reshape(image.shape[:-2] + (rows, cols))
    if outside is not None:
        total = np.where(outside, float(cval), total)
    return _cast_like(total, image.dtype)


@functools.lru_cache(maxsize=16)
def _grid(rows, cols):
    """The output pixels' (row, col) coordinates as float64 arrays (cached, read-only)."""
    out_i, out_j = np.meshgrid(np.arange(rows, dtype=np.float64),
                               np.arange(cols, dtype=np.float64), indexing="ij")
    out_i.flags.writeable = out_j.flags.writeable = False
    return out_i, out_j


def _map_coordinate(c, n, mode):
    """SciPy's `map_coordinate` for "reflect" and "wrap": brings `c` into (-1, n) ("reflect",
    whose window then reaches the half pixel past each edge) or [0, n - 1] ("wrap")."""
    if n <= 1:
        return np.zeros_like(c)
    low, high = c < 0, c > n - 1
    if not (low.any() or high.any()):
        return c
    if mode == "reflect":
        period = 2 * n
        v = np.where(c < -period, period * np.trunc(-c / period) + c, c)
        # SciPy's guard: a point just below 0 must not land on -1 exactly.
        below = np.where(v < -n, v + period, np.where(v > -1e-15, 1e-15, -v) - 1)
        v = c - period * np.trunc(c / period)
        above = np.where(v >= n, period - v - 1, v)
    else:  # wrap
        period = n - 1
        below = c + period * (np.trunc(-c / period) + 1)
        above = c - period * np.trunc(c / period)
    return np.where(low, below, np.where(high, above, c))


def _window(c, n, mode, order):
    """(low pixel index, high pixel index, weight of the low one) of each coordinate.

    Indices falling off the image are brought back as SciPy does: clamped for "nearest" and
    "reflect" (for "reflect" only -1 and n occur, mirrored about the pixel edge onto 0 and
    n - 1), mirrored about the pixel centre otherwise (only n occurs: n -> n - 2, a pixel that
    then has zero weight).
    """
    if order == 0:
        return np.clip(np.floor(c + 0.5).astype(np.intp), 0, n - 1), None, None
    start = np.floor(c)
    weight = 1.0 - (c - start)
    low = start.astype(np.intp)
    high = low + 1
    if n <= 1:
        return np.zeros_like(low), np.zeros_like(low), weight
    if mode in ("nearest", "reflect"):
        return np.clip(low, 0, n - 1), np.clip(high, 0, n - 1), weight
    return low, np.where(high > n - 1, n - 2, high), weight


def _cast_like(values, dtype):
    """float64 results -> `dtype`: floats cast, integers rounded half away from zero and clipped
    (SciPy's output conversion)."""
    if np.issubdtype(dtype, np.floating) or dtype == np.bool_:
        return values.astype(dtype)
    info = np.iinfo(dtype)
    if info.min == 0:
        values = np.where(values > 0, values + 0.5, 0.0)
    else:
        values = np.where(values > 0, values + 0.5, values - 0.5)
    return np.clip(np.trunc(values), info.min, info.max).astype(dtype)
