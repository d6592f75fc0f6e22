"""The global random state that unseeded initializers and dropout draw from."""

import random as _py_random

import numpy as np

_rng = np.random.default_rng()


def global_rng():
    """Returns the process-wide `numpy.random.Generator`."""
    return _rng


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's legacy global state and minikeras's generator.

    After this call, model initialisation, shuffling and dropout are reproducible,
    as with `keras.utils.set_random_seed`.

    Args:
        seed: a non-negative integer.
    """
    global _rng
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative integer, received: seed={seed!r}")
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _rng = np.random.default_rng(int(seed))


def make_rng(seed=None):
    """Returns a generator: a fresh seeded one, or a child of the global one when `seed` is None."""
    if seed is None:
        return np.random.default_rng(_rng.integers(2**63))
    return np.random.default_rng(int(seed))
