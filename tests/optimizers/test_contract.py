"""The contract the training engine relies on, for every optimizer and every feature of the
base class: `build`, `variables` (the real state Variables), the pure `stateless_apply`, and a
state that round-trips through `get_weights` / `set_weights`."""

import warnings

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.optimizers import schedules
from minikeras.variables import Variable

SHAPES = [(3,), (4, 5), (2, 3, 4), ()]
EVERYTHING = dict(weight_decay=0.01, clipnorm=0.5, use_ema=True, ema_momentum=0.9,
                  ema_overwrite_frequency=2, gradient_accumulation_steps=2)
CONFIGS = [(name, {}) for name in sorted(optimizers.CLASSES)] + [
    (name, EVERYTHING) for name in sorted(optimizers.CLASSES)] + [
    ("Adam", dict(amsgrad=True)), ("SGD", dict(momentum=0.9, nesterov=True)),
    ("RMSprop", dict(momentum=0.5, centered=True)), ("Nadam", dict(decay=0.1)),
    ("Adam", dict(learning_rate="schedule", use_ema=True)),
    ("Ftrl", dict(l1_regularization_strength=0.01, l2_shrinkage_regularization_strength=0.1,
                  beta=0.5)),
]
IDS = [f"{name}-{'-'.join(cfg) or 'defaults'}" for name, cfg in CONFIGS]


