"""The pooling primitives: values against a direct loop over windows, gradients by the shared
check on every code path (disjoint windows that cover the input or leave a remainder, strides
larger than the pool, overlapping windows, `'same'` padding, channels_first), and the routing
of max-pool gradients to the first maximum of each window when a window holds its maximum
more than once."""

import itertools

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras.ops import nn
from tests.conftest import mnist_cached
from tests.ops.gradcheck import check_grads


def _window_bounds(spatial, pool, strides, padding):
    """The output sizes and the pad before each axis, as TensorFlow's pooling places windows."""
    if padding == "same":
        out = [-(-n // s) for n, s in zip(spatial, strides)]
        before = [max((o - 1) * s + p - n, 0) // 2
                  for o, s, p, n in zip(out, strides, pool, spatial)]
    else:
        out = [(n - p) // s + 1 for n, p, s in zip(spatial, pool, strides)]
        before = [0] * len(spatial)
    return out, before


def reference_pool(x, pool, strides, padding, mode):
    """Max or average pooling, one window at a time (channels_last), padding never counted."""
    spatial = x.shape[1:-1]
    out, before = _window_bounds(spatial, pool, strides, padding)
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    for o in itertools.product(*(range(n) for n in out)):
        index = tuple(slice(max(i * s - b, 0), min(i * s - b + p, n))
                      for i, s, b, p, n in zip(o, strides, before, pool, spatial))
        window = x[(slice(None),) + index]
        axes = tuple(range(1, len(spatial) + 1))
        y[(slice(None),) + o] = window.max(axis=axes) if mode == "max" else window.mean(axis=axes)
    return y


def reference_max_pool_gradient(x, g, pool, strides, padding, first_only=True):
    """The input gradient of max pooling, each window's cotangent sent to its FIRST maximum
    (row-major order inside the window), as TensorFlow and JAX route it; with `first_only`
    False, to every element equal to the maximum (the equality mask, which is wrong)."""
    spatial = x.shape[1:-1]
    out, before = _window_bounds(spatial, pool, strides, padding)
    dx = np.zeros_like(x)
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[-1])):
        for o in itertools.product(*(range(n) for n in out)):
            best, where = -np.inf, []
            for tap in itertools.product(*(range(p) for p in pool)):
                pos = tuple(i * s - bf + t for i, s, bf, t in zip(o, strides, before, tap))
                if not all(0 <= q < n for q, n in zip(pos, spatial)):
                    continue
                value = x[(b,) + pos + (c,)]
                if value > best:
                    best, where = value, [pos]
                elif value == best and not first_only:
                    where.append(pos)
            for pos in where:
                dx[(b,) + pos + (c,)] += g[(b,) + o + (c,)]
    return dx


# Each case takes another code path of `pool._Windows`.
CASES = [
    ((2,), (2,), "valid", (2, 8, 3)),             # disjoint, covering: written in place
    ((2, 2), (2, 2), "valid", (2, 6, 8, 3)),
    ((2, 2), (2, 2), "valid", (2, 7, 5, 3)),      # disjoint, a remainder left out: zeroed first
    ((2, 2), (3, 3), "valid", (2, 7, 8, 2)),      # strides larger than the pool: gaps
    ((3, 3), (2, 2), "valid", (2, 7, 8, 2)),      # overlapping: accumulated
    ((3, 2), (1, 2), "valid", (2, 5, 6, 2)),
    ((2, 2), (2, 2), "same", (2, 6, 8, 3)),       # 'same' that needs no padding
    ((2, 2), (2, 2), "same", (2, 7, 5, 3)),       # padded after
    ((3, 3), (2, 2), "same", (2, 6, 7, 2)),       # padded before and after, overlapping
    ((3, 3), (1, 1), "same", (1, 5, 5, 2)),
    ((1, 1), (2, 2), "same", (1, 5, 5, 2)),       # one tap per window
    ((2, 2, 2), (2, 2, 2), "valid", (2, 4, 4, 6, 2)),
    ((2, 3, 2), (1, 2, 2), "same", (1, 5, 4, 5, 2)),
    ((3,), (2,), "same", (2, 9, 3)),
]


def _ids(cases):
    return [f"pool{p}-strides{s}-{pad}-in{shape[1:-1]}" for p, s, pad, shape in cases]


@pytest.mark.parametrize("pool,strides,padding,shape", CASES, ids=_ids(CASES))
@pytest.mark.parametrize("mode", ["max", "average"])
def test_values_match_a_loop_over_windows(pool, strides, padding, shape, mode):
    x = np.random.default_rng(0).normal(size=shape)
    fn = nn.max_pool if mode == "max" else nn.average_pool
    np.testing.assert_allclose(fn(x, pool, strides, padding),
                               reference_pool(x, pool, strides, padding, mode), rtol=1e-12)


@pytest.mark.parametrize("pool,strides,padding,shape", CASES, ids=_ids(CASES))
@pytest.mark.parametrize("mode", ["max", "average"])
def test_gradients_by_the_shared_check(pool, strides, padding, shape, mode):
    x = np.random.default_rng(1).normal(size=shape)  # no ties: central differences are valid
    fn = nn.max_pool if mode == "max" else nn.average_pool
    check_grads(fn, x, pool, strides, padding)


FIRST_CASES = [CASES[1], CASES[4], CASES[8], CASES[12]]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("pool,strides,padding,shape", FIRST_CASES, ids=_ids(FIRST_CASES))
def test_channels_first_pools_the_axes_after_the_channels(pool, strides, padding, shape, mode):
    x = np.random.default_rng(2).normal(size=shape)
    fn = nn.max_pool if mode == "max" else nn.average_pool
    first = np.moveaxis(x, -1, 1).copy()
    np.testing.assert_allclose(fn(first, pool, strides, padding, data_format="channels_first"),
                               np.moveaxis(fn(x, pool, strides, padding), -1, 1), rtol=1e-12)
    check_grads(fn, first, pool, strides, padding, data_format="channels_first")


def test_strides_default_to_the_pool_size():
    x = np.random.default_rng(3).normal(size=(1, 6, 6, 1))
    np.testing.assert_array_equal(nn.max_pool(x, (3, 2)), nn.max_pool(x, (3, 2), (3, 2)))
    assert nn.average_pool(x, 3).shape == (1, 2, 2, 1)


def test_same_average_divides_by_the_real_elements_only():
    # A 3x3 window centred on a corner of a 3x3 image of ones covers 4 real elements: the mean
    # stays 1 everywhere (dividing by 9 would give 4/9 in the corners).
    x = np.ones((1, 3, 3, 1))
    np.testing.assert_array_equal(nn.average_pool(x, 3, 1, "same"), np.ones((1, 3, 3, 1)))
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    np.testing.assert_allclose(nn.average_pool(x, 3, 1, "same")[0, 0, 0, 0], (0 + 1 + 3 + 4) / 4)


def test_same_max_ignores_the_padding():
    x = -np.ones((1, 3, 3, 1)) * np.arange(1, 10).reshape(1, 3, 3, 1)  # all negative
    y = nn.max_pool(x, 2, 2, "same")  # padded windows would be 0 if padded with zeros
    np.testing.assert_array_equal(y[0, :, :, 0], [[-1, -3], [-7, -9]])


# ------------------------------------------------------------------------------ tie routing
def test_tied_maximum_sends_the_whole_gradient_to_the_first_tap_of_the_window():
    # Window (row-major): 1, 3 / 3, 0  -> the second tap wins, not both 3s.
    x = np.array([[1.0, 3.0], [3.0, 0.0]]).reshape(1, 2, 2, 1)
    dx = grad(lambda v: anp.sum(nn.max_pool(v, 2) * 5.0))(x)
    np.testing.assert_array_equal(dx[0, :, :, 0], [[0, 5], [0, 0]])
    # Four equal values (a ReLU's zeros): the first tap takes it all.
    dx = grad(lambda v: anp.sum(nn.max_pool(v, 2) * 5.0))(np.zeros((1, 2, 2, 1)))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[5, 0], [0, 0]])


