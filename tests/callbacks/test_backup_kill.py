"""A training process killed (SIGKILL) while BackupAndRestore writes its backup resumes, in a
new process, from the previous backup and ends with the weights of an uninterrupted run."""

import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import numpy as np

from tests.callbacks.test_checkpoint_kill import wait_for

REPO = pathlib.Path(__file__).resolve().parents[2]

# argv: mode ("kill", "resume" or "plain"), backup directory, output directory. "kill" hangs
# inside h5py while the backup of epoch 1 (the second one) is being written.
CHILD = textwrap.dedent("""
    import os, sys, time
    import h5py
    import numpy as np
    from minikeras.callbacks import BackupAndRestore, Callback
    from minikeras.layers import Dense, Dropout, Input
    from minikeras.models import Sequential
    from minikeras.utils import set_random_seed

    mode, backup, out = sys.argv[1:4]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 8)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 48)]
    set_random_seed(1)
    model = Sequential([Input((8,)), Dense(16, activation="relu"), Dropout(0.2),
                        Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    epoch_ending = [None]

    class Before(Callback):
        def on_epoch_end(self, epoch, logs=None):
            epoch_ending[0] = epoch

    if mode == "kill":
        create_dataset = h5py.Group.create_dataset

        def hang(*args, **kwargs):
            if epoch_ending[0] == 1:
                open(os.path.join(out, "hanging"), "w").close()
                time.sleep(600)
            return create_dataset(*args, **kwargs)
        h5py.Group.create_dataset = hang
    callbacks = [] if mode == "plain" else [Before(), BackupAndRestore(backup)]
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=callbacks)
    np.savez(os.path.join(out, mode + ".npz"), *model.get_weights(), epochs=history.epoch)
""")


def test_a_kill_during_a_backup_resumes_from_the_previous_one(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    backup = tmp_path / "backup"

    def start(mode):
        return subprocess.Popen([sys.executable, str(script), mode, str(backup), str(tmp_path)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    killed, plain = start("kill"), start("plain")
    try:
        wait_for(tmp_path / "hanging", killed)
        os.kill(killed.pid, signal.SIGKILL)
        assert killed.wait(timeout=30) == -signal.SIGKILL
        resumed = start("resume")
        for process in (resumed, plain):
            assert process.wait(timeout=120) == 0, process.stderr.read()
    finally:
        for process in (killed, plain):
            if process.poll() is None:
                process.kill()
                process.wait()
    with np.load(tmp_path / "resume.npz") as got, np.load(tmp_path / "plain.npz") as want:
        assert list(got["epochs"]) == [1, 2, 3]  # epoch 0's backup; epoch 1's was cut short
        for name in want.files:
            if name != "epochs":
                np.testing.assert_array_equal(got[name], want[name])
    assert not backup.exists()
