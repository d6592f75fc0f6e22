"""N-D convolution (1D/2D/3D) and its transpose, channels_last, with hand-written VJPs.

One geometry (`ConvGeometry`) describes a convolution of an input with spatial shape `S` into
an output of spatial shape `O`; the input is placed at offset `pad` in a zero-padded buffer
and output position `o` reads the taps `o * strides + t * dilation` of that buffer. The three
products of a convolution are then:

- forward: the windows of the padded input, copied once into an im2col matrix
  `(batch * prod(O), prod(kernel) * in)` through a strided view (no Python loop over pixels),
  times the kernel reshaped to `(prod(kernel) * in, out)`: one GEMM;
- kernel gradient: the im2col matrix (kept by the VJP) transposed times the output gradient:
  one GEMM;
- input gradient: one product of the kernel with the output gradient gives every tap's
  contribution, `(taps, in, batch, *O)`; each tap's slab is then added into its shifted
  (strided) window of a zeroed, padded gradient: one contiguous add per kernel tap, instead
  of col2im's scatter.

The forward pass runs in `conv` on the values; the primitive `_conv` records it in the trace
and its VJP keeps the im2col matrices. Large convolutions run on two threads over batch halves
(`batch_split`).

`groups` splits the channels into independent convolutions (a depthwise convolution is
`groups == in_channels`); the group axis is a batch axis of the products, never a Python loop.
The transposed convolution is the input gradient of a convolution, and its gradients are that
convolution's forward and kernel gradient.

All of it keeps the contract of `minikeras.ops.nn` (float32 in and out, inputs never written).
"""

import collections
import contextlib
import math

import numpy as np
from autograd.extend import defvjp_argnums, primitive
from autograd.tracer import getval

from minikeras.ops.nn import buffers
from minikeras.ops.nn.batch_split import batch_parts, run_parts
from minikeras.ops.nn.bias_activation import (activation_gradient, apply_bias_activation,
                                              bias_gradient)

ConvGeometry = collections.namedtuple(
    "ConvGeometry", ["in_spatial", "out_spatial", "kernel", "strides", "dilation", "pad"])
ConvGeometry.__doc__ = """The spatial arrangement of one convolution (tuples, one entry per
spatial axis): input and output sizes, kernel size, strides, dilation and the zero padding
before the input (the padding after it is whatever the last window needs)."""


def _tuple(value, rank, name):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * rank
    value = tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(f"`{name}` must have {rank} entries, one per spatial axis. "
                         f"Received: {name}={value}")
    return value


def effective_kernel(kernel, dilation):
    """The extent of a dilated kernel: `(k - 1) * d + 1` per axis."""
    return tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))


