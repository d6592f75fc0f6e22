"""What the `Optimizer` base does around every rule, in Keras 3's order."""

import warnings

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.variables import Variable
from minikeras.optimizers import schedules
from tests.conftest import load_golden

G1 = np.array([3.0, 4.0], np.float32)    # norm 5
G2 = np.array([[0.0, 12.0]], np.float32)  # norm 12; global norm 13


def make_vars():
    return [Variable(np.zeros(2, np.float32), name="a"),
            Variable(np.zeros((1, 2), np.float32), name="b")]


def sgd_step(grads, **kwargs):
    variables = make_vars()
    optimizers.SGD(learning_rate=1.0, **kwargs).apply_gradients(zip(grads, variables))
    return [v.numpy() for v in variables]


# ------------------------------------------------------------------ clipping
def test_clipnorm_clips_each_gradient_to_its_own_norm():
    a, b = sgd_step([G1, G2], clipnorm=1.0)
    np.testing.assert_allclose(a, -G1 / 5, rtol=1e-6)
    np.testing.assert_allclose(b, -G2 / 12, rtol=1e-6)


def test_global_clipnorm_scales_all_gradients_together():
    a, b = sgd_step([G1, G2], global_clipnorm=1.0)
    np.testing.assert_allclose(a, -G1 / 13, rtol=1e-6)
    np.testing.assert_allclose(b, -G2 / 13, rtol=1e-6)


def test_clipvalue_clips_elements():
    a, b = sgd_step([G1, G2], clipvalue=3.5)
    np.testing.assert_allclose(a, [-3.0, -3.5])
    np.testing.assert_allclose(b, [[0.0, -3.5]])


def test_clipping_below_the_threshold_changes_nothing_and_zero_disables_it():
    np.testing.assert_allclose(sgd_step([G1, G2], clipnorm=100.0)[0], -G1)
    np.testing.assert_allclose(sgd_step([G1, G2], global_clipnorm=0.0)[1], -G2)  # Keras: 0 = off


def test_global_clipnorm_with_zero_gradients_gives_zero_not_nan():
    a, _ = sgd_step([np.zeros(2, np.float32), np.zeros((1, 2), np.float32)], global_clipnorm=1.0)
    assert np.array_equal(a, np.zeros(2))


def test_only_one_clipping_argument():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)


def test_loss_scale_factor_divides_the_gradients():
    a, _ = sgd_step([G1, G2], loss_scale_factor=4.0)
    np.testing.assert_allclose(a, -G1 / 4)


# ------------------------------------------------------------------ missing gradients
def test_apply_gradients_with_a_none_gradient_skips_that_variable():
    a, b = make_vars()
    opt = optimizers.Adam(learning_rate=0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        opt.apply_gradients([(G1, a), (None, b)])
    assert np.all(a.numpy() != 0) and np.array_equal(b.numpy(), np.zeros((1, 2)))
    assert int(opt.iterations) == 1
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, a), (None, b)])


def test_apply_with_the_built_variables():
    a, b = make_vars()
    opt = optimizers.SGD(0.5)
    opt.build([a, b])
    opt.apply([G1, G2])
    np.testing.assert_allclose(a.numpy(), -0.5 * G1)
    assert int(opt.iterations) == 1


def test_stateless_apply_returns_the_step_and_writes_nothing():
    a, b = make_vars()
    opt = optimizers.SGD(0.5)
    opt.build([a, b])
    state = [v.value for v in opt.variables]
    new_values, new_state = opt.stateless_apply(state, [G1, G2], [a.value, b.value])
    np.testing.assert_allclose(new_values[0], -0.5 * G1)
    assert int(new_state[0]) == 1 and new_state[0].dtype == np.int64
    assert np.array_equal(a.numpy(), np.zeros(2))  # the caller writes back
    assert int(opt.iterations) == 0


