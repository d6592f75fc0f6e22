"""The `tensorflow` stand-in: what `import tensorflow as tf` gives under `python -m minikeras`.

Course code written for `tf.keras` touches a little of TensorFlow itself; this package holds
that little, on minikeras:

- `tf.keras` (minikeras), `tf.__version__`;
- custom training loops: `tf.GradientTape` (`gradient_tape.py`), `tf.function` (a no-op:
  nothing is compiled), `tf.Variable` (a minikeras Variable), `tf.constant` and
  `tf.convert_to_tensor` (`tensor.py`);
- math and arrays with TensorFlow's signatures (`math.py` as `tf.math`, `array_ops.py`, `nn.py`
  as `tf.nn`, `random.py` as `tf.random`), all traced inside a tape;
- input pipelines: `tf.data.Dataset` (`data.py`) and `tf.TensorSpec` (`tensor_spec.py`);
- dtypes as names (`tf.float32 == 'float32'`, which NumPy's dtypes compare equal to) and
  `tf.config.list_physical_devices` (one CPU).

Any other `tf.<name>` raises an AttributeError saying that minikeras does not provide
TensorFlow itself (`missing.py`).
"""

import minikeras as keras
from minikeras.tensorflow_shim import config, data, math, nn, random
from minikeras.tensorflow_shim.array_ops import (cast, concat, expand_dims, matmul, one_hot,
                                                 ones, ones_like, range, reshape, shape,
                                                 squeeze, stack, transpose, zeros, zeros_like)
from minikeras.tensorflow_shim.gradient_tape import GradientTape
from minikeras.tensorflow_shim.math import (abs, add, argmax, argmin, divide, equal, exp,
                                            greater, less, log, maximum, minimum, multiply,
                                            not_equal, pow, reduce_max, reduce_mean,
                                            reduce_min, reduce_prod, reduce_sum, sigmoid, sqrt,
                                            square, subtract, tanh)
from minikeras.tensorflow_shim.missing import not_provided
from minikeras.tensorflow_shim.tensor import EagerTensor, constant, convert_to_tensor
from minikeras.tensorflow_shim.tensor_spec import TensorSpec
from minikeras.variables import Variable

__version__ = "2.15.0-minikeras"

Tensor = EagerTensor

float16, float32, float64 = "float16", "float32", "float64"
int8, int16, int32, int64 = "int8", "int16", "int32", "int64"
uint8, bool = "uint8", "bool"  # noqa: A001 (TensorFlow's names)

# The submodules `import tensorflow.X` reaches (see compat.KerasAliasFinder).
SUBMODULES = ("config", "data", "math", "nn", "random")


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """`tf.function`, as a decorator with or without arguments: returns `func` unchanged.

    TensorFlow compiles the function into a graph; minikeras runs Python as written (there is
    no graph to build), so the decorated code behaves as in TensorFlow's eager mode.
    """
    if func is None:
        return lambda f: f
    return func


def __getattr__(name):
    raise not_provided(f"tf.{name}")


__all__ = ["EagerTensor", "GradientTape", "Tensor", "TensorSpec", "Variable", "abs", "add",
           "argmax", "argmin", "bool", "cast", "concat", "config", "constant", "convert_to_tensor",
           "data", "divide", "equal", "exp", "expand_dims", "float16", "float32", "float64",
           "function", "greater", "int16", "int32", "int64", "int8", "keras", "less", "log", "math",
           "matmul", "maximum", "minimum", "multiply", "nn", "not_equal", "one_hot", "ones",
           "ones_like", "pow", "random", "range", "reduce_max", "reduce_mean", "reduce_min",
           "reduce_prod", "reduce_sum", "reshape", "shape", "sigmoid", "sqrt", "square", "squeeze",
           "stack", "subtract", "tanh", "transpose", "uint8", "zeros", "zeros_like"]
