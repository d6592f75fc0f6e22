"""Max and average pooling (1D/2D/3D) and global pooling, with hand-written VJPs.

A pooling window of `prod(pool_size)` taps is read as that many strided views of the input
(tap `t` of every window at once: `x[:, t0::s0, t1::s1, :]`), so the only Python loop is over
the taps of one window, never over pixels or channels. A channels_first batch is pooled in
place the same way (its spatial axes start at 2), without transposes. The windows are placed
as a convolution with the same sizes places them (`conv.conv_geometry`: TensorFlow's `'same'`
padding, the odd element after); padded positions never count: max pooling pads with `-inf`,
average pooling pads with zeros and divides each window by the number of real elements it
covers.

The common non-overlapping case (strides equal to the pool size, no padding) needs no padded
copy and its gradient is written tap by tap straight into the input gradient (each input
element belongs to at most one window) instead of being added into a zeroed buffer. Reading
the input as strided tap views is the reshape `(N, H/2, 2, W/2, 2, C)` without the reshape:
the same memory walk, and `np.maximum` over the four views measured 1.5 to 2 times faster than
`reshape(...).max(axis=(2, 4))` on an MNIST-sized batch (128, 24, 24, 64).

Max pooling sends each window's gradient to the FIRST maximum of the window in row-major tap
order, as TensorFlow's and JAX's max-pool gradients do. An equality mask would be wrong: on real
MNIST batches a fifth of the windows hold their maximum twice (ReLU zeros, saturated pixels).
The window's winning tap is found when the primitive is traced (the VJP maker runs only under a
gradient trace), so `predict` pays for the maxima alone.

A large batch is pooled in two halves on two threads (`batch_split`, as the convolutions are);
every row is computed exactly as it would be in one piece.

Global pooling reduces the spatial axes; its max gradient is split equally among tied maxima,
as `jnp.max` (Keras 3 on JAX) and `tf.reduce_max` do.
"""

import itertools
import math

import numpy as np
from autograd.extend import defvjp_argnums, primitive

from minikeras.ops.nn.batch_split import batch_parts, run_parts
from minikeras.ops.nn.conv import conv_geometry

_sum = np.add.reduce


class _Windows:
    """Where the windows of one pooling lie in its input (a plan, derived from shapes only).

    Attributes:
        spatial_axes: the input's spatial axes (1.. for channels_last, 2.. for channels_first).
        out_shape: the output shape.
        pads: `((before, after), ...)` per spatial axis; all zero without padding.
        padded_shape: the shape of the padded input (the input's shape without padding).
        taps: one index tuple per window tap, in row-major tap order, selecting that tap of
            every window from the (padded) input as a strided view.
        disjoint: no two windows share an input element and nothing is padded, so a gradient
            can be written tap by tap instead of accumulated.
        covered: every input element lies in a window (with `disjoint`: the gradient needs no
            zeroing).
    """

    def __init__(self, shape, pool_size, strides, padding, data_format="channels_last"):
        first = 1 if data_format == "channels_last" else 2
        rank = len(shape) - 2
        self.spatial_axes = tuple(range(first, first + rank))
        spatial = tuple(shape[a] for a in self.spatial_axes)
        if len(pool_size) != rank or len(strides) != rank:
            raise ValueError(f"A {rank}D pooling needs a pool_size and strides of {rank} "
                             f"entries (input shape {shape}); received pool_size={pool_size}, "
                             f"strides={strides}.")
        geo = conv_geometry(spatial, pool_size, strides, 1, padding)
        out = geo.out_spatial
        needed = [(o - 1) * s + p for o, s, p in zip(out, strides, pool_size)]
        self.pads = tuple((lo, max(n - lo - s, 0))
                          for lo, n, s in zip(geo.pad, needed, spatial))
        self.padded_shape = self._with_spatial(
            shape, [s + lo + hi for s, (lo, hi) in zip(spatial, self.pads)])
        self.out_shape = self._with_spatial(shape, out)
        self.pool_size = tuple(pool_size)
        lead = (slice(None),) * first
        self.taps = [lead + tuple(slice(t, t + (o - 1) * s + 1, s)
                                  for t, o, s in zip(tap, out, strides))
                     for tap in itertools.product(*(range(p) for p in pool_size))]
        self.padded = any(lo or hi for lo, hi in self.pads)
        self.disjoint = not self.padded and all(s >= p for s, p in zip(strides, pool_size))
        self.covered = all(n == s for n, s in zip(needed, spatial)) and tuple(strides) == \
            tuple(pool_size)

    def _with_spatial(self, shape, sizes):
        shape = list(shape)
        for axis, size in zip(self.spatial_axes, sizes):
            shape[axis] = size
        return tuple(shape)

    def _interior(self):
        index = [slice(None)] * len(self.padded_shape)
        for axis, (lo, hi) in zip(self.spatial_axes, self.pads):
            index[axis] = slice(lo, self.padded_shape[axis] - hi)
        return tuple(index)

    def _padded_rows(self, rows):
        return (rows,) + self.padded_shape[1:]

    def pad(self, x, value):
        """`x` (the whole batch or some of its rows) placed in a new buffer filled with
        `value`, or `x` itself without padding."""
        if not self.padded:
            return x
        out = np.full(self._padded_rows(x.shape[0]), value, dtype=x.dtype)
        out[self._interior()] = x
        return out

    def scatter(self, per_tap, into):
        """Writes into `into` (the input gradient, or some rows of it) what the taps send back:
        `per_tap(t, out)` is the cotangent that tap `t` of every window returns (of the
        output's shape), written into `out` when it is not None."""
        if self.disjoint:
            if not self.covered:
                into[...] = 0
            for t, index in enumerate(self.taps):
                per_tap(t, into[index])
            return
        if not self.padded:
            into[...] = 0
            for t, index in enumerate(self.taps):
                into[index] += per_tap(t, None)
            return
        dx = np.zeros(self._padded_rows(into.shape[0]), into.dtype)
        for t, index in enumerate(self.taps):
            dx[index] += per_tap(t, None)
        into[...] = dx[self._interior()]

    def counts(self, dtype):
        """The number of real (unpadded) input elements in each window, broadcastable to the
        output: a product of one count per spatial axis. None when every window is full."""
        if not self.padded:
            return None
        counts = np.ones((1,) * len(self.out_shape), dtype)
        for axis, (lo, hi), p in zip(self.spatial_axes, self.pads, self.pool_size):
            size = self.padded_shape[axis]
            real = np.zeros(size, dtype)
            real[lo:size - hi] = 1
            reach = self.taps[0][axis]
            per_window = sum(real[t:t + reach.stop - reach.start:reach.step] for t in range(p))
            shape = [1] * len(self.out_shape)
            shape[axis] = per_window.size
            counts = counts * per_window.reshape(shape)
        return counts