@pytest.mark.parametrize("pool,strides,padding,shape", [CASES[1], CASES[2], CASES[4], CASES[8],
                                                         CASES[11], CASES[13]],
                         ids=_ids([CASES[1], CASES[2], CASES[4], CASES[8], CASES[11],
                                   CASES[13]]))
def test_ties_on_every_path_follow_the_first_maximum(pool, strides, padding, shape):
    rng = np.random.default_rng(4)
    # ReLU of values rounded to a few levels: most windows hold their maximum twice or more.
    x = np.maximum(np.round(rng.normal(size=shape)), 0).astype(np.float32)
    g = rng.normal(size=nn.max_pool(x, pool, strides, padding).shape).astype(np.float32)
    dx = grad(lambda v: anp.sum(nn.max_pool(v, pool, strides, padding) * g))(x)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, reference_max_pool_gradient(x, g, pool, strides, padding),
                               rtol=1e-6)
    # The sample does tie: an equality mask would give another gradient.
    mask = reference_max_pool_gradient(x, g, pool, strides, padding, first_only=False)
    assert not np.allclose(dx, mask)


def test_a_sample_with_many_ties_differs_from_an_equality_mask():
    x = np.zeros((1, 4, 4, 1), np.float32)
    x[0, :2, :2, 0] = [[2, 2], [2, 1]]
    dx = grad(lambda v: anp.sum(nn.max_pool(v, 2)))(x)
    assert dx.sum() == 4  # one unit per window: never 3 units for the three 2s
    assert dx[0, 0, 0, 0] == 1 and dx[0, 0, 1, 0] == 0 and dx[0, 1, 0, 0] == 0


