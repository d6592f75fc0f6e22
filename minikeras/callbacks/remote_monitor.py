"""`RemoteMonitor`: not supported (minikeras opens no network connection)."""

from minikeras.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Keras's `RemoteMonitor` posts each epoch's logs to an HTTP server. minikeras never
    opens a network connection, so creating one raises `NotImplementedError`; write the
    logs to a file with `CSVLogger`, or send them yourself from a `LambdaCallback`."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        raise NotImplementedError(
            "RemoteMonitor is not supported: minikeras opens no network connection. Log to a "
            "file with keras.callbacks.CSVLogger('training.csv'), or post the logs yourself "
            "from keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ...).")
