"""Every optimizer and schedule against trajectories recorded with real Keras 3
(tests/golden/optimizers.json and schedules.json, see tests/golden/README.md).

An optimizer has two update paths, and only two: `apply_gradients` (eager: it runs
`stateless_apply` on the current values and writes the result back) and `stateless_apply`
(what the training engine calls). Every case is checked through both, at every step.
"""

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.variables import Variable
from tests.conftest import load_golden

OPT_CASES = load_golden("optimizers.json")["cases"]
SCHEDULE_CASES = load_golden("schedules.json")["cases"]
RTOL, ATOL = 1e-5, 1e-6


def build(case):
    kwargs = dict(case["config"])
    if "schedule" in case:
        sched = case["schedule"]
        kwargs["learning_rate"] = getattr(optimizers.schedules, sched["class"])(**sched["config"])
    return getattr(optimizers, case["class"])(**kwargs)


def f32(x):
    return np.asarray(x, dtype=np.float32)


def test_every_optimizer_class_is_covered():
    assert {c["class"] for c in OPT_CASES} == set(optimizers.CLASSES)


@pytest.mark.parametrize("case", OPT_CASES, ids=[c["name"] for c in OPT_CASES])
def test_trajectory_matches_keras(case):
    opt = build(case)
    variables = [Variable(f32(v), name=f"v{i}") for i, v in enumerate(case["init"])]
    for step, grads in enumerate(case["grads"]):
        np.testing.assert_allclose(float(np.asarray(opt.learning_rate)),
                                   case["learning_rate_before_each_step"][step], rtol=1e-6)
        opt.apply_gradients(zip([f32(g) for g in grads], variables))
        for var, expected in zip(variables, case["traj"][step]):
            np.testing.assert_allclose(var.numpy(), f32(expected), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{case['name']} step {step + 1} {var.name}")
        if "ema_traj" in case:
            averages = {v.path.rsplit("/", 1)[1]: v.numpy() for v in opt.variables}
            for var, expected in zip(variables, case["ema_traj"][step]):
                np.testing.assert_allclose(averages[f"{var.name}_average"], f32(expected),
                                           rtol=RTOL, atol=ATOL)
    assert int(opt.iterations) == case["iterations"]


@pytest.mark.parametrize("case", OPT_CASES, ids=[c["name"] for c in OPT_CASES])
def test_stateless_trajectory_matches_keras(case):
    """The engine's path: values in, values out, no Variable written; it also equals the eager
    path bit for bit."""
    opt, eager = build(case), build(case)
    variables = [Variable(f32(v), name=f"v{i}") for i, v in enumerate(case["init"])]
    twins = [Variable(f32(v), name=f"v{i}") for i, v in enumerate(case["init"])]
    opt.build(variables)
    paths = [v.path.rsplit("/", 1)[1] for v in opt.variables]
    untouched = [v.numpy() for v in variables + opt.variables]
    values, state = [v.value for v in variables], [v.value for v in opt.variables]
    for step, grads in enumerate(case["grads"]):
        grads = [f32(g) for g in grads]
        values, state = opt.stateless_apply(state, grads, values)
        eager.apply_gradients(zip(grads, twins))
        for value, twin, expected in zip(values, twins, case["traj"][step]):
            np.testing.assert_allclose(value, f32(expected), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{case['name']} step {step + 1}")
            np.testing.assert_array_equal(value, twin.numpy())
        for ours, theirs in zip(state, eager.get_weights()):
            np.testing.assert_array_equal(ours, theirs)
        if "ema_traj" in case:
            averages = dict(zip(paths, state))
            for i, expected in enumerate(case["ema_traj"][step]):
                np.testing.assert_allclose(averages[f"v{i}_average"], f32(expected), rtol=RTOL,
                                           atol=ATOL)
    assert int(state[0]) == case["iterations"]
    for var, before in zip(variables + opt.variables, untouched):
        np.testing.assert_array_equal(var.numpy(), before)


@pytest.mark.parametrize("case", OPT_CASES, ids=[c["name"] for c in OPT_CASES])
def test_config_matches_keras(case):
    config = build(case).get_config()
    for key, expected in case["keras_full_config"].items():
        if isinstance(expected, dict):  # a serialized schedule
            assert config[key]["class_name"] == expected["class_name"]
            assert config[key]["config"] == expected["config"]
        elif isinstance(expected, float):
            assert config[key] == pytest.approx(expected, rel=1e-6), key
        else:
            assert config[key] == expected, key


@pytest.mark.parametrize("case", SCHEDULE_CASES,
                         ids=[f"{c['class']}-{i}" for i, c in enumerate(SCHEDULE_CASES)])
def test_schedule_matches_keras(case):
    schedule = getattr(optimizers.schedules, case["class"])(**case["config"])
    values = [schedule(step) for step in case["steps"]]
    assert all(np.asarray(v).dtype == np.float32 for v in values)
    np.testing.assert_allclose(f32(values), f32(case["values"]), rtol=RTOL, atol=1e-7)
    config = schedule.get_config()
    assert {k: config[k] for k in case["keras_full_config"]} == case["keras_full_config"]
