"""Runs a monitoring callback on a scripted sequence of values, as the fixture's script does on
real Keras (tests/golden/callbacks/monitor_decisions.json)."""

import warnings

import numpy as np

from minikeras.callbacks import Callback
from tests.callbacks.golden_model import X, Y, golden_model


class WeightsAtEpochEnd(Callback):
    """Records the model's weights at the end of every epoch of a real fit."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


class MarkedModel:
    """Stands in for a model: its 'weights' are the index of the epoch that produced them, so
    the weights after training say which epoch's weights were restored. Metrics and optimizer
    come from a real compiled (and fitted, so its metrics exist) model."""

    def __init__(self, lr=0.1):
        real = golden_model(lr)
        real.fit(X, Y, epochs=1, batch_size=20, verbose=0)
        real.optimizer.learning_rate = lr
        self.metrics = real.metrics
        self.optimizer = real.optimizer
        self.stop_training = False
        self.epoch = -1

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.epoch = int(weights[0])


def run_scripted(callback, values, monitor, model=None):
    """Calls on_train_begin, on_epoch_end(epoch, {monitor: value}) (`{'loss': 0.5}` for a
    None value) until the callback stops training, then on_train_end; returns what the
    fixture records."""
    model = model or MarkedModel()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = []
    for epoch, value in enumerate(values):
        model.epoch = epoch
        logs = {"loss": 0.5} if value is None else {monitor: value}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            callback.on_epoch_end(epoch, logs)
        row = {"epoch": epoch, "value": value, "stop_training": model.stop_training,
               "wait": callback.wait, "best": callback.best,
               "warned": [str(w.message) for w in caught]}
        if hasattr(callback, "cooldown_counter"):
            row["learning_rate"] = float(np.asarray(model.optimizer.learning_rate))
            row["cooldown_counter"] = callback.cooldown_counter
            row["logs_learning_rate"] = logs.get("learning_rate")
        epochs.append(row)
        if model.stop_training:
            break
    model.epoch = 100
    callback.on_train_end()
    return {"epochs": epochs, "weights_epoch_after_train_end": model.epoch,
            "stopped_epoch": getattr(callback, "stopped_epoch", None)}
