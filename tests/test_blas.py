"""The process-wide BLAS thread policy (`minikeras.blas`, `minikeras.config.set_blas_threads`)."""

import ctypes
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import minikeras
from minikeras import blas, config
from minikeras.backend import set_random_seed
from minikeras.layers import Dense
from minikeras.models import Sequential

needs_openblas = pytest.mark.skipif(blas.threads() is None, reason="NumPy is not on OpenBLAS")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(minikeras.__file__)))


def openblas_get_num_threads():
    """OpenBLAS's own thread-count getter, found without `minikeras.blas` (Linux only)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                     "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, name):
                return getattr(lib, name)()
    pytest.skip("OpenBLAS's getter not found in the loaded libraries")


@pytest.fixture
def restore_threads():
    before = blas.threads()
    yield
    if before is not None:
        blas.set_threads(before)


@needs_openblas
@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps")
@pytest.mark.parametrize("n", [2, 1, 3])
def test_setter_changes_openblas_thread_count(n, restore_threads):
    config.set_blas_threads(n)
    assert openblas_get_num_threads() == n
    assert config.blas_threads() == n


@pytest.mark.parametrize("n", [0, -1, 1.5, "2", True])
def test_setter_rejects_non_positive_integers(n):
    with pytest.raises(ValueError, match="positive integer"):
        config.set_blas_threads(n)


def test_without_openblas_the_getter_says_none_and_the_setter_raises(monkeypatch):
    monkeypatch.setattr(blas, "_OPENBLAS", None)
    assert config.blas_threads() is None
    with pytest.raises(RuntimeError, match="MKL_NUM_THREADS"):
        config.set_blas_threads(1)


def threads_after_import(**env):
    """`blas_threads()` in a fresh interpreter that imports minikeras with `env` set."""
    clean = {k: v for k, v in os.environ.items() if k not in blas.ENV_VARS}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")]))
    code = "import minikeras\nfrom minikeras import config\nprint(config.blas_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=dict(clean, **env), capture_output=True,
                         text=True, check=True).stdout
    return int(out)


@needs_openblas
def test_import_applies_the_default_policy():
    assert threads_after_import() == blas.DEFAULT_THREADS


@needs_openblas
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS caps the count at the cores")
@pytest.mark.parametrize("variable", ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"])
def test_import_leaves_a_thread_count_the_user_set(variable):
    assert threads_after_import(**{variable: "2"}) == 2


def seeded_model(head="linear"):
    set_random_seed(0)
    if head == "softmax":
        model = Sequential([Dense(128, activation="relu", input_shape=(784,)),
                            Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
    else:
        model = Sequential([Dense(128, activation="relu", input_shape=(784,)), Dense(10)])
        model.compile(optimizer="adam", loss="mse")
    return model


def assert_threads_match_a_sequential_run(head, n_threads=3):
    """Trains `n_threads` seeded models at once in Python threads, and one alone; compares bits."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16384, 784)).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, len(x))]
    fit = dict(epochs=1, batch_size=256, shuffle=False, verbose=0)
    reference = seeded_model(head)
    reference.fit(x, y, **fit)
    models = [seeded_model(head) for _ in range(n_threads)]
    start, errors = threading.Barrier(n_threads), []

    def train(model):
        start.wait()
        try:
            model.fit(x, y, **fit)
        except Exception as error:  # re-raised below, in the test's thread
            errors.append(error)

    workers = [threading.Thread(target=train, args=(model,)) for model in models]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    for model in models:
        for got, want in zip(model.get_weights(), reference.get_weights()):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("threads", [None, 2], ids=["default", "two"])
def test_models_training_in_threads_match_a_sequential_run(threads, restore_threads):
    # The regression: when each small product switched the process-wide count for its duration,
    # a large product in one thread ran on whatever count another thread had just set, and
    # OpenBLAS's float32 products differ in their last bits between one and two threads. With
    # that policy this test failed in 10 of 11 runs; with one count for the process it cannot.
    if threads is not None:
        if blas.threads() is None:
            pytest.skip("NumPy is not on OpenBLAS")
        config.set_blas_threads(threads)
    assert_threads_match_a_sequential_run("linear")


def test_classifiers_training_in_threads_match_a_sequential_run():
    # The softmax + cross-entropy fusion once checked autograd's process-wide trace counter, so
    # another thread's step could switch it off mid-run.
    assert_threads_match_a_sequential_run("softmax")
