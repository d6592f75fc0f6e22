"""The scratch-buffer pool behind the convolutions: arrays come back when their owner or their
`with` block ends, are handed out again, never twice at once, and small arrays are not kept."""

import gc

import numpy as np

from minikeras.ops.nn import buffers


def setup_function():
    buffers.clear()


def test_scratch_is_reused_and_never_shared_while_in_use():
    shape = (512, 1024)  # 2 MiB of float32
    with buffers.scratch(shape, np.float32) as a:
        with buffers.scratch(shape, np.float32) as b:
            assert a is not b
        first = a
    with buffers.scratch(shape, np.float32) as c:
        assert c is first or c is b


def test_a_lease_returns_when_its_owner_is_freed():
    class Owner:
        pass

    owner = Owner()
    leased = buffers.lease(owner, (1024, 1024), np.float32)
    assert buffers.take((1024, 1024), np.float32) is not leased
    del owner
    gc.collect()
    assert buffers.take((1024, 1024), np.float32) is leased


def test_small_arrays_and_other_dtypes_are_separate():
    small = buffers.take((10,), np.float32)
    buffers.give(small)
    assert buffers.take((10,), np.float32) is not small
    big = buffers.take((512, 1024), np.float32)
    buffers.give(big)
    assert buffers.take((512, 1024), np.float64) is not big
    assert buffers.take((512, 1024), np.float32) is big


def test_convolutions_reuse_their_windows_between_steps():
    from autograd import grad

    from minikeras.ops import nn

    rng = np.random.default_rng(0)
    x = rng.random((8, 40, 40, 16), dtype=np.float32)  # im2col matrix of 8*38*38 x 144: 6.6 MB
    k = rng.random((3, 3, 16, 8), dtype=np.float32)

    def loss(k):
        return nn.conv(x, k).sum()

    g1 = grad(loss)(k)
    held = sum(len(v) for v in buffers._free.values())
    assert held >= 1  # the windows came back after the backward pass
    g2 = grad(loss)(k)
    assert sum(len(v) for v in buffers._free.values()) == held  # and were reused
    np.testing.assert_array_equal(g1, g2)
