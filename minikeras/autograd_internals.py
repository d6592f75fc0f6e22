"""The value of a scalar function of several arrays and its gradient w.r.t. each, in one trace.

Two reasons not to use `autograd.make_vjp` directly:

- It differentiates one argument. Passing the parameters as one list makes autograd box the
  list, and the VJP of every element access then allocates and adds zeros for the *whole* list.
  Boxing each array as its own root node avoids that work on every step.
- Several of autograd's VJPs return float64 for float32 inputs (`mean` divides by a NumPy int64,
  `maximum` and `where` build float64 masks). One such node would run the rest of the backward
  pass in double precision, twice as slow. When the parameters are float32, every gradient is
  brought back to float32 as it flows, so the damage stops at the node that caused it.
"""

import numpy as np
from autograd.core import VJPNode, add_outgrads
from autograd.tracer import isbox, new_box, toposort, trace_stack


def value_and_grads(fun, values):
    """Returns `(fun(values), [d fun / d values[i]])` for a scalar-valued `fun`.

    Args:
        fun: a function of a list of arrays (traced, so written with `autograd.numpy`).
        values: the list of arrays to differentiate with respect to.
    """
    with trace_stack.new_trace() as trace:
        roots = [VJPNode.new_root() for _ in values]
        out = fun([new_box(v, trace, root) for v, root in zip(values, roots)])
        if not (isbox(out) and out._trace == trace):  # fun does not depend on values
            return out, [np.zeros_like(v) for v in values]
        value, end_node = out._value, out._node
    dtypes = {np.result_type(v) for v in values}
    low = np.dtype(np.float32) if dtypes == {np.dtype(np.float32)} else None
    index = {id(root): i for i, root in enumerate(roots)}
    grads = [None] * len(values)
    outgrads = {end_node: (np.ones_like(value), False)}
    for node in toposort(end_node):
        g = outgrads.pop(node)[0]
        i = index.get(id(node))
        if i is not None:
            grads[i] = g
            continue
        for parent, parent_g in zip(node.parents, node.vjp(g)):
            if low is not None and getattr(parent_g, "dtype", None) == np.float64:
                parent_g = parent_g.astype(low)
            outgrads[parent] = add_outgrads(outgrads.get(parent), parent_g)
    return value, [np.zeros_like(v) if g is None else g for v, g in zip(values, grads)]
