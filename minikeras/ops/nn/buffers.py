"""Large scratch arrays reused between calls instead of allocated afresh each step.

A fresh array of tens of megabytes is mapped by the kernel page by page on first touch; the
convolutions of one MNIST CNN step allocate a few hundred megabytes of scratch (im2col
matrices, per-tap products), and on the 2-core test machine the page faults cost ~18 % of the
step's CPU time (300 -> 245 ms per step when glibc was told to keep freed memory). The pool
keeps freed scratch arrays by shape and dtype and hands them out again.

The contract of `minikeras.ops.nn` applies: a pooled array is private to the primitive that
took it, never returned to a caller and never aliased by a returned array. `scratch` is for
arrays used within one call; `lease` ties an array's return to the life of an object (the
windows a VJP keeps from the forward pass to the backward pass).
"""

import contextlib
import math
import threading
import weakref

import numpy as np

# Arrays smaller than this come from malloc (its heap reuses them); the pool keeps at most
# `MAX_PER_SHAPE` free arrays of each shape and `MAX_BYTES` in all.
MIN_BYTES = 1 << 20
MAX_PER_SHAPE = 4
MAX_BYTES = 1 << 30

_lock = threading.Lock()
_free = {}
_held = [0]  # bytes held by the free lists


def _key(shape, dtype):
    return tuple(int(s) for s in shape), np.dtype(dtype).str


def take(shape, dtype):
    """An uninitialized array from the pool (or a new one)."""
    key = _key(shape, dtype)
    with _lock:
        arrays = _free.get(key)
        if arrays:
            array = arrays.pop()
            _held[0] -= array.nbytes
            return array
    return np.empty(key[0], dtype)


def give(array):
    """Returns an array to the pool (dropped when the pool is full or the array is small)."""
    if array.nbytes < MIN_BYTES:
        return
    key = _key(array.shape, array.dtype)
    with _lock:
        arrays = _free.setdefault(key, [])
        if len(arrays) < MAX_PER_SHAPE and _held[0] + array.nbytes <= MAX_BYTES:
            arrays.append(array)
            _held[0] += array.nbytes


@contextlib.contextmanager
def scratch(shape, dtype):
    """An uninitialized array for the duration of a `with` block."""
    array = take(shape, dtype)
    try:
        yield array
    finally:
        give(array)


def lease(owner, shape, dtype):
    """An uninitialized array that goes back to the pool when `owner` is garbage-collected."""
    array = take(shape, dtype)
    weakref.finalize(owner, give, array)
    return array


def _offsets(shapes, dtype):
    """Where each array of `shapes` starts in one block (in elements, each start a multiple
    of 64 bytes from the block's, as the vector units like) and the block's length."""
    align = max(1, 64 // np.dtype(dtype).itemsize)
    offsets, total = [], 0
    for shape in shapes:
        offsets.append(total)
        total += -(-math.prod(shape) // align) * align
    return offsets, total


def _carve(block, shapes, offsets):
    return [block[o:o + math.prod(shape)].reshape(shape) for shape, o in zip(shapes, offsets)]


def lease_arrays(owner, shapes, dtype):
    """Uninitialized arrays of `shapes`, carved from one pooled block (a step's many buffers
    reach `MIN_BYTES` together) that goes back to the pool when `owner` is garbage-collected."""
    offsets, total = _offsets(shapes, dtype)
    return _carve(lease(owner, (total,), dtype), shapes, offsets)


@contextlib.contextmanager
def scratch_arrays(shapes, dtype):
    """Uninitialized arrays of `shapes` from one pooled block, for a `with` block."""
    offsets, total = _offsets(shapes, dtype)
    with scratch((total,), dtype) as block:
        yield _carve(block, shapes, offsets)


def clear():
    """Drops every free array (the memory goes back to malloc)."""
    with _lock:
        _free.clear()
        _held[0] = 0