def make_optimizer(name, config):
    config = dict(config)
    if config.get("learning_rate") == "schedule":
        config["learning_rate"] = schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)
    config.setdefault("learning_rate", 0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Keras 2's decay=
        return optimizers.CLASSES[name](**config)


def make_variables(seed=0):
    rng = np.random.default_rng(seed)
    variables = [Variable(rng.normal(size=s).astype(np.float32), name=f"w{i}")
                 for i, s in enumerate(SHAPES)]
    variables[1].constraint = lambda x: np.clip(x, -1.0, 1.0)
    return variables


def gradients(rng):
    return [rng.normal(size=s).astype(np.float32) for s in SHAPES]


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name,config", CONFIGS, ids=IDS)
def test_stateless_apply_is_pure(name, config):
    """Inputs stay bit-identical, arrays returned by step k are unchanged after step k+1 and
    later, every returned array is new, the same inputs give the same outputs (no state hidden
    in the optimizer), and no Variable changes."""
    rng = np.random.default_rng(1)
    opt, variables = make_optimizer(name, config), make_variables()
    opt.build(variables)
    held = [(v, v.value, v.numpy()) for v in variables + opt.variables]
    values, state = [v.value for v in variables], [v.value for v in opt.variables]
    returned = []  # (array, copy) of every array any step returned
    for _ in range(5):
        grads = gradients(rng)
        inputs = state + grads + values
        copies = [np.array(x) for x in inputs]
        new_values, new_state = opt.stateless_apply(state, grads, values)
        again_values, again_state = opt.stateless_apply(state, grads, values)
        assert all(same_bits(x, c) for x, c in zip(inputs, copies))
        outputs = new_values + new_state
        assert all(same_bits(a, b) for a, b in zip(outputs, again_values + again_state))
        for i, out in enumerate(outputs):
            assert isinstance(out, np.ndarray)
            assert not any(np.shares_memory(out, x) for x in inputs)
            assert not any(np.shares_memory(out, o) for o in outputs[i + 1:])
        for old, copy in returned:
            assert same_bits(old, copy)
        returned += [(out, np.array(out)) for out in outputs]
        values, state = new_values, new_state
    for old, copy in returned:
        assert same_bits(old, copy)
    for var, array, copy in held:
        assert var.value is array and same_bits(array, copy)
    assert int(opt._iterations) == 0


@pytest.mark.parametrize("name,config", CONFIGS, ids=IDS)
def test_apply_is_stateless_apply_plus_one_write_back(name, config):
    rng = np.random.default_rng(2)
    eager, pure = make_optimizer(name, config), make_optimizer(name, config)
    eager_vars, pure_vars = make_variables(), make_variables()
    pure.build(pure_vars)
    values, state = [v.value for v in pure_vars], [v.value for v in pure.variables]
    for _ in range(5):
        grads = gradients(rng)
        eager.apply_gradients(zip(grads, eager_vars))
        values, state = pure.stateless_apply(state, grads, values)
        assert all(same_bits(v.numpy(), x) for v, x in zip(eager_vars, values))
        assert all(same_bits(w, x) for w, x in zip(eager.get_weights(), state))


@pytest.mark.parametrize("name,config", CONFIGS, ids=IDS)
def test_state_round_trip_continues_the_trajectory_bit_for_bit(name, config):
    """`set_weights(get_weights())` into a fresh optimizer built on the same variables."""
    rng = np.random.default_rng(3)
    opt, variables = make_optimizer(name, config), make_variables()
    for _ in range(3):
        opt.apply_gradients(zip(gradients(rng), variables))
    weights, saved = [v.numpy() for v in variables], opt.get_weights()
    later = [gradients(rng) for _ in range(4)]
    expected = []
    for grads in later:
        opt.apply_gradients(zip(grads, variables))
        expected.append([v.numpy() for v in variables] + opt.get_weights())
    for var, w in zip(variables, weights):
        var.assign(w)
    fresh = make_optimizer(name, config)
    fresh.build(variables)
    fresh.set_weights(saved)
    for grads, want in zip(later, expected):
        fresh.apply_gradients(zip(grads, variables))
        got = [v.numpy() for v in variables] + fresh.get_weights()
        assert len(got) == len(want) and all(same_bits(a, b) for a, b in zip(got, want))
    assert int(fresh.iterations) == int(opt.iterations)


def test_variables_are_the_state_itself():
    variables = make_variables()
    opt = optimizers.Adam(0.1, use_ema=True)
    opt.build(variables)
    state = opt.variables
    opt.build(variables)  # a second build with the same variables does nothing
    assert all(a is b for a, b in zip(state, opt.variables)) and len(state) == len(opt.variables)
    opt.apply_gradients(zip(gradients(np.random.default_rng(4)), variables))
    assert all(a is b for a, b in zip(state, opt.variables))
    assert all(same_bits(v.numpy(), w) for v, w in zip(state, opt.get_weights()))
    assert int(state[0]) == 1 and not any(v.trainable for v in state)
    new = [np.full(v.shape, 0.5, v.dtype) for v in state]
    opt.set_weights(new)
    assert all(same_bits(v.value, w) for v, w in zip(state, new))
    new[3][...] = 7  # set_weights copied: the caller keeps its arrays
    assert not np.any(state[3].numpy() == 7)


def test_build_adds_only_new_variables():
    first, second = make_variables(), make_variables(seed=1)
    opt = optimizers.SGD(momentum=0.9)
    opt.build(first)
    state = opt.variables
    opt.build(first[:2] + second[:1])
    assert len(opt.variables) == len(state) + 1
    assert all(a is b for a, b in zip(state, opt.variables))


def test_nadam_u_product_lives_in_the_state():
    variables = make_variables()
    opt = optimizers.Nadam()
    opt.build(variables)
    state = [v.value for v in opt.variables]
    grads = gradients(np.random.default_rng(5))
    _, after_one = opt.stateless_apply(state, grads, [v.value for v in variables])
    _, after_two = opt.stateless_apply(after_one, grads, [v.value for v in variables])
    paths = [v.path for v in opt.variables]
    u = paths.index("nadam/u_product")
    u1, u2 = 0.9 * (1 - 0.5 * 0.96), 0.9 * (1 - 0.5 * 0.96 ** 2)
    np.testing.assert_allclose(after_one[u], u1, rtol=1e-6)
    np.testing.assert_allclose(after_two[u], u1 * u2, rtol=1e-6)
    assert float(opt.variables[u].numpy()) == 1.0  # the optimizer itself did not move


def test_finalize_variable_values_writes_the_averages():
    variables = make_variables()
    opt = optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    rng = np.random.default_rng(6)
    for _ in range(3):
        opt.apply_gradients(zip(gradients(rng), variables))
    averages = {v.path: v.numpy() for v in opt.variables}
    opt.finalize_variable_values(variables)
    for var in variables:
        assert same_bits(var.numpy(), averages[f"sgd/{var.path}_average"])
