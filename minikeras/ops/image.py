"""`keras.ops.image`: resizing and affine warps of image batches, differentiable by autograd.

The numbers follow Keras 3 on JAX, the reference the golden fixtures come from:

- `resize` is `jax.image.resize` without antialiasing: each output pixel centre maps to the
  input coordinate `(i + 0.5) * in / out - 0.5`; bilinear weights are the triangle kernel on that
  coordinate, renormalised over the input pixels that exist (so an edge repeats), and applied as
  one matrix per spatial axis. Nearest picks `floor((i + 0.5) * in / out)`.
- `affine_transform` maps each output pixel `(x, y)` to the input point
  `(a0 x + a1 y + a2, b0 x + b1 y + b2)` and samples it as `jax.scipy.ndimage.map_coordinates`
  does (order 0 rounds half away from zero, order 1 is bilinear); a neighbour outside the image
  is replaced according to `fill_mode`: `reflect` (d c b a | a b c d | d c b a), `wrap`
  (a b c d | a b c d), `nearest` (a a | a b c d | d d), `mirror` (d c b | a b c d | c b a), or
  `constant` (that neighbour reads `fill_value`).

Both are written as gathers and products of the input, so gradients reach the images (the
sampling positions are constants). Coordinates are computed in float32 like JAX, so that a
point on a pixel boundary falls on the same side.
"""

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.tensor import returns_tensor
from minikeras.variables import unwrap

RESIZE_INTERPOLATIONS = ("bilinear", "nearest")
KERAS_RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def check_interpolation(interpolation, supported, where):
    """Raises for an interpolation minikeras does not have (NotImplementedError for one
    Keras has, ValueError for an unknown name)."""
    if interpolation in supported:
        return interpolation
    if interpolation in KERAS_RESIZE_INTERPOLATIONS:
        raise NotImplementedError(
            f"{where}: interpolation='{interpolation}' is not implemented in minikeras; "
            f"available: {supported}.")
    raise ValueError(f"{where}: invalid `interpolation` {interpolation!r}. Expected one of "
                     f"{supported}.")


def _to_batch_last(images, data_format):
    """`images` as a (batch, height, width, channels) array, and how to undo it."""
    images = unwrap(images)
    rank = len(images.shape)
    if rank not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch "
                         f"of images). Received input with shape: images.shape={images.shape}")
    channels_first = config.standardize_data_format(data_format) == "channels_first"
    if rank == 3:
        images = images[None]
    if channels_first:
        images = anp.transpose(images, (0, 2, 3, 1))

    def restore(out):
        if channels_first:
            out = anp.transpose(out, (0, 3, 1, 2))
        return out[0] if rank == 3 else out

    return images, restore


# --------------------------------------------------------------------------- resize
def _linear_weights(in_size, out_size, antialias=False):
    """The (in_size, out_size) matrix of bilinear resize weights (JAX's `compute_weight_mat`)."""
    scale = np.float32(out_size) / np.float32(in_size)
    inv_scale = np.float32(1.0) / scale
    kernel_scale = max(inv_scale, np.float32(1.0)) if antialias else np.float32(1.0)
    sample = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * inv_scale - np.float32(0.5)
    distance = np.abs(sample[None, :] - np.arange(in_size, dtype=np.float32)[:, None])
    weights = np.maximum(np.float32(0.0), np.float32(1.0) - distance / kernel_scale)
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps,
                       weights / np.where(total != 0, total, 1), 0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0).astype(np.float32)


def _nearest_indices(in_size, out_size):
    offsets = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * np.float32(in_size) \
        / np.float32(out_size)
    return np.floor(offsets).astype(np.int64)


def _resize_batch(images, height, width, interpolation, antialias):
    """Resizes a channels-last batch (JAX skips an axis whose size does not change)."""
    _, h, w, _ = images.shape
    if interpolation == "nearest":
        if h != height:
            images = images[:, _nearest_indices(h, height)]
        if w != width:
            images = images[:, :, _nearest_indices(w, width)]
        return images
    if h != height:
        images = anp.einsum("bhwc,hH->bHwc", images, _linear_weights(h, height, antialias)
                            .astype(images.dtype))
    if w != width:
        images = anp.einsum("bhwc,wW->bhWc", images, _linear_weights(w, width, antialias)
                            .astype(images.dtype))
    return images


