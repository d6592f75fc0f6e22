"""A training process killed (SIGKILL) in the middle of writing a checkpoint leaves the previous
checkpoint whole: it still loads, with the weights it was saved with."""

import hashlib
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np

from minikeras.layers import Dense, Input
from minikeras.models import Sequential, load_model

REPO = pathlib.Path(__file__).resolve().parents[2]

# Trains 3 epochs with a ModelCheckpoint writing every epoch to the same path. After the first
# save it dumps that epoch's weights and writes `saved_0`; during the second save it writes
# `hanging` and sleeps inside the writer (h5py's create_dataset, or the zip archive's writestr
# for `.keras`), so the parent can kill it there.
CHILD = textwrap.dedent("""
    import os, sys, time, zipfile
    import h5py
    import numpy as np
    from minikeras.callbacks import Callback, ModelCheckpoint
    from minikeras.layers import Dense, Input
    from minikeras.models import Sequential

    path, markers, weights_only = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 64)]
    model = Sequential([Input((8,)), Dense(16, activation="relu"), Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    epoch_saving = [None]

    class Before(Callback):
        def on_epoch_end(self, epoch, logs=None):
            epoch_saving[0] = epoch

    class After(Callback):
        def on_epoch_end(self, epoch, logs=None):
            np.savez(os.path.join(markers, f"weights_{epoch}.npz"), *model.get_weights())
            open(os.path.join(markers, f"saved_{epoch}"), "w").close()

    def hang_in_second_save(original, at_call):
        calls = [0]

        def wrapper(*args, **kwargs):
            if epoch_saving[0] == 1:
                calls[0] += 1
                if calls[0] == at_call:
                    open(os.path.join(markers, "hanging"), "w").close()
                    time.sleep(600)
            return original(*args, **kwargs)
        return wrapper

    if path.endswith(".keras"):  # the zip is written after its members are built in memory
        zipfile.ZipFile.writestr = hang_in_second_save(zipfile.ZipFile.writestr, 3)
    else:
        h5py.Group.create_dataset = hang_in_second_save(h5py.Group.create_dataset, 2)
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[
        Before(), ModelCheckpoint(path, save_weights_only=weights_only), After()])
""")


def wait_for(path, process, timeout=120):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        if process.poll() is not None:
            raise AssertionError(f"the training process ended early: {process.stderr.read()}")
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.01)


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_a_kill_during_a_checkpoint_save_keeps_the_previous_checkpoint(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    runs = {}
    for name, weights_only in [("m.keras", "0"), ("m.h5", "0"), ("w.weights.h5", "1")]:
        directory = tmp_path / name.replace(".", "_")
        directory.mkdir()
        process = subprocess.Popen([sys.executable, str(script), str(directory / name),
                                    str(directory), weights_only], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs[name] = (directory, process)
    try:
        for name, (directory, process) in runs.items():
            wait_for(directory / "saved_0", process)
            first = sha(directory / name)
            wait_for(directory / "hanging", process)
            # Mid-write: the new checkpoint exists only as a temporary file next to the old one.
            temporary = [p for p in os.listdir(directory) if p.endswith(".tmp")]
            assert len(temporary) == 1 and temporary[0].startswith(f".{name}.")
            os.kill(process.pid, signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            assert sha(directory / name) == first  # the previous checkpoint, byte for byte
            with np.load(directory / "weights_0.npz") as saved:
                expected = [saved[f"arr_{i}"] for i in range(len(saved.files))]
            if name.endswith(".weights.h5"):
                model = Sequential([Input((8,)), Dense(16, activation="relu"),
                                    Dense(3, activation="softmax")])
                model.load_weights(str(directory / name))
            else:
                model = load_model(str(directory / name))
            for got, want in zip(model.get_weights(), expected):
                np.testing.assert_array_equal(got, want)
    finally:
        for _, process in runs.values():
            if process.poll() is None:
                process.kill()
                process.wait()
