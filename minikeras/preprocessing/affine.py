"""Keras 2's image transforms (`keras.preprocessing.image.apply_affine_transform` and friends),
on NumPy: the interpolation is `interpolation.affine_resample`, no SciPy.

How Keras 2 builds the map, reproduced step by step so that results agree with Keras's:

1. In "(x, y)" coordinates it composes, in this order, rotation by `theta` degrees
   `[[cos, -sin], [sin, cos]]`, the shift `[[1, 0, tx], [0, 1, ty]]`, the shear
   `[[1, -sin(shear)], [0, cos(shear)]]` and the zoom `diag(zx, zy)`, each only when it is not
   the identity: `M = R @ T @ S @ Z`.
2. It moves the origin to the image centre: `M = C @ M @ C^-1` with the centre
   `(rows / 2 - 0.5, cols / 2 - 0.5)` (rows first, as Keras writes it).
3. When `col_axis > row_axis` (always, for images of ImageDataGenerator) it swaps the two
   coordinates (`P @ M @ P`), so x is the column and y the row, and samples the input at
   `M @ (row, col, 1)` for every output pixel. Hence `tx > 0` moves the content left and
   `ty > 0` moves it up.
"""

import numpy as np

from minikeras.preprocessing.interpolation import FILL_MODES, affine_resample


def transform_matrix_offset_center(matrix, x, y):
    """Conjugates a 3x3 homogeneous `matrix` by a move of the origin to `(x/2 - 0.5,
    y/2 - 0.5)`, so it rotates / shears / zooms about the image centre (Keras 2)."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return np.dot(np.dot(offset, matrix), reset)


def _check_axes(x, row_axis, col_axis, channel_axis):
    if len({row_axis, col_axis, channel_axis}) != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct. "
                         f"Received: {row_axis}, {col_axis}, {channel_axis}")
    if {row_axis, col_axis, channel_axis} != {0, 1, 2}:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be 0, 1 and 2 in "
                         f"some order. Received: {row_axis}, {col_axis}, {channel_axis}")
    if np.ndim(x) != 3:
        raise ValueError("Input arrays must be multi-channel 2D images (rank 3). Received an "
                         f"array of shape {np.shape(x)}")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed at the first and last dimensions only. "
                         f"Received: channel_axis={channel_axis}")


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1,
                           col_axis=2, channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Applies Keras 2's affine transform to one image (see the module docstring).

    Args:
        x: a rank-3 image.
        theta: rotation angle in degrees (counter-clockwise on screen).
        tx: horizontal shift in pixels (the content moves left for `tx > 0`).
        ty: vertical shift in pixels (the content moves up for `ty > 0`).
        shear: shear angle in degrees.
        zx: zoom factor along the columns: the input is sampled `zx` times as far from the
            centre, so `zx > 1` shrinks the content and `zx < 1` enlarges it.
        zy: the same along the rows.
        row_axis, col_axis, channel_axis: the image's axes. Keras defaults: 1, 2, 0 (channels
            first).
        fill_mode: `"nearest"` (Keras default), `"constant"`, `"reflect"` or `"wrap"`.
        cval: the fill value with `fill_mode="constant"`. Keras default: 0.
        order: 1 (Keras default: linear interpolation) or 0 (nearest pixel).

    Returns:
        The transformed image (a new array), of `x`'s dtype; `x` itself when every parameter
        is the identity, as in Keras.

    Raises:
        ValueError: for bad axes, a rank other than 3, or an unknown `fill_mode`.
        NotImplementedError: for an `order` other than 0 and 1 (SciPy's spline orders 2-5).
    """
    _check_axes(x, row_axis, col_axis, channel_axis)
    if fill_mode not in FILL_MODES:
        raise ValueError(f"`fill_mode` must be one of {FILL_MODES}. Received: {fill_mode!r}")
    if order not in (0, 1):
        raise NotImplementedError(f"Interpolation order {order} is not implemented in "
                                  "minikeras: use 1 (linear, Keras's default) or 0 (nearest).")
    matrix = None
    if theta != 0:
        theta = np.deg2rad(theta)
        matrix = np.array([[np.cos(theta), -np.sin(theta), 0],
                           [np.sin(theta), np.cos(theta), 0],
                           [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        matrix = shift if matrix is None else np.dot(matrix, shift)
    if shear != 0:
        shear = np.deg2rad(shear)
        shear_matrix = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
        matrix = shear_matrix if matrix is None else np.dot(matrix, shear_matrix)
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        matrix = zoom if matrix is None else np.dot(matrix, zoom)
    if matrix is None:
        return x
    matrix = transform_matrix_offset_center(matrix, x.shape[row_axis], x.shape[col_axis])
    matrix = np.array(matrix, dtype=np.float64)
    if col_axis > row_axis:  # (x, y) -> (row, col): P @ M @ P
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    # With row_axis > col_axis Keras leaves the matrix unswapped and resamples the two
    # axes as stored; so does this.
    # Channels first, the other two axes in stored order (np.rollaxis, as Keras; transpose is
    # what np.moveaxis does, without its argument checks, which cost more than the resampling
    # of a small image).
    to_front = (channel_axis,) + tuple(a for a in range(3) if a != channel_axis)
    out = affine_resample(x.transpose(to_front), matrix[:2, :2], matrix[:2, 2], order=order,
                          mode=fill_mode, cval=cval)
    return out.transpose(np.argsort(to_front))


def flip_axis(x, axis):
    """Reverses `x` along `axis` (a copy-free view, as Keras's)."""
    return np.flip(np.asarray(x), axis)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds `intensity` to every channel, clipped to the image's own min and max (Keras 2)."""
    x = np.moveaxis(x, channel_axis, 0)
    low, high = np.min(x), np.max(x)
    shifted = np.stack([np.clip(channel + intensity, low, high) for channel in x], axis=0)
    return np.moveaxis(shifted, 0, channel_axis)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    """Rotates by an angle drawn uniformly in `[-rg, rg]` degrees from NumPy's global
    generator (as Keras 2; seed it with `keras.utils.set_random_seed`)."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts by fractions drawn in `[-wrg, wrg]` of the width (horizontally) and `[-hrg, hrg]`
    of the height (vertically).

    Keras 2 draws the height fraction first and, since its axis fix of 2020, applies it
    horizontally (keras-team/keras-preprocessing#348); minikeras draws in the same order and
    applies each fraction along the axis its name says.
    """
    h, w = x.shape[row_axis], x.shape[col_axis]
    ty = np.random.uniform(-hrg, hrg) * h
    tx = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shears by an angle drawn in `[-intensity, intensity]` degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    """Zooms by factors `(zx, zy)` drawn in `zoom_range = (low, high)`."""
    if len(zoom_range) != 2:
        raise ValueError("`zoom_range` should be a tuple or list of two floats. "
                         f"Received: {zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """`apply_channel_shift` by an intensity drawn in `[-intensity_range, intensity_range]`."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)
