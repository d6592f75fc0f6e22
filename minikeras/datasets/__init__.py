"""Keras datasets, read from the Keras cache (`$KERAS_HOME/datasets`)."""

from minikeras.datasets import mnist
