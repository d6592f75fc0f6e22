"""Reading an HDF5 file in a child process first, so that HDF5 bugs cannot crash or hang us.

The HDF5 library trusts the file's structure: some damaged files make it crash (a segmentation
fault) or loop forever, which no Python `try` can catch. A fuzz of thousands of damaged copies
of a saved model finds a few. So before a file is read, `probe` reads all of it in a forked
child process with a time limit; a crash or a hang there becomes a `ValueError` in the
caller, and errors HDF5 does report are left to the real read, which explains them.

The probe runs only where forking is safe: on Linux, in a process with no other thread. A child
forked while another thread holds a lock (h5py's own, say) can wait on it forever, which would
report a good file as damaged; on macOS system frameworks make forking unsafe (Python itself
stopped defaulting to it there). Elsewhere, and in notebooks (whose kernels run threads),
files are read directly.
"""

import ctypes
import faulthandler
import os
import select
import signal
import sys
import threading

import h5py

from minikeras.ops.nn import batch_split
from minikeras.saving import h5_contained

# How long the child may take to read a file before it is deemed hung, and the largest
# dataset it reads (bigger ones: their headers only).
PROBE_SECONDS = 60
PROBE_DATASET_BYTES = 1 << 26
# Errors h5py (and the HDF5 library under it) raises on damaged content.
H5_ERRORS = (OSError, KeyError, ValueError, TypeError, RuntimeError, AttributeError, IndexError,
             UnicodeError)


def probe(open_file, prefix, seconds=None):
    """Reads a whole HDF5 file in a forked child process first: raises a `ValueError` starting
    with `prefix` when the HDF5 library crashes or does not finish within `seconds` (default
    `PROBE_SECONDS`) on it. Errors HDF5 reports are left to the real read, which explains
    them. Does nothing where forking is unsafe (see the module docstring).

    Args:
        open_file: a function returning the open `h5py.File`.
    """
    if not fork_is_safe():
        return
    seconds = PROBE_SECONDS if seconds is None else seconds
    read_end, write_end = os.pipe()  # closed when the child ends, however it ends
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: read everything, report nothing but how it ended
        try:
            faulthandler.disable()  # a crash here is reported by the parent, not dumped
            os.close(read_end)
            _die_with(parent)
            with open_file() as f:
                _read_everything(f)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        ended, _, _ = select.select([read_end], [], [], seconds)
    except BaseException:  # Ctrl-C while waiting: the child must not outlive the load
        _end(pid)
        raise
    finally:
        os.close(read_end)
    if not ended:
        _end(pid)
        raise ValueError(f"{prefix}: the HDF5 library did not finish reading it in {seconds} "
                         "seconds; the file is damaged.")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        raise ValueError(f"{prefix}: the HDF5 library crashed reading it (signal "
                         f"{os.WTERMSIG(status)}); the file is damaged.")


def _end(pid):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _die_with(parent):
    """Has the kernel kill this child when its parent dies (SIGTERM, SIGKILL: no `finally` of
    the parent's runs then), so no probe outlives the process that started it."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(0)


def fork_is_safe():
    """True on Linux when this process runs no other thread (minikeras's own idle worker
    thread is ended first: see `batch_split.stop_idle_worker`)."""
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        return False
    batch_split.stop_idle_worker()
    return threading.active_count() == 1


def _read_everything(file):
    """Every attribute and (not too large) dataset of `file`, going on past errors (the real
    read reports them). Stops at a member that points outside the file (`h5_contained`): its
    content is never read, and the real read refuses the file."""
    try:
        for _, obj in h5_contained.objects(file):
            _read_attributes(obj)
            if isinstance(obj, h5py.Dataset) and \
                    obj.size * obj.dtype.itemsize <= PROBE_DATASET_BYTES:
                _try(lambda: obj[()])
    except H5_ERRORS:  # UncontainedError is a ValueError
        pass
    _read_attributes(file)


def _read_attributes(obj):
    try:
        for name in obj.attrs:
            _try(lambda: obj.attrs[name])
    except H5_ERRORS:
        pass


def _try(read):
    try:
        return read()
    except H5_ERRORS:
        return None
