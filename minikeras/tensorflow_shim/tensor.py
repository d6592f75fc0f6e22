"""`EagerTensor`: what `tf.constant` returns, a NumPy array that a `tf.GradientTape` can watch.

TensorFlow records operations on tensors; autograd traces values it was handed as boxes. A
tensor made before a tape opens (`x = tf.constant(3.0)`) is an ordinary array to the code in
the `with` block, so `tape.watch(x)` cannot replace it by a box. An `EagerTensor` is an
`np.ndarray` (with `.numpy()`, as minikeras's `Tensor`) that is also one of autograd's box
types: while the innermost tape watches it, it *is* that tape's box, so NumPy operators,
`tf.*` functions, `keras.ops` and indexing on it are traced; otherwise it is a plain array.

What is not traced on a watched tensor: ndarray methods (`x.sum()`, `x.T`, `x.reshape`); use
the `tf.*` functions (`tf.reduce_sum(x)`, `tf.transpose`...) in a tape, as TensorFlow code does.
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import Box

from minikeras.autograd_internals import (UNTRACED, getval, isbox, register_array_type,
                                          register_traceable)
from minikeras.stateless_scope import current_scope
from minikeras.tensor import Tensor
from minikeras.variables import Variable


def watched_box(tensor):
    """The box of the innermost recording tape that watches `tensor`, or None."""
    scope = current_scope()
    box_of = getattr(scope, "box_of_tensor", None)  # only a tape's scope has it
    return None if box_of is None else box_of(tensor)


@register_array_type  # an op mixing a box with an unwatched tensor boxes an EagerTensor value
@register_traceable
class EagerTensor(Tensor):
    """An `np.ndarray` with `.numpy()` that a `tf.GradientTape` can `watch`."""

    # autograd's box protocol (see `autograd_internals.register_traceable`): untraced unless
    # the innermost tape watches this very object.
    @property
    def _trace(self):
        box = watched_box(self)
        return UNTRACED if box is None else box._trace

    @property
    def _value(self):
        box = watched_box(self)
        return self.view(np.ndarray) if box is None else box._value

    @property
    def _node(self):
        box = watched_box(self)
        return None if box is None else box._node

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # Operators on a watched tensor (or meeting a box) go through autograd's function of
        # the same name, which records them; everything else is NumPy's, on plain views.
        if method == "__call__" and "out" not in kwargs and any(_traced(i) for i in inputs):
            traced_fn = getattr(anp, ufunc.__name__, None)
            if traced_fn is None:
                raise TypeError(f"`np.{ufunc.__name__}` cannot be differentiated by minikeras "
                                "inside a GradientTape; use a `tf.math` function.")
            return traced_fn(*inputs, **kwargs)
        plain = [i.view(np.ndarray) if isinstance(i, EagerTensor) else i for i in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, EagerTensor) else o
                                  for o in kwargs["out"])
        out = getattr(ufunc, method)(*plain, **kwargs)
        if isinstance(out, tuple):
            return tuple(as_eager(o) for o in out)
        return as_eager(out)

    def __getitem__(self, index):
        box = watched_box(self)
        if box is not None:
            return box[index]
        return as_eager(self.view(np.ndarray)[index])

    def __repr__(self):
        value = self.view(np.ndarray)
        return f"tf.Tensor({np.array2string(value, separator=', ')}, shape={value.shape}, " \
               f"dtype={value.dtype.name})"

    def __str__(self):
        return str(self.view(np.ndarray))

    def __hash__(self):  # TensorFlow hashes eager tensors by identity, as `tape.watch` needs
        return id(self)


def _traced(x):
    if type(x) is EagerTensor:
        return watched_box(x) is not None
    return isinstance(x, Box) and not isinstance(x, Variable)


def as_eager(value):
    """An untraced NumPy result as an `EagerTensor` (a view, no copy); a traced value (a box)
    or anything that is not an array is returned unchanged."""
    if isbox(value) and type(value) is not EagerTensor:
        return value
    if isinstance(value, np.ndarray):
        return value if type(value) is EagerTensor else value.view(EagerTensor)
    if isinstance(value, np.generic):
        return np.asarray(value).view(EagerTensor)
    return value


# TensorFlow's dtypes for Python values: float32 and int32, not NumPy's float64 and int64.
def _default_dtype(value):
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return value.dtype
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return np.dtype(np.float32)
    if array.dtype.kind in "iu":
        return np.dtype(np.int32)
    return array.dtype


def constant(value, dtype=None, shape=None, name=None):
    """`tf.constant`: an `EagerTensor` holding a copy of `value`.

    Args:
        value: a number, a nested list, a NumPy array, a tensor or a Variable (its value).
        dtype: the dtype (default: the array's own; float32 and int32 for Python numbers,
            as TensorFlow).
        shape: when given, `value` is broadcast (a scalar) or reshaped to it.
        name: accepted for compatibility.
    """
    value = getval(value.numpy() if isinstance(value, Variable) else value)
    dtype = np.dtype(dtype) if dtype is not None else _default_dtype(value)
    array = np.array(value, dtype=dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if array.size == 1:
            array = np.full(shape, array.reshape(()), dtype=dtype)
        elif array.size == int(np.prod(shape)):
            array = array.reshape(shape)
        else:
            raise TypeError(f"tf.constant: Expected Tensor's shape: {shape}, but got "
                            f"{array.shape}.")
    return array.view(EagerTensor)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """`tf.convert_to_tensor`: `value` as a tensor. Inside a tape, a traced value (or a watched
    Variable) stays traced; anything else becomes an `EagerTensor` (no copy for an array of the
    right dtype)."""
    if isinstance(value, Variable):
        value = value.value
    if isbox(value) and type(value) is not EagerTensor:
        return value if dtype is None else value.astype(dtype)
    if type(value) is EagerTensor and (dtype is None or value.dtype == np.dtype(dtype)):
        return value
    if dtype is None and dtype_hint is not None and not isinstance(value, (np.ndarray,
                                                                           np.generic)):
        dtype = dtype_hint
    if dtype is None:
        dtype = _default_dtype(value)
    return np.asarray(value, dtype=dtype).view(EagerTensor)