def _windows(x, pool_size, strides, padding, data_format):
    rank = x.ndim - 2
    pool_size = _as_tuple(pool_size, rank)
    strides = pool_size if strides is None else _as_tuple(strides, rank)
    return _Windows(x.shape, pool_size, strides, padding, data_format)


def _as_tuple(value, rank):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * rank
    return tuple(int(v) for v in value)


def _parts(x):
    """The batch rows to pool separately: two halves on two threads for a large batch
    (`batch_split`; each element is read about once per tap, hence the input's size as work)."""
    return batch_parts(x.shape[0], x.size)


def _hyper(args, kwargs):
    """`(pool_size, strides, padding, data_format)` of a pooling call, however passed."""
    names = ("pool_size", "strides", "padding", "data_format")
    defaults = (None, None, "valid", "channels_last")
    given = dict(zip(names, args[1:]))
    return tuple(given.get(n, kwargs.get(n, d)) for n, d in zip(names, defaults))


# ----------------------------------------------------------------------------- max pooling
@primitive
def max_pool(x, pool_size, strides=None, padding="valid", data_format="channels_last"):
    """Max pooling of a batch `(N, *spatial, C)` (or `(N, C, *spatial)`), 1 to 3 spatial axes.

    Args:
        x: the input batch.
        pool_size: an int or one int per spatial axis.
        strides: an int or one per spatial axis (default None: `pool_size`).
        padding: `'valid'` (windows inside the input) or `'same'` (output `ceil(size /
            stride)`, padding ignored by the maximum).
        data_format: `'channels_last'` (default) or `'channels_first'`: where the spatial
            axes are (pooling a channels_first batch in place costs no transposes).

    Returns:
        The pooled batch, in `x`'s dtype and layout.
    """
    win = _windows(x, pool_size, strides, padding, data_format)
    taps = win.taps
    out = np.empty(win.out_shape, x.dtype)

    def rows_max(_, rows):
        xp, o = win.pad(x[rows], -np.inf), out[rows]
        if len(taps) == 1:
            o[...] = xp[taps[0]]
            return
        np.maximum(xp[taps[0]], xp[taps[1]], out=o)
        for index in taps[2:]:
            np.maximum(o, xp[index], out=o)

    run_parts(rows_max, _parts(x))
    return out


def _first_max_tap(xp, ans, taps, winner):
    """Writes into `winner` (uint) the index of the first tap of each window holding its
    maximum `ans`."""
    # Count the leading taps that are not the maximum: `searching` turns False at the first.
    winner[...] = 0
    searching = xp[taps[0]] != ans
    for index in taps[1:-1]:
        winner += searching
        searching &= xp[index] != ans
    winner += searching


