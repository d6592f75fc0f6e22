"""Regenerate tests/golden/callbacks/*.json with REAL Keras 3 (never imported by the tests).

    KERAS_BACKEND=jax /path/to/keras-venv/bin/python tests/golden/callbacks/make_callbacks_golden.py

Writes:
- `event_order.json`: every callback hook Keras calls, in order, with its argument and the
  `logs` it passes, for a small `fit` with validation (and `evaluate` / `predict` with
  callbacks), plus the `params` the callbacks see and the History of a fit whose callbacks
  change the learning rate.
- `monitor_decisions.json`: what EarlyStopping and ReduceLROnPlateau decide, epoch by epoch,
  on scripted sequences of the monitored value (called directly, without `fit`), and which
  direction `mode='auto'` picks for each compiled metric.

Inputs come from fixed NumPy seeds and `shuffle=False`, so the numbers are reproducible.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
META = {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
        "backend": keras.backend.backend(), "floatx": keras.config.floatx(),
        "generated_by": "tests/golden/callbacks/make_callbacks_golden.py"}
assert META["backend"] == "jax", "run with KERAS_BACKEND=jax"

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
         "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
         "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
         "on_predict_batch_begin", "on_predict_batch_end"]


def plain(value):
    """A log value as JSON: floats as the shortest float32 decimal, arrays by shape."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "shape") and np.ndim(value) > 0:
        return {"array_shape": list(np.shape(value))}
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    return float(str(np.float32(value)))


class Recorder(keras.callbacks.Callback):
    """Records every hook: `[hook, epoch or batch (None for begin/end hooks), logs]`."""

    def __init__(self):
        super().__init__()
        self.events = []
        self.params_seen = {}


def _make_hook(name):
    takes_index = "batch" in name or "epoch" in name

    def hook(self, *args, logs="missing"):
        if takes_index:
            index, logs_ = args[0], (args[1] if len(args) > 1 else logs)
        else:
            index, logs_ = None, (args[0] if args else logs)
        logs_ = "missing" if logs_ == "missing" else (None if logs_ is None else plain(logs_))
        self.events.append([name, index, logs_])
        if name in ("on_train_begin", "on_test_begin", "on_predict_begin"):
            self.params_seen[name] = dict(self.params)
        if name == "on_epoch_end":
            self.events[-1].append({"stop_training": bool(self.model.stop_training)})

    hook.__name__ = name
    return hook


for _name in HOOKS:
    setattr(Recorder, _name, _make_hook(_name))


