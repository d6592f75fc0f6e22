"""The value of a scalar function of several arrays and its gradient w.r.t. each, in one trace.

`autograd.make_vjp` differentiates one argument. Passing the parameters as one list makes
autograd box the list, and the VJP of every element access then allocates and adds zeros for
the *whole* list. Boxing each array as its own root node avoids that work on every step.
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
            outgrads[parent] = add_outgrads(outgrads.get(parent), parent_g)
    return value, [np.zeros_like(v) if g is None else g for v, g in zip(values, grads)]
