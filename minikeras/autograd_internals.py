"""Every use of autograd's private internals, in one place.

autograd's public API (`autograd.extend`: `primitive`, `defvjp`, `defvjp_argnums`) is used
where primitives are defined. What lives here reaches into `autograd.tracer` and
`autograd.core`, whose names are not a public contract: `pyproject.toml` pins the autograd
versions this was checked against, and `tests/test_autograd_internals.py` fails loudly, naming
what moved, if a release changes them.

Five things need the internals:

- `value_and_grads`: the gradient of a scalar w.r.t. several arrays in one trace, each array
  its own root node (see its docstring for why `autograd.grad` is not used).
- `register_traceable`: lets a `Variable` *be* its traced value to autograd, so that
  `traced + variable`, `ops.matmul(x, variable)` and every `autograd.numpy` function see
  the variable's traced value and carry gradients to it.
- `register_array_type`: lets autograd trace an `np.ndarray` subclass (the `Tensor` that eager
  calls return) as it traces arrays, so eager results can meet traced values.
- `primitive_input`: lets a loss see, from the graph itself, that its input is the output of a
  given primitive in the same trace (softmax followed by cross-entropy is fused this way).
- `OpenTrace`, `backward` and `give_boxes_eager_accessors`: the `tf.GradientTape` stand-in
  (`minikeras/tensorflow_shim/gradient_tape.py`) records the code of a `with` block, not a
  function, so it opens a trace by hand, makes its own root nodes and runs the backward pass
  itself, from any number of targets to any traced value.
"""

import numpy as np
from autograd.core import VJPNode, VSpace, add_outgrads
from autograd.numpy.numpy_boxes import ArrayBox
from autograd.numpy.numpy_vspaces import ArrayVSpace
from autograd.tracer import Box, getval, isbox, new_box, toposort, trace_stack

__all__ = ["OpenTrace", "backward", "getval", "give_boxes_eager_accessors", "isbox",
           "primitive_input", "register_array_type", "register_traceable", "value_and_grads"]

_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)  # NumPy's own, unique ones

# The `_trace` of a traceable object that is not being traced: lower than any real trace
# (autograd starts at -1), so autograd never treats it as a boxed argument.
UNTRACED = -2


def register_traceable(cls):
    """Makes autograd treat instances of `cls` as boxes.

    `cls` must expose `_value`, `_trace` and `_node` (autograd's box protocol). An instance
    whose `_trace` is `UNTRACED` is passed to the raw NumPy function unchanged, so it must
    convert itself with `__array__`.
    """
    Box.types.add(cls)
    return cls


def register_array_type(cls):
    """Makes autograd box and differentiate arrays of the `np.ndarray` subclass `cls` as arrays."""
    ArrayBox.register(cls)
    VSpace.register(cls, lambda x: ArrayVSpace(x))
    return cls


def value_and_grads(fun, values):
    """Returns `(fun(values), [d loss / d values[i]])`, where `fun` returns `(loss, aux)`.

    `loss` is a scalar traced from `values`; `aux` is any structure returned alongside it and
    handed back untraced (autograd boxes replaced by their values, top level of lists, tuples
    and dicts).

    Two reasons not to use `autograd.grad`:

    - It differentiates one argument. Passing the parameters as one list makes autograd box the
      list, and the VJP of every element access then allocates and adds zeros for the *whole*
      list. Boxing each array as its own root node avoids that work on every step.
    - Several of autograd's VJPs return float64 for float32 inputs (`mean` divides by a NumPy
      int64, `maximum` and `where` build float64 masks). One such node would run the rest of
      the backward pass in double precision, twice as slow. When the parameters are float32,
      every gradient is brought back to float32 as it flows, so the damage stops at the node
      that caused it.

    Args:
        fun: a function of a list of arrays (traced, so written with `autograd.numpy`) that
            returns `(loss, aux)`.
        values: the list of arrays to differentiate with respect to.

    Returns:
        `((loss_value, aux), grads)`, with one gradient array per value (zeros where the loss
        does not depend on it).
    """
    with trace_stack.new_trace() as trace:
        roots = [VJPNode.new_root() for _ in values]
        loss, aux = fun([new_box(v, trace, root) for v, root in zip(values, roots)])
        aux = _untrace(aux)
        if not (isbox(loss) and loss._trace == trace):  # the loss does not depend on values
            return (loss, aux), [np.zeros_like(v) for v in values]
        value, end_node = loss._value, loss._node
    low = _FLOAT32 if all(np.result_type(v) is _FLOAT32 for v in values) else None
    index = {id(root): i for i, root in enumerate(roots)}  # roots live until we return
    grads = [None] * len(values)
    outgrads = {end_node: (np.ones_like(value), False)}
    for node in toposort(end_node):
        g = outgrads.pop(node)[0]
        i = index.get(id(node))
        if i is not None:
            grads[i] = g
            continue
        for parent, parent_g in zip(node.parents, node.vjp(g)):
            if low is not None and getattr(parent_g, "dtype", None) is _FLOAT64:
                parent_g = parent_g.astype(low)
            outgrads[parent] = add_outgrads(outgrads.get(parent), parent_g)
    grads = [np.zeros_like(v) if g is None else g for v, g in zip(values, grads)]
    return (value, aux), grads


