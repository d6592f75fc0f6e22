"""Batches from Python data pipelines, for `fit`, `evaluate` and `predict`.

Three kinds of pipeline are read, besides arrays (which `data.py` slices):

- a **generator** (or any iterator): each `next()` is one batch; it is read once, so its
  batches are spread over the epochs;
- a **`keras.utils.PyDataset` / `Sequence`** (or any object with `__len__` and
  `__getitem__`, such as `ImageDataGenerator.flow()`): batch `i` is `data[i]`, each epoch
  reads batches `0 .. len - 1` (in a shuffled order with `shuffle=True`) and then calls
  `on_epoch_end()`;
- any other **iterable of batches** (`tf.data.Dataset`): each epoch iterates it afresh; `len()`
  (when it has one) is its number of batches; a dataset whose `cardinality()` is unknown (-2,
  `Dataset.from_generator`) is read to its end in each epoch.

A batch is `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` (a list is read as a tuple), as
Keras's `unpack_x_y_sample_weight` reads it.

How many batches an epoch takes follows Keras 3's `EpochIterator` (see `PipelineEpochs`),
with one difference: a generator that runs dry stops training after the epoch in which it ran
out, as tf.keras 2 did, where Keras 3 would start the next epoch again on the few batches it
had peeked at.
"""

import itertools
import numbers
import warnings

import numpy as np

from minikeras.utils.batch_tuples import unpack_x_y_sample_weight  # noqa: F401 (re-exported)
from minikeras.utils.py_dataset import PyDataset

UNKNOWN_CARDINALITY = -2  # what `tf.data.Dataset.cardinality()` answers when it cannot count

RAN_OUT_MESSAGE = ("Your input ran out of data; interrupting training. Make sure that your "
                   "dataset or generator can generate at least `steps_per_epoch * epochs` "
                   "batches. You may need to use the `.repeat()` function when building your "
                   "dataset.")


def is_pipeline(data):
    """Whether `data` is a generator, a `PyDataset`/`Sequence` or an iterable of batches,
    rather than arrays (NumPy arrays, anything with `shape` or `__array__`, and lists,
    tuples or dicts of them)."""
    if data is None or isinstance(data, (np.ndarray, list, tuple, dict, str, bytes, range,
                                         numbers.Number)):
        return False
    if isinstance(data, PyDataset):
        return True
    if hasattr(data, "shape") or hasattr(data, "__array__"):
        return False
    return hasattr(data, "__iter__") or hasattr(data, "__next__") or (
        hasattr(data, "__getitem__") and hasattr(data, "__len__"))


class GeneratorSource:
    """A generator or other iterator: read once; every pass continues where the last stopped.

    Attributes:
        kind: what the user passed, for messages.
        num_batches: None (unknown).
        exhausted: whether the iterator has raised `StopIteration`.
    """

    kind = "generator"
    num_batches = None
    single_use = True
    endless = False  # read once: its end, or steps_per_epoch, ends training

    def __init__(self, iterator):
        self._iterator = iter(iterator)
        self._peeked = []
        self._count = 0  # batches given out so far: the index messages name
        self.exhausted = False

    def peek(self):
        """The next batch, without consuming it (None when there is none)."""
        if not self._peeked:
            try:
                self._peeked.append(next(self._iterator))
            except StopIteration:
                self.exhausted = True
                return None
        return self._peeked[0]

    def new_pass(self, rng=None, shuffle=False):
        """Yields `(index, batch)` until the iterator runs out."""
        while True:
            if self._peeked:
                batch = self._peeked.pop(0)
            else:
                try:
                    batch = next(self._iterator)
                except StopIteration:
                    self.exhausted = True
                    return
            index, self._count = self._count, self._count + 1
            yield index, batch

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


class SequenceSource:
    """A `PyDataset`/`Sequence`: batch `i` is `data[i]`; a pass reads every index once.

    Args:
        data: the object; its number of batches is `data.num_batches` (a `PyDataset`, None
            for an endless one) or `len(data)`.
    """

    single_use = False

    def __init__(self, data):
        self.data = data
        self.kind = type(data).__name__
        self._peeked = None  # (index 0, batch) read before the first pass

    @property
    def num_batches(self):
        if isinstance(self.data, PyDataset):
            count = self.data.num_batches
        else:
            count = len(self.data)
        return None if count is None else int(count)

    @property
    def endless(self):
        """Whether the dataset reports no number of batches (an endless `PyDataset`)."""
        return self.num_batches is None

    def peek(self):
        if self._peeked is None:
            self._peeked = self.data[0]
        return self._peeked

    def new_pass(self, rng=None, shuffle=False):
        """Yields `(index, data[index])` for each index of one pass (shuffled with `shuffle`,
        by `rng`; an endless dataset is read in order)."""
        count = self.num_batches
        if count is None:
            order = itertools.count()
        elif shuffle:
            order = rng.permutation(count).tolist()
        else:
            order = range(count)
        for index in order:
            if index == 0 and self._peeked is not None:
                batch, self._peeked = self._peeked, None  # read once, used once
            else:
                batch = self.data[index]
            yield index, batch

    def on_epoch_begin(self):
        hook = getattr(self.data, "on_epoch_begin", None)
        if callable(hook):
            hook()

    def on_epoch_end(self):
        hook = getattr(self.data, "on_epoch_end", None)
        if callable(hook):
            hook()


