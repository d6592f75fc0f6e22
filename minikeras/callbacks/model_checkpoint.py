"""`ModelCheckpoint`: saves the model or its weights during training."""

import os
import warnings

import numpy as np

from minikeras.callbacks.batch_counter import BatchCounter
from minikeras.callbacks.monitor import MonitorCallback

_MODEL_EXTENSIONS = (".keras", ".h5", ".hdf5")
_WEIGHTS_EXTENSIONS = (".weights.h5", ".h5", ".hdf5")


class ModelCheckpoint(MonitorCallback):
    """Saves the model (`model.save`) or its weights (`model.save_weights`) at the end of
    every epoch, or every `save_freq` batches, as Keras 3 does.

    `filepath` may be a template filled with the epoch (from 1) and the logs:
    `'weights.{epoch:02d}-{val_loss:.2f}.weights.h5'` writes one file per epoch;
    a fixed name is overwritten. Each file is written to a temporary name and renamed, so a
    crash during a save leaves the previous checkpoint whole.

    Args:
        filepath: where to save: `.keras` or `.h5`/`.hdf5` for the whole model;
            `.weights.h5` (Keras 3's layout, with the optimizer state) or `.h5`/`.hdf5`
            (tf.keras 2's) when `save_weights_only=True`.
        monitor: the log key `save_best_only` compares (default `'val_loss'`).
        verbose: 1 prints a message at each save (default 0).
        save_best_only: save only when `monitor` improves on the best value so far (default
            False); a monitor missing from the logs saves anyway, with a warning.
        save_weights_only: save the weights only (default False).
        mode: `'auto'` (default), `'min'` or `'max'`: the direction of `monitor`.
        save_freq: `'epoch'` (default) or a number of batches between saves (counted across
            epochs; the template can then use `{batch}`).
        initial_value_threshold: the best value to beat before the first save with
            `save_best_only` (default None).
        period: Keras 2's number of epochs between saves (deprecated).
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, **kwargs):
        period = kwargs.pop("period", None)
        if period is not None:
            warnings.warn("`period` is deprecated (Keras 2); use `save_freq` (in batches) "
                          "instead.", DeprecationWarning, stacklevel=2)
        self.period = 1 if period is None else int(period)
        if kwargs:
            raise TypeError(f"ModelCheckpoint() got unexpected keyword arguments: "
                            f"{sorted(kwargs)}")
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._current_epoch = 0
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(
                save_freq, (int, np.integer)) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             "'epoch' or a positive integer (a number of batches)")
        self._batches = None if save_freq == "epoch" else BatchCounter(save_freq)
        if save_weights_only:
            if not self.filepath.endswith(_WEIGHTS_EXTENSIONS):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format; `.h5` gives "
                    f"tf.keras 2's layout). Received: filepath={self.filepath}")
        elif self.filepath.endswith(".weights.h5"):
            raise ValueError(
                "The filepath provided ends in `.weights.h5`, the Keras format of weights "
                "only: pass `save_weights_only=True`, or save the whole model to a `.keras` "
                f"path. Received: filepath={self.filepath}")
        elif not self.filepath.endswith(_MODEL_EXTENSIONS):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format) or `.h5` "
                "(legacy HDF5); for the weights only, pass `save_weights_only=True` and a "
                f"`.weights.h5` path. Received: filepath={self.filepath}")

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._batches is not None and self._batches.tick(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save_model(epoch, None, logs)

    def _should_save_model(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}", flush=True)
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=3)
            return True
        if np.ndim(current) > 0:
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.",
                          stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {filepath}", flush=True)
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}",
                  flush=True)
        return False

    def _save_model(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}")
        if not self._should_save_model(epoch, logs, filepath):
            return
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}", flush=True)

    def _get_file_path(self, epoch, batch, logs):
        """`filepath` with `{epoch}` (from 1), `{batch}` (from 1, for batch saves) and the
        log keys filled in."""
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e} is not a log key (the logs hold {sorted(logs)})"
                           ) from None
