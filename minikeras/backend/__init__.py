"""`minikeras.backend`: the `K` of Keras 2 course code (`from keras import backend as K`).

Settings (`floatx`, `epsilon`, `image_data_format`, `set_random_seed`, `clear_session`) and the
K functions, each as Keras's legacy backend (`keras/src/legacy/backend.py`, the tf.keras 2
functions) defines it: same names, argument order (`K.categorical_crossentropy(target,
output)`), defaults and results, differentiable by autograd. Every argument may be an array, a
Python number or list, or a `Variable` (its current value is used).

This package is the shell's namespace, not a layer under the core: it may import anything.

    arguments.py    how K functions read arrays, numbers, lists and Variables
    math.py         reductions, element-wise math, comparisons, `switch`, `dot`, `batch_dot`
    activations.py  `K.sigmoid`, `K.relu`, `K.softmax`, `K.hard_sigmoid`, `K.l2_normalize`, ...
    losses.py       the three cross-entropies, target first
    shapes.py       `int_shape`, `reshape`, `concatenate`, `gather`, `one_hot`, ...
    creation.py     `cast`, `constant`, `zeros`, `ones`, `eye`, `arange`, random samples
    variables.py    `K.variable`, `K.get_value`, `K.set_value`, `K.update_add`, ...
    graph.py        `K.function`, `K.learning_phase`, `K.stop_gradient`
"""

from minikeras.config import (
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
)
from minikeras.layers.base import reset_uids
from minikeras.random import reset_names as _reset_seed_generator_names
from minikeras.random_seed import set_random_seed
from minikeras.stateless_scope import StatelessScope, current_scope
from minikeras.variables import Variable

from minikeras.backend import activations, creation, graph, losses, math, shapes, variables
from minikeras.backend.activations import *  # noqa: F401,F403
from minikeras.backend.creation import *  # noqa: F401,F403
from minikeras.backend.graph import *  # noqa: F401,F403
from minikeras.backend.losses import *  # noqa: F401,F403
from minikeras.backend.math import *  # noqa: F401,F403
from minikeras.backend.shapes import *  # noqa: F401,F403
from minikeras.backend.variables import *  # noqa: F401,F403


def backend():
    """Returns the backend name, `'numpy'`."""
    return "numpy"


def clear_session():
    """Resets the automatic layer and `SeedGenerator` names, as `keras.backend.clear_session()`
    does."""
    reset_uids()
    _reset_seed_generator_names()


# What `from keras.backend import *` gives: the K names, not this package's modules.
__all__ = [
    "StatelessScope", "Variable", "backend", "clear_session", "current_scope", "epsilon",
    "floatx", "image_data_format", "set_epsilon", "set_floatx", "set_image_data_format",
    "set_random_seed", "standardize_data_format",
    *activations.__all__, *creation.__all__, *graph.__all__, *losses.__all__, *math.__all__,
    *shapes.__all__, *variables.__all__,
]


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
