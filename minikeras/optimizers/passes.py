"""The pure rules' elementwise passes, written into arrays the rule made itself.

A rule's update is a dozen elementwise operations per variable (Keras's formulas, in Keras's
order). Computed as written, each makes a new array, and fresh memory costs more than a pass
over memory still in cache (RMSprop on the course MLP's weights, rule alone, 2-core machine:
143 us with nine new arrays per variable, 132 with three; on a 1.2M-weight kernel 2.27 ms,
1.98). So a rule makes the arrays it returns and a temporary or two, and writes the other
passes into them with `out=` or augmented assignment, never into its arguments: the same
operations on the same operands, so the same bits. Where a product or sum is written with its
operands swapped (`a * b` as `b * a`), the result is the same: IEEE multiplication and
addition are commutative.
"""

import numpy as np


def into(ufunc, *operands, out):
    """`ufunc(*operands)` written into `out`, an array the rule made; for a 0-d variable the
    rule's temporaries are NumPy scalars, which cannot be written: then a new scalar."""
    return ufunc(*operands, out=out) if isinstance(out, np.ndarray) else ufunc(*operands)
