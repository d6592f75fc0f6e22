"""`keras.utils.PyDataset` (Keras 3) and `keras.utils.Sequence` (Keras 2): batches by index.

A subclass implements `__len__` (the number of batches) and `__getitem__(index)` (one whole
batch: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`); `fit`, `evaluate` and `predict`
read batches `0 .. len - 1` each epoch (in a shuffled order when `fit` is given
`shuffle=True`, its default, as Keras 2 and 3 do) and call `on_epoch_end()` after each epoch.

Keras 3 made `Sequence` another name of `PyDataset` (`keras.utils.Sequence is
keras.utils.PyDataset`), and so does minikeras. A Keras 2 `Sequence` subclass that never calls
`super().__init__()` works: the parallelism settings have class-level defaults.
"""

import itertools


class PyDataset:
    """Base class of a dataset whose batches are computed by Python code, as
    `keras.utils.PyDataset`.

    Args:
        workers: worker threads or processes Keras uses to prepare batches ahead (default 1).
        use_multiprocessing: use processes rather than threads (default False).
        max_queue_size: batches prepared ahead (default 10).

    The three arguments are recorded, as Keras records them, but minikeras prepares each batch
    in the training thread when it is needed, in order: a batch's random augmentation then
    does not depend on thread timing, and on the small CPU machines minikeras targets the
    cores are already busy with the training step.
    """

    # Class-level defaults: a Keras 2 `Sequence` subclass rarely calls `super().__init__()`.
    workers = 1
    use_multiprocessing = False
    max_queue_size = 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        """Returns batch number `index` (0-based)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(self, "
                                  "index)`, returning one batch.")

    def __len__(self):
        """Returns the number of batches (per epoch)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__(self)`, "
                                  "returning the number of batches, or the `num_batches` "
                                  "property (None for an endless dataset).")

    @property
    def num_batches(self):
        """The number of batches per epoch: `len(self)`; None (an override) for an endless
        dataset."""
        return len(self)

    def __iter__(self):
        """Yields the batches in order (endlessly when `num_batches` is None)."""
        count = self.num_batches
        for index in itertools.count() if count is None else range(count):
            yield self[index]

    def on_epoch_begin(self):
        """Called at the start of every epoch (Keras 3)."""

    def on_epoch_end(self):
        """Called at the end of every epoch (e.g. to reshuffle the samples)."""


# Keras 3 exports one class under both names.
Sequence = PyDataset
