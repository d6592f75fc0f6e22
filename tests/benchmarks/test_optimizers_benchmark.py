"""The optimizer benchmark (benchmarks/optimizers.py): its Keras reference doubles as a 200-step
golden test of every optimizer at its defaults, its test functions' gradients are right, and
`--quick` runs end to end."""

import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest

from tests.conftest import central_difference_grad

BENCH = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
# |ours - Keras| <= ATOL + RTOL * |Keras| per coordinate and step. Measured: at most 4.8e-7 (Ftrl,
# whose power ops round differently); most optimizers are bit-identical. A 1-ulp change of the
# start moves these 200-step default-rate paths by at most 1.1e-6, so ATOL = 1e-5 leaves ~10x
# room for platform rounding while a real formula error (see the last test) is far above it.
# RTOL covers SGD on Rosenbrock, which blows up to ~1e3 before it stops being compared.
ATOL, RTOL = 1e-5, 1e-5


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved  # the script puts benchmarks/ first on sys.path; undo that
    return module


bench = _load("benchmark_optimizers", BENCH / "optimizers.py")
PROBLEMS, OPTIMIZERS = bench.PROBLEMS, bench.OPTIMIZERS
REFERENCE, META = bench.load_reference()


def test_reference_fixture_loads():
    with open(BENCH / "reference" / "keras_trajectories.json") as f:
        meta = json.load(f)["meta"]
    assert meta["keras"].startswith("3.") and meta["floatx"] == "float32"
    assert set(REFERENCE) == {f"{o}/{p}" for o in OPTIMIZERS for p in PROBLEMS}
    assert all(t.shape == (meta["steps"], 2) and t.dtype == np.float32
               for t in REFERENCE.values())
    # The reference was made from the same starts as today's problems.
    assert {k: tuple(v) for k, v in meta["starts"].items()} == {
        p.name: p.start for p in PROBLEMS.values()}


def _blowup_prefix(ref):
    """How many leading reference steps are finite and within the benchmark's blow-up bound."""
    ok = np.all(np.abs(ref) <= bench.BLOWUP, axis=1)
    return len(ref) if ok.all() else int(np.argmin(ok))


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_trajectory_matches_keras(name, problem):
    ref = REFERENCE[f"{name}/{problem}"]
    path = bench.trajectory(name, None, PROBLEMS[problem], len(ref))
    deviation, n = bench.keras_deviation(path, ref)
    assert n == _blowup_prefix(ref) > 0  # we blow up (SGD on Rosenbrock) exactly when Keras does
    ours = path[1:n + 1]
    np.testing.assert_allclose(ours, ref[:n], rtol=RTOL, atol=ATOL)


def test_the_keras_comparison_detects_a_wrong_rule():
    """Adam with beta_1 = 0.95 instead of 0.9 stands far outside the tolerance."""
    problem = PROBLEMS["rosenbrock"]
    ref = REFERENCE["Adam/rosenbrock"]
    path = bench.run_optimizer(bench.optimizers.Adam(beta_1=0.95), problem, len(ref))
    deviation, _ = bench.keras_deviation(path, ref)
    assert deviation > 100 * ATOL


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_gradients_match_central_differences(problem):
    problem = PROBLEMS[problem]
    (x0, x1), (y0, y1) = problem.box
    rng = np.random.default_rng(0)
    points = [problem.start, *zip(rng.uniform(x0, x1, 5), rng.uniform(y0, y1, 5))]
    for p in points:
        expected = central_difference_grad(problem.f, p)
        np.testing.assert_allclose(problem.grad(np.array(p, np.float64)), expected, rtol=1e-6,
                                   atol=1e-6)
    # The benchmark and Keras get float32 in, float32 out.
    p32 = np.array(problem.start, np.float32)
    assert problem.grad(p32).dtype == np.float32 and problem.f(p32).dtype == np.float32


def test_steps_count_only_when_the_goal_is_kept():
    quadratic = PROBLEMS["quadratic"]  # goal: f < 1e-4
    inside, outside = [0.0, 1e-3], [0.0, 1.0]
    s = bench.summarize(quadratic, np.array([outside, inside, outside, inside, inside], np.float32))
    assert s["steps"] == 3 and not s["blown"]
    s = bench.summarize(quadratic, np.array([outside, inside, outside], np.float32))
    assert s["steps"] is None


def test_quick_run_end_to_end(tmp_path, capsys):
    default_rows, tuned_rows, mnist_rows = bench.main(
        ["--quick", "--no-plots", "--out", str(tmp_path)])
    text = (tmp_path / "optimizers.md").read_text()
    assert text in capsys.readouterr().out  # printed as written
    for rows in default_rows, tuned_rows, mnist_rows:
        assert [row[0] for row in rows] == list(OPTIMIZERS)
    for row in default_rows:  # Keras dev: one number per function, all within the tolerance
        devs = row[-1].split(" / ")
        assert len(devs) == len(PROBLEMS) and all(float(d.split()[0]) < ATOL for d in devs)
    assert "## MNIST MLP" in text and not list(tmp_path.glob("*.png"))


def test_plots_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    paths = {p: {name: (0.01, bench.trajectory(name, 0.01, PROBLEMS[p], 5))
                 for name in OPTIMIZERS} for p in PROBLEMS}
    files = bench.plot_paths(paths, tmp_path)
    curves = {name: {k: [1.0, 0.5] for k in ("loss", "val_loss", "accuracy", "val_accuracy")}
              for name in OPTIMIZERS}
    files.append(bench.plot_mnist(curves, tmp_path))
    assert sorted(f.name for f in tmp_path.glob("*.png")) == sorted(f.name for f in files)
    assert len(files) == len(PROBLEMS) + 1