def _crop_box(height, width, target_height, target_width):
    """The centred crop with the target's aspect ratio: (top, left, crop_h, crop_w)."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def _pad_to_aspect_ratio(images, target_height, target_width, fill_value):
    _, h, w, c = images.shape
    pad_h = max(h, int(float(w * target_height) / target_width))
    pad_w = max(w, int(float(h * target_width) / target_height))
    top, left = int(float(pad_h - h) / 2), int(float(pad_w - w) / 2)
    if top > 0:  # Keras pads `top` rows on both sides
        band = np.full((images.shape[0], top, w, c), fill_value, dtype=images.dtype)
        return anp.concatenate([band, images, band], axis=1)
    if left > 0:
        band = np.full((images.shape[0], h, left, c), fill_value, dtype=images.dtype)
        return anp.concatenate([band, images, band], axis=2)
    return images


@returns_tensor
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images to `size = (height, width)`, as `keras.ops.image.resize`.

    Args:
        images: a (batch, h, w, c) or (h, w, c) array (channels first with `data_format`).
        size: `(height, width)` of the output.
        interpolation: `'bilinear'` (default) or `'nearest'`.
        antialias: widen the bilinear kernel when downsampling (default False).
        crop_to_aspect_ratio: first crop the largest centred window with the target's aspect
            ratio (default False).
        pad_to_aspect_ratio: first pad with `fill_value` to the target's aspect ratio (default
            False).
        fill_mode: only `'constant'` (as Keras).
        fill_value: the padding value (default 0.0).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).

    Returns:
        The resized images, float (integer images are interpolated as float32).
    """
    check_interpolation(interpolation, RESIZE_INTERPOLATIONS, "resize")
    if fill_mode != "constant":
        raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is supported. "
                         f"Received: fill_mode={fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                         "`True`.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). "
                         f"Received: size={size}")
    height, width = int(size[0]), int(size[1])
    images, restore = _to_batch_last(images, data_format)
    if images.dtype.kind != "f" and interpolation == "bilinear":
        images = anp.asarray(images).astype(np.float32)
    if crop_to_aspect_ratio:
        top, left, crop_h, crop_w = _crop_box(images.shape[1], images.shape[2], height, width)
        images = images[:, top:top + crop_h, left:left + crop_w]
    elif pad_to_aspect_ratio:
        images = _pad_to_aspect_ratio(images, height, width, fill_value)
    return restore(_resize_batch(images, height, width, interpolation, antialias))


# --------------------------------------------------------------------------- affine warps
def _mirror(index, size):
    if size == 1:
        return np.zeros_like(index)
    s = size - 1
    return np.abs((index + s) % (2 * s) - s)


_INDEX_FIXERS = {
    # constant: a neighbour outside reads `fill_value`; the clip only keeps the gather in bounds
    "constant": lambda index, size: np.clip(index, 0, size - 1),
    "nearest": lambda index, size: np.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror,
    "reflect": lambda index, size: (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2,
}


def _nodes(coordinate, interpolation):
    """`[(index, weight), ...]` of the 1-D interpolation at float32 `coordinate`."""
    if interpolation == "nearest":
        rounded = np.sign(coordinate) * np.floor(np.abs(coordinate) + np.float32(0.5))
        return [(rounded.astype(np.int64), None)]
    lower = np.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.astype(np.int64)
    return [(index, np.float32(1.0) - upper_weight), (index + 1, upper_weight)]


def _sample(images, rows, cols, interpolation, fill_mode, fill_value):
    """`images` (B, H, W, C) read at float32 points `rows`, `cols` (B, H', W')."""
    batch, height, width, _ = images.shape
    fixer = _INDEX_FIXERS[fill_mode]
    b = np.arange(batch)[:, None, None]
    out = None
    for r, wr in _nodes(rows, interpolation):
        for c, wc in _nodes(cols, interpolation):
            value = images[b, fixer(r, height), fixer(c, width)]
            if fill_mode == "constant":
                valid = (r >= 0) & (r < height) & (c >= 0) & (c < width)
                if not valid.all():
                    value = anp.where(valid[..., None], value,
                                      np.asarray(fill_value, dtype=images.dtype))
            if wr is not None:
                value = (wr * wc)[..., None].astype(images.dtype) * value
            out = value if out is None else out + value
    return out


@returns_tensor
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warps images by projective-free affine transforms, as `keras.ops.image.affine_transform`.

    Args:
        images: a (batch, h, w, c) or (h, w, c) array (channels first with `data_format`).
        transform: `(8,)` or `(batch, 8)`: `[a0, a1, a2, b0, b1, b2, c0, c1]`; output pixel
            `(x, y)` reads input point `(a0 x + a1 y + a2, b0 x + b1 y + b2)` (`c0`, `c1` are
            ignored, as by Keras's JAX backend).
        interpolation: `'bilinear'` (default) or `'nearest'`.
        fill_mode: `'constant'` (default), `'nearest'`, `'wrap'`, `'mirror'` or `'reflect'`.
        fill_value: the value outside the image with `'constant'` (default 0).
        data_format: `'channels_last'` or `'channels_first'` (default `image_data_format()`).
    """
    check_interpolation(interpolation, AFFINE_INTERPOLATIONS, "affine_transform")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of {FILL_MODES}. "
                         f"Received: fill_mode={fill_mode}")
    images, restore = _to_batch_last(images, data_format)
    transform = np.asarray(unwrap(transform), dtype=np.float32)
    if transform.ndim == 1:
        transform = transform[None]
    if transform.ndim != 2 or transform.shape[1] != 8:
        raise ValueError("Invalid transform: expected shape (8,) or (batch, 8). Received "
                         f"transform.shape={transform.shape}")
    if images.dtype.kind != "f":
        images = anp.asarray(images).astype(np.float32)
    _, height, width, _ = images.shape
    ys, xs = np.meshgrid(np.arange(height, dtype=np.float32), np.arange(width, dtype=np.float32),
                         indexing="ij")
    t = transform[:, :, None, None]
    # JAX's order of operations: row term, column term, then the offset.
    rows = ys * t[:, 4] + xs * t[:, 3] + t[:, 5]
    cols = ys * t[:, 1] + xs * t[:, 0] + t[:, 2]
    return restore(_sample(images, rows, cols, interpolation, fill_mode, fill_value))