def test_stateless_apply_needs_a_built_optimizer_and_matching_lists():
    a, b = make_vars()
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="must be built"):
        opt.stateless_apply([], [G1], [a.value])
    opt.build([a, b])
    state = [v.value for v in opt.variables]
    with pytest.raises(ValueError, match="optimizer_values"):
        opt.stateless_apply(state[:-1], [G1, G2], [a.value, b.value])
    with pytest.raises(ValueError, match="built for 2 variables"):
        opt.stateless_apply(state, [G1], [a.value])


def test_stateless_apply_skips_none_gradients_with_the_keras_warning():
    a, b = make_vars()
    opt = optimizers.SGD(1.0)
    opt.build([a, b])
    state = [v.value for v in opt.variables]
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        values, _ = opt.stateless_apply(state, [G1, None], [a.value, b.value])
    np.testing.assert_array_equal(values[0], -G1)
    np.testing.assert_array_equal(values[1], b.value)
    assert values[1] is not b.value  # new arrays, always
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.stateless_apply(state, [None, None], [a.value, b.value])


def test_the_step_reads_iterations_and_learning_rate_from_the_given_state():
    """Nothing comes from the optimizer's own Variables: a schedule sees the iteration count
    of `optimizer_values`, and a float learning rate is the one given there."""
    var = Variable(np.zeros(1, np.float32), name="w")
    sched = optimizers.SGD(schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5))
    sched.build([var])
    (new,), _ = sched.stateless_apply([np.array(3, np.int64)], [np.ones(1, np.float32)],
                                      [var.value])
    np.testing.assert_array_equal(new, [-0.125])
    plain = optimizers.SGD(0.1)
    plain.build([var])
    (new,), state = plain.stateless_apply([np.array(0, np.int64), np.array(0.5, np.float32)],
                                          [np.ones(1, np.float32)], [var.value])
    np.testing.assert_array_equal(new, [-0.5])
    assert float(state[1]) == 0.5 and float(plain.learning_rate) == np.float32(0.1)
    with pytest.warns(DeprecationWarning):
        keras2 = optimizers.SGD(1.0, decay=1.0)
    keras2.build([var])
    (new,), _ = keras2.stateless_apply([np.array(3, np.int64), np.array(1.0, np.float32)],
                                       [np.ones(1, np.float32)], [var.value])
    np.testing.assert_array_equal(new, [-0.25])  # lr / (1 + decay * 3)


def test_float64_variables_stay_float64():
    var = Variable(np.zeros(2), dtype="float64")
    optimizers.Adam().apply_gradients([(np.ones(2), var)])
    assert var.numpy().dtype == np.float64


# ------------------------------------------------------------------ weight decay, constraints
def test_decoupled_weight_decay_uses_the_learning_rate_and_exclusions():
    a = Variable(np.ones(2, np.float32), name="kernel")
    b = Variable(np.ones(2, np.float32), name="bias")
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(np.zeros(2, np.float32), a), (np.zeros(2, np.float32), b)])
    np.testing.assert_allclose(a.numpy(), 1 - 0.5 * 0.1)
    np.testing.assert_allclose(b.numpy(), 1.0)


def test_adamw_requires_a_weight_decay():
    assert optimizers.AdamW().weight_decay == 0.004
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


def test_constraints_apply_after_the_update():
    var = Variable(np.zeros(2, np.float32), name="w")
    var.constraint = lambda x: np.clip(x, -0.5, 0.5)
    optimizers.SGD(1.0).apply_gradients([(G1, var)])
    np.testing.assert_allclose(var.numpy(), [-0.5, -0.5])


# ------------------------------------------------------------------ moving average
def test_ema_and_finalize_variable_values():
    var = Variable(np.zeros(2, np.float32), name="w")
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    opt.apply_gradients([(np.ones(2, np.float32), var)])  # x = -1; first step: avg = x
    opt.apply_gradients([(np.ones(2, np.float32), var)])  # x = -2; avg = 0.5*-1 + 0.5*-2
    np.testing.assert_allclose(var.numpy(), -2.0)
    opt.finalize_variable_values([var])
    np.testing.assert_allclose(var.numpy(), -1.5)


