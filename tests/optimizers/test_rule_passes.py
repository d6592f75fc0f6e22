"""Adam, SGD and RMSprop write their passes into arrays they made (optimizers/passes.py): the
results must be, bit for bit, Keras's formulas computed as written (one new array per
operation), transcribed below from keras/src/optimizers/{adam,sgd,rmsprop}.py with the float32
coefficients minikeras uses. Every option branch, float32 and float64 values, 0-d, 1-d and 2-d
variables, several steps from a non-zero state; the arguments stay untouched and no returned
array is an argument or another returned array.
"""

import numpy as np
import pytest

from minikeras.optimizers import SGD, Adam, RMSprop

f32 = np.float32


def keras_adam(opt, grads, state, values, step, lr):
    t = f32(step)
    alpha = f32(lr * np.sqrt(f32(1) - f32(opt.beta_2) ** t) / (f32(1) - f32(opt.beta_1) ** t))
    b1, b2, eps = f32(1 - opt.beta_1), f32(1 - opt.beta_2), f32(opt.epsilon)
    new = ([], [], [], [])
    for i, (g, x) in enumerate(zip(grads, values)):
        m = state[0][i] + (g - state[0][i]) * b1
        v = state[1][i] + (g * g - state[1][i]) * b2
        new[1].append(m), new[2].append(v)
        if opt.amsgrad:
            v = np.maximum(state[2][i], v)
            new[3].append(v)
        new[0].append(x - m * alpha / (np.sqrt(v) + eps))
    return new[0], new[1:3] + ((new[3],) if opt.amsgrad else ())


def keras_sgd(opt, grads, state, values, step, lr):
    if opt.momentum == 0:
        return [x - g * lr for g, x in zip(grads, values)], ()
    mom = f32(opt.momentum)
    new_values, momentums = [], []
    for g, x, m in zip(grads, values, state[0]):
        m = m * mom - g * lr
        new_values.append(x + (m * mom - g * lr) if opt.nesterov else x + m)
        momentums.append(m)
    return new_values, (momentums,)


def keras_rmsprop(opt, grads, state, values, step, lr):
    rho, one_minus_rho, eps = f32(opt.rho), f32(1 - opt.rho), f32(opt.epsilon)
    new = ([], [], [], [])
    for i, (g, x) in enumerate(zip(grads, values)):
        v = state[0][i] * rho + one_minus_rho * (g * g)
        if opt.centered:
            mg = state[-1][i] * rho + one_minus_rho * g
            denominator = (v - mg * mg) + eps
            new[3].append(mg)
        else:
            denominator = v + eps
        increment = lr * g / np.sqrt(denominator)
        if opt.momentum > 0:
            increment = state[1][i] * f32(opt.momentum) + increment
            new[2].append(increment)
        new[0].append(x - increment)
        new[1].append(v)
    return new[0], ((new[1],) + ((new[2],) if opt.momentum > 0 else ())
                    + ((new[3],) if opt.centered else ()))


CASES = [
    ("adam", lambda: Adam(), keras_adam),
    ("adam_amsgrad", lambda: Adam(beta_1=0.8, amsgrad=True), keras_adam),
    ("sgd", lambda: SGD(), keras_sgd),
    ("sgd_momentum", lambda: SGD(momentum=0.9), keras_sgd),
    ("sgd_nesterov", lambda: SGD(momentum=0.7, nesterov=True), keras_sgd),
    ("rmsprop", lambda: RMSprop(), keras_rmsprop),
    ("rmsprop_momentum", lambda: RMSprop(rho=0.8, momentum=0.5), keras_rmsprop),
    ("rmsprop_centered", lambda: RMSprop(centered=True), keras_rmsprop),
    ("rmsprop_centered_momentum", lambda: RMSprop(momentum=0.9, centered=True), keras_rmsprop),
]
SHAPES = [(), (7,), (33, 5)]


def _same_bits(ours, theirs, what):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, what
    assert ours.tobytes() == theirs.tobytes(), (
        f"{what}: {np.count_nonzero(ours != theirs)} elements differ, by up to "
        f"{np.max(np.abs(ours.astype(float) - theirs)):.3g}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, make, keras_rule", CASES, ids=[c[0] for c in CASES])
def test_rule_is_keras_formula_bit_for_bit(name, make, keras_rule, dtype):
    rng = np.random.default_rng(0)
    opt = make()
    values = [rng.normal(size=s).astype(dtype) for s in SHAPES]
    # A non-zero state of the right signs (squared averages are positive).
    state = tuple([np.abs(rng.normal(size=s)).astype(dtype) * 1e-3 for s in SHAPES]
                  for _ in opt.init_state(values))
    reference_values, reference_state = values, state
    initial = np.array(values[2])
    for step in range(1, 5):
        grads = [(rng.normal(size=s) * 10.0 ** rng.integers(-4, 1)).astype(dtype)
                 for s in SHAPES]
        grads[1][::3] = 0  # zero gradients too
        lr = f32(0.01 * step)  # a learning rate that changes, as a schedule's does
        frozen = [np.array(a) for a in values + grads + [a for slot in state for a in slot]]
        new_values, new_state = opt.update(grads, state, values, step, lr)
        arguments = values + grads + [a for slot in state for a in slot]
        assert all(np.array_equal(a, b) for a, b in zip(arguments, frozen))
        returned = new_values + [a for slot in new_state for a in slot]
        arrays = [a for a in returned if isinstance(a, np.ndarray) and a.ndim]
        assert all(not np.shares_memory(a, b) for a in arrays for b in arguments + arrays
                   if a is not b)
        reference_values, reference_state = keras_rule(opt, grads, reference_state,
                                                       reference_values, step, lr)
        for i, (ours, theirs) in enumerate(zip(new_values, reference_values)):
            _same_bits(ours, theirs, f"{name} step {step}, value {i}")
        assert len(new_state) == len(reference_state)
        for k, (slot, expected) in enumerate(zip(new_state, reference_state)):
            for i, (ours, theirs) in enumerate(zip(slot, expected)):
                _same_bits(ours, theirs, f"{name} step {step}, slot {k} of value {i}")
        values, state = new_values, new_state
    # The variables moved: the comparison is not between two unchanged lists.
    assert np.all(values[2] != initial)
