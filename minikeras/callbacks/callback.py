"""`Callback`: the hooks `fit`, `evaluate` and `predict` call, with Keras 3's names and order.

`fit` calls, with `logs` dicts like Keras's (`{}` for the begin hooks):

    on_train_begin({})
      on_epoch_begin(epoch, {})
        on_train_batch_begin(batch, {})  on_train_batch_end(batch, running means of the epoch)
        ... then, when the epoch validates, the `evaluate` hooks below (logs without `val_`)
      on_epoch_end(epoch, training and `val_` logs)
    on_train_end(logs of the last finished epoch)

`evaluate`: `on_test_begin({})`, `on_test_batch_begin/end(batch, …)`, `on_test_end(results)`.
`predict`: `on_predict_begin({})`, `on_predict_batch_begin(batch, {})`,
`on_predict_batch_end(batch, {'outputs': batch outputs})`, `on_predict_end({})`.
Keras 2's `on_batch_begin` / `on_batch_end` are called through the training batch hooks.
"""


class Callback:
    """Base class of callbacks, as `keras.callbacks.Callback`: override the hooks you need.

    Attributes:
        model: the model being trained, evaluated or predicted with (set before the first
            hook). A callback stops `fit` after the current batch with
            `self.model.stop_training = True`.
        params: `{'verbose', 'epochs', 'steps'}` of the running `fit` (`epochs=1` for
            `evaluate` and `predict`; `fit`'s validation pass keeps `fit`'s params).
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once at the start of `fit`."""

    def on_train_end(self, logs=None):
        """Called once at the end of `fit` (also after Ctrl-C); `logs` are the last epoch's."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (`epoch` counts from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch with its training and validation (`val_`) logs.

        Callbacks may add entries (`learning_rate`); later callbacks and History see them.
        """

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch; calls Keras 2's `on_batch_begin`."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with the running means of the epoch so far;
        calls Keras 2's `on_batch_end`."""
        self.on_batch_end(batch, logs=logs)

    def on_batch_begin(self, batch, logs=None):
        """Keras 2 name of `on_train_batch_begin`."""

    def on_batch_end(self, batch, logs=None):
        """Keras 2 name of `on_train_batch_end`."""

    def on_test_begin(self, logs=None):
        """Called at the start of `evaluate` and of `fit`'s validation pass."""

    def on_test_end(self, logs=None):
        """Called at the end of `evaluate` and of `fit`'s validation pass with its results."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each batch of `evaluate` or of the validation pass."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each batch of `evaluate` or of the validation pass (running means)."""

    def on_predict_begin(self, logs=None):
        """Called at the start of `predict`."""

    def on_predict_end(self, logs=None):
        """Called at the end of `predict`."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each batch of `predict`; `logs['outputs']` holds its outputs."""


HOOKS = [name for name in vars(Callback) if name.startswith("on_")]

# A base training batch hook forwards to the Keras 2 name, which a callback may override.
_FORWARDS_TO = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def overrides(callback, hook):
    """Whether `callback` does something in `hook`: its class overrides it, or it was set on
    the instance (`LambdaCallback`), directly or through the Keras 2 name it forwards to."""
    names = [hook] + ([_FORWARDS_TO[hook]] if hook in _FORWARDS_TO else [])
    for name in names:
        if name in vars(callback) or getattr(type(callback), name, None) is not getattr(
                Callback, name):
            return True
    return False
