"""One BLAS thread count for the whole process, set once when minikeras is imported.

NumPy's matrix products run on OpenBLAS (on Linux and Windows wheels), whose thread count is
process-wide. minikeras sets it once, at import, to `DEFAULT_THREADS`, unless the user already
chose it through `OPENBLAS_NUM_THREADS`, `GOTO_NUM_THREADS` or `OMP_NUM_THREADS` (read by
OpenBLAS when NumPy loads it; then minikeras leaves it alone). `minikeras.config.set_blas_threads`
changes it later. Nothing changes it per call: flipping it around each product made results
depend on which other thread was inside BLAS at that moment (OpenBLAS's float32 products are not
bit-identical between one and two threads), and cost more time than it saved.

Why one thread by default. Seconds per epoch (best of 3 epochs; median and range of 10 runs),
2-core machine, OpenBLAS 0.3.31; "busy" = another process spinning one core
(`benchmarks/mnist_mlp_epoch.py` and `benchmarks/large_batch_regression.py`, `--busy-cores 1`);
"idle" adds no load, but the machine was shared, hence the long tails:

    model                              threads   idle                busy
    MNIST MLP 784-128-10, batch 32     1         0.75 (0.73-0.77)    0.75 (0.73-2.26)
                                       2         0.75 (0.65-4.99)    1.78 (1.46-4.40)
    1M x 10 rows, 64-64-1, batch 4096  1         0.53 (0.52-0.58)    0.55 (0.51-0.82)
                                       2         0.42 (0.41-2.85)    1.20 (0.97-2.30)

Two threads gain a fifth on large products when the other core is free, and lose 2-2.5x (up to
6x) as soon as anything else wants it: OpenBLAS's threads wait for each other, and a waiting
thread on a busy core stalls the product. One BLAS thread also leaves the other cores to
Python threads (NumPy releases the GIL inside products), e.g. several models training side by
side. A user with idle cores and large batches can opt in to more.

Without a recognisable OpenBLAS (NumPy built on MKL or Accelerate) minikeras sets nothing and
`set_threads` raises: use that library's own variable (`MKL_NUM_THREADS`, `VECLIB_MAXIMUM_THREADS`).
"""

import ctypes
import glob
import os

import numpy as np

DEFAULT_THREADS = 1
ENV_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")

# Kept for the call sites in `minikeras.ops.nn`: a product is a plain `np.dot`.
dot = np.dot


def _candidate_paths():
    """Shared libraries that may be NumPy's OpenBLAS: those already loaded (Linux), then the wheel's."""
    loaded = []
    if os.path.exists("/proc/self/maps"):
        with open("/proc/self/maps") as maps:
            loaded = [line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]]
    base = os.path.dirname(os.path.dirname(np.__file__))
    bundled = [path for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*")
               for path in sorted(glob.glob(os.path.join(base, pattern)))]
    return list(dict.fromkeys(loaded + bundled))


def _find_openblas():
    """The OpenBLAS `(get_num_threads, set_num_threads)` pair NumPy uses, or None."""
    for path in _candidate_paths():
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


_OPENBLAS = _find_openblas()


def threads():
    """Returns OpenBLAS's current thread count, or None when NumPy does not use OpenBLAS."""
    return None if _OPENBLAS is None else int(_OPENBLAS[0]())


def set_threads(n):
    """Sets OpenBLAS's thread count for the whole process.

    Args:
        n: a positive integer.

    Raises:
        ValueError: if `n` is not a positive integer.
        RuntimeError: if NumPy's BLAS is not an OpenBLAS that minikeras can find.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"Expected the number of BLAS threads to be a positive integer, received: {n!r}")
    if _OPENBLAS is None:
        raise RuntimeError(
            "minikeras cannot set the BLAS thread count: NumPy's BLAS is not an OpenBLAS it can find "
            "(MKL or Accelerate?). Set that library's own variable (MKL_NUM_THREADS, "
            "VECLIB_MAXIMUM_THREADS) before starting Python."
        )
    _OPENBLAS[1](int(n))


def user_chose_threads():
    """True when the environment sets a thread count that OpenBLAS reads at load time."""
    return any(os.environ.get(name, "").strip() for name in ENV_VARS)


if _OPENBLAS is not None and not user_chose_threads():
    set_threads(DEFAULT_THREADS)
