"""`keras.datasets`: Keras's datasets, read from Keras's cache (`$KERAS_HOME/datasets`, default
`~/.keras/datasets`) and downloaded once, verified, when missing; plus two small datasets
bundled with minikeras for work with no network (`iris`, `digits`)."""

from minikeras.datasets import (boston_housing, california_housing, cifar10, cifar100, digits,
                                fashion_mnist, imdb, iris, mnist, reuters)
