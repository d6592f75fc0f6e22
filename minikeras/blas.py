"""Matrix products that stay on one BLAS thread when they are small.

OpenBLAS (NumPy's BLAS on Linux and Windows) splits even tiny products over every core. For the
products of the small models courses train (a batch of 32 rows times a 784×128 kernel) thread
start-up and synchronisation cost more than the arithmetic: measured on a 2-core machine, such a
product takes 3× longer on two threads than on one, and 10–70× longer when the other core is
busy. Large products (convolutions over many image positions) do gain from threads, so only
products under `SMALL_PRODUCT` multiply-adds are pinned to one thread, for their duration.
Without a recognisable OpenBLAS (e.g. Accelerate or MKL builds) this is plain `np.dot`.
"""

import ctypes
import glob
import os

import numpy as np

SMALL_PRODUCT = 1 << 24  # multiply-adds; measured crossover between one and two threads


def _find_openblas():
    """The OpenBLAS `(get_num_threads, set_num_threads)` pair bundled with NumPy, or None."""
    base = os.path.dirname(os.path.dirname(np.__file__))
    for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*"):
        for path in glob.glob(os.path.join(base, pattern)):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                                   ("openblas", "64_"), ("openblas", "")):
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if getter is not None and setter is not None:
                    return getter, setter
    return None


_THREADS = _find_openblas()


def dot(a, b):
    """`np.dot(a, b)` for 2-D `a`, on one BLAS thread when the product is small."""
    if _THREADS is None or a.shape[0] * a.shape[1] * b.shape[-1] >= SMALL_PRODUCT:
        return np.dot(a, b)
    get_threads, set_threads = _THREADS
    threads = get_threads()
    if threads == 1:
        return np.dot(a, b)
    set_threads(1)
    try:
        return np.dot(a, b)
    finally:
        set_threads(threads)
