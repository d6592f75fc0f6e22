"""`CallbackList`: calls each hook on every callback in turn (`keras.callbacks.CallbackList`)."""

from minikeras.callbacks.callback import Callback, overrides
from minikeras.callbacks.history import History
from minikeras.callbacks.progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """A list of callbacks that is itself a callback: each hook calls every callback in turn.

    Every callback of one hook call receives the same `logs` dict (a fresh copy with sorted
    keys and Python floats, as Keras passes), so what one callback adds to it
    (`learning_rate`) is seen by the callbacks after it and recorded by History. A hook that
    no callback overrides costs nothing, so unused batch hooks do not slow training.

    Args:
        callbacks: a list of `Callback`s (or one).
        add_history: append a `History` if the list has none (`fit` does).
        add_progbar: append a `ProgbarLogger` if the list has none (verbose runs do).
        model: the model the callbacks see as `self.model`.
        **params: `verbose`, `epochs`, `steps`: the callbacks' `self.params`.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"`callbacks` must be a list of `keras.callbacks.Callback` "
                                f"instances. Received: {cb!r} of type {type(cb).__name__}")
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self._listeners = {}
        self.set_model(model)
        self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)
        self._listeners = {}
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def set_model(self, model):
        if model is None:
            return
        super().set_model(model)
        if self.history is not None:
            model.history = self.history
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params):
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def listens(self, hook):
        """Whether some callback does something in `hook` (the trainers skip computing the
        logs of a batch hook nobody reads)."""
        return bool(self._methods(hook))

    def _methods(self, hook):
        if hook not in self._listeners:
            self._listeners[hook] = [(cb, getattr(cb, hook)) for cb in self.callbacks
                                     if overrides(cb, hook)]
        return self._listeners[hook]

    def _call(self, hook, index, logs):
        methods = self._methods(hook)
        if not methods:
            return
        logs = pythonify_logs(logs)
        for cb, method in methods:
            try:
                if index is None:
                    method(logs)
                else:
                    method(index, logs)
            except Exception as e:
                name_callback(e, cb, hook, index)
                raise

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", None, logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", None, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", None, logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", None, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", None, logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", None, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs)


def pythonify_logs(logs):
    """A new dict of `logs` as Keras passes it: keys sorted, nested dicts flattened, values
    converted to Python floats where they convert (arrays such as predict's `outputs` stay)."""
    result = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
            continue
        if not isinstance(value, (str, float, list, tuple)) and not getattr(value, "shape", ()):
            try:
                value = float(value)
            except (TypeError, ValueError):
                pass
        result[key] = value
    return result


def name_callback(error, callback, hook, index):
    """Adds a note naming the callback and hook to an exception raised inside a callback (once,
    however many callback lists it passes through), so the traceback says which one failed."""
    where = "" if index is None else f" ({'epoch' if 'epoch' in hook else 'batch'} {index})"
    note = f"Raised in callback {type(callback).__name__}.{hook}{where}."
    notes = getattr(error, "__notes__", [])
    if not any(n.startswith("Raised in callback ") for n in notes):
        error.add_note(note)
