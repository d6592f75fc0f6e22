"""`minikeras.backend`: the `K` namespace of course code (settings, variables and the K functions)."""

from minikeras.config import (
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
)
from minikeras.random_seed import set_random_seed
from minikeras.stateless_scope import StatelessScope, current_scope
from minikeras.variables import Variable
from minikeras.backend.functions import *  # noqa: F401,F403,E402  (the K functions)


def backend():
    """Returns the backend name, `'numpy'`."""
    return "numpy"


def clear_session():
    """Resets the automatic layer names, as `keras.backend.clear_session()` does."""
    from minikeras.layers.base import reset_uids

    reset_uids()
