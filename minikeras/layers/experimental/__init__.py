"""`keras.layers.experimental` of tf.keras 2, where the preprocessing layers first lived."""

from minikeras.layers.experimental import preprocessing  # noqa: F401