def _max_pool_vjp(argnums, ans, args, kwargs):
    x = args[0]
    win = _windows(x, *_hyper(args, kwargs))
    taps, parts = win.taps, _parts(x)
    winner = np.empty(ans.shape, np.uint8 if len(taps) <= 256 else np.uint32)
    run_parts(lambda _, rows: _first_max_tap(win.pad(x[rows], -np.inf), ans[rows], taps,
                                             winner[rows]), parts)

    def vjp(g):
        dx = np.empty(x.shape, g.dtype)

        def rows_gradient(_, rows):
            g_rows, winner_rows = g[rows], winner[rows]
            win.scatter(lambda t, out: np.multiply(g_rows, winner_rows == t, out=out), dx[rows])

        run_parts(rows_gradient, parts)
        return [dx]

    return vjp


defvjp_argnums(max_pool, _max_pool_vjp)


# ------------------------------------------------------------------------- average pooling
@primitive
def average_pool(x, pool_size, strides=None, padding="valid", data_format="channels_last"):
    """Average pooling of a batch `(N, *spatial, C)` (or `(N, C, *spatial)`), 1 to 3 spatial
    axes.

    Args:
        x: the input batch.
        pool_size: an int or one int per spatial axis.
        strides: an int or one per spatial axis (default None: `pool_size`).
        padding: `'valid'` or `'same'`; with `'same'` each window is divided by the number
            of real input elements it covers, as Keras does.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Returns:
        The pooled batch, in `x`'s dtype and layout.
    """
    win = _windows(x, pool_size, strides, padding, data_format)
    taps = win.taps
    counts = win.counts(x.dtype)
    out = np.empty(win.out_shape, x.dtype)

    def rows_mean(_, rows):
        xp, o = win.pad(x[rows], 0), out[rows]
        if len(taps) == 1:
            o[...] = xp[taps[0]]
        else:
            np.add(xp[taps[0]], xp[taps[1]], out=o)
        for index in taps[2:]:
            o += xp[index]
        if counts is None:
            o *= x.dtype.type(1 / len(taps))
        else:
            o /= counts

    run_parts(rows_mean, _parts(x))
    return out


def _average_pool_vjp(argnums, ans, args, kwargs):
    x = args[0]
    win = _windows(x, *_hyper(args, kwargs))
    parts = _parts(x)

    def vjp(g):
        counts = win.counts(g.dtype)
        share = g * g.dtype.type(1 / len(win.taps)) if counts is None else g / counts
        dx = np.empty(x.shape, g.dtype)

        def rows_gradient(_, rows):
            share_rows = share[rows]

            def per_tap(t, out):
                if out is None:
                    return share_rows
                out[...] = share_rows
                return out

            win.scatter(per_tap, dx[rows])

        run_parts(rows_gradient, parts)
        return [dx]

    return vjp


defvjp_argnums(average_pool, _average_pool_vjp)


# -------------------------------------------------------------------------- global pooling
def _axes(axes, ndim):
    return tuple(sorted(a % ndim for a in ((axes,) if isinstance(axes, int) else axes)))


@primitive
def global_max_pool(x, axes, keepdims=False):
    """The maximum of `x` over `axes` (the spatial axes of a batch).

    Its gradient is shared equally by tied maxima, as `jnp.max` and `tf.reduce_max` share it.
    """
    return np.maximum.reduce(x, axis=_axes(axes, x.ndim), keepdims=keepdims)


def _global_max_pool_vjp(argnums, ans, args, kwargs):
    x = args[0]
    axes = _axes(args[1] if len(args) > 1 else kwargs["axes"], x.ndim)
    keepdims = args[2] if len(args) > 2 else kwargs.get("keepdims", False)
    full = ans if keepdims else np.expand_dims(ans, axes)

    def vjp(g):
        g = g if keepdims else np.expand_dims(g, axes)
        hits = x == full
        share = g / _sum(hits, axis=axes, keepdims=True).astype(g.dtype)
        return [hits * share]

    return vjp


defvjp_argnums(global_max_pool, _global_max_pool_vjp)


@primitive
def global_average_pool(x, axes, keepdims=False):
    """The mean of `x` over `axes` (the spatial axes of a batch), in `x`'s dtype."""
    axes = _axes(axes, x.ndim)
    out = _sum(x, axis=axes, keepdims=keepdims)
    out *= x.dtype.type(1 / math.prod(x.shape[a] for a in axes))
    return out


def _global_average_pool_vjp(argnums, ans, args, kwargs):
    x = args[0]
    axes = _axes(args[1] if len(args) > 1 else kwargs["axes"], x.ndim)
    keepdims = args[2] if len(args) > 2 else kwargs.get("keepdims", False)
    scale = x.dtype.type(1 / math.prod(x.shape[a] for a in axes))

    def vjp(g):
        g = g if keepdims else np.expand_dims(g, axes)
        return [np.broadcast_to(g * scale, x.shape).copy()]

    return vjp


defvjp_argnums(global_average_pool, _global_average_pool_vjp)
