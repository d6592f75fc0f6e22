"""`affine_resample`: SciPy's `ndimage.affine_transform` for 2-D images, in NumPy.

Keras 2's `apply_affine_transform` hands each channel to SciPy; minikeras has no SciPy, so this
module reproduces what SciPy computes for the orders Keras uses (1, linear, its default, and 0,
nearest) and its four fill modes, the arithmetic done in the same order so that the results
match SciPy's to the last bit (checked against SciPy 1.17 in tests/golden/preprocessing.json).

For an output pixel `o = (row, col)` the input is sampled at `c = matrix @ o + offset`. Along
each axis of length n the coordinate is first brought back into the image by the fill mode
(SciPy's own rules, which differ from the pictures in Keras's docstring at the edges):

- `"constant"`: a coordinate outside `[0, n - 1]` on any axis gives `cval`, with no
  interpolation towards it.
- `"nearest"`: clipped to `[0, n - 1]`.
- `"reflect"`: mirrored about the pixel edges (`d c b a | a b c d | d c b a`).
- `"wrap"`: SciPy's legacy wrap, periodic with period `n - 1` (the first and last pixels
  coincide), which is what Keras's `fill_mode="wrap"` has always done.

Then order 1 weighs the two neighbouring pixels of each axis (`1 - f` and `f` for the fraction
`f`), and order 0 takes the pixel at `floor(c + 0.5)`.
"""

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
    image = np.asarray(image)
    rows, cols = image.shape[-2:]
    matrix = np.asarray(matrix, dtype=np.float64)
    offset = np.asarray(offset, dtype=np.float64)
    out_i, out_j = np.meshgrid(np.arange(rows, dtype=np.float64),
                               np.arange(cols, dtype=np.float64), indexing="ij")
    # SciPy's order of operations: 0 + i*m[k,0], then + j*m[k,1], then + offset[k].
    coords = [(out_i * matrix[k, 0] + out_j * matrix[k, 1]) + offset[k] for k in (0, 1)]
    outside = np.zeros((rows, cols), dtype=bool)
    indices, weights = [], []
    for c, n in zip(coords, (rows, cols)):
        c, off = _map_coordinate(c, n, mode)
        outside |= off
        c = np.where(off, 0.0, c)
        if order == 1:
            start = np.floor(c)
            w0 = 1.0 - (c - start)
            idx = start.astype(np.intp)
            indices.append((_edge_index(idx, n, mode), _edge_index(idx + 1, n, mode)))
            weights.append((w0, 1.0 - w0))  # SciPy makes the weights sum to exactly 1
        else:
            indices.append((_edge_index(np.floor(c + 0.5).astype(np.intp), n, mode),))
            weights.append(None)
    values = image.astype(np.float64, copy=False)
    if order == 1:
        (r0, r1), (c0, c1) = indices
        (wr0, wr1), (wc0, wc1) = weights
        # Summed in SciPy's order: (0,0), (0,1), (1,0), (1,1), each value*w_row*w_col.
        total = values[..., r0, c0] * wr0 * wc0
        total = total + values[..., r0, c1] * wr0 * wc1
        total = total + values[..., r1, c0] * wr1 * wc0
        total = total + values[..., r1, c1] * wr1 * wc1
    else:
        total = values[..., indices[0][0], indices[1][0]].copy()
    if mode == "constant":
        total = np.where(outside, float(cval), total)
    return _cast_like(total, image.dtype)


def _map_coordinate(c, n, mode):
    """SciPy's `map_coordinate`: (coordinate brought into range, mask of constant points)."""
    low, high = c < 0, c > n - 1
    off = np.zeros(c.shape, dtype=bool)
    if mode == "constant":
        return c, low | high
    if n <= 1:
        return np.zeros_like(c), off
    if mode == "nearest":
        return np.clip(c, 0, n - 1), off
    c = c.copy()
    if mode == "reflect":
        period = 2 * n
        v = c[low]
        far = v < -period
        v[far] = period * np.trunc(-v[far] / period) + v[far]
        c[low] = np.where(v < -n, v + period, -v - 1)
        v = c[high]
        v = v - period * np.trunc(v / period)
        c[high] = np.where(v >= n, period - v - 1, v)
    elif mode == "wrap":
        period = n - 1
        v = c[low]
        c[low] = v + period * (np.trunc(-v / period) + 1)
        v = c[high]
        c[high] = v - period * np.trunc(v / period)
    else:
        raise ValueError(f"fill_mode must be one of {FILL_MODES}. Received: {mode!r}")
    return c, off


def _edge_index(idx, n, mode):
    """Brings the integer pixel indices of the interpolation window into `[0, n)`: mirrored
    about the pixel edges for "nearest" and "reflect", about the pixel centres otherwise
    (SciPy's choice; those pixels then carry zero weight)."""
    if n <= 1:
        return np.zeros_like(idx)
    if mode in ("nearest", "reflect"):
        idx = np.mod(idx, 2 * n)
        return np.where(idx >= n, 2 * n - 1 - idx, idx)
    idx = np.mod(idx, 2 * n - 2)
    return np.where(idx >= n, 2 * n - 2 - idx, idx)


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
