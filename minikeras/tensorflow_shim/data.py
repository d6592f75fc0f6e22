"""`tf.data.Dataset`: an input pipeline over NumPy arrays, for custom loops and `fit`.

`Dataset.from_tensor_slices(x)` (an array, an `(x, y)` tuple or a dict) slices the arrays
along their first axis, `Dataset.from_generator(fn, output_signature=...)` reads a Python
generator; `shuffle`, `batch`, `map`, `repeat`, `take`, `skip`, `cache` and
`prefetch` each return a new dataset, as TensorFlow's do. Iterating a dataset (`for x, y in
ds:`) runs the pipeline once, an epoch: elements are `EagerTensor`s (NumPy arrays with
`.numpy()`) in the structure given. `len(ds)` is the number of elements, so of batches after
`batch`, as TensorFlow's `len`; it raises TypeError for an infinite dataset (`repeat()`).

Shuffling is TensorFlow's algorithm: a buffer of `buffer_size` elements is filled in order, and
each element given out is drawn uniformly from the buffer and replaced by the next one (a
buffer as large as the dataset is a uniform permutation). With a `seed` the orders of the
epochs are the same on every run; without one they come from the global random state
(`tf.random.set_seed`). `reshuffle_each_iteration=False` repeats the first epoch's order.

How it runs: a dataset made by `from_tensor_slices` and transformed only by `shuffle`,
`repeat`, `take`, `skip` and `cache` is a stream of row numbers into the original arrays, and
`batch` gathers each batch with one indexing per array (a buffer at least as large as the data
shuffles with one permutation). Any other transformation (`map`, or transformations after a
`batch`) runs element by element in Python.
"""

import itertools

import numpy as np

from minikeras import tree
from minikeras.autograd_internals import getval
from minikeras.random_seed import make_rng
from minikeras.tensorflow_shim.missing import not_provided
from minikeras.tensorflow_shim.tensor import as_eager
from minikeras.tensorflow_shim.tensor_spec import conform, signature_from
from minikeras.variables import Variable

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


def _as_array(x):
    return np.asarray(getval(x.numpy() if isinstance(x, Variable) else x))


