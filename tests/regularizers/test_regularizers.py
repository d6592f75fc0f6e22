"""Regularizers: formulas, Keras 3 values, registry, configs, and their part of the loss."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras import regularizers
from minikeras.variables import Variable
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from minikeras.regularizers import L1, L1L2, L2, OrthogonalRegularizer
from tests.conftest import central_difference_grad

W = np.array([[1.0, -2.0, 0.0], [3.0, -1.0, 2.0], [0.5, 0.5, -1.0], [2.0, 0.0, 1.0]],
             dtype=np.float32)


def test_l1_l2_formulas():
    assert L1(0.1)(W) == pytest.approx(0.1 * np.abs(W).sum())
    assert L2(0.1)(W) == pytest.approx(0.1 * np.square(W).sum())
    assert L1L2(0.1, 0.2)(W) == pytest.approx(0.1 * np.abs(W).sum() + 0.2 * np.square(W).sum())
    assert L1L2()(W) == 0.0
    assert L2(0.1)(W).dtype == np.float32
    assert L2(0.5)(Variable(W)) == pytest.approx(0.5 * np.square(W).sum())


def test_defaults_and_spellings():
    assert L1().l1 == 0.01 and L2().l2 == 0.01 and L1(None).l1 == 0.01
    assert (L1L2().l1, L1L2().l2) == (0.0, 0.0)
    assert (regularizers.l1_l2().l1, regularizers.l1_l2().l2) == (0.01, 0.01)  # Keras 2 shortcut
    assert regularizers.l1 is L1 and regularizers.l2 is L2
    assert regularizers.l2(0.3).l2 == 0.3


# Values computed with Keras 3.15.1 (JAX backend):
# keras.regularizers.OrthogonalRegularizer(factor, mode)(keras.ops.convert_to_tensor(x)).
W_KERAS = np.array([[1.0, 2.0, 0.0], [3.0, -1.0, 2.0], [0.5, 0.5, -1.0], [2.0, 0.0, 1.0]],
                   dtype=np.float32)


@pytest.mark.parametrize("factor, mode, x, expected", [
    (0.1, "rows", W_KERAS, 0.037360768765211105),
    (0.1, "columns", W_KERAS, 0.044775113463401794),
    (0.01, "rows", np.array([[0, 0, 0], [1.0, 2, 3], [3, 1, 1]], dtype=np.float32),
     0.0021488612983375788),
])
def test_orthogonal_regularizer_matches_keras(factor, mode, x, expected):
    assert OrthogonalRegularizer(factor, mode)(x) == pytest.approx(expected, rel=1e-6)


def test_orthogonal_regularizer_gradient_and_errors():
    x = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [3.0, 1.0, -1.0]])
    f = OrthogonalRegularizer(0.1, "rows")
    g = grad(f)(x)
    assert np.all(np.isfinite(g))  # a zero row does not give NaN
    y = x + np.array([[0.3, -0.2, 0.5], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(grad(f)(y), central_difference_grad(f, y), rtol=1e-5, atol=1e-8)
    assert OrthogonalRegularizer(0.0)(np.eye(3)) == 0.0
    with pytest.raises(ValueError, match="rank 2"):
        OrthogonalRegularizer()(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="mode"):
        OrthogonalRegularizer(mode="diagonal")


@pytest.mark.parametrize("make", [lambda: L1(-0.1), lambda: L2(float("nan")),
                                  lambda: L1L2(l2=float("inf")), lambda: L2("0.1"),
                                  lambda: OrthogonalRegularizer(-1)])
def test_invalid_factors(make):
    with pytest.raises(ValueError, match="non-negative"):
        make()


@pytest.mark.parametrize("name, cls, config", [
    ("l1", L1, {"l1": 0.01}), ("L1", L1, {"l1": 0.01}), ("l2", L2, {"l2": 0.01}),
    ("L2", L2, {"l2": 0.01}), ("L1L2", L1L2, {"l1": 0.0, "l2": 0.0}),
    ("l1l2", L1L2, {"l1": 0.0, "l2": 0.0}),          # Keras 3's snake_case of L1L2
    ("l1_l2", L1L2, {"l1": 0.01, "l2": 0.01}),       # Keras 2's shortcut function
    ("orthogonal_regularizer", OrthogonalRegularizer, {"factor": 0.01, "mode": "rows"}),
    ("OrthogonalRegularizer", OrthogonalRegularizer, {"factor": 0.01, "mode": "rows"}),
])
def test_get_by_name(name, cls, config):
    reg = regularizers.get(name)
    assert type(reg) is cls and reg.get_config() == config


def test_get_other_identifiers():
    assert regularizers.get(None) is None
    reg = L2(0.2)
    assert regularizers.get(reg) is reg
    assert isinstance(regularizers.get(L1), L1)

    def custom(w):
        return 0.5 * anp.sum(w)

    assert regularizers.get(custom) is custom
    keras3 = {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.05},
              "registered_name": None}
    assert regularizers.get(keras3).l2 == 0.05
    assert regularizers.get({"class_name": "l1_l2", "config": {"l1": 0.2}}).get_config() == \
        {"l1": 0.2, "l2": 0.01}
    with pytest.raises(ValueError, match="Could not interpret regularizer"):
        regularizers.get("l3")
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.get({"class_name": "L3", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret"):
        regularizers.get(0.01)


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.2), L1L2(0.1, 0.2),
                                 OrthogonalRegularizer(0.5, "columns")],
                         ids=lambda r: type(r).__name__)
def test_config_round_trip(reg):
    again = regularizers.get(regularizers.serialize(reg))
    assert type(again) is type(reg) and again.get_config() == reg.get_config()
    assert again(W) == pytest.approx(reg(W))
    assert regularizers.serialize(None) is None


# --------------------------------------------------------------------------- in the training loss
X = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
Y = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")


def _model(**dense_kwargs):
    model = Sequential([Input((3,)), Dense(2, kernel_initializer="glorot_uniform", **dense_kwargs)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_kernel_regularizer_adds_its_penalty_to_the_loss():
    plain, reg = _model(), _model(kernel_regularizer=L2(0.01))
    reg.set_weights(plain.get_weights())
    kernel = plain.get_weights()[0]
    penalty = 0.01 * np.sum(kernel.astype(np.float64) ** 2)
    assert penalty > 1e-3
    base = plain.evaluate(X, Y, batch_size=8, verbose=0)
    assert reg.evaluate(X, Y, batch_size=8, verbose=0) == pytest.approx(base + penalty, rel=1e-5)
    assert reg.test_on_batch(X, Y) == pytest.approx(base + penalty, rel=1e-5)
    # train_on_batch reports the loss before its update, penalty included.
    assert reg.train_on_batch(X, Y) == pytest.approx(base + penalty, rel=1e-5)
    assert len(reg.layers[0].losses) == 1


def test_regularizer_gradient_shrinks_the_weights():
    plain, reg = _model(), _model(kernel_regularizer=L2(1.0))
    reg.set_weights(plain.get_weights())
    kernel = plain.get_weights()[0]
    plain.train_on_batch(X, Y)
    reg.train_on_batch(X, Y)
    # SGD(0.01): the L2 term's gradient 2*l2*W adds a step of -0.01*2*W.
    np.testing.assert_allclose(reg.get_weights()[0], plain.get_weights()[0] - 0.02 * kernel,
                               rtol=1e-5, atol=1e-7)


def _activity_case():
    plain, reg = _model(), _model(activity_regularizer=L1(0.1))
    reg.set_weights(plain.get_weights())
    out = plain.predict(X, verbose=0)
    base = plain.test_on_batch(X, Y)
    return reg, base + 0.1 * np.abs(out.astype(np.float64)).sum() / len(X)


def test_activity_regularizer_is_divided_by_the_batch_size():
    reg, expected = _activity_case()
    assert reg.train_on_batch(X, Y) == pytest.approx(expected, rel=1e-5)


def test_activity_regularizer_counts_in_evaluate():
    reg, expected = _activity_case()
    assert reg.test_on_batch(X, Y) == pytest.approx(expected, rel=1e-5)
    assert reg.evaluate(X, Y, batch_size=8, verbose=0) == pytest.approx(expected, rel=1e-5)
