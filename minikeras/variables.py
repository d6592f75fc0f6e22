"""`Variable`: a named, mutable array that layers own and optimizers update."""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import isbox

from minikeras import config
from minikeras.stateless_scope import current_scope


def standardize_dtype(dtype):
    """Returns a dtype name; None means `floatx()`."""
    if dtype is None:
        return config.floatx()
    return np.dtype(dtype).name


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
    # The stored array last handed out by `value` (so possibly held outside minikeras): an
    # optimizer never writes a new value into that array, only into ones nobody else has seen.
    _exposed = None

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
            value = initializer(tuple(shape), dtype=self._dtype)
        else:
            value = unwrap(initializer)
        value = np.array(value, dtype=self._dtype)
        if shape is not None and tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"Variable '{self.name}': initial value has shape {value.shape}, expected {tuple(shape)}."
            )
        self._value = value

    @property
    def value(self):
        """The current value: the traced one inside a stateless scope, else the stored array."""
        scope = current_scope()
        if scope is not None:
            traced = scope.values.get(id(self))
            if traced is not None:
                return traced
        self._exposed = self._value
        return self._value

    def numpy(self):
        """Returns a copy of the stored value as a NumPy array."""
        return np.array(self._value)

    def assign(self, value):
        """Sets the value; inside a stateless scope the assignment is recorded, not applied."""
        scope = current_scope()
        value = unwrap(value)
        if scope is not None:
            scope.assign(self, value)
            return self
        value = np.array(value, dtype=self._dtype)  # a copy: the caller keeps its array
        if value.shape != self._value.shape:
            raise ValueError(
                f"Cannot assign a value of shape {value.shape} to variable '{self.path}' "
                f"of shape {self._value.shape}."
            )
        self._value = value
        return self

    def assign_add(self, value):
        return self.assign(self.value + unwrap(value))

    def assign_sub(self, value):
        return self.assign(self.value - unwrap(value))

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return self._value.ndim

    def __len__(self):
        return len(self._value)

    def __array__(self, dtype=None, copy=None):
        value = self.value
        if isbox(value):
            raise TypeError(
                f"Variable '{self.path}' was converted to a NumPy array while its gradient is being "
                "computed, which would silently drop the gradient. Use `keras.ops` functions "
                "(e.g. `ops.matmul(x, self.kernel)`) or `self.kernel.value` in `call`."
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

    # Arithmetic reads the current value, so `x @ self.kernel` traces correctly.
    def __add__(self, o): return anp.add(self.value, unwrap(o))
    def __radd__(self, o): return anp.add(unwrap(o), self.value)
    def __sub__(self, o): return anp.subtract(self.value, unwrap(o))
    def __rsub__(self, o): return anp.subtract(unwrap(o), self.value)
    def __mul__(self, o): return anp.multiply(self.value, unwrap(o))
    def __rmul__(self, o): return anp.multiply(unwrap(o), self.value)
    def __truediv__(self, o): return anp.true_divide(self.value, unwrap(o))
    def __rtruediv__(self, o): return anp.true_divide(unwrap(o), self.value)
    def __matmul__(self, o): return anp.matmul(self.value, unwrap(o))
    def __rmatmul__(self, o): return anp.matmul(unwrap(o), self.value)
    def __pow__(self, o): return anp.power(self.value, unwrap(o))
    def __neg__(self): return anp.negative(self.value)
    def __abs__(self): return anp.abs(self.value)
    def __getitem__(self, idx): return self.value[idx]
    def __lt__(self, o): return self.value < unwrap(o)
    def __gt__(self, o): return self.value > unwrap(o)
    def __le__(self, o): return self.value <= unwrap(o)
    def __ge__(self, o): return self.value >= unwrap(o)
