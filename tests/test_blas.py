"""The BLAS thread policy (`minikeras.blas`, `minikeras.config.set_blas_threads`): minikeras's
count while `fit`, `evaluate` and `predict` compute (counted across threads), the user's count
the rest of the time; importing minikeras changes nothing."""

import ctypes
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import minikeras
from minikeras import blas, config
from minikeras.backend import set_random_seed
from minikeras.callbacks import Callback
from minikeras.layers import Dense, Input
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
    before, policy = blas.threads(), blas._policy.threads
    yield
    blas._policy.threads = policy
    if before is not None:
        blas.set_threads(before)


class CountDuringFit(Callback):
    """Records OpenBLAS's thread count (the library's own getter) inside fit."""

    def __init__(self):
        super().__init__()
        self.counts = []

    def on_train_batch_end(self, batch, logs=None):
        self.counts.append(openblas_get_num_threads())

    def on_test_batch_end(self, batch, logs=None):
        self.counts.append(openblas_get_num_threads())


def tiny_model():
    model = Sequential([Input((3,)), Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


XS, YS = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")


@needs_openblas
@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps")
@pytest.mark.parametrize("n", [2, 1, 3])
def test_setter_sets_the_count_minikeras_computes_with(n, restore_threads):
    blas.set_threads(2)  # the user's count
    config.set_blas_threads(n)
    assert config.blas_threads() == n
    assert openblas_get_num_threads() == 2  # not applied outside minikeras's computations
    probe = CountDuringFit()
    tiny_model().fit(XS, YS, batch_size=4, epochs=2, verbose=0, callbacks=[probe],
                     validation_data=(XS, YS))
    assert probe.counts == [n] * 8  # training steps and the validation nested in fit
    assert openblas_get_num_threads() == 2


@needs_openblas
@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps")
def test_fit_evaluate_predict_give_the_users_count_back(restore_threads):
    blas.set_threads(3)  # a user's own choice (threadpoolctl does the same call)
    model = tiny_model()
    probe = CountDuringFit()
    model.fit(XS, YS, batch_size=4, verbose=0, callbacks=[probe])
    model.evaluate(XS, YS, batch_size=4, verbose=0, callbacks=[probe])
    assert probe.counts == [blas.DEFAULT_THREADS] * 4
    assert openblas_get_num_threads() == 3
    model.predict(XS, verbose=0)
    model.train_on_batch(XS, YS)
    model.predict_on_batch(XS)
    assert openblas_get_num_threads() == 3
    with pytest.raises(ValueError):  # an error inside fit gives the count back too
        model.fit(XS, np.zeros((8, 5)), verbose=0)
    assert openblas_get_num_threads() == 3


@needs_openblas
@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps")
def test_the_policy_is_counted_across_threads(restore_threads):
    # Thread A's fit ends while thread B's is still running: B keeps minikeras's count until
    # it ends too, then the user's count comes back.
    blas.set_threads(2)
    a_done, b_may_finish = threading.Event(), threading.Event()
    counts = {"a": [], "b": []}

    class Watch(Callback):
        def __init__(self, name, wait=None, signal=None):
            super().__init__()
            self.name, self.wait, self.signal = name, wait, signal

        def on_train_batch_end(self, batch, logs=None):
            counts[self.name].append(openblas_get_num_threads())
            if batch == 0 and self.wait is not None:
                self.wait.wait(timeout=30)

        def on_train_end(self, logs=None):
            if self.signal is not None:
                self.signal.set()

    def train(name, wait=None, signal=None):
        tiny_model().fit(XS, YS, batch_size=4, verbose=0,
                         callbacks=[Watch(name, wait, signal)])

    b = threading.Thread(target=train, args=("b", a_done))
    b.start()
    while not counts["b"]:
        threading.Event().wait(0.01)
    train("a", signal=a_done)  # ends while b waits inside its first batch
    b.join(timeout=60)
    assert counts == {"a": [1, 1], "b": [1, 1]}
    assert openblas_get_num_threads() == 2


@pytest.mark.parametrize("n", [0, -1, 1.5, "2", True])
def test_setter_rejects_non_positive_integers(n):
    with pytest.raises(ValueError, match="positive integer"):
        config.set_blas_threads(n)


def test_without_openblas_the_getter_says_none_and_the_setter_raises(monkeypatch):
    monkeypatch.setattr(blas, "_OPENBLAS", None)
    assert config.blas_threads() is None
    with pytest.raises(RuntimeError, match="MKL_NUM_THREADS"):
        config.set_blas_threads(1)


THREADS_SCRIPT = """
import ctypes
import json
import numpy as np  # loads OpenBLAS: its count is now the user's


def openblas_threads():  # OpenBLAS's own getter, as threadpoolctl reads it
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1]}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                     "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, name):
                return getattr(lib, name)()


before = openblas_threads()
import minikeras as keras
from minikeras import config
after_import = openblas_threads()
inside = []
probe = keras.callbacks.LambdaCallback(
    on_train_batch_end=lambda batch, logs: inside.append(openblas_threads()))
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((8, 3)), np.zeros((8, 2)), batch_size=4, verbose=0, callbacks=[probe])
print(json.dumps([before, after_import, sorted(set(inside)), openblas_threads(),
                  config.blas_threads()]))
"""


def threads_around_fit(**env):
    """In a fresh interpreter with `env` set: OpenBLAS's count before importing minikeras,
    after, inside fit, after fit, and `config.blas_threads()`."""
    clean = {k: v for k, v in os.environ.items() if k not in blas.ENV_VARS}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")]))
    out = subprocess.run([sys.executable, "-c", THREADS_SCRIPT], env=dict(clean, **env),
                         capture_output=True, text=True, check=True).stdout
    return tuple(json.loads(out))


@needs_openblas
@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the user's count is 1 too")
def test_import_keeps_the_users_count_and_fit_uses_one_thread():
    before, after_import, inside, after_fit, policy = threads_around_fit()
    assert before >= 2  # OpenBLAS's own default: the cores
    assert after_import == before  # importing minikeras changes nothing
    assert inside == [blas.DEFAULT_THREADS] == [1]
    assert after_fit == before
    assert policy == 1


@needs_openblas
@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc/self/maps")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS caps the count at the cores")
@pytest.mark.parametrize("variable", ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"])
def test_a_thread_count_the_user_set_in_the_environment_is_left_alone(variable):
    assert threads_around_fit(**{variable: "2"}) == (2, 2, [2], 2, 2)


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
