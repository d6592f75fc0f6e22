"""`CSVLogger`: writes the logs of every epoch to a CSV file."""

import collections.abc
import csv
import os

import numpy as np

from minikeras.callbacks.callback import Callback


class CSVLogger(Callback):
    """Streams epoch results to a CSV file, one row per epoch, as Keras 3 writes it.

    The columns are `epoch` then the first epoch's log keys, sorted; when that epoch has no
    validation keys, `val_<key>` columns follow for each key (Keras 3 does so, so a later
    epoch that validates, with `validation_freq`, has its columns); a missing value is
    written `NA`. The file is flushed after every row, so it is complete up to the last
    finished epoch even if training is interrupted.

    Args:
        filename: the CSV file's path.
        separator: the field separator (default `','`).
        append: append to an existing file (its header is kept; one is written if the file
            is empty) instead of overwriting it (default False).
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            self.append_header = True
            mode = "w"
        self._close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep, lineterminator="\r\n")
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()


def _cell(value):
    """A log value as Keras writes it: strings and numbers as they are, sequences (per-class
    metrics) as a quoted `"[a, b]"`."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and np.ndim(value) > 0:
        return f'"[{", ".join(map(str, value))}]"'
    return value
