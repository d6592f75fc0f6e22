"""`tf.random`: `set_seed`, `normal`, `uniform` and `truncated_normal` on `keras.random`.

TensorFlow's signatures and float32 default; `tf.random.set_seed` seeds what
`keras.utils.set_random_seed` seeds (minikeras has one global random state, TensorFlow a
global and an op-level seed).
"""

import numpy as np

from minikeras import random as keras_random
from minikeras.random_seed import set_random_seed
from minikeras.tensorflow_shim.missing import not_provided
from minikeras.tensorflow_shim.tensor import as_eager


def set_seed(seed):
    """Seeds the global random state (weights, shuffling, dropout, `tf.random.*`)."""
    set_random_seed(int(seed))


def _shape(shape):
    return tuple(int(d) for d in np.asarray(shape).reshape(-1))


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None):
    """Samples of a normal distribution (default mean 0, stddev 1, float32)."""
    return as_eager(keras_random.normal(_shape(shape), mean=mean, stddev=stddev, dtype=dtype,
                                        seed=seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None):
    """Samples of a normal distribution redrawn beyond two standard deviations."""
    return as_eager(keras_random.truncated_normal(_shape(shape), mean=mean, stddev=stddev,
                                                  dtype=dtype, seed=seed))


def uniform(shape, minval=0, maxval=None, dtype="float32", seed=None, name=None):
    """Uniform samples in `[minval, maxval)`: floats (default maxval 1), or integers, for
    which `maxval` is required, as TensorFlow."""
    if np.dtype(dtype).kind in "iu":
        if maxval is None:
            raise ValueError(f"tf.random.uniform: `maxval` must be given for the integer "
                             f"dtype {np.dtype(dtype).name}.")
        return as_eager(keras_random.randint(_shape(shape), minval, maxval, dtype=dtype,
                                             seed=seed))
    return as_eager(keras_random.uniform(_shape(shape), minval=minval,
                                         maxval=1.0 if maxval is None else maxval, dtype=dtype,
                                         seed=seed))


def __getattr__(name):
    raise not_provided(f"tf.random.{name}")


__all__ = ["normal", "set_seed", "truncated_normal", "uniform"]
