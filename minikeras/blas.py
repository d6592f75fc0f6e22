"""minikeras's BLAS thread policy: one OpenBLAS thread while minikeras computes, the user's
count the rest of the time.

NumPy's matrix products run on OpenBLAS (on Linux and Windows wheels), whose thread count is one
number for the whole process. Importing minikeras changes nothing. `fit`, `evaluate`,
`predict` and the `*_on_batch` methods run inside `computing()`, which sets the count to
minikeras's (`DEFAULT_THREADS`, or what `minikeras.config.set_blas_threads` chose) and gives
the previous count back when they return. The calls are counted across threads: the first one
in sets minikeras's count, the last one out restores the user's, so models training side by
side in several threads all run on the same count from start to end. A user who chose the
count through `OPENBLAS_NUM_THREADS`, `GOTO_NUM_THREADS` or `OMP_NUM_THREADS` (read by
OpenBLAS when NumPy loads it) keeps it: minikeras then changes nothing, ever.

What stays process-wide: while any thread is inside one of those methods, every product in the
process runs on minikeras's count, the user's own NumPy code in other threads included;
OpenBLAS offers no per-thread setting. Eager calls (`model(x)`, a layer, a `tf.GradientTape`
loop) run on the user's count. The count is never changed per product: flipping it around
each product made results depend on which other thread was inside BLAS at that moment
(OpenBLAS's float32 products are not bit-identical between one and two threads), and cost
more time than it saved.

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

import contextlib
import ctypes
import glob
import os
import threading

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


def _check_count(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"Expected the number of BLAS threads to be a positive integer, received: {n!r}")


def _require_openblas():
    if _OPENBLAS is None:
        raise RuntimeError(
            "minikeras cannot set the BLAS thread count: NumPy's BLAS is not an OpenBLAS it can find "
            "(MKL or Accelerate?). Set that library's own variable (MKL_NUM_THREADS, "
            "VECLIB_MAXIMUM_THREADS) before starting Python."
        )


def set_threads(n):
    """Sets OpenBLAS's thread count for the whole process, now.

    Args:
        n: a positive integer.

    Raises:
        ValueError: if `n` is not a positive integer.
        RuntimeError: if NumPy's BLAS is not an OpenBLAS that minikeras can find.
    """
    _check_count(n)
    _require_openblas()
    _OPENBLAS[1](int(n))


def user_chose_threads():
    """True when the environment sets a thread count that OpenBLAS reads at load time."""
    return any(os.environ.get(name, "").strip() for name in ENV_VARS)


class _Policy:
    """The count minikeras computes with, and the bookkeeping of `computing()`."""

    def __init__(self):
        # None: leave the count alone (the user chose it in the environment, or no OpenBLAS).
        self.threads = None if _OPENBLAS is None or user_chose_threads() else DEFAULT_THREADS
        self.lock = threading.Lock()
        self.depth = 0       # calls inside `computing()`, in every thread
        self.saved = None    # the count to give back when the last one leaves


_policy = _Policy()


def policy_threads():
    """The count minikeras computes with (None: it leaves OpenBLAS's count alone)."""
    return None if _OPENBLAS is None else _policy.threads


def set_policy_threads(n):
    """Sets the count minikeras computes with (see `minikeras.config.set_blas_threads`);
    applied at once when some thread is computing, else at the next `fit`/`evaluate`/
    `predict`.

    Raises:
        ValueError: if `n` is not a positive integer.
        RuntimeError: if NumPy's BLAS is not an OpenBLAS that minikeras can find.
    """
    _check_count(n)
    _require_openblas()
    with _policy.lock:
        _policy.threads = int(n)
        if _policy.depth:
            if _policy.saved is None:
                _policy.saved = threads()
            set_threads(int(n))


@contextlib.contextmanager
def computing():
    """Runs the block on minikeras's thread count, counted across threads: the first thread
    in sets it, the last one out gives back the count found on entry."""
    policy = _policy
    with policy.lock:
        if policy.depth == 0 and policy_threads() is not None:
            current = threads()
            if current != policy.threads:
                policy.saved = current
                set_threads(policy.threads)
        policy.depth += 1
    try:
        yield
    finally:
        with policy.lock:
            policy.depth -= 1
            if policy.depth == 0 and policy.saved is not None:
                set_threads(policy.saved)
                policy.saved = None
