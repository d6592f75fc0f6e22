"""The layout of the optimizer state (minikeras/optimizers/state.py): Keras's order and names."""

import numpy as np

from minikeras import optimizers
from minikeras.optimizers.state import OptimizerState, StateLayout, merge, select
from minikeras.variables import Variable

GROUPS = [("momentum", "velocity"), ("velocity_hat",)]


def test_flatten_follows_keras_order_and_unflatten_inverts_it():
    state = OptimizerState("it", "lr", ["a_avg", "b_avg"], ["a_acc", "b_acc"],
                           (["a_m", "b_m"], ["a_v", "b_v"], ["a_vh", "b_vh"], "u_product"))
    layout = StateLayout(GROUPS, 2, True, True, True, n_wide=1)
    flat = layout.flatten(state)
    assert flat == ["it", "lr", "a_avg", "b_avg", "a_acc", "b_acc", "a_m", "a_v", "b_m", "b_v",
                    "a_vh", "b_vh", "u_product"]
    assert layout.size == len(flat)
    assert layout.unflatten(flat) == state
    bare = OptimizerState("it", None, [], [], (["a_m", "b_m"], ["a_v", "b_v"], ["a_vh", "b_vh"]))
    bare_layout = StateLayout(GROUPS, 2)
    assert bare_layout.flatten(bare) == ["it", "a_m", "a_v", "b_m", "b_v", "a_vh", "b_vh"]
    assert bare_layout.unflatten(bare_layout.flatten(bare)) == bare


def test_select_and_merge_a_subset_of_variables():
    rule_state = (["a_m", "b_m", "c_m"], ["a_v", "b_v", "c_v"], "u")
    part = select(rule_state, [0, 2], 2)
    assert part == (["a_m", "c_m"], ["a_v", "c_v"], "u")
    merged = merge(rule_state, [0, 2], (["A_m", "C_m"], ["A_v", "C_v"], "U"), 2)
    assert merged == (["A_m", "b_m", "C_m"], ["A_v", "b_v", "C_v"], "U")
    assert select(rule_state, [0, 1, 2], 2) == rule_state


def test_state_variables_have_keras_paths_and_names():
    kernel = Variable(np.zeros((2, 3), np.float32), name="kernel")
    kernel.path = "dense/kernel"
    opt = optimizers.Adafactor(use_ema=True)
    opt.build([kernel])
    assert [v.path for v in opt.variables] == [
        "adafactor/iteration", "adafactor/learning_rate", "adafactor/dense_kernel_average",
        "adafactor/kernel", "adafactor/kernel", "adafactor/dense_kernel_velocity"]
    assert [v.name for v in opt.variables][:3] == ["iteration", "learning_rate",
                                                   "dense_kernel_average"]
    assert opt.variables[0].dtype == "int64" and opt.variables[3].shape == (2,)
