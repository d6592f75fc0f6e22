"""`Variable`: a named, mutable array that layers own and optimizers update.

Inside a training step a `Variable` *is* its traced value: autograd treats it as a box (see
`autograd_internals.register_traceable`), so `x @ self.kernel + self.bias`, `ops.matmul(x,
self.kernel)` and `K.dot(x, self.kernel)` all carry gradients to it, whichever side of an
operator it stands on.
"""

import contextlib
import math
import threading

import autograd.numpy as anp
import numpy as np

from minikeras import config
from minikeras.autograd_internals import UNTRACED, isbox, register_traceable
from minikeras.stateless_scope import check_assignment, current_scope


def standardize_dtype(dtype):
    """Returns a dtype name; None means `floatx()`."""
    if dtype is None:
        return config.floatx()
    return np.dtype(dtype).name


class _CreationBudget(threading.local):
    """How many bytes the variables created in this thread may still take (None: no limit)."""

    remaining = None

    def charge(self, name, shape, dtype):
        if self.remaining is None:
            return
        size = math.prod(shape) * np.dtype(dtype).itemsize  # Python ints: no overflow
        if size > self.remaining:
            raise ValueError(f"the weight '{name}' of shape {shape} takes {size} bytes as "
                             f"{dtype}, more than the file holds for the model's weights "
                             f"({self.remaining} bytes left): its config does not match its "
                             "weights.")
        self.remaining -= size


_budget = _CreationBudget()


@contextlib.contextmanager
def creation_budget(nbytes):
    """Inside the block, creating variables (from an initializer) whose sizes add up to more
    than `nbytes` raises a `ValueError` before their arrays are allocated: loading a model
    file rebuilds its layers under the size of the weights the file holds, so a config that
    declares a layer of `10**12` units is refused instead of allocating terabytes."""
    saved, _budget.remaining = _budget.remaining, nbytes
    try:
        yield
    finally:
        _budget.remaining = saved


def unwrap(x):
    """Returns the current value of a `Variable`, anything else unchanged."""
    return x.value if isinstance(x, Variable) else x


