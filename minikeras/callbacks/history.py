"""`History`: records the logs of every epoch; `fit` returns it."""

from minikeras.callbacks.callback import Callback


class History(Callback):
    """Records epoch logs.

    Attributes:
        history: dict `{key: [value per epoch]}`, e.g. `loss`, `accuracy`, `val_loss`.
        epoch: the list of epoch indices run.
        params: `{'verbose', 'epochs', 'steps'}`.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
