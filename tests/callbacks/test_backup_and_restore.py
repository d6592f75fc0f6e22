"""BackupAndRestore: a fit interrupted by Ctrl-C and run again resumes from its last finished
epoch, optimizer state included, and ends with the weights of an uninterrupted run."""

import json
import os
import signal

import numpy as np
import pytest

from minikeras.callbacks import BackupAndRestore, Callback
from minikeras.layers import Dense, Dropout, Input
from minikeras.models import Sequential
from minikeras.optimizers import Adam
from minikeras.utils import set_random_seed

RNG = np.random.default_rng(3)
X = RNG.normal(size=(40, 6)).astype("float32")
Y = np.eye(3, dtype="float32")[RNG.integers(0, 3, 40)]
FIT = dict(epochs=4, batch_size=8, shuffle=True, verbose=0)


def seeded_model():
    """The same weights, shuffling and dropout in every process that calls it first."""
    set_random_seed(7)
    model = Sequential([Input((6,)), Dense(16, activation="relu"), Dropout(0.3),
                        Dense(3, activation="softmax")])
    model.compile(Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    return model


class CtrlCAt(Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            os.kill(os.getpid(), signal.SIGINT)


def uninterrupted():
    model = seeded_model()
    history = model.fit(X, Y, **FIT)
    return model.get_weights(), history.history


def assert_same_weights(got, want):
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_resumes_an_interrupted_fit_to_the_same_final_weights(tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        seeded_model().fit(X, Y, callbacks=[BackupAndRestore(backup), CtrlCAt(2, 1)], **FIT)
    metadata = json.loads((backup / "training_metadata.json").read_text())
    assert metadata["epoch"] == 2  # epochs 0 and 1 finished; epoch 2 was interrupted

    model = seeded_model()
    history = model.fit(X, Y, callbacks=[BackupAndRestore(backup)], **FIT)
    assert history.epoch == [2, 3]
    assert int(model.optimizer.iterations) == 4 * 5  # Adam's step count came back too
    weights, full_history = uninterrupted()
    assert_same_weights(model.get_weights(), weights)
    assert history.history["loss"] == full_history["loss"][2:]
    assert not backup.exists()  # training finished: the backup is deleted


def test_backups_every_n_batches_restart_the_interrupted_epoch(tmp_path):
    backup = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        seeded_model().fit(X, Y, callbacks=[BackupAndRestore(backup, save_freq=3),
                                            CtrlCAt(1, 3)], **FIT)
    metadata = json.loads((backup / "training_metadata.json").read_text())
    assert (metadata["epoch"], metadata["batch"]) == (1, 3)  # the backup after batch 3
    model = seeded_model()
    history = model.fit(X, Y, callbacks=[BackupAndRestore(backup, save_freq=3)], **FIT)
    assert history.epoch == [1, 2, 3]
    assert int(model.optimizer.iterations) == 9 + 3 * 5  # 5 + 4 steps, then three epochs


def test_a_finished_fit_leaves_no_backup_unless_asked(tmp_path):
    seeded_model().fit(X, Y, callbacks=[BackupAndRestore(tmp_path / "a")], **FIT)
    assert not (tmp_path / "a").exists()
    seeded_model().fit(X, Y, callbacks=[BackupAndRestore(tmp_path / "b",
                                                         delete_checkpoint=False)], **FIT)
    assert json.loads((tmp_path / "b" / "training_metadata.json").read_text())["epoch"] == 4
    assert len(list((tmp_path / "b").glob("*.weights.h5"))) == 1


def test_an_error_keeps_the_backup(tmp_path):
    class Fails(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        seeded_model().fit(X, Y, callbacks=[BackupAndRestore(tmp_path), Fails()], **FIT)
    assert json.loads((tmp_path / "training_metadata.json").read_text())["epoch"] == 2


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        seeded_model().fit(X, Y, callbacks=[BackupAndRestore(tmp_path, double_checkpoint=True),
                                            CtrlCAt(2, 0)], **FIT)
    metadata = json.loads((tmp_path / "training_metadata.json").read_text())
    assert metadata["previous"]["epoch"] == 1
    (tmp_path / metadata["weights"]).write_bytes(b"not an HDF5 file")  # the latest is damaged
    history = seeded_model().fit(X, Y, callbacks=[BackupAndRestore(tmp_path)], **FIT)
    assert history.epoch == [1, 2, 3]


@pytest.mark.parametrize("kwargs, message", [
    ({"backup_dir": ""}, "Empty `backup_dir`"),
    ({"backup_dir": "b", "save_freq": "batch"}, "Invalid value for argument `save_freq`"),
])
def test_arguments_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BackupAndRestore(**kwargs)
