"""`LambdaCallback`: a callback made of plain functions."""

from minikeras.callbacks.callback import Callback


class LambdaCallback(Callback):
    """A callback whose hooks are the functions given, called as the hooks are:
    `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`, `on_train_begin(logs)`,
    `on_train_end(logs)`, `on_train_batch_begin(batch, logs)`, `on_train_batch_end(batch,
    logs)`; any other hook (`on_test_end=...`, Keras 2's `on_batch_end=...`) by keyword.

    Example: `LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs['loss']))`.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback got an unknown hook `{name}`; hooks are "
                                "on_train_begin, on_epoch_end, on_train_batch_end, ...")
            setattr(self, name, fn)
