"""Small variables are updated together (one flat array): the results must be exactly those
of updating each variable on its own."""

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.variables import Variable
from minikeras.optimizers import base

SHAPES = [(3, 4), (4,), (1,), (200, 100), (5, 2)]  # (200, 100) is above GROUP_SIZE


def _variables(seed=0):
    rng = np.random.default_rng(seed)
    return [Variable(rng.standard_normal(s).astype(np.float32), name=f"v{i}")
            for i, s in enumerate(SHAPES)]


def _grads(step):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _train(make, steps, monkeypatch, group_size):
    monkeypatch.setattr(base, "GROUP_SIZE", group_size)
    opt, variables = make(), _variables()
    for step in range(steps):
        opt.apply(_grads(step), variables)
    return [v.numpy() for v in variables], [v.numpy() for v in opt.variables]


@pytest.mark.parametrize("make", [
    lambda: optimizers.Adam(),
    lambda: optimizers.Adam(amsgrad=True, weight_decay=0.01),
    lambda: optimizers.AdamW(),
    lambda: optimizers.SGD(momentum=0.9, nesterov=True),
    lambda: optimizers.RMSprop(centered=True, momentum=0.5),
    lambda: optimizers.Adamax(),
    lambda: optimizers.Nadam(),
    lambda: optimizers.Adagrad(),
    lambda: optimizers.Adadelta(),
    lambda: optimizers.Ftrl(l1_regularization_strength=0.01),
    lambda: optimizers.Lion(),
], ids=["adam", "amsgrad-wd", "adamw", "nesterov", "rmsprop", "adamax", "nadam", "adagrad",
        "adadelta", "ftrl", "lion"])
def test_grouped_update_is_bit_identical(make, monkeypatch):
    grouped = _train(make, 5, monkeypatch, base.GROUP_SIZE)
    alone = _train(make, 5, monkeypatch, 0)
    for a, b in zip(grouped[0] + grouped[1], alone[0] + alone[1]):
        np.testing.assert_array_equal(a, b)


def test_state_set_by_the_user_reaches_grouped_variables():
    opt, variables = optimizers.Adam(), _variables()
    opt.apply(_grads(0), variables)
    state = opt.get_weights()
    opt.apply(_grads(1), variables)
    opt.set_weights(state)  # back to the state after step 0...
    values = [v.numpy() for v in variables]
    opt.apply(_grads(2), variables)
    # ... so the next step is the one an optimizer restored from `state` takes.
    restored, twin = optimizers.Adam(), [Variable(v) for v in values]
    restored.build(twin)
    restored.set_weights(state)
    restored.apply(_grads(2), twin)
    for a, b in zip(variables, twin):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def _train_subsets(monkeypatch, group_size):
    monkeypatch.setattr(base, "GROUP_SIZE", group_size)
    opt, variables = optimizers.Adam(), _variables()
    for step in range(4):
        subset = [0, 1, 2, 3, 4] if step % 2 == 0 else [1, 4]
        grads = _grads(step)
        opt.apply([grads[i] for i in subset], [variables[i] for i in subset])
    return [v.numpy() for v in variables] + [v.numpy() for v in opt.variables]


def test_changing_the_set_of_variables_keeps_each_state(monkeypatch):
    grouped = _train_subsets(monkeypatch, base.GROUP_SIZE)
    for a, b in zip(grouped, _train_subsets(monkeypatch, 0)):
        np.testing.assert_array_equal(a, b)