class Variable:
    """A mutable array with a name, as `keras.Variable`.

    Args:
        initializer: an array-like, or a callable `initializer(shape, dtype)`.
        shape: the shape, required when `initializer` is a callable.
        dtype: the dtype (default `floatx()`).
        trainable: whether optimizers update it (default True).
        name: the variable's name (default `'variable'`).
    """

    # Lets `ndarray + variable` call our reflected operators instead of converting us.
    __array_priority__ = 200

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        register_traceable(cls)  # autograd matches box types exactly, not by subclass

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None, **kwargs):
        self.constraint = kwargs.pop("constraint", None)
        self.regularizer = kwargs.pop("regularizer", None)
        kwargs.pop("autocast", None)
        kwargs.pop("aggregation", None)
        kwargs.pop("synchronization", None)
        if kwargs:
            raise TypeError(f"Variable got unexpected keyword arguments: {sorted(kwargs)}")
        self.name = name or "variable"
        self.path = self.name
        self.trainable = bool(trainable)
        if dtype is None:
            # Like Keras: floats default to floatx(), other dtypes (ints, bools) are kept.
            kind = np.asarray(unwrap(initializer)).dtype.kind if not callable(initializer) else "f"
            dtype = None if kind == "f" else np.asarray(unwrap(initializer)).dtype
        self._dtype = standardize_dtype(dtype)
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable '{self.name}': when `initializer` is a callable, `shape` is required."
                )
            _budget.charge(self.name, tuple(shape), self._dtype)
            value = initializer(tuple(shape), dtype=self._dtype)
        else:
            value = unwrap(initializer)
        value = np.array(value, dtype=self._dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable '{self.name}': initial value has shape {value.shape}, expected {tuple(shape)}."
            )
        self._array = value

    def _scoped(self):
        """The value a stateless scope gives this variable, or None outside any scope for it."""
        scope = current_scope()
        return None if scope is None else scope.values.get(self)

    @property
    def value(self):
        """The current value: the one given by the innermost stateless scope (traced inside a
        training step), else the stored array, which must not be modified in place."""
        scoped = self._scoped()
        return self._array if scoped is None else scoped

    # autograd's box protocol (see `register_traceable`): a variable mapped to a traced value
    # in the current scope is that box; otherwise it is a constant converted by `__array__`.
    @property
    def _value(self):
        scoped = self._scoped()
        if scoped is None:
            return self._array
        return scoped._value if isbox(scoped) else scoped

    @property
    def _trace(self):
        scoped = self._scoped()
        return scoped._trace if isbox(scoped) else UNTRACED

    @property
    def _node(self):
        return self._scoped()._node

    def numpy(self):
        """Returns a copy of the stored value as a NumPy array."""
        return np.array(self._array)

    def assign(self, value):
        """Sets the value; inside a stateless scope the assignment is recorded, not applied."""
        scope = current_scope()
        value = unwrap(value)
        if scope is not None:
            scope.assign(self, value)
            return self
        check_assignment(self, value)
        self._array = np.array(value, dtype=self._dtype)  # a copy: the caller keeps its array
        return self

    def assign_add(self, value):
        return self.assign(self.value + unwrap(value))

    def assign_sub(self, value):
        return self.assign(self.value - unwrap(value))

    @property
    def shape(self):
        return self._array.shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return self._array.ndim

    def __len__(self):
        return len(self._array)

    def __array__(self, dtype=None, copy=None):
        value = self.value
        if isbox(value):
            raise TypeError(
                f"Variable '{self.path}' was converted to a NumPy array while its gradient is being "
                "computed, which would silently drop the gradient. Use `keras.ops` functions "
                "(e.g. `ops.matmul(x, self.kernel)`) instead of `numpy` ones in `call`."
            )
        return np.asarray(value, dtype=dtype)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __index__(self):
        return int(self.value)

    def __repr__(self):
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"

    # Operators go through autograd.numpy, which sees a traced variable as its box.
    def __add__(self, o): return anp.add(self, o)
    def __radd__(self, o): return anp.add(o, self)
    def __sub__(self, o): return anp.subtract(self, o)
    def __rsub__(self, o): return anp.subtract(o, self)
    def __mul__(self, o): return anp.multiply(self, o)
    def __rmul__(self, o): return anp.multiply(o, self)
    def __truediv__(self, o): return anp.true_divide(self, o)
    def __rtruediv__(self, o): return anp.true_divide(o, self)
    def __matmul__(self, o): return anp.matmul(self, o)
    def __rmatmul__(self, o): return anp.matmul(o, self)
    def __pow__(self, o): return anp.power(self, o)
    def __rpow__(self, o): return anp.power(o, self)
    def __neg__(self): return anp.negative(self)
    def __abs__(self): return anp.abs(self)
    def __getitem__(self, idx): return self.value[idx]
    def __lt__(self, o): return anp.less(self, o)
    def __gt__(self, o): return anp.greater(self, o)
    def __le__(self, o): return anp.less_equal(self, o)
    def __ge__(self, o): return anp.greater_equal(self, o)


register_traceable(Variable)


def read_arrays(variables):
    """The arrays the variables hold, whatever scope is open: what the engine hands to a step
    (the counterpart of `assign_arrays`). They must not be modified in place."""
    return [variable._array for variable in variables]


def assign_arrays(variables, arrays):
    """Makes each variable hold the matching array: the engine's and optimizers' one write-back.

    The arrays are taken as they are (no copy), so they must be new arrays that nothing else
    will modify; values of another dtype are cast to the variable's. A value of the wrong
    shape, or of a dtype of another kind, raises the ValueError of `Variable.assign`.
    """
    for variable, array in zip(variables, arrays):
        array = np.asarray(array)
        if array.shape != variable._array.shape or array.dtype != variable._dtype:
            check_assignment(variable, array)  # raises unless only the dtype's width differs
            array = array.astype(variable._dtype)
        variable._array = array
