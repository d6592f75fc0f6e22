"""Exact values from the formulas (KERAS_NOTES.md), written out independently in float64."""

import warnings

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.variables import Variable

X0 = np.array([1.0, -2.0, 0.5], dtype=np.float32)
G = np.array([0.5, 0.25, -4.0], dtype=np.float32)


def run(opt, grads, x0=X0):
    var = Variable(x0.copy(), name="x")
    for g in grads:
        opt.apply_gradients([(np.asarray(g, np.float32), var)])
    return var.numpy()


def close(actual, expected):
    np.testing.assert_allclose(actual, np.asarray(expected, np.float64), rtol=1e-6, atol=1e-7)


def test_sgd_plain_step():
    close(run(optimizers.SGD(learning_rate=0.1), [G]), [0.95, -2.025, 0.9])


def test_sgd_momentum_two_steps():
    # m1 = -lr*g; x1 = x0 + m1; m2 = 0.9*m1 - lr*g; x2 = x1 + m2
    m1 = -0.1 * G.astype(np.float64)
    m2 = 0.9 * m1 - 0.1 * G
    close(run(optimizers.SGD(0.1, momentum=0.9), [G, G]), X0 + m1 + m2)


def test_sgd_nesterov_step():
    m1 = -0.1 * G.astype(np.float64)
    close(run(optimizers.SGD(0.1, momentum=0.9, nesterov=True), [G]), X0 + 0.9 * m1 - 0.1 * G)


def test_adam_two_steps_from_the_formula():
    g, x, m, v = G.astype(np.float64), X0.astype(np.float64), 0.0, 0.0
    for t in (1, 2):
        alpha = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        m = m + (g - m) * 0.1
        v = v + (g * g - v) * 0.001
        x = x - alpha * m / (np.sqrt(v) + 1e-7)
    close(run(optimizers.Adam(learning_rate=0.01), [G, G]), x)


def test_adam_first_step_moves_by_lr_times_sign_without_epsilon():
    close(run(optimizers.Adam(learning_rate=0.01, epsilon=0.0), [G]), X0 - 0.01 * np.sign(G))


def test_adam_epsilon_is_not_bias_corrected():
    # With a tiny gradient, eps dominates: step = lr * sqrt(1-b2)/(1-b1) * m/(sqrt(v)+eps).
    g = np.full(3, 1e-6, np.float32)
    m, v = 0.1 * 1e-6, 0.001 * 1e-12
    step = 0.001 * np.sqrt(0.001) / 0.1 * m / (np.sqrt(v) + 1e-7)
    close(run(optimizers.Adam(), [g]), X0 - step)


def test_adagrad_epsilon_inside_sqrt():
    acc = 0.1 + G.astype(np.float64) ** 2
    close(run(optimizers.Adagrad(learning_rate=0.1), [G]), X0 - 0.1 * G / np.sqrt(acc + 1e-7))


def test_lamb_two_steps_from_the_formula():
    g, x, m, v = G.astype(np.float64), X0.astype(np.float64), 0.0, 0.0
    for t in (1, 2):
        m = m + (g - m) * 0.1
        v = v + (g * g - v) * 0.001
        r = (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-7)
        x = x - np.linalg.norm(x) / np.linalg.norm(r) * 0.01 * r  # the trust ratio |x|/|r|
    close(run(optimizers.Lamb(learning_rate=0.01), [G, G]), x)


def test_lamb_trust_ratio_is_one_when_a_norm_is_zero():
    # Zero weights: |x| = 0, so the step is lr * r (r = g/(|g|+eps) on the first step).
    zeros = np.zeros(3, np.float32)
    r = G.astype(np.float64) / (np.abs(G) + 1e-7)
    close(run(optimizers.Lamb(learning_rate=0.01), [G], x0=zeros), -0.01 * r)
    # A zero gradient everywhere: r = 0, |r| = 0, ratio 1, and the weights do not move.
    close(run(optimizers.Lamb(learning_rate=0.01), [np.zeros(3)]), X0)