def _untrace(structure):
    if structure is None or type(structure) is np.ndarray:  # most leaves: nothing to untrace
        return structure
    if isinstance(structure, dict):
        return {k: _untrace(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_untrace(v) for v in structure)
    return getval(structure)


def primitive_input(box, vjp_type):
    """The traced first input of the primitive that produced `box`, if its VJP is a `vjp_type`.

    The primitive must be registered with `defvjp_argnums` and a maker that returns a
    `vjp_type` instance holding the raw input as its `x` attribute.

    Returns:
        `(vjp, input_box)`: the primitive's VJP object and a box standing for its input in
        `box`'s own trace (gradients sent to it reach the input's node), or None when `box` is
        not traced or was made by another primitive. The trace is `box`'s, not autograd's
        innermost one: autograd keeps a single trace counter for the whole process, which
        another thread's training step moves.
    """
    if not isbox(box):
        return None
    node = box._node
    vjp = getattr(node, "vjp", None)
    if not isinstance(vjp, vjp_type) or len(node.parents) != 1:
        return None
    return vjp, new_box(vjp.x, box._trace, node.parents[0])


class OpenTrace:
    """A trace opened by hand, for code that is not one function call (a `with` block).

    autograd opens a trace around a function (`trace_stack.new_trace()` in a `with`); here it is
    opened by `__init__` and closed by `close()`, which must happen in the reverse order of
    opening, like nested `with` blocks (traces opened inside must be closed first).

    Attributes:
        trace: the trace id: boxes made with `new_root` carry it, and every value computed
            from them is a box of this trace until it is closed.
    """

    def __init__(self):
        self._context = trace_stack.new_trace()
        self.trace = self._context.__enter__()

    def new_root(self, value):
        """Returns a box of `value` in this trace, its own root node: gradients reaching that
        node are the gradients with respect to `value`."""
        return new_box(value, self.trace, VJPNode.new_root())

    def owns(self, x):
        """Whether `x` is a box of this trace."""
        return isbox(x) and x._trace == self.trace

    def close(self):
        """Ends the trace (idempotent); its boxes keep their graph for `backward`."""
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None


def backward(ends, sources):
    """Reverse-mode gradients from several traced values to several traced values.

    autograd's own backward pass, run from many ends at once: one joint node has the ends as
    parents and hands each its cotangent, so contributions are accumulated in autograd's order
    and the result is exactly `autograd.grad`'s when there is one end.

    Args:
        ends: `(box, cotangent)` pairs: the values differentiated and the gradient flowing into
            each (ones for a plain gradient; their gradients add up).
        sources: boxes (or None) to differentiate with respect to: roots or values computed
            in between, all in the ends' trace.

    Returns:
        One gradient per source, None where no end depends on it.
    """
    if not ends:
        return [None] * len(sources)
    if len(ends) == 1:
        start, outgrads = ends[0][0]._node, {ends[0][0]._node: (ends[0][1], False)}
    else:
        start = VJPNode.new_root()
        start.parents = [box._node for box, _ in ends]
        cotangents = [g for _, g in ends]
        start.vjp = lambda g: cotangents
        outgrads = {start: (None, False)}
    wanted = {}
    for i, source in enumerate(sources):
        if source is not None:
            wanted.setdefault(source._node, []).append(i)
    grads, pending = [None] * len(sources), len(wanted)
    for node in toposort(start):
        g = outgrads.pop(node)[0]
        if node in wanted:
            for i in wanted[node]:
                grads[i] = g
            pending -= 1
            if not pending:  # later nodes cannot change a gradient already popped
                break
        for parent, parent_g in zip(node.parents, node.vjp(g)):
            outgrads[parent] = add_outgrads(outgrads.get(parent), parent_g)
    return grads


def _box_numpy(self):
    value = getval(self)
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


def give_boxes_eager_accessors():
    """Lets the values a `tf.GradientTape` block computed be read as TensorFlow's eager tensors
    are: `.numpy()`, `float()`, `int()`, a format spec (`f"{loss:.4f}"`) and NumPy conversion
    (`np.argmax(logits, axis=1)`), each on the box's value, dropping its gradient as TensorFlow
    does.

    They are added to autograd's `ArrayBox` class, which is process-wide, so only when a
    GradientTape is first made: code that never uses one keeps autograd's behaviour (a box
    refuses `float()`). Idempotent.
    """
    if getattr(ArrayBox, "_minikeras_eager_accessors", False):
        return
    ArrayBox.numpy = _box_numpy
    ArrayBox.__float__ = lambda self: float(getval(self))
    ArrayBox.__int__ = lambda self: int(getval(self))
    ArrayBox.__format__ = lambda self, spec: format(_box_numpy(self), spec)
    ArrayBox.__array__ = lambda self, dtype=None, copy=None: np.asarray(getval(self), dtype=dtype)
    ArrayBox._minikeras_eager_accessors = True
