"""Keras 2's graph API: `K.function` (a callable from input to output tensors, built as a
`Model`), `K.learning_phase` and `K.stop_gradient`."""

import numpy as np
from autograd.tracer import getval

from minikeras.models import Model
from minikeras.variables import unwrap

__all__ = [
    "function", "learning_phase", "stop_gradient",
]


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2 `K.function`: a callable mapping input arrays to output arrays.

    Typical use reads intermediate activations:
    `K.function([model.input], [model.layers[1].output])([x])[0]`.
    """
    single_in = not isinstance(inputs, (list, tuple))
    single_out = not isinstance(outputs, (list, tuple))
    model = Model(inputs=inputs if single_in else list(inputs),
                  outputs=outputs if single_out else list(outputs))

    def run(values):
        if not single_in and isinstance(values, (list, tuple)):
            values = list(values) if len(values) > 1 else values[0]
        out = model(values, training=False)
        if single_out:
            return np.asarray(out)
        out = out if isinstance(out, (list, tuple)) else [out]
        return [np.asarray(o) for o in out]

    return run


def learning_phase():
    """0: minikeras decides training mode per call (`training=` argument), not globally."""
    return 0


def stop_gradient(variables):
    """`variables` treated as constants by the gradient."""
    if isinstance(variables, (list, tuple)):
        return [getval(unwrap(v)) for v in variables]
    return getval(unwrap(variables))