def conv_geometry(in_spatial, kernel, strides=1, dilation_rate=1, padding="valid"):
    """The geometry of a convolution as Keras (and TensorFlow) compute it.

    Args:
        in_spatial: the input's spatial shape.
        kernel: the kernel's spatial shape.
        strides, dilation_rate: ints or tuples (default 1).
        padding: `'valid'` (no padding), `'same'` (output `ceil(S / stride)`, the padding split
            with the extra element after, as TensorFlow), `'causal'` (1D: all padding before),
            or explicit `((before, after), ...)` pairs.

    Raises:
        ValueError: when the output would be empty (a kernel larger than a valid input).
    """
    rank = len(in_spatial)
    kernel = _tuple(kernel, rank, "kernel_size")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    k_eff = effective_kernel(kernel, dilation)
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * rank
        elif padding == "same":
            totals = [max((-(-s // st) - 1) * st + k - s, 0)
                      for s, st, k in zip(in_spatial, strides, k_eff)]
            pads = [(t // 2, t - t // 2) for t in totals]
        elif padding == "causal":
            pads = [(k - 1, 0) for k in k_eff]
        else:
            raise ValueError(f"`padding` must be 'valid', 'same' or 'causal'. "
                             f"Received: padding={padding!r}")
    else:
        pads = [tuple(int(p) for p in pair) for pair in padding]
    out = tuple((s + lo + hi - k) // st + 1
                for s, (lo, hi), k, st in zip(in_spatial, pads, k_eff, strides))
    if any(o <= 0 for o in out):
        raise ValueError(f"The convolution's output would be empty: input spatial shape "
                         f"{tuple(in_spatial)}, kernel {kernel}, dilation_rate {dilation}, "
                         f"strides {strides}, padding {padding!r}.")
    return ConvGeometry(tuple(in_spatial), out, kernel, strides, dilation,
                        tuple(lo for lo, _ in pads))


def conv_transpose_geometry(in_spatial, kernel, strides=1, dilation_rate=1, padding="valid",
                            output_padding=None):
    """The geometry of the convolution whose input gradient is Keras's transposed convolution.

    The transposed convolution maps `in_spatial` to the output size Keras computes
    (`(S - 1) * stride + max(k, stride)` for `'valid'`, `S * stride` for `'same'`, or
    `(S - 1) * stride + k + output_padding` / `(S - 1) * stride + k % 2 + output_padding`);
    the returned geometry runs from that size (`in_spatial` of the geometry) back to `S`.
    """
    rank = len(in_spatial)
    kernel = _tuple(kernel, rank, "kernel_size")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    ops = (None,) * rank if output_padding is None else _tuple(output_padding, rank,
                                                                 "output_padding")
    sizes, pads = [], []
    for s, k, st, op in zip(in_spatial, effective_kernel(kernel, dilation), strides, ops):
        # The padding before the windows, as JAX's conv_transpose places them (Keras's rule).
        if padding == "valid":
            op = max(k, st) - k if op is None else op
            size, left = (s - 1) * st + k + op, k - 1
        elif padding == "same":
            total = st + k - 2 if op is None else k + k % 2 - 2 + op
            size = s * st if op is None else (s - 1) * st + k % 2 + op
            left = min(total // 2 + total % 2, k - 1)
        else:
            raise ValueError(f"`padding` must be 'valid' or 'same' for a transposed "
                             f"convolution. Received: padding={padding!r}")
        if size <= 0:
            raise ValueError(f"The transposed convolution's output would be empty: input "
                             f"spatial shape {tuple(in_spatial)}, kernel {kernel}.")
        sizes.append(size)
        pads.append(k - 1 - left)
    return ConvGeometry(tuple(sizes), tuple(in_spatial), kernel, strides, dilation, tuple(pads))


# ----------------------------------------------------------------------------- the products
# Each works on one part of the batch (all of it, or a half on its own thread: batch_split).
def _padded_spatial(geo):
    k_eff = effective_kernel(geo.kernel, geo.dilation)
    return tuple(max(p + s, (o - 1) * st + k)
                 for p, s, o, st, k in zip(geo.pad, geo.in_spatial, geo.out_spatial,
                                           geo.strides, k_eff))


def _crop(geo):
    """The index of the input inside the padded buffer (batch and channel axes whole)."""
    return (slice(None),) + tuple(slice(p, p + s) for p, s in zip(geo.pad, geo.in_spatial))


def _im2col(x, geo, groups, owner=None):
    """The windows of `x` as a matrix `(groups, batch * prod(O), prod(kernel) * in / groups)`.

    With an `owner`, the matrix is leased from the buffer pool until the owner is freed.
    """
    n, c = x.shape[0], x.shape[-1]
    cg = c // groups
    shape = (groups, n * math.prod(geo.out_spatial), math.prod(geo.kernel) * cg)
    cols = np.empty(shape, x.dtype) if owner is None else buffers.lease(owner, shape, x.dtype)
    padded = _padded_spatial(geo)
    with contextlib.ExitStack() as stack:
        xp = x
        if padded != geo.in_spatial:
            xp = stack.enter_context(buffers.scratch((n,) + padded + (c,), x.dtype))
            xp.fill(0)
            xp[_crop(geo)] = x
        sp = xp.strides[1:-1]
        view = np.lib.stride_tricks.as_strided(
            xp, shape=(groups, n) + geo.out_spatial + geo.kernel + (cg,),
            strides=((cg * xp.strides[-1], xp.strides[0])
                     + tuple(s * st for s, st in zip(sp, geo.strides))
                     + tuple(s * d for s, d in zip(sp, geo.dilation)) + (xp.strides[-1],)),
            writeable=False)
        np.copyto(cols.reshape(view.shape), view)
    return cols


def _grouped_kernel(kernel, groups):
    """`(*kernel, in / groups, out)` as `(groups, prod(kernel) * in / groups, out / groups)`."""
    k = kernel.reshape(-1, kernel.shape[-2], groups, kernel.shape[-1] // groups)
    return k.transpose(2, 0, 1, 3).reshape(groups, -1, k.shape[-1])


def _group(g, groups):
    """`(n, *spatial, groups * c)` as `(groups, n * prod(spatial), c)`."""
    g2 = g.reshape(-1, groups, g.shape[-1] // groups)
    return g2.transpose(1, 0, 2) if groups > 1 else g2.reshape(1, -1, g2.shape[-1])


def _product_into(out, cols, kernel, groups):
    """Writes the convolution of the windows `cols` with `kernel` into `out` `(n, *O, out)`."""
    if groups == 1:
        np.dot(cols[0], kernel.reshape(-1, kernel.shape[-1]), out=out.reshape(-1, out.shape[-1]))
    else:
        y = np.matmul(cols, _grouped_kernel(kernel, groups))  # (groups, rows, out / groups)
        out.reshape(-1, groups, y.shape[-1])[...] = y.transpose(1, 0, 2)


def _kernel_grad(cols, g, groups, kernel_shape):
    """The kernel gradient: the windows transposed times the output gradient."""
    gg = _group(g, groups)
    if groups == 1:
        return np.dot(cols[0].T, gg[0]).reshape(kernel_shape)
    dk = np.matmul(cols.transpose(0, 2, 1), gg)  # (groups, taps * cg, out / groups)
    dk = dk.reshape((groups, -1, kernel_shape[-2], dk.shape[-1])).transpose(1, 2, 0, 3)
    return dk.reshape(kernel_shape)


def _windows(geo):
    """For each kernel tap, the index of the (strided) window of the padded input it reads."""
    return [tuple(slice(o * d, o * d + (size - 1) * st + 1, st)
                  for o, d, size, st in zip(offsets, geo.dilation, geo.out_spatial, geo.strides))
            for offsets in np.ndindex(*geo.kernel)]


def _input_grad_into(dx, g, kernel, geo, groups):
    """Writes the input gradient `(n, *S, in)` of the convolution `geo` into `dx`.

    One product gives every tap's contribution at once; each tap's slab is then added into its
    shifted (strided) window of a zeroed, padded gradient: a loop over the kernel's taps only.
    Without groups the product is computed transposed, `(taps, in, n, *O)`, so that every slab
    is contiguous and each add runs along image rows; the padded gradient, channel-major, is
    transposed back into `dx` in the same copy that crops the padding (measured 18 % faster
    than adding channels-last slabs read with a stride of `taps * in`).
    """
    n, c = dx.shape[0], dx.shape[-1]
    taps = math.prod(geo.kernel)
    cg, og = c // groups, kernel.shape[-1] // groups
    padded = _padded_spatial(geo)
    crop = _crop(geo)[1:]
    dtype = np.result_type(kernel, g)
    if groups == 1:
        rows = g.size // og
        with buffers.scratch((taps * c, rows), dtype) as slabs, \
                buffers.scratch((c, n) + padded, dtype) as dxp:
            np.dot(kernel.reshape(taps * c, og), g.reshape(rows, og).T, out=slabs)
            tap_slabs = slabs.reshape((taps, c, n) + geo.out_spatial)
            dxp.fill(0)
            for t, window in enumerate(_windows(geo)):
                dxp[(slice(None), slice(None)) + window] += tap_slabs[t]
            dx[...] = np.moveaxis(dxp[(slice(None), slice(None)) + crop], 0, -1)
        return
    k = kernel.reshape(taps, cg, groups, og).transpose(2, 3, 0, 1).reshape(groups, og, taps * cg)
    slabs = np.matmul(_group(g, groups), k)  # (groups, rows, taps * cg)
    slabs = np.moveaxis(slabs.reshape((groups, n) + geo.out_spatial + (taps, cg)), 0, -2)
    dxp = np.zeros((n,) + padded + (groups, cg), g.dtype)
    for t, window in enumerate(_windows(geo)):
        dxp[(slice(None),) + window] += slabs[..., t, :, :]
    dx[...] = dxp[(slice(None),) + crop].reshape(dx.shape)


def _work(rows, kernel):
    return rows * kernel.size


class _Windows(list):
    """The im2col matrices of one forward pass, one per batch part: kept by the VJP, and
    given back to the buffer pool when it is freed."""


def _forward(x, kernel, bias, geo, groups, activation):
    """`activation(conv(x) + bias)` and the windows it read (one matrix per batch part)."""
    n = x.shape[0]
    y = np.empty((n,) + geo.out_spatial + (kernel.shape[-1],), np.result_type(x, kernel))
    parts = batch_parts(n, _work(n * math.prod(geo.out_spatial), kernel))
    windows = _Windows()

    def part(i, rows):
        cols = _im2col(x[rows], geo, groups, owner=windows)
        _product_into(y[rows], cols, kernel, groups)
        apply_bias_activation(y[rows], bias, activation)
        return cols

    windows.extend(run_parts(part, parts))
    return y, windows, parts


def _input_grad(g, kernel, geo, groups, in_channels, parts):
    """The input gradient `(n, *S, in)` of the convolution `geo`, for the output gradient `g`."""
    dx = np.empty((g.shape[0],) + geo.in_spatial + (in_channels,), g.dtype)
    run_parts(lambda i, rows: _input_grad_into(dx[rows], g[rows], kernel, geo, groups), parts)
    return dx


# ----------------------------------------------------------------------------- primitives
def _check(x, kernel, groups, name):
    rank = kernel.ndim - 2
    if x.ndim != rank + 2:
        raise ValueError(f"`{name}` expects an input of rank {rank + 2} (batch, {rank} spatial "
                         f"axes, channels) for a kernel of shape {kernel.shape}. Received an "
                         f"input of shape {x.shape}.")
    if x.shape[-1] != kernel.shape[-2] * groups:
        raise ValueError(f"`{name}`: the input has {x.shape[-1]} channels, the kernel of shape "
                         f"{kernel.shape} with groups={groups} expects "
                         f"{kernel.shape[-2] * groups}.")


def conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1, groups=1,
         activation="linear"):
    """`activation(conv(x, kernel) + bias)`, channels_last, in 1, 2 or 3 spatial dimensions.

    Args:
        x: array `(batch, *spatial, in)`.
        kernel: array `(*kernel_size, in / groups, out)` (Keras's layout).
        bias: array `(out,)`, or None.
        strides, dilation_rate: ints or tuples (default 1).
        padding: `'valid'` (default), `'same'`, `'causal'` or explicit pairs (`conv_geometry`).
        groups: the number of channel groups (default 1; `in` for a depthwise convolution).
        activation: the name of a fused activation (`nn.FUSED_ACTIVATIONS`), default linear.

    Returns:
        array `(batch, *out_spatial, out)`.
    """
    _check(x, kernel, groups, "conv")
    geo = conv_geometry(tuple(x.shape[1:-1]), tuple(kernel.shape[:-2]), strides, dilation_rate,
                        padding)
    # The forward pass runs here, on the values, and `_conv` records it in the trace: its VJP
    # keeps the windows the forward pass copied (the kernel gradient reads them again).
    forward = _forward(getval(x), getval(kernel), None if bias is None else getval(bias), geo,
                       groups, activation)
    return _conv(x, kernel, bias, forward=forward, geo=geo, groups=groups, activation=activation)


@primitive
def _conv(x, kernel, bias, forward, geo, groups, activation):
    """The node of a convolution computed by `conv`: returns its output `forward[0]`."""
    return forward[0]


def _conv_vjp(argnums, ans, args, kwargs):
    x, kernel = args[0], args[1]
    _, cols, parts = kwargs["forward"]
    geo, groups, activation = kwargs["geo"], kwargs["groups"], kwargs["activation"]

    def vjp(g):
        dx = np.empty(x.shape, g.dtype) if 0 in argnums else None

        def part(i, rows):
            gp = activation_gradient(g[rows], ans[rows], activation)
            if dx is not None:
                _input_grad_into(dx[rows], gp, kernel, geo, groups)
            dk = _kernel_grad(cols[i], gp, groups, kernel.shape) if 1 in argnums else None
            return dk, (bias_gradient(gp) if 2 in argnums else None)

        partial = run_parts(part, parts)
        return [dx if argnum == 0 else sum(p[argnum - 1] for p in partial)
                for argnum in argnums]

    return vjp


defvjp_argnums(_conv, _conv_vjp)


def conv_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None,
                   dilation_rate=1, activation="linear"):
    """`activation(conv_transpose(x, kernel) + bias)`, channels_last: Keras's transposed
    convolution (the input gradient of the convolution it transposes).

    Args:
        x: array `(batch, *spatial, in)`.
        kernel: array `(*kernel_size, out, in)` (Keras's `Conv*DTranspose` layout).
        bias: array `(out,)`, or None.
        strides, dilation_rate: ints or tuples (default 1).
        padding: `'valid'` (default) or `'same'`.
        output_padding: extra size after the output per axis (default None: Keras's rule).
        activation: the name of a fused activation, default linear.

    Returns:
        array `(batch, *out_spatial, out)`, the sizes of `conv_transpose_geometry`.
    """
    rank = kernel.ndim - 2
    if x.ndim != rank + 2 or x.shape[-1] != kernel.shape[-1]:
        raise ValueError(f"`conv_transpose` expects an input `(batch, {rank} spatial axes, "
                         f"{kernel.shape[-1]})` for a kernel of shape {kernel.shape}. "
                         f"Received an input of shape {x.shape}.")
    geo = conv_transpose_geometry(tuple(x.shape[1:-1]), tuple(kernel.shape[:-2]), strides,
                                  dilation_rate, padding, output_padding)
    return _conv_transpose(x, kernel, bias, geo=geo, activation=activation)


def _transpose_parts(x, kernel):
    return batch_parts(x.shape[0], _work(x.size // x.shape[-1], kernel))


@primitive
def _conv_transpose(x, kernel, bias, geo, activation):
    y = _input_grad(x, kernel, geo, 1, kernel.shape[-2], _transpose_parts(x, kernel))
    return apply_bias_activation(y, bias, activation)


def _conv_transpose_vjp(argnums, ans, args, kwargs):
    x, kernel = args[0], args[1]
    geo, activation = kwargs["geo"], kwargs["activation"]

    def vjp(g):
        # The transposed convolution's gradients are the forward product and the kernel
        # gradient of the convolution it transposes, both on the windows of `g`.
        g = activation_gradient(g, ans, activation)
        dx = np.empty(x.shape, g.dtype) if 0 in argnums else None

        def part(i, rows):
            owner = _Windows()
            cols = _im2col(g[rows], geo, 1, owner=owner)
            if dx is not None:
                _product_into(dx[rows], cols, kernel, 1)
            return _kernel_grad(cols, x[rows], 1, kernel.shape) if 1 in argnums else None

        partial = run_parts(part, _transpose_parts(x, kernel))
        grads = []
        for argnum in argnums:
            if argnum == 0:
                grads.append(dx)
            elif argnum == 1:
                grads.append(sum(partial))
            else:
                grads.append(bias_gradient(g))
        return grads

    return vjp


defvjp_argnums(_conv_transpose, _conv_transpose_vjp)