def test_ema_overwrite_frequency():
    var = Variable(np.zeros(2, np.float32), name="w")
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    opt.apply_gradients([(np.ones(2, np.float32), var)])
    np.testing.assert_allclose(var.numpy(), -1.0)
    opt.apply_gradients([(np.ones(2, np.float32), var)])  # every 2nd step: x = avg
    np.testing.assert_allclose(var.numpy(), -1.5)
    with pytest.raises(ValueError, match="ema_overwrite_frequency"):
        optimizers.SGD(use_ema=True, ema_overwrite_frequency=0.5)


def test_finalize_without_ema_changes_nothing():
    var = Variable(np.ones(2, np.float32), name="w")
    opt = optimizers.SGD()
    opt.apply_gradients([(G1, var)])
    before = var.numpy()
    opt.finalize_variable_values([var])
    assert np.array_equal(var.numpy(), before)


# ------------------------------------------------------------------ gradient accumulation
def test_gradient_accumulation_applies_the_mean_every_n_calls():
    var = Variable(np.zeros(2, np.float32), name="w")
    opt = optimizers.SGD(1.0, gradient_accumulation_steps=3)
    grads = [np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([5.0, 9.0]), np.ones(2)]
    seen = []
    for g in grads:
        opt.apply_gradients([(g.astype(np.float32), var)])
        seen.append((var.numpy().tolist(), int(opt.iterations)))
    assert seen == [([0, 0], 0), ([0, 0], 0), ([-3, -5], 1), ([-3, -5], 1)]
    assert int(opt._iterations) == 4  # a schedule sees every call, as in Keras


def test_gradient_accumulation_counts_adam_steps_by_updates():
    var, ref = Variable(np.zeros(2, np.float32), name="w"), Variable(np.zeros(2, np.float32))
    acc, plain = optimizers.Adam(0.1, gradient_accumulation_steps=2), optimizers.Adam(0.1)
    for g in (G1, G1, 2 * G1, 2 * G1):
        acc.apply_gradients([(g, var)])
    for g in (G1, 2 * G1):
        plain.apply_gradients([(g, ref)])
    np.testing.assert_allclose(var.numpy(), ref.numpy(), rtol=1e-6)


def test_gradient_accumulation_steps_must_be_an_integer_of_at_least_two():
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        optimizers.SGD(gradient_accumulation_steps=1)


# ------------------------------------------------------------------ learning rate
def test_learning_rate_is_a_readable_assignable_float32_variable():
    opt = optimizers.Adam(learning_rate=0.01)
    assert isinstance(opt.learning_rate, Variable)
    assert opt.learning_rate.dtype == "float32" and float(opt.learning_rate) == np.float32(0.01)
    opt.learning_rate = 0.5  # what LearningRateScheduler / ReduceLROnPlateau do
    assert float(opt.learning_rate) == 0.5
    opt.learning_rate.assign(0.25)
    assert opt.get_config()["learning_rate"] == 0.25
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0


def test_a_schedule_as_learning_rate():
    sched = schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    var = Variable(np.zeros(2, np.float32), name="w")
    opt = optimizers.SGD(learning_rate=sched)
    rates = []
    for _ in range(3):
        rates.append(float(opt.learning_rate))  # the rate of the next step
        opt.apply_gradients([(np.ones(2, np.float32), var)])
    assert rates == [1.0, 0.5, 0.25]
    np.testing.assert_allclose(var.numpy(), -1.75)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1
    opt.learning_rate = schedules.InverseTimeDecay(1.0, 1, 1.0)  # a new schedule is fine



