"""`ReduceLROnPlateau`: lowers the learning rate when a monitored quantity stops improving."""

import warnings

import numpy as np

from minikeras.callbacks.learning_rate import get_learning_rate, set_learning_rate
from minikeras.callbacks.monitor import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    At each epoch end the current learning rate is added to the logs as `learning_rate`
    (History records it, as Keras 3; tf.keras 2 called it `lr`). During the `cooldown` epochs
    after a reduction, epochs without improvement are not counted. The rate never goes
    below `min_lr`, and is left alone once it has reached it.

    Args:
        monitor: the log key to watch (default `'val_loss'`).
        factor: the new rate is `max(rate * factor, min_lr)` (default 0.1; must be < 1).
        patience: epochs without improvement before a reduction (default 10).
        verbose: 1 prints a message at each reduction (default 0).
        mode: `'auto'` (default), `'min'` or `'max'`.
        min_delta: the smallest change that counts as an improvement (default 1e-4).
        cooldown: epochs to wait after a reduction before counting again (default 0).
        min_lr: the lower bound of the learning rate (default 0).
        epsilon: Keras 2 name of `min_delta` (deprecated).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:
            warnings.warn("`epsilon` is deprecated (Keras 2), use `min_delta` instead.",
                          DeprecationWarning, stacklevel=2)
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            warnings.warn(f"ReduceLROnPlateau ignores the unknown arguments {sorted(kwargs)}.",
                          stacklevel=2)
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        optimizer = self.model.optimizer
        logs["learning_rate"] = get_learning_rate(optimizer)
        current = self._monitor_value(logs, "Learning rate reduction is", end=".")
        if current is None:
            return
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, optimizer, epoch):
        old_lr = get_learning_rate(optimizer)
        # Compared in float32, as the rate is stored: a rate already at min_lr stays.
        if not old_lr > np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        set_learning_rate(optimizer, new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.",
                  flush=True)
        return True