def test_lion_steps_with_the_old_momentum_then_updates_it():
    """Several steps from a nonzero momentum, against the formula in float64. The gradients
    make the sign of `b1*m + (1-b1)*g` differ between the old and the new momentum, so a rule
    that updated `m` first would land elsewhere."""
    m0 = np.array([1.0, -1.0, 0.2], np.float32)
    grads = [np.array([-10.0, 10.0, -3.0], np.float32), np.array([-8.0, 9.0, 2.5], np.float32),
             np.array([0.5, -0.25, -4.0], np.float32)]
    lr, b1, b2 = 0.01, 0.9, 0.99
    x, m, wrong_x, wrong_m = (X0.astype(np.float64), m0.astype(np.float64),
                              X0.astype(np.float64), m0.astype(np.float64))
    for g in grads:
        x = x - lr * np.sign(b1 * m + (1 - b1) * g)
        m = b2 * m + (1 - b2) * g
        wrong_m = b2 * wrong_m + (1 - b2) * g
        wrong_x = wrong_x - lr * np.sign(b1 * wrong_m + (1 - b1) * g)
    assert not np.allclose(x, wrong_x)
    opt, var = optimizers.Lion(learning_rate=lr), Variable(X0.copy(), name="x")
    opt.build([var])
    opt.set_weights([np.array(0), np.float32(lr), m0])
    for g in grads:
        opt.apply_gradients([(g, var)])
    close(var.numpy(), x)
    close(opt.variables[-1].numpy(), m)


def nadam_expected(schedule_decay, steps=2, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    g, x, m, v, prod = G.astype(np.float64), X0.astype(np.float64), 0.0, 0.0, 1.0
    u = lambda t: b1 * (1 - 0.5 * 0.96 ** (t * schedule_decay))  # noqa: E731
    for t in range(1, steps + 1):
        prod *= u(t)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = u(t + 1) * m / (1 - prod * u(t + 1)) + (1 - u(t)) * g / (1 - prod)
        x = x - lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return x


def test_nadam_keras3_schedule():
    close(run(optimizers.Nadam(), [G, G]), nadam_expected(1.0))


def test_nadam_keras2_schedule_decay_is_honoured_with_a_warning():
    with pytest.warns(DeprecationWarning, match="schedule_decay"):
        opt = optimizers.Nadam(schedule_decay=0.004)
    close(run(opt, [G, G]), nadam_expected(0.004))
    assert not np.allclose(nadam_expected(0.004), nadam_expected(1.0), rtol=1e-6)
    assert opt.get_config()["schedule_decay"] == 0.004
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        again = optimizers.Nadam.from_config(opt.get_config())
    assert again.schedule_decay == 0.004


def test_nadam_schedule_decay_one_is_keras3():
    with pytest.warns(DeprecationWarning):
        opt = optimizers.Nadam(schedule_decay=1.0)
    np.testing.assert_array_equal(run(opt, [G, G, G]), run(optimizers.Nadam(), [G, G, G]))


@pytest.mark.parametrize("name", sorted(optimizers.CLASSES))
def test_rules_are_pure_functions_of_lists(name):
    """`init_state(values)` and `update(grads, state, values, step, lr)` leave their arguments
    alone and return new arrays, one per variable."""
    opt = optimizers.CLASSES[name]()
    values = [X0.copy(), np.arange(6, dtype=np.float32).reshape(2, 3)]
    grads = [G.copy(), np.full((2, 3), 0.5, np.float32)]
    state = opt.init_state(values)
    frozen = [np.array(a) for a in values + grads]
    new_values, new_state = opt.update(grads, state, values, 1, np.float32(0.01))
    new_values, new_state = opt.update(grads, new_state, new_values, 2, np.float32(0.01))
    assert all(np.array_equal(a, b) for a, b in zip(values + grads, frozen))
    assert len(new_values) == 2 and all(x.dtype == np.float32 for x in new_values)
    assert all(x.shape == v.shape and x is not v for x, v in zip(new_values, values))
    assert len(new_state) == len(state)
    assert all(np.count_nonzero(np.asarray(s)) == 0 or name in ("Adagrad", "Ftrl", "Nadam")
               for slot in state for s in (slot if isinstance(slot, list) else [slot]))


def test_optimizer_state_handed_out_or_set_is_copied():
    opt = optimizers.Adam()
    var = Variable(X0.copy())
    opt.apply([G], [var])
    state = opt.get_weights()
    state[2][...] = 42.0  # a copy: the optimizer's momentum is untouched
    assert not np.any(opt.variables[2].numpy() == 42.0)
    mine = [np.ones_like(s) for s in opt.get_weights()]
    opt.set_weights(mine)
    opt.apply([G], [var])
    assert all((m == 1).all() for m in mine)
    assert not np.array_equal(opt.get_weights()[2], np.ones(3))
