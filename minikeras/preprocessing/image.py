"""`keras.preprocessing.image`: Keras 2's image augmentation, which Keras 3 dropped.

`ImageDataGenerator` with `.flow(x, y)` feeds `fit` with augmented batches; the affine
transforms are computed in NumPy (`affine`, `interpolation`). Loading and saving picture files
(`load_img`, `img_to_array`, `array_to_img`, `save_img`, `smart_resize`, `flow_from_directory`)
needs an image library and is not implemented: those names raise NotImplementedError.
"""

from minikeras.preprocessing.affine import (apply_affine_transform, apply_channel_shift,
                                            flip_axis, random_channel_shift, random_rotation,
                                            random_shear, random_shift, random_zoom,
                                            transform_matrix_offset_center)
from minikeras.preprocessing.image_data_generator import ImageDataGenerator
from minikeras.preprocessing.iterators import Iterator, NumpyArrayIterator
from minikeras.preprocessing.unavailable import module_getattr

__all__ = ["ImageDataGenerator", "Iterator", "NumpyArrayIterator", "apply_affine_transform",
           "apply_channel_shift", "flip_axis", "random_channel_shift", "random_rotation",
           "random_shear", "random_shift", "random_zoom", "transform_matrix_offset_center"]

__getattr__ = module_getattr(
    __name__, ("DirectoryIterator", "DataFrameIterator", "apply_brightness_shift",
               "random_brightness"),
    reason="Reading and writing picture files (and PIL's brightness shift) needs an image "
           "library minikeras does not use; load images into NumPy arrays and use "
           "`ImageDataGenerator().flow(x, y)`.")