def test_swapping_float_and_schedule_learning_rates_after_build_moves_the_state():
    """The learning rate is a state entry only while it is a float: the flat state (and what
    `stateless_apply` takes) follows the swap, and steps keep using the right entries."""
    var = Variable(np.zeros(2, np.float32), name="w")
    opt = optimizers.SGD(learning_rate=0.5, momentum=0.5)
    opt.build([var])
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate", "w_momentum"]
    opt.learning_rate = lambda: 0.25
    assert [v.name for v in opt.variables] == ["iteration", "w_momentum"]
    state = [v.numpy() for v in opt.variables]
    new_values, new_state = opt.stateless_apply(state, [np.ones(2, np.float32)], [var.numpy()])
    # momentum 0.5 * 0 - 0.25 * 1 = -0.25, then w = 0 + (-0.25)
    np.testing.assert_array_equal(new_values[0], [-0.25, -0.25])
    np.testing.assert_array_equal(new_state[1], [-0.25, -0.25])
    assert int(new_state[0]) == 1
    with pytest.raises(ValueError, match=r"one array per entry .* \(2\); received 3"):
        opt.stateless_apply(state + [np.float32(0.5)], [np.ones(2, np.float32)], [var.numpy()])
    opt.learning_rate = 0.125  # a float again: back in the state, after the iteration
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate", "w_momentum"]
    assert float(opt.variables[1].numpy()) == 0.125

def test_a_callable_learning_rate():
    var = Variable(np.zeros(2, np.float32), name="w")
    optimizers.SGD(learning_rate=lambda: 0.5).apply_gradients([(np.ones(2, np.float32), var)])
    np.testing.assert_allclose(var.numpy(), -0.5)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_invalid_learning_rate(bad):
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate=bad)


def test_non_numeric_learning_rate():
    with pytest.raises(TypeError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")


# ------------------------------------------------------------------ Keras 2 spellings
def test_lr_keyword_is_honoured_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = optimizers.Adam(lr=0.05)
    assert float(opt.learning_rate) == np.float32(0.05)
    with pytest.warns(DeprecationWarning):
        assert float(opt.lr) == np.float32(0.05)
    with pytest.warns(DeprecationWarning):
        opt.lr = 0.2
    assert float(opt.learning_rate) == np.float32(0.2)


def test_decay_keyword_is_keras2_inverse_time_decay():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = optimizers.SGD(learning_rate=0.1, decay=0.5)
    var = Variable(np.zeros(1, np.float32), name="w")
    for _ in range(3):
        opt.apply_gradients([(np.ones(1, np.float32), var)])
    # lr_t = 0.1 / (1 + 0.5 * t) for t = 0, 1, 2 steps done
    np.testing.assert_allclose(var.numpy(), -(0.1 + 0.1 / 1.5 + 0.1 / 2), rtol=1e-6)
    ref = Variable(np.zeros(1, np.float32))
    same = optimizers.SGD(schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5))
    for _ in range(3):
        same.apply_gradients([(np.ones(1, np.float32), ref)])
    np.testing.assert_array_equal(var.numpy(), ref.numpy())
    assert opt.get_config()["decay"] == 0.5


def test_keras2_config_with_lr_and_zero_decay_loads_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = optimizers.deserialize({"class_name": "SGD", "config": {
            "lr": 0.03, "momentum": 0.9, "decay": 0.0, "nesterov": False}})
    assert float(opt.learning_rate) == np.float32(0.03) and opt.momentum == 0.9


def test_unknown_arguments_are_rejected():
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(betas=(0.9, 0.99))


# ------------------------------------------------------------------ state
def test_iterations_is_a_variable_that_acts_as_a_number():
    var = Variable(np.zeros(2, np.float32), name="w")
    opt = optimizers.SGD()
    for _ in range(4):
        opt.apply_gradients([(G1, var)])
    it = opt.iterations
    assert isinstance(it, Variable) and it.numpy() == 4
    assert it == 4 and int(it) == 4 and it % 2 == 0 and f"{it}" == "4"


