"""A model file never makes loading read anything outside it (issue 13): external storage,
external links, virtual datasets and soft links out of the tree are refused, in all three
formats, for files real Keras wrote and files minikeras wrote, before any value is read.

The proof that nothing outside was opened is a FIFO: opening one for reading blocks until a
writer comes, so a loader that touched it would hang (the probe's limit is 60 s); and after the
load, opening its write end without blocking fails (ENXIO), so no process holds it open.
"""

import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from tests.saving import hostile_files

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "saving")
KINDS = ["external_storage", "external_link", "virtual", "soft_link_out"]


def _mlp():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    return model


def _originals(tmp_path):
    """`{format: [path written by real Keras, path written by minikeras]}`."""
    model = _mlp()
    model.fit(np.ones((4, 4), "float32"), np.eye(3, dtype="float32")[[0, 1, 2, 0]], verbose=0)
    ours = {}
    for ext in (".keras", ".h5"):
        ours[ext] = str(tmp_path / f"ours{ext}")
        model.save(ours[ext])
    ours[".weights.h5"] = str(tmp_path / "ours.weights.h5")
    model.save_weights(ours[".weights.h5"])
    return {".keras": [os.path.join(GOLDEN, "keras3_mlp.keras"), ours[".keras"]],
            ".h5": [os.path.join(GOLDEN, "tfkeras2_mlp.h5"), os.path.join(GOLDEN, "keras3_mlp.h5"),
                    ours[".h5"]],
            ".weights.h5": [os.path.join(GOLDEN, "keras3_mlp.weights.h5"),
                            ours[".weights.h5"]]}


def _load(path):
    if path.endswith(".weights.h5"):
        model = _mlp()
        before = [w.copy() for w in model.get_weights()]
        try:
            model.load_weights(path)
        except ValueError:
            for old, new in zip(before, model.get_weights()):  # nothing was set
                np.testing.assert_array_equal(old, new)
            raise
        return model
    return keras.models.load_model(path)


def _no_reader(fifo):
    """True when no process holds `fifo` open for reading."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        return e.errno == errno.ENXIO
    os.close(fd)
    return False


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    return _originals(tmp_path_factory.mktemp("originals"))


@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_member_pointing_at_a_fifo_is_refused_at_once(ext, kind, originals, tmp_path):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for i, original in enumerate(originals[ext]):
        path = str(tmp_path / f"hostile{i}{ext}")
        member = hostile_files.craft(original, path, kind, fifo)
        start = time.monotonic()
        with pytest.raises(ValueError) as info:
            _load(path)
        assert time.monotonic() - start < 10  # the probe's limit is 60 s
        message = str(info.value)
        assert path in message and f"'{member}'" in message, message
        assert "outside the file" in message
        assert _no_reader(fifo)


PASSWD = {"external_storage": "external storage: its bytes are in /etc/passwd",
          "external_link": "external link to '/kernel' in the file '/etc/passwd'"}


@pytest.mark.parametrize("ext", [".keras", ".h5", ".weights.h5"])
@pytest.mark.parametrize("kind", sorted(PASSWD))
def test_a_member_pointing_at_etc_passwd_is_refused(kind, ext, originals, tmp_path):
    for i, original in enumerate(originals[ext]):
        path = str(tmp_path / f"passwd{i}{ext}")
        member = hostile_files.craft(original, path, kind, "/etc/passwd")
        with pytest.raises(ValueError, match=PASSWD[kind]) as info:
            _load(path)
        assert f"'{member}'" in str(info.value)


@pytest.mark.parametrize("kind", ["external_link", "virtual"])
def test_another_hdf5_file_with_the_right_shapes_is_not_read(kind, originals, tmp_path):
    """The target exists and holds a kernel of the right shape: it would load silently."""
    source = hostile_files.source_file(str(tmp_path / "source.h5"))
    for ext in (".keras", ".h5", ".weights.h5"):
        path = str(tmp_path / f"linked{ext}")
        hostile_files.craft(originals[ext][0], path, kind, source)
        with pytest.raises(ValueError, match="source.h5"):
            _load(path)


def test_a_virtual_dataset_with_a_missing_source_is_refused(originals, tmp_path):
    """HDF5 would give the attacker's fill value (7.0) for every element."""
    path = str(tmp_path / "missing.weights.h5")
    hostile_files.craft(originals[".weights.h5"][0], path, "virtual", "/nonexistent.h5")
    with pytest.raises(ValueError, match="virtual dataset whose values come from other files "
                                         r"\(/nonexistent.h5\)"):
        _load(path)


def test_a_soft_link_inside_the_file_is_accepted(originals, tmp_path):
    """A soft link to an object of the file itself reads nothing outside: the file loads."""
    path = str(tmp_path / "soft.weights.h5")
    shutil.copy(originals[".weights.h5"][0], path)
    with h5py.File(path, "a") as f:
        f["alias"] = h5py.SoftLink("/" + hostile_files.first_kernel(f))
    expected = _load(originals[".weights.h5"][0]).get_weights()
    for got, want in zip(_load(path).get_weights(), expected):
        np.testing.assert_array_equal(got, want)


_SLOW_LOAD = """
import sys, time
from minikeras.saving import hdf5_probe
hdf5_probe._read_everything = lambda f: time.sleep(120)   # a probe still reading
import minikeras as keras
print("loading", flush=True)
keras.models.load_model(sys.argv[1])
"""


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def _alive(pid):
    """True while `pid` runs (a zombie waiting for its reaper has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_load_ends_its_probe(signum, originals):
    """Ctrl-C (SIGINT) and SIGTERM during the probe leave no child process alive."""
    process = subprocess.Popen([sys.executable, "-c", _SLOW_LOAD, originals[".h5"][0]],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               cwd=os.path.join(os.path.dirname(__file__), "..", ".."))
    assert process.stdout.readline() == b"loading\n"
    deadline = time.monotonic() + 30
    while not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    probes = _children(process.pid)
    assert len(probes) == 1 and _alive(probes[0]), (probes, process.poll())
    process.send_signal(signum)
    process.wait(timeout=30)
    deadline = time.monotonic() + 5
    while _alive(probes[0]) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(probes[0])


def test_the_probe_still_runs_after_convolutions_used_the_worker_thread():
    """The batch-half worker thread of large primitives is ended before a load forks."""
    import threading

    from minikeras.ops.nn import batch_split
    from minikeras.saving import hdf5_probe

    assert batch_split.run_parts(lambda i, part: i, [slice(0, 1), slice(1, 2)]) == [0, 1]
    assert any(t.name.startswith("minikeras-batch-half") for t in threading.enumerate())
    assert hdf5_probe.fork_is_safe()
    assert threading.active_count() == 1
    assert batch_split.run_parts(lambda i, part: i, [slice(0, 1), slice(1, 2)]) == [0, 1]
