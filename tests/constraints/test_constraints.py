"""Constraints: Keras formulas, registry, configs, and their application after optimizer steps."""

import numpy as np
import pytest

from minikeras import constraints
from minikeras.variables import Variable
from minikeras.constraints import MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from minikeras.layers import Dense, Input
from minikeras.models import Sequential

EPS = 1e-7  # keras.backend.epsilon(), added to the norm in every rescaling
W = np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32) * 2


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w.astype(np.float64)), axis=axis, keepdims=True))


@pytest.mark.parametrize("axis", [0, 1, [0, 1]])
def test_max_norm(axis):
    n = _norms(W, tuple(axis) if isinstance(axis, list) else axis)
    expected = W * (np.clip(n, 0, 1.5) / (EPS + n))
    out = MaxNorm(1.5, axis=axis)(W)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert np.all(_norms(out, tuple(axis) if isinstance(axis, list) else axis) <= 1.5 + 1e-5)
    small = W * 1e-3  # inside the ball: unchanged (up to the epsilon)
    np.testing.assert_allclose(MaxNorm(1.5, axis=axis)(small), small, rtol=1e-4)


def test_min_max_norm_with_rate():
    n = _norms(W, 0)
    for rate in (1.0, 0.3):
        desired = rate * np.clip(n, 0.5, 1.0) + (1 - rate) * n
        np.testing.assert_allclose(MinMaxNorm(0.5, 1.0, rate)(W), W * desired / (EPS + n),
                                   rtol=1e-6)
    out = MinMaxNorm(0.5, 1.0)(W)
    assert np.all((_norms(out, 0) >= 0.5 - 1e-5) & (_norms(out, 0) <= 1.0 + 1e-5))


def test_unit_norm_and_non_neg():
    np.testing.assert_allclose(_norms(UnitNorm(axis=[0, 1])(W), (0, 1)), 1.0, rtol=1e-5)
    np.testing.assert_allclose(UnitNorm()(W), W / (EPS + _norms(W, 0)), rtol=1e-6)
    out = NonNeg()(W)
    np.testing.assert_array_equal(out, np.maximum(W, 0))
    assert out.dtype == np.float32


def test_variables_are_accepted_and_base_is_identity():
    v = Variable(W)
    np.testing.assert_array_equal(NonNeg()(v), np.maximum(W, 0))
    assert constraints.Constraint()(W) is W


@pytest.mark.parametrize("name, cls", [
    ("max_norm", MaxNorm), ("MaxNorm", MaxNorm), ("maxnorm", MaxNorm), ("non_neg", NonNeg),
    ("NonNeg", NonNeg), ("nonneg", NonNeg), ("unit_norm", UnitNorm), ("UnitNorm", UnitNorm),
    ("unitnorm", UnitNorm), ("min_max_norm", MinMaxNorm), ("MinMaxNorm", MinMaxNorm),
])
def test_get_by_name(name, cls):
    assert type(constraints.get(name)) is cls


def test_get_other_identifiers_and_defaults():
    assert constraints.get(None) is None
    c = MaxNorm(3)
    assert constraints.get(c) is c and isinstance(constraints.get(UnitNorm), UnitNorm)
    fn = lambda w: w * 0  # noqa: E731
    assert constraints.get(fn) is fn
    assert MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    assert MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    keras3 = {"module": "keras.constraints", "class_name": "MaxNorm",
              "config": {"max_value": 3, "axis": [0, 1, 2]}, "registered_name": None}
    assert constraints.get(keras3).axis == [0, 1, 2]
    assert constraints.max_norm is MaxNorm and constraints.maxnorm is MaxNorm
    with pytest.raises(ValueError, match="Could not interpret constraint"):
        constraints.get("positive")
    with pytest.raises(ValueError, match="Unknown constraint"):
        constraints.get({"class_name": "Positive", "config": {}})


@pytest.mark.parametrize("c", [MaxNorm(3, axis=1), MinMaxNorm(0.1, 2.0, 0.5, axis=[0, 1]),
                               NonNeg(), UnitNorm(axis=1)], ids=lambda c: type(c).__name__)
def test_config_round_trip(c):
    again = constraints.get(constraints.serialize(c))
    assert type(again) is type(c) and again.get_config() == c.get_config()
    np.testing.assert_allclose(again(W), c(W))


@pytest.mark.parametrize("kernel_constraint, check", [
    (MaxNorm(0.3), lambda k: np.all(_norms(k, 0) <= 0.3 + 1e-6)),
    (UnitNorm(), lambda k: np.allclose(_norms(k, 0), 1.0, atol=1e-5)),
    (MinMaxNorm(0.5, 0.6),
     lambda k: np.all((_norms(k, 0) >= 0.5 - 1e-5) & (_norms(k, 0) <= 0.6 + 1e-5))),
    (NonNeg(), lambda k: np.all(k >= 0)),
], ids=lambda v: type(v).__name__ if not callable(v) or hasattr(v, "get_config") else "")
def test_constraints_hold_after_training(kernel_constraint, check):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 3)) * 3).astype("float32")  # wants large, signed weights
    model = Sequential([Input((4,)), Dense(3, kernel_constraint=kernel_constraint,
                                           bias_constraint=NonNeg())])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    kernel, bias = model.get_weights()
    assert check(kernel)
    assert np.all(bias >= 0)
    # The constraint is applied after every step, so one more step keeps it satisfied.
    model.train_on_batch(x[:8], y[:8])
    assert check(model.get_weights()[0])
