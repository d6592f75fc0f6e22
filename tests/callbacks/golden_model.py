"""The small model and data of the callbacks fixtures (tests/golden/callbacks/event_order.json)."""

import numpy as np

from minikeras.callbacks import Callback
from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from minikeras.optimizers import SGD
from tests.conftest import load_golden

EVENTS = load_golden("callbacks/event_order.json")
X = np.array(EVENTS["x"], dtype="float32")
Y = np.array(EVENTS["y"], dtype="float32")
FIT = EVENTS["cases"]["fit"]["fit_kwargs"]  # batch_size=6, epochs=2, validation_split=0.25...


def golden_model(lr=0.1):
    """`Sequential([Input((4,)), Dense(5, relu), Dense(3, softmax)])` with the fixture's
    weights, compiled with SGD, categorical cross-entropy and accuracy."""
    model = Sequential([Input((4,)), Dense(5, activation="relu"),
                        Dense(3, activation="softmax")])
    model.set_weights([np.array(w, dtype="float32") for w in EVENTS["init_weights"]])
    model.compile(optimizer=SGD(lr), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class Recorder(Callback):
    """Records `[hook, epoch or batch (None for begin/end hooks), logs]` for every hook, as
    the fixture's script records them on real Keras."""

    def __init__(self):
        super().__init__()
        self.events = []
        self.params_seen = {}

    def _record(self, hook, index, logs):
        self.events.append([hook, index, _plain(logs)])
        if hook in ("on_train_begin", "on_test_begin", "on_predict_begin"):
            self.params_seen[hook] = dict(self.params)
        if hook == "on_epoch_end":
            self.events[-1].append({"stop_training": bool(self.model.stop_training)})

    def on_train_begin(self, logs=None): self._record("on_train_begin", None, logs)
    def on_train_end(self, logs=None): self._record("on_train_end", None, logs)
    def on_epoch_begin(self, epoch, logs=None): self._record("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._record("on_epoch_end", epoch, logs)
    def on_train_batch_begin(self, batch, logs=None):
        self._record("on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None):
        self._record("on_train_batch_end", batch, logs)
    def on_test_begin(self, logs=None): self._record("on_test_begin", None, logs)
    def on_test_end(self, logs=None): self._record("on_test_end", None, logs)
    def on_test_batch_begin(self, batch, logs=None):
        self._record("on_test_batch_begin", batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._record("on_test_batch_end", batch, logs)
    def on_predict_begin(self, logs=None): self._record("on_predict_begin", None, logs)
    def on_predict_end(self, logs=None): self._record("on_predict_end", None, logs)
    def on_predict_batch_begin(self, batch, logs=None):
        self._record("on_predict_batch_begin", batch, logs)
    def on_predict_batch_end(self, batch, logs=None):
        self._record("on_predict_batch_end", batch, logs)


def _plain(logs):
    if logs is None:
        return None
    return {k: {"array_shape": list(np.shape(v))} if np.ndim(v) else v for k, v in logs.items()}
