"""`minikeras.backend` is one `K` namespace, whichever file of the package holds a function."""

import types

import numpy as np

from minikeras import backend as K
from minikeras.layers import Dense

# Every K function course code may call (the list minikeras has exported since the K functions
# were written, before they were split into files by family), and the settings.
K_FUNCTIONS = [
    "abs", "all", "any", "arange", "argmax", "argmin", "batch_dot", "batch_flatten",
    "batch_get_value", "batch_set_value", "binary_crossentropy", "cast", "cast_to_floatx",
    "categorical_crossentropy", "clip", "concatenate", "constant", "cos", "count_params",
    "cumsum", "dot", "dtype", "elu", "equal", "eval", "exp", "expand_dims", "eye", "flatten",
    "function", "gather", "get_value", "greater", "greater_equal", "hard_sigmoid", "int_shape",
    "is_variable", "l2_normalize", "learning_phase", "less", "less_equal", "log", "max",
    "maximum", "mean", "min", "minimum", "ndim", "not_equal", "one_hot", "ones", "ones_like",
    "permute_dimensions", "pow", "prod", "random_normal", "random_uniform", "relu",
    "repeat_elements", "reshape", "round", "set_value", "shape", "sigmoid", "sign", "sin",
    "softmax", "softplus", "softsign", "sparse_categorical_crossentropy", "sqrt", "square",
    "squeeze", "stack", "std", "stop_gradient", "sum", "switch", "tanh", "tile", "transpose",
    "update", "update_add", "update_sub", "var", "variable", "zeros", "zeros_like",
]
SETTINGS = [
    "StatelessScope", "Variable", "backend", "clear_session", "current_scope", "epsilon",
    "floatx", "image_data_format", "set_epsilon", "set_floatx", "set_image_data_format",
    "set_random_seed", "standardize_data_format",
]


def test_every_k_name_is_exported_once():
    assert sorted(K.__all__) == sorted(K_FUNCTIONS + SETTINGS)
    assert len(K.__all__) == len(set(K.__all__))  # no name defined in two files
    for name in K.__all__:
        assert callable(getattr(K, name)), name


def test_star_import_gives_the_k_names_and_no_module():
    namespace = {}
    exec("from minikeras.backend import *", namespace)
    namespace.pop("__builtins__")
    assert sorted(namespace) == sorted(K.__all__)
    assert not [name for name, value in namespace.items() if isinstance(value, types.ModuleType)]


def test_each_function_lives_in_the_file_named_for_its_family():
    assert K.batch_dot.__module__ == "minikeras.backend.math"
    assert K.relu.__module__ == "minikeras.backend.activations"
    assert K.categorical_crossentropy.__module__ == "minikeras.backend.losses"
    assert K.int_shape.__module__ == "minikeras.backend.shapes"
    assert K.zeros.__module__ == "minikeras.backend.creation"
    assert K.set_value.__module__ == "minikeras.backend.variables"
    assert K.function.__module__ == "minikeras.backend.graph"
    assert K.floatx.__module__ == "minikeras.config"


def test_clear_session_restarts_layer_names():
    assert Dense(1).name == "dense"
    assert Dense(1).name == "dense_1"
    K.clear_session()
    assert Dense(1).name == "dense"
    assert K.backend() == "numpy"
    np.testing.assert_array_equal(K.eval(K.variable([1.0, 2.0])), [1.0, 2.0])
