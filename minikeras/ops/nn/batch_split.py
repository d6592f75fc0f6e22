"""Large primitives on two Python threads, each on half of the batch.

NumPy releases the GIL inside BLAS products and large ufunc loops, so two Python threads, each
running one BLAS thread over half the batch, keep both cores of a laptop busy; measured 1.5x
faster on the MNIST CNN step than one thread with a two-thread BLAS (OpenBLAS's own threading
is poor on these medium products, and stalls when the other core is busy). See PERF_NOTES.

One worker thread is made on first use and kept; the calling thread runs the first half
itself. A primitive's work is split only when it is large enough to pay for the hand-off
(tens of microseconds), and never from inside the worker (no nesting, no deadlock). Results
do not depend on the split: each half is computed exactly as the whole would be for its rows,
and partial sums (a kernel gradient) are added in a fixed order.
"""

import concurrent.futures
import os
import threading

# Below this many multiply-adds a primitive runs on the calling thread alone.
MIN_WORK = 4_000_000
THREADS = 2 if (os.cpu_count() or 1) >= 2 else 1

_lock = threading.Lock()
_executor = None


def _worker():
    global _executor
    with _lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="minikeras-batch-half")
        return _executor


def stop_idle_worker():
    """Ends the worker thread when nothing else could be using it (the only threads are the
    caller and the worker, which is then idle); it is made again on next use. A process about
    to fork must run a single thread (hdf5_probe.py), and a kept worker would forbid that for
    the rest of the process."""
    global _executor
    with _lock:
        if _executor is not None and threading.active_count() == 2:
            _executor.shutdown(wait=True)
            _executor = None


def _in_worker():
    return threading.current_thread().name.startswith("minikeras-batch-half")


def batch_parts(n, work):
    """The batch slices to compute separately: two halves when `work` (multiply-adds) is large
    enough and there are two cores, else the whole batch."""
    if THREADS < 2 or n < 2 or work < MIN_WORK or _in_worker():
        return [slice(0, n)]
    half = (n + 1) // 2
    return [slice(0, half), slice(half, n)]


def run_parts(fn, parts):
    """`[fn(0, parts[0]), fn(1, parts[1]), ...]`, the later parts on the worker thread."""
    if len(parts) == 1:
        return [fn(0, parts[0])]
    future = _worker().submit(fn, 1, parts[1])
    try:
        first = fn(0, parts[0])
    finally:
        second = future.result()  # waits even when the first half raised
    return [first, second]
