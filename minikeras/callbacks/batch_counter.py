"""Counting training batches across epochs, for callbacks that act every `save_freq` batches."""


class BatchCounter:
    """True every `every` training batches, counted across epochs as Keras counts `save_freq`.

    Args:
        every: the number of batches between two `True`s.
    """

    def __init__(self, every):
        self.every = every
        self._since_last = 0
        self._last_batch = None

    def tick(self, batch):
        """Counts the batches up to `batch` (its index in the epoch); True when `every` have
        passed since the last True."""
        if self._last_batch is None or batch <= self._last_batch:
            added = batch + 1  # a new epoch started
        else:
            added = batch - self._last_batch
        self._since_last += added
        self._last_batch = batch
        if self._since_last >= self.every:
            self._since_last = 0
            return True
        return False
