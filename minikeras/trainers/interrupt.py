"""Ctrl-C during `fit` stops training at a batch boundary.

A `KeyboardInterrupt` raised wherever Python happens to be could land while the step's new
values are being written into the Variables, leaving some layers one step ahead of others.
Inside `StopAtBatchBoundary` the first Ctrl-C only records the request; the training loop
calls `check()` between batches, which raises the `KeyboardInterrupt` there. A second Ctrl-C
raises at once, for a user who does not want to wait for the batch to finish.
"""

import signal
import threading


class StopAtBatchBoundary:
    """Defers SIGINT to the next `check()` while the context is active.

    The handler is installed only in the main thread and only when SIGINT has Python's
    default handler (a program or notebook that installed its own keeps it); otherwise
    `check()` does nothing and a `KeyboardInterrupt` arrives as usual.
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        self.requested = False
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self):
        """Raises the deferred `KeyboardInterrupt`, if Ctrl-C was pressed since `__enter__`."""
        if self.requested:
            self.requested = False
            raise KeyboardInterrupt