class IterableSource:
    """An iterable of batches that can be iterated again (`tf.data.Dataset`): each pass is a
    new iteration; `len()`, when it answers, is the number of batches."""

    single_use = False

    def __init__(self, data):
        self.data = data
        self.kind = type(data).__name__
        self._peeked = None  # (iterator, [first batch]) made by `peek` for the first pass

    @property
    def num_batches(self):
        try:
            return int(len(self.data))
        except TypeError:  # endless (`repeat()`) or unknown, as TensorFlow answers
            return None

    @property
    def endless(self):
        """Whether a pass may never end: no `len()`, unless `cardinality()` says the number of
        batches is merely unknown (-2, `tf.data.experimental.UNKNOWN_CARDINALITY`)."""
        if self.num_batches is not None:
            return False
        cardinality = getattr(self.data, "cardinality", None)
        return not (callable(cardinality) and int(cardinality()) == UNKNOWN_CARDINALITY)

    def peek(self):
        if self._peeked is None:
            iterator = iter(self.data)
            first = next(iterator, None)
            self._peeked = (iterator, [] if first is None else [first])
        return self._peeked[1][0] if self._peeked[1] else None

    def new_pass(self, rng=None, shuffle=False):
        if self._peeked is not None:
            iterator, first = self._peeked
            self._peeked = None
            iterator = itertools.chain(first, iterator)
        else:
            iterator = iter(self.data)
        for index, batch in enumerate(iterator):
            yield index, batch

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


def make_source(data):
    """The source that reads `data` (see the module docstring)."""
    if isinstance(data, PyDataset) or (hasattr(data, "__getitem__") and hasattr(data, "__len__")):
        return SequenceSource(data)
    if hasattr(data, "__next__") or not hasattr(data, "__iter__"):
        return GeneratorSource(data)
    if iter(data) is data:  # an iterator without __next__ found above: read once
        return GeneratorSource(data)
    return IterableSource(data)


class PipelineEpochs:
    """Which batches of a source each epoch reads, with Keras 3's rules.

    Without `steps_per_epoch`, every epoch is one whole pass. With it, the passes are consumed
    across epochs: an epoch takes the next `steps_per_epoch` batches of the current pass; a
    pass that ends before the epoch does ends the epoch early, with Keras's "Your input ran
    out of data" warning, and the next epoch starts a new pass. A pass used up exactly at an
    epoch's end is renewed silently. A generator has only one pass: once it is dry, `has_more`
    is False and `fit` stops training.

    Args:
        source: a `GeneratorSource`, `SequenceSource` or `IterableSource`.
        steps_per_epoch: batches per epoch, or None.
        shuffle: shuffle the order of a `Sequence`'s batches in each pass.

    Attributes:
        warned: whether an epoch ended short of `steps_per_epoch` (and said so).
    """

    def __init__(self, source, steps_per_epoch=None, shuffle=False):
        self.source = source
        self.steps_per_epoch = steps_per_epoch
        self.shuffle = shuffle
        self.warned = False
        self._pass = None       # the current pass (kept across epochs with steps_per_epoch)
        self._seen = 0          # batches read from it

    @property
    def steps(self):
        """The batches an epoch aims for (the progress bar's target), or None if unknown."""
        return self.steps_per_epoch or self.source.num_batches

    def check(self, method, steps_argument="steps_per_epoch"):
        """Raises a ValueError for a source with no batch, or one known to be endless when no
        step count bounds an epoch; reads the first batch (kept for the first epoch)."""
        source = self.source
        if source.num_batches == 0 or source.peek() is None:
            raise ValueError(f"`{method}()` received a {source.kind} with no batches: it must "
                             "give at least one batch.")
        if self.steps is None and source.endless:
            raise ValueError(
                f"`{method}()` received an endless {source.kind} (it reports no number of "
                f"batches): pass `{steps_argument}` to say how many batches make an epoch.")

    def restart(self):
        """Makes the next epoch start a new pass (a generator continues: it has one pass)."""
        self._pass, self._seen = None, 0

    def has_more(self):
        """False once a generator is dry (a Sequence or dataset can always start a pass)."""
        return not self.source.single_use or self.source.peek() is not None

    def epoch(self, rng=None):
        """Yields `(index, batch)` for the batches of the next epoch, then calls the source's
        `on_epoch_end()`.

        Args:
            rng: the generator that shuffles a `Sequence`'s batch order.
        """
        source = self.source
        source.on_epoch_begin()
        try:
            limit = self.steps_per_epoch
            count = source.num_batches
            if limit is None or self._pass is None or (count is not None and self._seen >= count):
                self._pass, self._seen = source.new_pass(rng, self.shuffle), 0
            taken = 0
            for item in self._pass:
                self._seen += 1
                taken += 1
                yield item
                if limit is not None and taken >= limit:
                    break
            else:
                self._pass = None  # the pass ended within this epoch
                if limit is not None and taken < limit:
                    self.warned = True
                    warnings.warn(RAN_OUT_MESSAGE, UserWarning, stacklevel=3)
        finally:
            source.on_epoch_end()
