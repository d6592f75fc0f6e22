"""Keras 2's `ImageDataGenerator`: random augmentation and normalization of image batches.

Behaviour is tf.keras 2.15's (the last Keras 2), on NumPy with no SciPy, with one fix: Keras 2
applies `height_shift_range` horizontally and `width_shift_range` vertically (a long-standing
bug: keras-team/keras#17398, keras-team/tf-keras#310, tensorflow/tensorflow#82838). Here each
range moves the image along the axis its name says; the random draws are the same, in the same
order, so only the direction differs. Everything else, including the random numbers drawn for
a given seed, matches Keras 2 (tests/golden/preprocessing.json).
"""

import warnings

import numpy as np

from minikeras import config
from minikeras.preprocessing import affine
from minikeras.preprocessing.interpolation import FILL_MODES
from minikeras.preprocessing.iterators import NumpyArrayIterator, _global_random_state


class ImageDataGenerator:
    """Generates batches of images with real-time data augmentation (Keras 2).

    Per image, in this order: a random affine transform (rotation, shift, shear, zoom, filled
    by `fill_mode`), a channel shift, flips; then `standardize`: `preprocessing_function`,
    `rescale`, the sample-wise and then the feature-wise normalizations, ZCA whitening.

    Args:
        featurewise_center: subtract the per-channel mean of the data given to `fit`.
        samplewise_center: subtract each image's own mean (over all its values).
        featurewise_std_normalization: divide by the per-channel std of the `fit` data (turns
            on `featurewise_center`).
        samplewise_std_normalization: divide each image by its own std (+1e-6; turns on
            `samplewise_center`).
        zca_whitening: apply ZCA whitening fitted by `fit` (turns on `featurewise_center`).
        zca_epsilon: ZCA's regularizer. Keras default: 1e-6.
        rotation_range: degrees; angles drawn uniformly in `[-r, r]`. Keras default: 0.
        width_shift_range: a float below 1 (fraction of the width), a float >= 1 (pixels), an
            int n (integer pixels in `(-n, n)`) or a list of values to choose from; shifts are
            horizontal. Keras default: 0.
        height_shift_range: the same, vertical.
        brightness_range: Keras's brightness shift needs PIL; not implemented in minikeras.
        shear_range: shear angle range in degrees. Keras default: 0.
        zoom_range: a float z (zoom factors in `[1 - z, 1 + z]`) or `[low, high]`. Keras
            default: 0.
        channel_shift_range: add a value drawn in `[-r, r]` to every channel. Keras default: 0.
        fill_mode: `"nearest"` (Keras default), `"constant"`, `"reflect"` or `"wrap"`: how
            points outside the image are filled.
        cval: the fill value with `fill_mode="constant"`. Keras default: 0.
        horizontal_flip: flip half of the images left-right. Keras default: False.
        vertical_flip: flip half of the images upside down. Keras default: False.
        rescale: multiply by this after the transforms (e.g. `1/255`); None or 0 (Keras
            default) skips it.
        preprocessing_function: a function of one image (rank 3) returning an image of the same
            shape, run first in `standardize`.
        data_format: `"channels_last"` or `"channels_first"`; None reads
            `keras.config.image_data_format()`.
        validation_split: a fraction strictly between 0 and 1 kept for
            `flow(..., subset="validation")`. Keras default: 0.
        interpolation_order: 1 (Keras default, linear) or 0 (nearest pixel).
        dtype: the dtype of the batches; None reads `keras.config.floatx()`.

    Raises:
        ValueError: for a bad `data_format`, `validation_split`, `zoom_range`, `fill_mode` or
            `brightness_range`.
        NotImplementedError: for `brightness_range`, or an `interpolation_order` other than 0
            and 1.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
                 shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest",
                 cval=0.0, horizontal_flip=False, vertical_flip=False, rescale=None,
                 preprocessing_function=None, data_format=None, validation_split=0.0,
                 interpolation_order=1, dtype=None):
        data_format = data_format or config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` should be `"channels_last"` (channel after row and '
                             'column) or `"channels_first"` (channel before row and column). '
                             f"Received: {data_format!r}")
        if validation_split and not 0 < validation_split < 1:
            raise ValueError("`validation_split` must be strictly between 0 and 1. "
                             f"Received: {validation_split}")
        if fill_mode not in FILL_MODES:
            raise ValueError(f"`fill_mode` must be one of {FILL_MODES}. Received: {fill_mode!r}")
        if interpolation_order not in (0, 1):
            raise NotImplementedError(
                f"interpolation_order={interpolation_order} is not implemented in minikeras: "
                "use 1 (linear, Keras's default) or 0 (nearest pixel).")
        if brightness_range is not None:
            if not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2:
                raise ValueError("`brightness_range should be tuple or list of two floats. "
                                 f"Received: {brightness_range}")
            raise NotImplementedError("`brightness_range` is not implemented in minikeras "
                                      "(Keras computes it with PIL's ImageEnhance).")
        if isinstance(zoom_range, (float, int)) and not isinstance(zoom_range, bool):
            zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif (isinstance(zoom_range, (tuple, list, np.ndarray)) and len(zoom_range) == 2
              and all(isinstance(v, (float, int, np.number)) for v in zoom_range)):
            zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError("`zoom_range` should be a float or a tuple or list of two floats. "
                             f"Received: {zoom_range}")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.zoom_range = zoom_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.interpolation_order = interpolation_order
        self.dtype = dtype or config.floatx()
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self._validation_split = validation_split
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None
        overrides = (
            (zca_whitening and not featurewise_center, "featurewise_center",
             "This ImageDataGenerator specifies `zca_whitening`, which overrides setting of "
             "`featurewise_center`."),
            (featurewise_std_normalization and not featurewise_center and not zca_whitening,
             "featurewise_center",
             "This ImageDataGenerator specifies `featurewise_std_normalization`, which "
             "overrides setting of `featurewise_center`."),
            (samplewise_std_normalization and not samplewise_center, "samplewise_center",
             "This ImageDataGenerator specifies `samplewise_std_normalization`, which "
             "overrides setting of `samplewise_center`."),
        )
        for applies, attribute, message in overrides:
            if applies:
                setattr(self, attribute, True)
                warnings.warn(message, stacklevel=2)
        if zca_whitening and featurewise_std_normalization:
            self.featurewise_std_normalization = False
            warnings.warn("This ImageDataGenerator specifies `zca_whitening` which overrides "
                          "setting of`featurewise_std_normalization`.", stacklevel=2)

    # ------------------------------------------------------------------ iterators
    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", ignore_class_split=False,
             subset=None):
        """Returns a `NumpyArrayIterator` of augmented batches `(x, y)` (or
        `(x, y, sample_weight)`, or `x` alone when `y` is None).

        Args:
            x: rank-4 images, or `(images, other arrays)` passed through untransformed.
            y: labels.
            batch_size: Keras default 32.
            shuffle: reshuffle at each epoch. Keras default: True.
            sample_weight: per-image weights.
            seed: seed of the shuffles and transforms (same batches as Keras 2 for the same
                seed, shifts aside).
            save_to_dir, save_prefix, save_format: not implemented (picture files).
            ignore_class_split: skip the subsets' class check.
            subset: `"training"` or `"validation"` (needs `validation_split`; the first part of
                the data validates).
        """
        return NumpyArrayIterator(
            x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
            seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
            save_prefix=save_prefix, save_format=save_format,
            ignore_class_split=ignore_class_split, subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, *args, **kwargs):
        """Not implemented: reading picture files needs an image library minikeras lacks."""
        raise NotImplementedError(
            "`ImageDataGenerator.flow_from_directory` is not implemented in minikeras (it reads "
            "picture files). Load the images into a NumPy array and use `flow(x, y)`.")

    def flow_from_dataframe(self, dataframe, *args, **kwargs):
        """Not implemented: reading picture files needs an image library minikeras lacks."""
        raise NotImplementedError(
            "`ImageDataGenerator.flow_from_dataframe` is not implemented in minikeras (it reads "
            "picture files). Load the images into a NumPy array and use `flow(x, y)`.")

    # ------------------------------------------------------------------ normalization
    def standardize(self, x):
        """Applies the normalizations to `x` (an image or a batch), in place where Keras does.

        Order: `preprocessing_function`, `rescale`, sample-wise center and std, feature-wise
        center and std (+1e-6), ZCA. Call with `np.copy(x)` to keep `x`.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn("This ImageDataGenerator specifies `featurewise_center`, but it "
                              "hasn't been fit on any training data. Fit it first by calling "
                              "`.fit(numpy_data)`.", stacklevel=2)
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std + 1e-6
            else:
                warnings.warn("This ImageDataGenerator specifies "
                              "`featurewise_std_normalization`, but it hasn't been fit on any "
                              "training data. Fit it first by calling `.fit(numpy_data)`.",
                              stacklevel=2)
        if self.zca_whitening:
            if self.zca_whitening_matrix is not None:
                flat = x.reshape(-1, int(np.prod(x.shape[-3:])))
                x = np.reshape(flat @ self.zca_whitening_matrix, x.shape)
            else:
                warnings.warn("This ImageDataGenerator specifies `zca_whitening`, but it "
                              "hasn't been fit on any training data. Fit it first by calling "
                              "`.fit(numpy_data)`.", stacklevel=2)
        return x

    # ------------------------------------------------------------------ random transforms
    def get_random_transform(self, img_shape, seed=None):
        """Draws the parameters of one random transform.

        Args:
            img_shape: the shape of the (single, rank-3) image.
            seed: draw from `np.random.RandomState(seed)` (Keras 2 reseeds NumPy's global
                generator; the numbers are the same); None draws from the global generator.

        Returns:
            A dict with `theta`, `tx` (horizontal shift, pixels), `ty` (vertical shift),
            `shear`, `zx`, `zy`, `flip_horizontal`, `flip_vertical`,
            `channel_shift_intensity` and `brightness`.
        """
        random = np.random.RandomState(seed) if seed is not None else _global_random_state()
        return self._draw_transform(img_shape, random)

    def _draw_transform(self, img_shape, random):
        """`get_random_transform` drawing from `random`, in Keras 2's order of draws."""
        theta = random.uniform(-self.rotation_range, self.rotation_range) \
            if self.rotation_range else 0
        # Keras draws the height shift first and calls it tx; see the module docstring.
        ty = self._draw_shift(self.height_shift_range, img_shape[self.row_axis - 1], random)
        tx = self._draw_shift(self.width_shift_range, img_shape[self.col_axis - 1], random)
        shear = random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = random.uniform(-self.channel_shift_range,
                                                     self.channel_shift_range)
        return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift_intensity, "brightness": None}

    @staticmethod
    def _draw_shift(shift_range, size, random):
        """One shift in pixels, Keras 2's way: choose from a list or an int range (times a
        random sign), else a uniform draw; ranges below 1 are fractions of `size`."""
        if not shift_range:
            return 0
        if isinstance(shift_range, (float, np.floating)):
            shift = random.uniform(-shift_range, shift_range)
        else:  # an int n (np.random.choice(n): 0..n-1) or a list of values
            shift = random.choice(shift_range)
            shift *= random.choice([-1, 1])
        if np.max(shift_range) < 1:
            shift *= size
        return shift

    def apply_transform(self, x, transform_parameters):
        """Applies a transform (a dict as `get_random_transform` returns) to one image.

        Missing keys mean the identity; `tx` shifts horizontally and `ty` vertically.
        """
        row_axis, col_axis, channel_axis = self.row_axis - 1, self.col_axis - 1, \
            self.channel_axis - 1
        p = transform_parameters
        x = affine.apply_affine_transform(
            x, p.get("theta", 0), p.get("tx", 0), p.get("ty", 0), p.get("shear", 0),
            p.get("zx", 1), p.get("zy", 1), row_axis=row_axis, col_axis=col_axis,
            channel_axis=channel_axis, fill_mode=self.fill_mode, cval=self.cval,
            order=self.interpolation_order)
        if p.get("channel_shift_intensity") is not None:
            x = affine.apply_channel_shift(x, p["channel_shift_intensity"], channel_axis)
        if p.get("flip_horizontal", False):
            x = affine.flip_axis(x, col_axis)
        if p.get("flip_vertical", False):
            x = affine.flip_axis(x, row_axis)
        if p.get("brightness") is not None:
            raise NotImplementedError("Brightness shifts are not implemented in minikeras.")
        return x

    def random_transform(self, x, seed=None):
        """Applies a random transform (see `get_random_transform`) to one image."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    # ------------------------------------------------------------------ fit
    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the statistics of `featurewise_*` and `zca_whitening` from sample data.

        Args:
            x: rank-4 images (after `rescale`, as in Keras, the statistics are computed).
            augment: compute them on randomly transformed copies. Keras default: False.
            rounds: with `augment`, how many transformed copies of the data. Keras default: 1.
            seed: seed of the transforms (`np.random.RandomState(seed)`), or None.

        Raises:
            ValueError: for data that is not rank 4.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: "
                             f"{x.shape}")
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn(f"Expected input to be images (as Numpy array) following the data "
                          f'format convention "{self.data_format}" (channels on axis '
                          f"{self.channel_axis}), i.e. expected either 1, 3 or 4 channels on "
                          f"axis {self.channel_axis}. However, it was passed an array with "
                          f"shape {x.shape} ({x.shape[self.channel_axis]} channels).",
                          stacklevel=2)
        random = np.random.RandomState(seed) if seed is not None else _global_random_state()
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    params = self._draw_transform(x[i].shape, random)
                    augmented[i + r * x.shape[0]] = self.apply_transform(x[i], params)
            x = augmented
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.mean(x, axis=(0, self.row_axis, self.col_axis)).reshape(shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=(0, self.row_axis, self.col_axis)).reshape(shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            flat = np.reshape(x, (n, -1))
            u, s, _ = np.linalg.svd(flat.T, full_matrices=False)
            s_inv = np.sqrt(n) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv).dot(u.T)
