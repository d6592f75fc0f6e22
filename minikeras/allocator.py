"""glibc's malloc thresholds, set once for the process when minikeras is imported.

Every training step allocates large arrays (activations, gradients, the optimizer's new state)
and frees them at its end. glibc's malloc serves a block above its *mmap threshold* with a fresh
mapping, returned to the system when freed, and gives the top of its heap back once more than
its *trim threshold* is free. Both start at 128 KiB. glibc raises them itself each time it
frees a mapped block bigger than the current threshold, up to 32 MiB and 64 MiB, but only as
far as the process's past allocations happen to take it. Until then each step maps (or grows
the heap for) its arrays again, and the kernel zero-fills every 4 KiB page on first touch.

Measured on a 2-core machine: a 200 000 × 10 regression through Dense(64) → Dense(64) →
Dense(1) at batch 4096 (`benchmarks/large_batch_regression.py`'s model on less data) took
about 1 000 page faults and 4.4 ms per step over four fits in a row. With the thresholds at
glibc's ceilings from the start, it took under one fault and 2.0 ms per step. A process that
had already freed a large dataset array (most course scripts convert their data) starts at
the ceilings anyway, and gets nothing from this.

So minikeras sets `M_MMAP_THRESHOLD` and `M_TRIM_THRESHOLD` to those ceilings once, at import.
Arrays of 32 MiB or more (datasets) are still mapped and given back to the system when freed;
the cost is that up to 64 MiB of freed heap can stay with the process.

The user's choice wins: when any `MALLOC_*` variable glibc reads at start-up is set, minikeras
leaves malloc alone. Elsewhere (macOS, Windows, musl) nothing is done.
"""

import ctypes
import os
import sys

# glibc's ceilings for its dynamic thresholds (malloc/malloc.c: DEFAULT_MMAP_THRESHOLD_MAX on
# 64-bit systems, and the trim threshold it pairs with it, twice as large).
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
ENV_VARS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
            "MALLOC_MMAP_MAX_")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def _glibc_mallopt():
    """glibc's `mallopt`, or None on another C library or system."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        return ctypes.CDLL("libc.so.6").mallopt
    except (ValueError, OSError, AttributeError):  # no such confstr name, library or symbol
        return None


def user_chose_malloc():
    """True when the environment sets a malloc parameter that glibc reads at start-up."""
    return any(os.environ.get(name, "").strip() for name in ENV_VARS)


def configure():
    """Sets the thresholds (see the module docstring); returns whether it did."""
    mallopt = _glibc_mallopt()
    if mallopt is None or user_chose_malloc():
        return False
    # The mmap threshold first: setting either one stops glibc's own adjustments.
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


CONFIGURED = configure()