class Dataset:
    """A pipeline of elements (nested structures of arrays), as `tf.data.Dataset`.

    Made by `Dataset.from_tensor_slices`, `from_tensors` or `from_generator`, then
    transformed. Each transformation returns a new dataset and leaves this one as it was.
    """

    def __init__(self, make_iterator, cardinality, structure=None, rows=None):
        self._make_iterator = make_iterator  # () -> an iterator over elements (one epoch)
        self._cardinality = cardinality
        self._structure = structure
        # For a dataset of rows of arrays: `(structure, leaves, make_indices)`, where
        # make_indices() iterates one epoch's row numbers (see the module doc).
        self._rows = rows

    @staticmethod
    def _of_rows(structure, leaves, make_indices, cardinality):
        """The dataset of the rows `make_indices()` gives, of the arrays `leaves`."""
        def elements():
            for i in make_indices():
                yield _gather(structure, leaves, i)

        return Dataset(elements, cardinality, structure, (structure, leaves, make_indices))

    def _reindexed(self, make_indices, cardinality):
        """This dataset of rows, its row numbers transformed (`make_indices(parent_indices)`)."""
        structure, leaves, parent = self._rows
        return Dataset._of_rows(structure, leaves, lambda: make_indices(parent()), cardinality)

    # ------------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """The slices of `tensors` along their first axis, one element each.

        Args:
            tensors: an array, or a tuple or dict of arrays (nested structures too), all of the
                same length; a list is one array, as in TensorFlow.
        """
        if isinstance(tensors, list):
            tensors = _as_array(tensors)
        leaves = [_as_array(x) for x in tree.flatten(tensors)]
        if not leaves:
            raise ValueError("Dataset.from_tensor_slices: received an empty structure.")
        if any(leaf.ndim == 0 for leaf in leaves):
            raise ValueError("Dataset.from_tensor_slices: every component needs a first axis "
                             "to slice; received a scalar.")
        lengths = sorted({len(leaf) for leaf in leaves})
        if len(lengths) > 1:
            shapes = [leaf.shape for leaf in leaves]
            raise ValueError("Dataset.from_tensor_slices: all components must have the same "
                             f"size in their first dimension; received shapes {shapes}.")
        n = lengths[0]
        return Dataset._of_rows(tensors, leaves, lambda: iter(range(n)), n)

    @staticmethod
    def from_tensors(tensors, name=None):
        """One element: `tensors` itself."""
        element = tree.map_structure(_as_array, tensors) if tree.is_nested(tensors) \
            else _as_array(tensors)
        return Dataset(lambda: iter([element]), 1, tensors)

    @staticmethod
    def range(*args, **kwargs):
        """The integers of Python's `range(*args)`, as int64 scalars."""
        values = np.arange(*args, dtype=kwargs.get("dtype", np.int64))
        return Dataset(lambda: iter(values), len(values))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """The elements a Python generator yields, converted to the declared dtypes.

        Each pass over the dataset (each epoch of `fit`) calls `generator(*args)` afresh. The
        number of elements is unknown (`cardinality()` is -2), so `fit` reads a pass to its end
        unless `steps_per_epoch` is given.

        Args:
            generator: a callable returning an iterator (a generator function, not a generator
                object: that could be read only once).
            output_types: the dtype, or nested structure of dtypes, of each element (default
                None: given by `output_signature`).
            output_shapes: the shapes, in the structure of `output_types` (default None: any
                shape); `None` in a shape stands for any size.
            args: a tuple of values passed to `generator` as NumPy arrays (default None).
            output_signature: a nested structure of `tf.TensorSpec` (default None); use it
                or `output_types`, not both.

        Raises:
            TypeError: `generator` not callable, no signature, or an element (when read) whose
                structure or shape differs from the declared one.
        """
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        signature = signature_from(output_types, output_shapes, output_signature)
        arguments = tuple(np.asarray(a) for a in (args or ()))

        def elements():
            for element in generator(*arguments):
                yield conform(element, signature)

        return Dataset(elements, UNKNOWN_CARDINALITY, signature)

    # ------------------------------------------------------------------ transformations
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Elements in a random order, drawn from a buffer of `buffer_size` (see module doc)."""
        buffer_size = int(buffer_size)
        if buffer_size < 1 and buffer_size != AUTOTUNE:
            raise ValueError(f"Dataset.shuffle: `buffer_size` must be at least 1; received "
                             f"{buffer_size}.")
        rng = make_rng(seed)  # drawn once: each epoch continues its stream
        epoch_seeds = []

        n = self._cardinality
        size = max(n, 1) if buffer_size == AUTOTUNE else buffer_size

        def epoch_rng():
            if reshuffle_each_iteration or not epoch_seeds:
                epoch_seeds.append(int(rng.integers(2**63)))
            return np.random.default_rng(epoch_seeds[-1])

        if self._rows is not None:
            if 0 <= n <= size:  # the whole epoch fits in the buffer: a uniform permutation
                return self._reindexed(
                    lambda indices: iter(epoch_rng().permutation(np.fromiter(indices, np.int64,
                                                                             count=n))), n)
            return self._reindexed(lambda indices: _buffer_shuffle(indices, size, epoch_rng()),
                                   n)
        return Dataset(lambda: _buffer_shuffle(self._make_iterator(), size, epoch_rng()), n,
                       self._structure)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Consecutive elements stacked into batches of `batch_size` (the last one smaller
        unless `drop_remainder=True`)."""
        batch_size = int(batch_size)
        if batch_size < 1:
            raise ValueError(f"Dataset.batch: `batch_size` must be at least 1; received "
                             f"{batch_size}.")

        def batches():
            chunk = []
            for element in self._make_iterator():
                chunk.append(element)
                if len(chunk) == batch_size:
                    yield _stack(chunk)
                    chunk = []
            if chunk and not drop_remainder:
                yield _stack(chunk)

        def gathered():  # rows: one indexing per array and batch
            structure, leaves, make_indices = self._rows
            indices = make_indices()
            while True:
                chunk = np.fromiter(itertools.islice(indices, batch_size), np.int64)
                if not len(chunk) or (drop_remainder and len(chunk) < batch_size):
                    return
                yield _gather(structure, leaves, chunk)

        n = self._cardinality
        if n >= 0:
            n = n // batch_size if drop_remainder else -(-n // batch_size)
        return Dataset(batches if self._rows is None else gathered, n, self._structure)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """`map_func` applied to each element (a tuple element is passed as arguments)."""
        def mapped():
            for element in self._make_iterator():
                out = map_func(*element) if isinstance(element, tuple) else map_func(element)
                yield tree.map_structure(_as_array, out) if tree.is_nested(out) \
                    else _as_array(out)

        return Dataset(mapped, self._cardinality)

    def repeat(self, count=None, name=None):
        """The dataset `count` times over (default None: forever)."""
        def repeat_epochs(make_iterator):
            epoch = 0
            while count is None or count < 0 or epoch < count:
                yield from make_iterator()
                epoch += 1

        n = self._cardinality
        if count is None or count < 0:
            n = INFINITE_CARDINALITY if n != 0 else 0
        elif n >= 0:
            n = n * int(count)
        if self._rows is not None:
            structure, leaves, parent = self._rows
            return Dataset._of_rows(structure, leaves, lambda: repeat_epochs(parent), n)
        return Dataset(lambda: repeat_epochs(self._make_iterator), n, self._structure)

    def take(self, count, name=None):
        """The first `count` elements (all for -1)."""
        count = int(count)
        limit = None if count < 0 else count
        n = self._cardinality
        if count >= 0:
            n = count if n == INFINITE_CARDINALITY else (min(n, count) if n >= 0 else n)
        if self._rows is not None:
            return self._reindexed(lambda indices: itertools.islice(indices, limit), n)
        return Dataset(lambda: itertools.islice(self._make_iterator(), limit), n,
                       self._structure)

    def skip(self, count, name=None):
        """All but the first `count` elements."""
        count = max(int(count), 0)
        n = self._cardinality
        if n >= 0:
            n = max(n - count, 0)
        if self._rows is not None:
            return self._reindexed(lambda indices: itertools.islice(indices, count, None), n)
        return Dataset(lambda: itertools.islice(self._make_iterator(), count, None), n,
                       self._structure)

    def cache(self, filename="", name=None):
        """Keeps the elements of the first full epoch in memory and gives them out again
        (`filename` is accepted and ignored: the cache is never written to disk)."""
        stored = []

        def cached(make_iterator):
            if stored and stored[-1] is _COMPLETE:
                return iter(stored[:-1])
            return _filling(make_iterator(), stored)

        if self._rows is not None:  # the arrays are in memory: the rows' order is cached
            return self._reindexed(lambda indices: cached(lambda: indices), self._cardinality)
        return Dataset(lambda: cached(self._make_iterator), self._cardinality, self._structure)

    def prefetch(self, buffer_size, name=None):
        """The same dataset: elements are computed as they are asked for."""
        return self

    # ------------------------------------------------------------------ reading
    def __iter__(self):
        for element in self._make_iterator():
            yield tree.map_structure(as_eager, element) if tree.is_nested(element) \
                else as_eager(element)

    def as_numpy_iterator(self):
        """Iterates the elements as plain NumPy arrays."""
        for element in self._make_iterator():
            yield element

    def __len__(self):
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._cardinality < 0:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def cardinality(self):
        """The number of elements; -1 when infinite (`tf.data.INFINITE_CARDINALITY`)."""
        return as_eager(np.asarray(self._cardinality, dtype=np.int64))

    def __bool__(self):  # a dataset is truthy even when empty, as TensorFlow's
        return True

    def __repr__(self):
        return f"<Dataset cardinality={self._cardinality}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise not_provided(f"tf.data.Dataset.{name}")


