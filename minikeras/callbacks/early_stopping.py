"""`EarlyStopping`: stops `fit` when a monitored quantity has stopped improving."""

from minikeras.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Stops training when `monitor` has not improved for `patience` epochs (Keras 3).

    At the end of each epoch from `start_from_epoch` on: `wait` grows by one; a value that
    beats the best by more than `min_delta` becomes the best (and, with
    `restore_best_weights`, its weights are kept) and resets `wait` only if it also beats
    `baseline`; training stops once `wait >= patience` (never after the first epoch). With
    `restore_best_weights=True` the best epoch's weights are put back when training ends,
    whether it stopped early or not (Keras 3; tf.keras 2 restored only after stopping early).

    Args:
        monitor: the log key to watch (default `'val_loss'`).
        min_delta: the smallest change that counts as an improvement (default 0).
        patience: epochs without improvement before stopping (default 0).
        verbose: 1 prints `Epoch N: early stopping` and the restoring message (default 0).
        mode: `'auto'` (default; the direction comes from the metric), `'min'` or `'max'`.
        baseline: a value training must beat; until it does, `wait` is never reset
            (default None).
        restore_best_weights: restore the weights of the best epoch at the end of training
            (default False).
        start_from_epoch: epochs to let pass before watching (default 0).

    Attributes:
        stopped_epoch: the epoch training stopped at (0 when it did not stop early).
        best_epoch: the epoch of the best value.
        wait: epochs counted since the last improvement.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        # The same instance may serve several fits.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the weights so far are the best there are.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.", flush=True)
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value in `logs`; None, with a warning listing the keys, if absent."""
        return self._monitor_value(logs, "Early stopping")
