"""`Callback` and `CallbackList`: hooks into `fit`, `evaluate` and `predict`."""


class Callback:
    """Base class of callbacks, as `keras.callbacks.Callback`.

    Attributes:
        model: the model being trained (set by `fit`).
        params: `{'verbose', 'epochs', 'steps'}`.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_batch_begin(self, batch, logs=None): pass  # Keras 2 names
    def on_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList:
    """Calls each hook on every callback, in order.

    Only the hooks that some callback overrides are called per batch, so an unused hook costs
    nothing in the training loop.
    """

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self.active = set()  # the hooks some callback listens to
        for hook in _HOOKS:
            active = [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            setattr(self, hook, _fan_out(active))
            if active:
                self.active.add(hook)


def _overrides(callback, hook):
    method = getattr(type(callback), hook, None)
    if method is getattr(Callback, hook):
        # The batch hooks forward to the Keras 2 names, which a subclass may override.
        legacy = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
        return hook in legacy and getattr(type(callback), legacy[hook]) is not getattr(
            Callback, legacy[hook])
    return method is not None


def _fan_out(methods):
    if not methods:
        return lambda *args, **kwargs: None

    def call(*args, **kwargs):
        for method in methods:
            method(*args, **kwargs)

    return call
