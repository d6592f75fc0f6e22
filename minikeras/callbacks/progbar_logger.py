"""`ProgbarLogger`: the progress bar that `fit`, `evaluate` and `predict` print."""

from minikeras.callbacks.callback import Callback
from minikeras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and a Keras-style progress bar (verbose 1) or one line per epoch
    (verbose 2). `fit` adds one automatically when `verbose` is not 0."""

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.seen = 0
        self._in_fit = False
        self._learnt_steps = None  # an epoch's steps, once a first epoch of unknown length ended

    def set_params(self, params):
        super().set_params(params)
        self._learnt_steps = None

    def _steps(self):
        """The steps of an epoch: given (`params['steps']`), or, when the data did not say
        (a generator), learnt from the first epoch, as Keras 3 does: the first epoch shows
        `n/Unknown`, the next ones `n/total`."""
        return self.params.get("steps") or self._learnt_steps

    def _new_bar(self, target):
        verbose = self.params.get("verbose", 1)
        self.progbar = Progbar(target=target, verbose=verbose, unit_name="step")
        self.seen = 0

    def _finalize(self, logs):
        if self.progbar.target is None:
            self.progbar.target = self._learnt_steps = self.seen
        self.progbar.update(self.progbar.target, list((logs or {}).items()), finalize=True)

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        epochs = self.params.get("epochs", 1)
        if self.params.get("verbose") and epochs > 1:
            print(f"Epoch {epoch + 1}/{epochs}", flush=True)
        self._new_bar(self._steps())

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self.seen = batch + 1
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finalize(logs)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        self.progbar.update(self.seen, finalize=False)

    def on_predict_end(self, logs=None):
        self._finalize(None)
