"""Names Keras derives from class names (`Dense` -> `dense`, `MeanSquaredError` ->
`mean_squared_error`): default object names and registry spellings.

Imports nothing from minikeras, so every floor (layers, optimizers, losses, metrics) can use it.
"""

import re


def to_snake_case(name):
    """Returns `name` in snake case, as Keras's `to_snake_case`.

    `'MeanSquaredError'` gives `'mean_squared_error'`, `'Conv2D'` gives `'conv2d'`, `'F1Score'`
    gives `'f1_score'`; characters that cannot appear in an identifier are dropped.
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
