"""`tf.keras.layers.experimental.preprocessing` (tf.keras 2.3-2.x): the image preprocessing
layers under their old path, for course code that imports them from there."""

from minikeras.layers.image_augmentation import (RandomContrast, RandomFlip,  # noqa: F401
                                                 RandomRotation, RandomTranslation, RandomZoom)
from minikeras.layers.image_preprocessing import CenterCrop, Rescaling, Resizing  # noqa: F401