_COMPLETE = object()


def _filling(iterator, stored):
    stored.clear()
    for element in iterator:
        stored.append(element)
        yield element
    stored.append(_COMPLETE)


def _buffer_shuffle(iterator, buffer_size, rng):
    buffer = []
    for element in iterator:
        if len(buffer) < buffer_size:
            buffer.append(element)
            continue
        i = int(rng.integers(len(buffer)))
        yield buffer[i]
        buffer[i] = element
    while buffer:
        i = int(rng.integers(len(buffer)))
        yield buffer[i]
        buffer[i] = buffer[-1]
        buffer.pop()


def _gather(structure, leaves, index):
    """The rows `index` (an int or an array of them) of each array, in `structure`."""
    if tree.is_nested(structure):
        return tree.pack_sequence_as(structure, [leaf[index] for leaf in leaves])
    return leaves[0][index]


def _stack(elements):
    first = elements[0]
    if tree.is_nested(first):
        columns = zip(*[tree.flatten(e) for e in elements])
        return tree.pack_sequence_as(first, [np.stack(c) for c in columns])
    return np.stack(elements)


def __getattr__(name):
    raise not_provided(f"tf.data.{name}")


class _Experimental:
    AUTOTUNE = AUTOTUNE
    INFINITE_CARDINALITY = INFINITE_CARDINALITY
    UNKNOWN_CARDINALITY = UNKNOWN_CARDINALITY

    def __getattr__(self, name):
        raise not_provided(f"tf.data.experimental.{name}")


experimental = _Experimental()

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "experimental"]
