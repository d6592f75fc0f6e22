"""`BackupAndRestore`: resumes an interrupted `fit` from its last finished epoch."""

import json
import os
import shutil

from minikeras.callbacks.batch_counter import BatchCounter
from minikeras.callbacks.callback import Callback
from minikeras.utils.atomic_write import atomic_write

METADATA = "training_metadata.json"


class BackupAndRestore(Callback):
    """Backs up the model's weights and optimizer state at the end of every epoch (or every
    `save_freq` batches); a `fit` started again with the same callback after a crash or a
    Ctrl-C restores them and goes on from the first epoch not finished, as Keras 3's.

    Run the resumed script with the same seed (`keras.utils.set_random_seed`) and it ends
    with the weights an uninterrupted run reaches: each epoch shuffles and draws dropout from
    a generator of its own. After a backup taken mid-epoch (integer `save_freq`), the
    interrupted epoch starts again from its first batch, with the weights of the backup.

    Every backup is consistent even if the process is killed while writing it: the weights
    go to a new file (written atomically), then the metadata naming that file and its epoch
    replaces the old metadata (atomically), then the previous weights are deleted.

    Args:
        backup_dir: the directory of the backup (created if needed). Use one per training.
        save_freq: `'epoch'` (default) or a number of batches between backups.
        double_checkpoint: keep the previous backup too, used if the latest cannot be read
            (default False).
        delete_checkpoint: delete `backup_dir` once training finishes (default True). It is
            kept after a Ctrl-C or an error, so that the next `fit` can resume.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(
                save_freq, int) or save_freq < 1):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq="
                             f"{save_freq}. Expected either 'epoch' or a positive integer.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._metadata_path = os.path.join(self.backup_dir, METADATA)
        self._batches = None if save_freq == "epoch" else BatchCounter(save_freq)
        self._current_epoch = 0
        self._backups = 0
        self._finished = False

    # ------------------------------------------------------------------ restore
    def on_train_begin(self, logs=None):
        self._finished = False
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built "
                             f"before you call `fit()`. Model {self.model.name} is unbuilt.")
        metadata = self._read_metadata()
        if metadata is None:
            return
        entries = [metadata] + ([metadata["previous"]] if metadata.get("previous") else [])
        for i, entry in enumerate(entries):
            try:
                self.model.load_weights(os.path.join(self.backup_dir, entry["weights"]))
            except (OSError, ValueError):
                if i == len(entries) - 1:
                    raise
                continue  # the latest backup is unreadable: fall back to the previous one
            self._current_epoch = entry["epoch"]
            self.model._initial_epoch = entry["epoch"]
            # Killed after its last epoch, before deleting the backup: nothing is left to run.
            self._finished = entry["epoch"] >= self.params.get("epochs", entry["epoch"] + 1)
            return

    def _read_metadata(self):
        if not os.path.exists(self._metadata_path):
            return None
        with open(self._metadata_path) as f:
            metadata = json.load(f)
        self._backups = metadata.get("backups", 0)
        return metadata

    # ------------------------------------------------------------------ back up
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        if self.save_freq == "epoch":
            self._save_model()
        # fit ends after this epoch: the backup has served its purpose.
        self._finished = epoch + 1 >= self.params.get("epochs", epoch + 1) or bool(
            self.model.stop_training)

    def on_train_batch_end(self, batch, logs=None):
        if self._batches is not None and self._batches.tick(batch):
            self._save_model(batch)

    def _save_model(self, batch=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        old = self._read_metadata()
        self._backups += 1
        weights = f"backup_{self._backups}.weights.h5"
        self.model.save_weights(os.path.join(self.backup_dir, weights), overwrite=True)
        metadata = {"epoch": self._current_epoch, "batch": batch, "weights": weights,
                    "backups": self._backups, "previous": None}
        if self.double_checkpoint and old is not None:
            metadata["previous"] = {k: old[k] for k in ("epoch", "batch", "weights")}
        with atomic_write(self._metadata_path) as tmp:
            with open(tmp, "w") as f:
                json.dump(metadata, f)
        keep = {weights} | ({metadata["previous"]["weights"]} if metadata["previous"] else set())
        for name in os.listdir(self.backup_dir):
            if name.endswith(".weights.h5") and name.startswith("backup_") and name not in keep:
                os.remove(os.path.join(self.backup_dir, name))

    def on_train_end(self, logs=None):
        if self._finished and self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
