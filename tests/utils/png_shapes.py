"""Counting what a saved picture shows, from its decoded pixels alone (no figure object): the
layer boxes of a model graph and the curves of a history plot. NumPy only."""

import collections

import numpy as np


def _pixels(path):
    import matplotlib.image

    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image.shape[2] in (3, 4), image.shape
    return image[..., :3]


def _opened(mask, size):
    """Binary opening by a `size` x `size` square: strokes thinner than `size` vanish."""
    pad = size // 2

    def sweep(m, reduce, fill):
        padded = np.pad(m, pad, constant_values=fill)
        windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size))
        return reduce(windows, axis=(-2, -1))

    return sweep(sweep(mask, np.all, True), np.any, False)


def component_sizes(mask):
    """The pixel counts of the 8-connected regions of a boolean image, largest first."""
    seen = np.zeros_like(mask, dtype=bool)
    sizes = []
    rows, columns = mask.shape
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        queue, size = collections.deque([start]), 0
        while queue:
            r, c = queue.popleft()
            size += 1
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    n = (r + dr, c + dc)
                    if 0 <= n[0] < rows and 0 <= n[1] < columns and mask[n] and not seen[n]:
                        seen[n] = True
                        queue.append(n)
        sizes.append(size)
    return sorted(sizes, reverse=True)


def count_layer_boxes(path):
    """The layer boxes of a `plot_model` picture: each box's black title bar is a solid
    region that survives an opening which removes lines, arrows' shafts and text; arrow
    heads survive too but are a hundredth of a bar's area."""
    dark = _pixels(path).mean(axis=-1) < 0.2
    sizes = component_sizes(_opened(dark, 5)[::2, ::2])  # every other pixel: bars stay whole
    return sum(size > 0.1 * sizes[0] for size in sizes) if sizes else 0


def count_curves(path, rgb):
    """The curves of colour `rgb` (0-255) in a picture: its connected regions of more than a
    third of the largest's area (a legend's sample line is far shorter than a curve)."""
    mask = np.all(np.abs(_pixels(path) - np.asarray(rgb) / 255) < 0.1, axis=-1)
    sizes = component_sizes(mask)
    return sum(size > sizes[0] / 3 for size in sizes) if sizes else 0
