"""2-D test functions of the optimizer benchmark, in plain float32 NumPy.

Shared by `optimizers.py` (minikeras) and `make_keras_reference.py` (real Keras, another
virtualenv): both feed an optimizer the very same float32 gradients, so any difference between
their trajectories comes from the optimizers alone. Only NumPy is imported here.

Every function takes `p` of shape `(..., 2)` (one point, a path, or a contour grid) and works
in the dtype of `p`; the gradients are written out by hand.
"""

from typing import Callable, NamedTuple, Optional, Tuple

import numpy as np

# The optimizers, in the order of the tables (Keras 3 class names, default arguments).
OPTIMIZERS = ("SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "Nadam",
              "Ftrl", "Lion", "Adafactor")


def _xy(p):
    p = np.asarray(p)
    return p[..., 0], p[..., 1]  # `...` keeps 0-d arrays, so a float32 point stays float32


def rosenbrock(p):
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_grad(p):
    x, y = _xy(p)
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y


def beale(p):
    a, b, c = _beale_terms(*_xy(p))
    return a * a + b * b + c * c


def beale_grad(p):
    x, y = _xy(p)
    a, b, c = _beale_terms(x, y)
    dx = 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1)
    dy = 2 * a * x + 2 * b * (2 * x * y) + 2 * c * (3 * x * y * y)
    return np.stack([dx, dy], axis=-1)


def saddle(p):
    x, y = _xy(p)
    return x * x - y * y


def saddle_grad(p):
    x, y = _xy(p)
    return np.stack([2 * x, -2 * y], axis=-1)


def quadratic(p):
    x, y = _xy(p)
    return 0.5 * (x * x + 100 * y * y)


def quadratic_grad(p):
    x, y = _xy(p)
    return np.stack([x, 100 * y], axis=-1)


class Problem(NamedTuple):
    """A test function with its start, goal, step budget and plotting box.

    A run reaches the goal once `f < f_goal` for good. `optimum` is None for the saddle, which
    has no minimum: there the goal is to escape (`f < -1`, two below the start) and "distance"
    is measured from the saddle point `(0, 0)`.
    """
    name: str
    f: Callable
    grad: Callable
    start: Tuple[float, float]
    optimum: Optional[Tuple[float, float]]
    f_goal: float
    steps: int
    box: Tuple[Tuple[float, float], Tuple[float, float]]


PROBLEMS = {
    # The banana valley: the gradient points across the valley, not along it.
    "rosenbrock": Problem("rosenbrock", rosenbrock, rosenbrock_grad, (-1.5, 2.0), (1.0, 1.0),
                          1e-4, 5000, ((-2.0, 2.0), (-1.0, 3.0))),
    # Flat plateaus and steep walls (|y| > 1 makes the y**3 term blow up).
    "beale": Problem("beale", beale, beale_grad, (1.0, 1.5), (3.0, 0.5), 1e-4, 3000,
                     ((-0.5, 4.0), (-1.0, 2.0))),
    # Started 1e-3 off the stable x axis: plain gradient descent first slides into the saddle,
    # then escapes along y only as fast as the tiny y component grows.
    "saddle": Problem("saddle", saddle, saddle_grad, (1.0, 1e-3), None, -1.0, 500,
                      ((-1.5, 1.5), (-1.5, 1.5))),
    # Condition number 100: a learning rate stable along y is 100x too small along x. Not
    # started at (1, 1): there a first step of exactly 1 per coordinate (Adam-like rules at
    # lr = 1) lands on the optimum, a coincidence that would top the tuned table.
    "quadratic": Problem("quadratic", quadratic, quadratic_grad, (0.8, 0.6), (0.0, 0.0), 1e-4,
                         3000, ((-1.5, 1.5), (-1.5, 1.5))),
}
