"""Adam, SGD and RMSprop write a kernel's new value into the kernel's own array, but never
into an array that was handed out: what a user took from `variable.value` keeps its values, as
in Keras."""

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.variables import Variable

SHAPE = (200, 100)  # large enough not to be grouped with the small variables


def _step(opt, var, seed):
    g = np.random.default_rng(seed).standard_normal(SHAPE).astype(np.float32)
    opt.apply([g], [var])


IN_PLACE = [
    optimizers.Adam, lambda: optimizers.Adam(amsgrad=True), optimizers.SGD,
    lambda: optimizers.SGD(momentum=0.9), lambda: optimizers.SGD(momentum=0.9, nesterov=True),
    optimizers.RMSprop, lambda: optimizers.RMSprop(momentum=0.5, centered=True),
]
IDS = ["adam", "amsgrad", "sgd", "momentum", "nesterov", "rmsprop", "rmsprop-centered"]


@pytest.mark.parametrize("make", IN_PLACE, ids=IDS)
def test_a_kernel_nobody_holds_is_updated_in_its_own_array(make):
    opt, var = make(), Variable(np.ones(SHAPE, np.float32))
    _step(opt, var, 0)
    array = var._value
    _step(opt, var, 1)
    _step(opt, var, 2)
    assert var._value is array


def test_values_handed_out_keep_their_values():
    opt, var = optimizers.Adam(), Variable(np.ones(SHAPE, np.float32))
    _step(opt, var, 0)
    taken, as_array = var.value, np.asarray(var)
    before = taken.copy()
    _step(opt, var, 1)
    _step(opt, var, 2)
    np.testing.assert_array_equal(taken, before)
    np.testing.assert_array_equal(as_array, before)
    assert not np.array_equal(var.numpy(), before)


@pytest.mark.parametrize("make", IN_PLACE, ids=IDS)
def test_in_place_and_fresh_updates_agree(make):
    held, free = Variable(np.ones(SHAPE, np.float32)), Variable(np.ones(SHAPE, np.float32))
    opt_held, opt_free = make(), make()
    for seed in range(4):
        held.value  # handed out before every step: always a fresh array
        _step(opt_held, held, seed)
        _step(opt_free, free, seed)
    np.testing.assert_array_equal(held.numpy(), free.numpy())


def test_fit_keeps_training_in_the_kernel_array_and_leaves_taken_weights_alone():
    from minikeras import layers, models

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 300)).astype(np.float32), rng.standard_normal((64, 1))
    model = models.Sequential([layers.Input((300,)), layers.Dense(100), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    kernel = model.layers[0].kernel
    taken = kernel.value
    before = taken.copy()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(taken, before)
    array = kernel._value
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert kernel._value is array