# ---------------------------------------------------------------------------- global pooling
@pytest.mark.parametrize("axes,keepdims", [((1,), False), ((1, 2), True), ((2, 3), False),
                                           ((1, 2, 3), True)])
def test_global_pools(axes, keepdims):
    x = np.random.default_rng(5).normal(size=(2, 3, 4, 5))
    np.testing.assert_allclose(nn.global_average_pool(x, axes, keepdims),
                               x.mean(axis=axes, keepdims=keepdims))
    np.testing.assert_array_equal(nn.global_max_pool(x, axes, keepdims),
                                  x.max(axis=axes, keepdims=keepdims))
    check_grads(nn.global_average_pool, x, axes, keepdims)
    check_grads(nn.global_max_pool, x, axes, keepdims)


def test_global_max_shares_the_gradient_among_tied_maxima():
    x = np.array([[[1.0], [3.0], [3.0], [0.0]]])  # (1, 4, 1): two maxima
    dx = grad(lambda v: anp.sum(nn.global_max_pool(v, (1,)) * 4.0))(x)
    np.testing.assert_array_equal(dx[0, :, 0], [0, 2, 2, 0])


def test_float32_stays_float32_and_inputs_are_not_written():
    x = np.random.default_rng(6).normal(size=(2, 6, 6, 3)).astype(np.float32)
    before = x.copy()
    for fn in (nn.max_pool, nn.average_pool):
        for padding in ("valid", "same"):
            y = fn(x, 3, 2, padding)
            assert y.dtype == np.float32
            g = grad(lambda v: anp.sum(fn(v, 3, 2, padding)))(x)
            assert g.dtype == np.float32
    np.testing.assert_array_equal(x, before)


# ------------------------------------------------------------------------- two threads
@pytest.fixture
def split_everything(monkeypatch):
    """Every pooling, however small, runs on two threads over batch halves."""
    from minikeras.ops.nn import batch_split

    monkeypatch.setattr(batch_split, "MIN_WORK", 0)
    monkeypatch.setattr(batch_split, "THREADS", 2)


SPLIT_CASES = [CASES[1], CASES[2], CASES[4], CASES[8], CASES[10], CASES[12]]


@pytest.mark.parametrize("pool,strides,padding,shape", SPLIT_CASES, ids=_ids(SPLIT_CASES))
@pytest.mark.parametrize("mode", ["max", "average"])
def test_batch_halves_on_two_threads_give_the_same_values_and_gradients(
        pool, strides, padding, shape, mode, split_everything):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(3,) + shape[1:])  # an odd batch: halves of 2 and 1
    fn = nn.max_pool if mode == "max" else nn.average_pool
    np.testing.assert_allclose(fn(x, pool, strides, padding),
                               reference_pool(x, pool, strides, padding, mode), rtol=1e-12)
    check_grads(fn, x, pool, strides, padding)
    if mode == "max":
        tied = np.maximum(np.round(x), 0).astype(np.float32)
        g = rng.normal(size=fn(tied, pool, strides, padding).shape).astype(np.float32)
        dx = grad(lambda v: anp.sum(fn(v, pool, strides, padding) * g))(tied)
        np.testing.assert_allclose(
            dx, reference_max_pool_gradient(tied, g, pool, strides, padding), rtol=1e-6)


@pytest.mark.skipif(not mnist_cached(), reason="mnist.npz not in the Keras cache (CI seeds it)")
def test_real_mnist_windows_tie_and_route_to_their_first_maximum():
    from minikeras.datasets import mnist

    (images, _), _ = mnist.load_data()
    x = (images[:128] / 255.0).astype(np.float32)[..., None]  # (128, 28, 28, 1)
    windows = x.reshape(128, 14, 2, 14, 2).transpose(0, 1, 3, 2, 4).reshape(128, 14, 14, 4)
    top = windows.max(axis=-1)
    tied = (windows == top[..., None]).sum(axis=-1) > 1
    assert (tied & (top > 0)).sum() > 0.2 * (top > 0).sum()  # saturated strokes tie (~34 %)
    g = np.random.default_rng(9).normal(size=(128, 14, 14, 1)).astype(np.float32)
    dx = grad(lambda v: anp.sum(nn.max_pool(v, 2) * g))(x)
    # np.argmax picks the first maximum of each window (row-major: (0,0), (0,1), (1,0), (1,1)).
    first = np.eye(4, dtype=np.float32)[windows.argmax(axis=-1)] * g  # (128, 14, 14, 4)
    expected = first.reshape(128, 14, 14, 2, 2).transpose(0, 1, 3, 2, 4).reshape(128, 28, 28, 1)
    np.testing.assert_array_equal(dx, expected)