class LegacyRecorder(keras.callbacks.Callback):
    """Overrides only Keras 2's `on_batch_begin` / `on_batch_end`."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_batch_begin(self, batch, logs=None):
        self.events.append(["on_batch_begin", batch, plain(logs)])

    def on_batch_end(self, batch, logs=None):
        self.events.append(["on_batch_end", batch, plain(logs)])


class StopAt(keras.callbacks.Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            self.model.stop_training = True


def data():
    rng = np.random.RandomState(7)
    x = rng.normal(size=(20, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.randint(0, 3, size=20)]
    weights = [(rng.normal(size=(4, 5)) * 0.5).astype("float32"),
               (rng.normal(size=(5,)) * 0.1).astype("float32"),
               (rng.normal(size=(5, 3)) * 0.5).astype("float32"),
               (rng.normal(size=(3,)) * 0.1).astype("float32")]
    return x, y, weights


def model(weights, lr=0.1):
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                          keras.layers.Dense(3, activation="softmax")])
    m.set_weights(weights)
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="categorical_crossentropy",
              metrics=["accuracy"])
    return m


FIT = dict(batch_size=6, epochs=2, validation_split=0.25, validation_batch_size=4,
           shuffle=False, verbose=0)


def event_order():
    x, y, weights = data()
    cases = {}

    m = model(weights)
    rec, legacy = Recorder(), LegacyRecorder()
    history = m.fit(x, y, callbacks=[rec, legacy], **FIT)
    cases["fit"] = {"fit_kwargs": FIT, "events": rec.events, "params": rec.params_seen,
                    "legacy_events": legacy.events,
                    "history": {k: plain(v) for k, v in history.history.items()}}

    m = model(weights)
    rec = Recorder()
    m.fit(x, y, callbacks=[StopAt(0, 1), rec], **dict(FIT, epochs=3))
    cases["fit_stop_in_batch"] = {"fit_kwargs": dict(FIT, epochs=3),
                                  "stop_at": {"epoch": 0, "batch": 1}, "events": rec.events}

    m = model(weights)
    rec = Recorder()
    m.evaluate(x, y, batch_size=8, verbose=0, callbacks=[rec])
    cases["evaluate"] = {"kwargs": {"batch_size": 8}, "events": rec.events,
                         "params": rec.params_seen}

    rec = Recorder()
    m.predict(x, batch_size=8, verbose=0, callbacks=[rec])
    cases["predict"] = {"kwargs": {"batch_size": 8}, "events": rec.events,
                        "params": rec.params_seen}

    # Callbacks that change the learning rate put `learning_rate` into the epoch logs.
    m = model(weights)
    rec = Recorder()
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=10.0)
    history = m.fit(x, y, callbacks=[sched, plateau, rec], **dict(FIT, epochs=3))
    cases["learning_rate_logs"] = {
        "fit_kwargs": dict(FIT, epochs=3),
        "callbacks": "LearningRateScheduler(lambda epoch, lr: lr * 0.5), "
                     "ReduceLROnPlateau(monitor='loss', patience=0, min_delta=10.0)",
        "history": {k: plain(v) for k, v in history.history.items()},
        "epoch_end_logs": [e[2] for e in rec.events if e[0] == "on_epoch_end"],
        "final_learning_rate": plain(np.asarray(m.optimizer.learning_rate))}

    cases["csv_logger"] = csv_logger_files(x, y, weights)
    cases["checkpoint_files"] = checkpoint_files(x, y, weights)

    return {"x": x.tolist(), "y": y.tolist(), "init_weights": [w.tolist() for w in weights],
            "model": "Sequential([Input((4,)), Dense(5, relu), Dense(3, softmax)]), "
                     "compile(SGD(0.1), 'categorical_crossentropy', ['accuracy'])",
            "cases": cases}


def csv_logger_files(x, y, weights):
    """The text of the CSV files CSVLogger writes in a few situations."""
    import tempfile

    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        def run(name, logger_kwargs, fit_kwargs, extra_callbacks=(), path=None):
            path = path or os.path.join(tmp, name + ".csv")
            m = model(weights)
            logger = keras.callbacks.CSVLogger(path, **logger_kwargs)
            m.fit(x, y, callbacks=[*extra_callbacks, logger], **fit_kwargs)
            with open(path, newline="") as f:
                files[name] = {"logger_kwargs": logger_kwargs, "fit_kwargs": fit_kwargs,
                               "text": f.read()}
            return path

        path = run("validation", {}, FIT)
        run("appended", {"append": True}, dict(FIT, epochs=1), path=path)
        files["appended"]["note"] = "a second fit (epochs=1) appended to the 'validation' file"
        run("no_validation_semicolon", {"separator": ";"},
            dict(FIT, validation_split=0.0))
        run("learning_rate_no_validation", {}, dict(FIT, validation_split=0.0),
            [keras.callbacks.LearningRateScheduler(lambda epoch: 0.05)])
        run("validation_freq_2", {}, dict(FIT, epochs=3, validation_freq=2))
    return files


CHECKPOINTS = [
    ("template", {"filepath": "w.{epoch:02d}-{val_loss:.2f}.weights.h5",
                  "save_weights_only": True}, dict(FIT, epochs=3)),
    ("batches", {"filepath": "b{epoch}-{batch}.weights.h5", "save_weights_only": True,
                 "save_freq": 2}, dict(FIT, epochs=2)),
    ("best_only", {"filepath": "best.{epoch:02d}.keras", "save_best_only": True,
                   "monitor": "val_loss"}, dict(FIT, epochs=6)),
    ("best_only_max", {"filepath": "acc.{epoch:02d}-{accuracy:.3f}.keras",
                       "save_best_only": True, "monitor": "accuracy"}, dict(FIT, epochs=6)),
    ("threshold", {"filepath": "t.{epoch:02d}.keras", "save_best_only": True,
                   "initial_value_threshold": 1.125}, dict(FIT, epochs=6)),
]


def checkpoint_files(x, y, weights):
    """The files ModelCheckpoint writes (the order of the saves, from a recording subclass),
    for filepath templates, save_freq in batches and save_best_only, with lr 0.5 so that
    val_loss goes down and up."""
    import tempfile

    class Recording(keras.callbacks.ModelCheckpoint):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.saved = []

        def _save_model(self, epoch, batch, logs):
            before = set(os.listdir(self.dir))
            super()._save_model(epoch, batch, logs)
            self.saved += sorted(set(os.listdir(self.dir)) - before)

    files = {}
    for name, kwargs, fit_kwargs in CHECKPOINTS:
        with tempfile.TemporaryDirectory() as tmp:
            m = model(weights, lr=0.5)
            cb = Recording(**dict(kwargs, filepath=os.path.join(tmp, kwargs["filepath"])))
            cb.dir = tmp
            history = m.fit(x, y, callbacks=[cb], **fit_kwargs)
            files[name] = {"kwargs": kwargs, "fit_kwargs": fit_kwargs, "lr": 0.5,
                           "saved": cb.saved, "final_listing": sorted(os.listdir(tmp)),
                           "history": {k: plain(v) for k, v in history.history.items()}}
    return files


# --------------------------------------------------------------------------- decisions
class MarkedModel:
    """Stands in for a model: its weights are the index of the epoch that set them."""

    def __init__(self, real):
        self.real = real
        self.metrics = real.metrics
        self.optimizer = real.optimizer
        self.stop_training = False
        self.epoch = -1

    def get_weights(self):
        return [np.array(self.epoch)]

    def set_weights(self, weights):
        self.epoch = int(weights[0])


def run_scripted(callback, values, monitor, real):
    marked = MarkedModel(real)
    callback.set_model(marked)
    callback.on_train_begin()
    epochs = []
    for epoch, value in enumerate(values):
        marked.epoch = epoch  # the weights at the end of this epoch
        logs = {"loss": 0.5} if value is None else {monitor: value}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            callback.on_epoch_end(epoch, logs)
        row = {"epoch": epoch, "value": value, "stop_training": marked.stop_training,
               "wait": callback.wait, "best": callback.best,
               "warned": [str(w.message) for w in caught if "conditioned on" in str(w.message)]}
        if hasattr(callback, "cooldown_counter"):
            row["learning_rate"] = float(np.asarray(real.optimizer.learning_rate))
            row["cooldown_counter"] = callback.cooldown_counter
            row["logs_learning_rate"] = logs.get("learning_rate")
        epochs.append(row)
        if marked.stop_training:
            break
    marked.epoch = 100  # the weights at the end of training, unless restored
    callback.on_train_end()
    return {"epochs": epochs, "weights_epoch_after_train_end": marked.epoch,
            "stopped_epoch": getattr(callback, "stopped_epoch", None)}


LOSSES = [1.0, 0.8, 0.81, 0.79, 0.795, 0.85, 0.9, 0.7, 0.95, 1.0]
ACCURACIES = [0.5, 0.6, 0.59, 0.61, 0.605, 0.55, 0.5, 0.7, 0.4, 0.3]

EARLY_STOPPING = [
    ("patience0", "val_loss", LOSSES, {}),
    ("patience2", "val_loss", LOSSES, {"patience": 2}),
    ("patience2_restore", "val_loss", LOSSES, {"patience": 2, "restore_best_weights": True}),
    ("restore_without_stopping", "val_loss", LOSSES, {"patience": 20,
                                                      "restore_best_weights": True}),
    ("min_delta", "val_loss", LOSSES, {"patience": 1, "min_delta": 0.015}),
    ("baseline_never_beaten", "val_loss", LOSSES, {"patience": 3, "baseline": 0.5,
                                                   "restore_best_weights": True}),
    ("baseline_beaten", "val_loss", LOSSES, {"patience": 1, "baseline": 0.9}),
    ("start_from_epoch", "val_loss", LOSSES, {"patience": 1, "start_from_epoch": 3,
                                              "restore_best_weights": True}),
    ("auto_accuracy", "val_accuracy", ACCURACIES, {"patience": 2, "restore_best_weights": True}),
    ("max_mode_loss_name", "val_loss", ACCURACIES, {"patience": 2, "mode": "max"}),
    ("min_mode_accuracy_name", "val_accuracy", LOSSES, {"patience": 2, "mode": "min"}),
    ("missing_monitor", "val_loss", [None, None, 0.5, 0.6], {"patience": 1}),
]

PLATEAU = [
    ("patience1", "val_loss", LOSSES, {"patience": 1, "factor": 0.5}),
    ("patience0", "val_loss", LOSSES, {"patience": 0, "factor": 0.5}),
    ("cooldown2", "val_loss", LOSSES, {"patience": 1, "factor": 0.5, "cooldown": 2}),
    ("min_lr", "val_loss", LOSSES, {"patience": 0, "factor": 0.1, "min_lr": 0.002}),
    ("min_delta_large", "val_loss", LOSSES, {"patience": 1, "factor": 0.5, "min_delta": 0.1}),
    ("auto_accuracy", "val_accuracy", ACCURACIES, {"patience": 1, "factor": 0.5}),
    ("missing_monitor", "val_loss", [None, 0.5, 0.6], {"patience": 0, "factor": 0.5}),
]

AUTO_METRICS = ["accuracy", "acc", "binary_accuracy", "categorical_accuracy", "mae", "mse",
                "auc", "precision", "recall", "categorical_crossentropy",
                "top_k_categorical_accuracy", "AUC", "Precision", "mean_squared_error",
                "cosine_similarity", "hinge", "kl_divergence", "r2_score", "log_cosh_error"]


def decisions():
    x, y, weights = data()

    def real(lr=0.1):
        m = model(weights, lr)
        m.fit(x, y, epochs=1, verbose=0, batch_size=20)  # builds the compiled metrics
        m.optimizer.learning_rate = lr
        return m

    early = []
    for name, monitor, values, kwargs in EARLY_STOPPING:
        cb = keras.callbacks.EarlyStopping(monitor=monitor, **kwargs)
        early.append({"name": name, "monitor": monitor, "kwargs": kwargs, "values": values,
                      **run_scripted(cb, values, monitor, real())})
    plateau = []
    for name, monitor, values, kwargs in PLATEAU:
        cb = keras.callbacks.ReduceLROnPlateau(monitor=monitor, **kwargs)
        plateau.append({"name": name, "monitor": monitor, "kwargs": kwargs, "values": values,
                        "initial_lr": 0.1,
                        **run_scripted(cb, values, monitor, real())})

    auto = {}
    for metric in AUTO_METRICS:
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        m.compile("sgd", "categorical_crossentropy", metrics=[metric])
        m.fit(x, y, epochs=1, verbose=0)
        names = [n for n in m.get_metrics_result()]
        name = [n for n in names if n != "loss"][0]
        cb = keras.callbacks.EarlyStopping(monitor="val_" + name)
        cb.set_model(m)
        try:
            cb._set_monitor_op()
            auto[metric] = {"log_key": name, "mode": "max" if cb.monitor_op is keras.ops.greater
                            else "min"}
        except ValueError as e:
            auto[metric] = {"log_key": name, "error": str(e)}
    return {"losses": LOSSES, "accuracies": ACCURACIES,
            "notes": "Callbacks called directly: on_train_begin, then on_epoch_end(epoch, "
                     "{monitor: value}) while model.stop_training is False, then on_train_end. "
                     "The model's 'weights' are the index of the epoch that produced them "
                     "(100 after the last epoch), so weights_epoch_after_train_end says which "
                     "epoch's weights were restored. A null value means the monitor is "
                     "missing from the logs (which then hold only {'loss': 0.5}). "
                     "ReduceLROnPlateau starts from learning rate 0.1.",
            "early_stopping": early, "reduce_lr_on_plateau": plateau, "auto_mode": auto}


def write(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"meta": META, **payload}, f, indent=1)
        f.write("\n")
    print("wrote", name)


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    wanted = sys.argv[1:] or ["event_order", "monitor_decisions"]
    if "event_order" in wanted:
        write("event_order.json", event_order())
    if "monitor_decisions" in wanted:
        write("monitor_decisions.json", decisions())
