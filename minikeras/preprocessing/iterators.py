"""Keras 2's batch iterators over images (`ImageDataGenerator.flow` returns one).

An `Iterator` is both a Keras 2 `Sequence` (`len()` batches, `iterator[i]` is batch i,
`on_epoch_end()` reshuffles) and an endless Python iterator (`next(iterator)` walks the batches
epoch after epoch, reshuffling at each new epoch), as Keras 2's is.

Randomness is Keras 2's, without touching NumPy's global state: with a `seed`, the draws for
each batch (the shuffle at an epoch start, then each image's transform) come from
`np.random.RandomState(seed + batches_seen)`, the generator Keras 2 gets by calling
`np.random.seed(seed + batches_seen)`, so the same seed gives the same batches as Keras 2.
Without a seed they come from NumPy's global generator, as in Keras 2 (which
`keras.utils.set_random_seed` seeds).
"""

import threading
import warnings

import numpy as np

from minikeras import config


def _global_random_state():
    """NumPy's global legacy generator (what `np.random.uniform` etc. draw from)."""
    return np.random.mtrand._rand


class Iterator:
    """Base class of the image iterators: batches of `batch_size` indices into `n` samples.

    Args:
        n: the number of samples.
        batch_size: samples per batch (the last batch may be smaller).
        shuffle: draw a new order of the samples at each epoch.
        seed: seed of the shuffles and transforms (see the module docstring), or None.
    """

    def __init__(self, n, batch_size, shuffle, seed):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")
        self.n = n
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self._random = _global_random_state()
        self.index_generator = self._flow_index()

    def _next_random_state(self):
        """The generator for the next batch (Keras 2 reseeds the global one here)."""
        if self.seed is not None:
            self._random = np.random.RandomState(self.seed + self.total_batches_seen)
        else:
            self._random = _global_random_state()
        return self._random

    def _set_index_array(self, random):
        self.index_array = random.permutation(self.n) if self.shuffle else np.arange(self.n)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length "
                             f"{len(self)}")
        random = self._next_random_state()
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array(random)
        index_array = self.index_array[self.batch_size * idx: self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array, random)

    def on_epoch_end(self):
        """Draws the next epoch's order (with the generator of the last batch, as Keras 2)."""
        self._set_index_array(self._random)

    def reset(self):
        """Starts `next()` over at the first batch of an epoch."""
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            random = self._next_random_state()
            if self.batch_index == 0:
                self._set_index_array(random)
            current = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current: current + self.batch_size], random

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """Returns the next batch (endlessly, epoch after epoch)."""
        with self.lock:
            index_array, random = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array, random)

    def _get_batches_of_transformed_samples(self, index_array, random):
        raise NotImplementedError


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from NumPy arrays (what `ImageDataGenerator.flow` returns).

    Args:
        x: rank-4 images, or a tuple `(images, other)` where `other` (an array or a list of
            arrays, one row per image) is passed through untransformed.
        y: labels, or None (the batches are then the images alone).
        image_data_generator: the `ImageDataGenerator` whose transforms apply.
        batch_size: Keras default 32.
        shuffle: Keras default False here (True in `flow`).
        sample_weight: per-image weights, yielded third.
        seed: see the module docstring.
        data_format: `"channels_last"` or `"channels_first"`; None reads
            `keras.config.image_data_format()`.
        save_to_dir, save_prefix, save_format: Keras writes the augmented images as picture
            files; this needs an image library minikeras does not have (NotImplementedError).
        subset: `"training"` or `"validation"`: with the generator's `validation_split`, the
            *first* `int(n * validation_split)` samples validate and the rest train.
        ignore_class_split: skip the check that both subsets hold the same classes.
        dtype: the batches' dtype; None reads `keras.config.floatx()`.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, ignore_class_split=False,
                 dtype=None):
        if save_to_dir is not None:
            raise NotImplementedError("`save_to_dir` (writing augmented images as picture "
                                      "files) is not implemented in minikeras.")
        data_format = data_format or config.image_data_format()
        self.dtype = dtype or config.floatx()
        x_misc = []
        if isinstance(x, (tuple, list)):
            x, misc = x[0], x[1]
            x_misc = [np.asarray(m) for m in (misc if isinstance(misc, list) else [misc])]
            for m in x_misc:
                if len(m) != len(x):
                    raise ValueError("All of the arrays in `x` should have the same length. "
                                     f"Found a pair with: len(x[0]) = {len(x)}, "
                                     f"len(x[?]) = {len(m)}")
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same length. "
                             f"Found: x.shape = {np.shape(x)}, y.shape = {np.shape(y)}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same "
                             f"length. Found: x.shape = {np.shape(x)}, sample_weight.shape = "
                             f"{np.shape(sample_weight)}")
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f"Invalid subset name: {subset!r}; expected 'training' or "
                                 "'validation'.")
            split = image_data_generator._validation_split
            if not split:
                raise ValueError(f"subset={subset!r} needs a validation split: create the "
                                 "ImageDataGenerator with validation_split=... (a fraction "
                                 "strictly between 0 and 1).")
            cut = int(len(x) * split)
            if y is not None and not ignore_class_split and not np.array_equal(
                    np.unique(np.asarray(y)[:cut]), np.unique(np.asarray(y)[cut:])):
                raise ValueError("Training and validation subsets have different number of "
                                 "classes after the split. If your numpy arrays are sorted by "
                                 "the label, you might want to shuffle them.")
            part = slice(None, cut) if subset == "validation" else slice(cut, None)
            x = x[part]
            x_misc = [m[part] for m in x_misc]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4 (images, "
                             f"rows, cols, channels). You passed an array with shape "
                             f"{self.x.shape}")
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn(f'NumpyArrayIterator is set to use the data format convention '
                          f'"{data_format}" (channels on axis {channels_axis}), i.e. expected '
                          f"either 1, 3, or 4 channels on axis {channels_axis}. However, it "
                          f"was passed an array with shape {self.x.shape} "
                          f"({self.x.shape[channels_axis]} channels).", stacklevel=3)
        self.x_misc = x_misc
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, \
            save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array, random):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            params = generator._draw_transform(self.x[j].shape, random)
            image = generator.apply_transform(self.x[j].astype(self.dtype), params)
            batch_x[i] = generator.standardize(image)
        misc = [m[index_array] for m in self.x_misc]
        inputs = [batch_x] + misc if misc else batch_x
        if self.y is None:
            return inputs
        if self.sample_weight is not None:
            return inputs, self.y[index_array], self.sample_weight[index_array]
        return inputs, self.y[index_array]