def test_variables_follow_keras_order_and_state_round_trips():
    a, b = make_vars()
    opt = optimizers.Adam(0.1, amsgrad=True)
    opt.apply_gradients([(G1, a), (G2, b)])
    paths = [v.path for v in opt.variables]
    assert paths == ["adam/iteration", "adam/learning_rate", "adam/a_momentum", "adam/a_velocity",
                     "adam/b_momentum", "adam/b_velocity", "adam/a_velocity_hat",
                     "adam/b_velocity_hat"]
    store = {}
    opt.save_own_variables(store)
    c, d = make_vars()
    c.assign(a.numpy()), d.assign(b.numpy())
    fresh = optimizers.Adam(0.1, amsgrad=True)
    fresh.build([c, d])
    fresh.load_own_variables(store)
    for x, y in zip(fresh.get_weights(), opt.get_weights()):
        np.testing.assert_array_equal(x, y)
    opt.apply_gradients([(G1, a), (G2, b)])
    fresh.apply_gradients([(G1, c), (G2, d)])
    np.testing.assert_array_equal(a.numpy(), c.numpy())  # the restored state continues alike
    np.testing.assert_array_equal(b.numpy(), d.numpy())
    with pytest.raises(ValueError, match="state arrays"):
        fresh.set_weights([np.zeros(())])


def test_nadam_keeps_one_u_product_for_all_variables():
    opt = optimizers.Nadam()
    a, b = make_vars()
    opt.apply_gradients([(G1, a), (G2, b)])
    assert opt.variables[-1].path == "nadam/u_product"
    np.testing.assert_allclose(opt.variables[-1].numpy(), 0.9 * (1 - 0.5 * 0.96), rtol=1e-6)


KERAS2_EPSILON_OPTIMIZERS = ["Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam",
                             "RMSprop"]


def _first_step(opt):
    var = Variable(np.array([0.5, -1.0, 2.0], np.float32), name="w")
    opt.apply_gradients([(np.array([0.1, -3.0, 1e-4], np.float32), var)])
    return var.numpy()


@pytest.mark.parametrize("name", KERAS2_EPSILON_OPTIMIZERS)
def test_keras2_epsilon_none_means_k_epsilon(name):
    # Keras 2 documented epsilon=None (meaning K.epsilon()) for each of these; the tiny
    # gradient 1e-4 makes the step depend on epsilon, so a wrong value would show.
    cls = getattr(optimizers, name)
    with pytest.warns(DeprecationWarning, match="epsilon=None"):
        opt = cls(learning_rate=0.1, epsilon=None)
    assert opt.epsilon == 1e-7 and opt.get_config()["epsilon"] == 1e-7
    np.testing.assert_array_equal(_first_step(opt), _first_step(cls(learning_rate=0.1,
                                                                      epsilon=1e-7)))
    assert not np.array_equal(_first_step(cls(learning_rate=0.1, epsilon=1e-7)),
                              _first_step(cls(learning_rate=0.1, epsilon=1e-2)))


def test_keras2_epsilon_none_reads_k_epsilon_at_construction():
    from minikeras.backend import epsilon, set_epsilon

    old = epsilon()
    set_epsilon(1e-3)
    try:
        with pytest.warns(DeprecationWarning):
            opt = optimizers.Adam(epsilon=None)
    finally:
        set_epsilon(old)
    assert opt.epsilon == 1e-3


def test_keras2_rmsprop_documented_call():
    # Standalone Keras 2's documented signature, as course code copies it.
    with pytest.warns(DeprecationWarning):
        opt = optimizers.RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)
    assert opt.epsilon == 1e-7 and float(opt.learning_rate) == np.float32(0.001)
    np.testing.assert_array_equal(_first_step(opt), _first_step(optimizers.RMSprop()))
    # ... and it follows real Keras's RMSprop: Keras 3's trajectory with its defaults
    # (learning_rate=0.001, rho=0.9, epsilon=1e-7 = K.epsilon(), no decay), six steps.
    (case,) = [c for c in load_golden("optimizers.json")["cases"]
               if c["name"] == "rmsprop_default"]
    assert case["config"] == {}
    with pytest.warns(DeprecationWarning):
        opt = optimizers.RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)
    variables = [Variable(np.asarray(v, np.float32), name=f"v{i}")
                 for i, v in enumerate(case["init"])]
    for grads, expected in zip(case["grads"], case["traj"]):
        opt.apply_gradients(zip([np.asarray(g, np.float32) for g in grads], variables))
        for var, values in zip(variables, expected):
            np.testing.assert_allclose(var.numpy(), np.asarray(values, np.float32), rtol=1e-5,
                                       atol=1e-6)
