"""Every use of autograd's private internals, in one place.

autograd's public API (`autograd.extend`: `primitive`, `defvjp`, `defvjp_argnums`) is used
where primitives are defined. What lives here reaches into `autograd.tracer` and
`autograd.core`, whose names are not a public contract: `pyproject.toml` pins the autograd
versions this was checked against, and `tests/test_autograd_internals.py` fails loudly, naming
what moved, if a release changes them.

Four things need the internals:

- `value_and_grads`: the gradient of a scalar w.r.t. several arrays in one trace, each array
  its own root node (see its docstring for why `autograd.grad` is not used).
- `register_traceable`: lets a `Variable` *be* its traced value to autograd, so that
  `traced + variable`, `ops.matmul(x, variable)` and every `autograd.numpy` function see
  the variable's traced value and carry gradients to it.
- `register_array_type`: lets autograd trace an `np.ndarray` subclass (the `Tensor` that eager
  calls return) as it traces arrays, so eager results can meet traced values.
- `primitive_input`: lets a loss see, from the graph itself, that its input is the output of a
  given primitive in the same trace (softmax followed by cross-entropy is fused this way).
"""

import numpy as np
from autograd.core import VJPNode, VSpace, add_outgrads
from autograd.numpy.numpy_boxes import ArrayBox
from autograd.numpy.numpy_vspaces import ArrayVSpace
from autograd.tracer import Box, getval, isbox, new_box, toposort, trace_stack

__all__ = ["getval", "isbox", "primitive_input", "register_array_type", "register_traceable",
           "value_and_grads"]

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
