"""`keras.datasets`: Keras's datasets, read from Keras's cache (`$KERAS_HOME/datasets`, default
`~/.keras/datasets`) and downloaded once, verified, when missing; plus two small datasets
bundled with minikeras for work with no network (`iris`, `digits`)."""

from minikeras.datasets import (boston_housing, california_housing, cifar10, cifar100, digits,
                                fashion_mnist, imdb, iris, mnist, reuters)


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
