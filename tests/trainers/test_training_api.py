"""compile / fit / evaluate / predict / *_on_batch: Keras's API, return types and log keys."""

import numpy as np
import pytest

import minikeras as keras
from minikeras.callbacks import Callback
from minikeras.layers import Dense, Dropout, Flatten, Input
from minikeras.models import Model, Sequential


def _make_data():
    """Fixed data (its own seeded generator; nothing random is shared between tests)."""
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    labels = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 0.5).astype(int)
    return x, labels, np.eye(3, dtype="float32")[labels]


X, LABELS, Y = _make_data()


def mlp(**compile_kwargs):
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    compile_kwargs.setdefault("optimizer", "adam")
    compile_kwargs.setdefault("loss", "categorical_crossentropy")
    model.compile(**compile_kwargs)
    return model


# ----------------------------------------------------------------- an independent NumPy reference
# The same MLP (Dense(8, relu) -> Dense(3, softmax)) with categorical cross-entropy, written out
# in float64 with the backward pass derived by hand, to check what the trainer reports and writes.
def _np_forward(weights, x):
    k1, b1, k2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    h = np.maximum(np.asarray(x, dtype=np.float64) @ k1 + b1, 0.0)
    z = h @ k2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return h, e / e.sum(axis=1, keepdims=True)


def _np_crossentropy(p, y):
    """Keras's per-sample CCE on probabilities: rescale to sum 1, clip to [1e-7, 1 - 1e-7]."""
    p = np.clip(p / p.sum(axis=1, keepdims=True), 1e-7, 1 - 1e-7)
    return -(y * np.log(p)).sum(axis=1)


def _np_accuracy(p, y):
    return np.mean(np.argmax(p, axis=1) == np.argmax(y, axis=1))


def _np_sgd_step(weights, x, y, lr, sample_weight=None):
    """One SGD step on the batch's CCE `sum(w * l) / n`: (loss before the step, new weights).

    With one-hot y and no clipped probability, d loss / d logits = w * (p - y) / n; the rest is
    the chain rule through the two Dense layers and the ReLU mask.
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    k1, b1, k2, b2 = (np.asarray(w, dtype=np.float64) for w in weights)
    h, p = _np_forward(weights, x)
    assert 1e-7 < p.min() and p.max() < 1 - 1e-7  # the formula below ignores Keras's clip
    loss = np.sum(sw * _np_crossentropy(p, y)) / n
    dz = sw[:, None] * (p - y) / n
    dh = (dz @ k2.T) * (h > 0)
    grads = [x.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)]
    return loss, [w - lr * g for w, g in zip((k1, b1, k2, b2), grads)]


def _sgd_mlp(seed, **compile_kwargs):
    """`mlp()` trained by SGD(0.1), with initial weights from its own seeded generator."""
    model = mlp(optimizer=keras.optimizers.SGD(learning_rate=0.1), **compile_kwargs)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def _assert_weights(model, expected):
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


class BatchRecorder(Callback):
    """Records the (epoch, batch) of every training batch the callback actually sees."""

    def __init__(self):
        super().__init__()
        self.seen = []
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append((self.epoch, batch))


@pytest.mark.parametrize("name", ["accuracy", "acc"])
def test_history_keys_follow_the_metric_name_given(name):
    history = mlp(metrics=[name]).fit(X, Y, epochs=2, validation_split=0.25, verbose=0)
    assert sorted(history.history) == sorted([name, "loss", f"val_{name}", "val_loss"])
    assert all(len(v) == 2 for v in history.history.values())


def test_accuracy_resolves_from_shapes():
    sparse = Sequential([Input((4,)), Dense(3, activation="softmax")])
    sparse.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    sparse.fit(X, LABELS, verbose=0)
    assert sparse._compiled_metrics.metrics[0].metric._fn.__name__ == "sparse_categorical_accuracy"
    binary = Sequential([Input((4,)), Dense(1, activation="sigmoid")])
    binary.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    binary.fit(X, (LABELS > 0).astype("float32"), verbose=0)
    assert binary._compiled_metrics.metrics[0].metric._fn.__name__ == "binary_accuracy"
    categorical = mlp(metrics=["accuracy"])
    categorical.fit(X, Y, verbose=0)
    assert categorical._compiled_metrics.metrics[0].metric._fn.__name__ == "categorical_accuracy"


def test_evaluate_return_types_and_metrics_names():
    model = mlp()
    assert isinstance(model.evaluate(X, Y, verbose=0), float)
    assert model.metrics_names == ["loss"]
    model = mlp(metrics=["accuracy", "mae"])
    result = model.evaluate(X, Y, verbose=0)
    assert isinstance(result, list) and len(result) == 3
    assert model.metrics_names == ["loss", "accuracy", "mae"]
    as_dict = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(as_dict) == ["accuracy", "loss", "mae"]
    assert as_dict["loss"] == pytest.approx(result[0])


def test_on_batch_methods_and_call():
    # Seed 1 makes the accuracy before the step (1/8) differ from the one after it (3/8).
    model = _sgd_mlp(1, metrics=["accuracy"])
    w0 = model.get_weights()
    x, y = X[:8], Y[:8]
    want_loss, w1 = _np_sgd_step(w0, x, y, lr=0.1)

    loss, acc = model.train_on_batch(x, y)
    # Loss and accuracy are those of the predictions made before the update, as in Keras.
    assert loss == pytest.approx(want_loss, rel=1e-5)
    assert acc == pytest.approx(_np_accuracy(_np_forward(w0, x)[1], y))
    _assert_weights(model, w1)  # exactly one SGD step with the hand-derived gradient
    assert int(model.optimizer.iterations) == 1

    _, p1 = _np_forward(w1, x)
    logs = model.test_on_batch(x, y, return_dict=True)
    assert logs == {"accuracy": pytest.approx(_np_accuracy(p1, y)),
                    "loss": pytest.approx(_np_crossentropy(p1, y).mean(), rel=1e-5)}
    np.testing.assert_allclose(model.predict_on_batch(X[:5]), p1[:5], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model(X[:5]), p1[:5], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.predict(X[:5], verbose=0), p1[:5], rtol=1e-5, atol=1e-7)
    assert int(model.optimizer.iterations) == 1  # testing and predicting take no step
    _assert_weights(model, w1)


def test_fit_learns():
    keras.backend.set_random_seed(0)
    model = mlp(optimizer=keras.optimizers.Adam(0.02), metrics=["accuracy"])
    history = model.fit(X, Y, epochs=60, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.7
    assert history.history["accuracy"][-1] > 0.8


def test_validation_split_takes_the_last_samples_before_shuffling():
    seen = []

    class Spy(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    model = mlp()
    # Validation = last 16 samples; with validation_data equal to them, val_loss must match.
    h1 = model.fit(X, Y, epochs=1, validation_split=0.25, shuffle=True, verbose=0, callbacks=[Spy()])
    val_loss = model.evaluate(X[48:], Y[48:], verbose=0)
    assert h1.history["val_loss"][0] == pytest.approx(val_loss, rel=1e-5)
    assert len(seen) == 2  # 48 training samples / batch 32


def test_validation_data_tuple_of_two_or_three():
    model = _sgd_mlp(3)
    w0 = model.get_weights()
    # One full-batch epoch: one SGD step, then validation with the updated weights.
    h = model.fit(X, Y, epochs=1, batch_size=64, shuffle=False, validation_data=(X[:10], Y[:10]),
                  verbose=0)
    loss0, w1 = _np_sgd_step(w0, X, Y, lr=0.1)
    per_sample = _np_crossentropy(_np_forward(w1, X[:10])[1], Y[:10])
    assert h.history == {"loss": [pytest.approx(loss0, rel=1e-5)],
                         "val_loss": [pytest.approx(per_sample.mean(), rel=1e-5)]}
    _assert_weights(model, w1)

    # A third element weighs the validation loss as Keras does: sum(w * l) / n.
    sw = np.linspace(0.2, 2.0, 10)
    h = model.fit(X, Y, epochs=1, batch_size=64, shuffle=False,
                  validation_data=(X[:10], Y[:10], sw), verbose=0)
    loss1, w2 = _np_sgd_step(w1, X, Y, lr=0.1)
    per_sample = _np_crossentropy(_np_forward(w2, X[:10])[1], Y[:10])
    weighted = np.sum(sw * per_sample) / 10
    assert abs(weighted - per_sample.mean()) > 1e-2  # the weights do change the value
    assert h.history == {"loss": [pytest.approx(loss1, rel=1e-5)],
                         "val_loss": [pytest.approx(weighted, rel=1e-5)]}
    _assert_weights(model, w2)
    assert int(model.optimizer.iterations) == 2  # validation took no step
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(X, Y, validation_data=(X,), verbose=0)


def test_initial_epoch_steps_per_epoch_and_stop_training():
    model = _sgd_mlp(2)
    recorder = BatchRecorder()
    h = model.fit(X, Y, epochs=5, initial_epoch=3, batch_size=32, verbose=0,
                  callbacks=[recorder])
    assert h.epoch == [3, 4]
    assert recorder.seen == [(3, 0), (3, 1), (4, 0), (4, 1)]  # 2 epochs of 64 / 32 batches
    assert int(model.optimizer.iterations) == 4

    # steps_per_epoch=3 of batch 8: exactly the first 3 batches (no shuffle), 3 SGD steps.
    weights = model.get_weights()
    batch_losses = []
    for start in (0, 8, 16):
        loss, weights = _np_sgd_step(weights, X[start:start + 8], Y[start:start + 8], lr=0.1)
        batch_losses.append(loss)
    recorder = BatchRecorder()
    h = model.fit(X, Y, epochs=1, batch_size=8, steps_per_epoch=3, shuffle=False, verbose=0,
                  callbacks=[recorder])
    assert recorder.seen == [(0, 0), (0, 1), (0, 2)]
    assert int(model.optimizer.iterations) == 4 + 3
    _assert_weights(model, weights)
    assert h.history["loss"] == [pytest.approx(np.mean(batch_losses), rel=1e-5)]

    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    recorder = BatchRecorder()
    h = model.fit(X, Y, epochs=10, verbose=0, callbacks=[StopAfterTwo(), recorder])
    assert h.epoch == [0, 1]
    assert recorder.seen == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert int(model.optimizer.iterations) == 7 + 4


def test_sample_weight_zero_makes_samples_irrelevant():
    model = mlp(optimizer="sgd")
    weights = model.get_weights()
    sw = np.ones(len(X))
    sw[32:] = 0
    model.fit(X, Y, sample_weight=sw, batch_size=64, shuffle=False, verbose=0)
    once = model.get_weights()
    model.set_weights(weights)
    y_changed = Y.copy()
    y_changed[32:] = Y[32:][:, ::-1]
    model.fit(X, y_changed, sample_weight=sw, batch_size=64, shuffle=False, verbose=0)
    for a, b in zip(once, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_dropout_active_only_in_training():
    model = Sequential([Input((4,)), Dropout(0.5), Dense(3)])
    model.compile("sgd", "mse")
    np.testing.assert_array_equal(model.predict(X, verbose=0), model.predict(X, verbose=0))
    a = model(X, training=True)
    b = model(X, training=True)
    assert not np.allclose(a, b)


def test_functional_and_subclassed_models_train():
    inputs = Input((4,))
    hidden = Dense(8, activation="relu")(inputs)
    outputs = Dense(3, activation="softmax")(hidden)
    functional = Model(inputs, outputs)
    functional.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    functional.fit(X, Y, epochs=2, verbose=0)
    assert [l.name for l in functional.layers] == ["input_layer", "dense", "dense_1"]

    class MLP(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(8, activation="relu")
            self.out = Dense(3, activation="softmax")

        def call(self, x):
            return self.out(self.hidden(x))

    sub = MLP()
    sub.compile("adam", "categorical_crossentropy")
    loss0 = sub.evaluate(X, Y, verbose=0)
    sub.fit(X, Y, epochs=20, verbose=0)
    assert sub.evaluate(X, Y, verbose=0) < loss0
    assert len(sub.trainable_weights) == 4 and sub.name == "mlp"


def test_multi_output_model_with_loss_weights():
    inputs = Input((4,))
    a = Dense(3, activation="softmax", name="cls")(inputs)
    b = Dense(1, name="reg")(inputs)
    model = Model(inputs, [a, b])
    model.compile("adam", loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], []])
    target = X[:, :1]
    h = model.fit(X, [Y, target], epochs=1, verbose=0)
    assert sorted(h.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    loss, cls_loss, reg_loss, acc = model.evaluate(X, [Y, target], verbose=0)
    assert loss == pytest.approx(cls_loss + 0.5 * reg_loss, rel=1e-5)


def test_sequential_without_input_builds_on_first_data():
    model = Sequential()
    model.add(Flatten())
    model.add(Dense(4))
    assert not model.built
    model.compile("sgd", "mse")
    model.fit(np.ones((6, 2, 3)), np.ones((6, 4)), verbose=0)
    assert model.built and model.layers[1].output_shape == (None, 4)
    assert model.count_params() == 28


def test_get_layer_weights_and_set_weights():
    model = mlp()
    assert model.get_layer("dense_1") is model.layers[1]
    assert model.get_layer(index=0).name == "dense"
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")
    assert [w.shape for w in model.weights] == [(4, 8), (8,), (8, 3), (3,)]
    assert len(model.trainable_weights) == 4 and model.non_trainable_weights == []
    with pytest.raises(ValueError, match="expects 4 weights"):
        model.set_weights(model.get_weights()[:2])
    with pytest.raises(ValueError, match="not compatible"):
        model.set_weights([np.zeros((2, 2))] + model.get_weights()[1:])


def test_frozen_layer_is_not_trained():
    model = mlp(optimizer="sgd")
    model.layers[0].trainable = False
    model.compile("sgd", "categorical_crossentropy")
    before = model.layers[0].get_weights()
    model.fit(X, Y, epochs=1, verbose=0)
    for a, b in zip(before, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_keras2_spellings():
    model = mlp()
    with pytest.warns(DeprecationWarning):
        h = model.fit(X, Y, nb_epoch=2, verbose=0)
    assert len(h.epoch) == 2
    with pytest.warns(DeprecationWarning):
        classes = model.predict_classes(X[:5])
    assert classes.shape == (5,)
    with pytest.warns(DeprecationWarning):
        opt = keras.optimizers.Adam(lr=0.05)
    assert float(opt.learning_rate.numpy()) == pytest.approx(0.05)


def test_summary_matches_keras_output(capsys):
    from tests.conftest import GOLDEN

    model = Sequential([Input((28, 28)), Flatten(), Dense(128, activation="relu"),
                        Dense(10, activation="softmax")])
    model.summary()
    assert capsys.readouterr().out == (GOLDEN / "summary_mlp.txt").read_text()


def test_summary_print_fn():
    lines = []
    mlp().summary(print_fn=lines.append)
    assert lines[0] == 'Model: "sequential"' and lines[-1].startswith(" Non-trainable params: 0")


@pytest.mark.parametrize("loss", ["crossentropy", "ce"])
def test_generic_crossentropy_loss_resolves_from_shapes(loss):
    sparse = Sequential([Input((4,)), Dense(3, activation="softmax")])
    sparse.compile("adam", loss, metrics=[loss])
    sparse.fit(X, LABELS, verbose=0)
    assert sparse._compiled_loss.losses[0].name == "sparse_categorical_crossentropy"
    onehot = Sequential([Input((4,)), Dense(3, activation="softmax")])
    onehot.compile("adam", loss)
    onehot.fit(X, Y, verbose=0)
    assert onehot._compiled_loss.losses[0].name == "categorical_crossentropy"


@pytest.mark.parametrize("loss, labels", [
    ("categorical_crossentropy", Y), ("sparse_categorical_crossentropy", LABELS),
    ("mse", Y), ("mae", Y), ("binary_crossentropy", Y), ("huber", Y), ("hinge", Y),
])
def test_gradients_stay_float32(monkeypatch, loss, labels):
    """A float64 gradient (e.g. from an autograd VJP dividing by a NumPy int64) would run the
    whole backward pass in double precision: slower, and not what Keras computes."""
    from minikeras.trainers import step

    seen = []

    def spy(fun, values):
        (value, aux), grads = step_value_and_grads(fun, values)
        seen.extend([np.asarray(value).dtype] + [g.dtype for g in grads])
        return (value, aux), grads

    step_value_and_grads = step.value_and_grads
    monkeypatch.setattr(step, "value_and_grads", spy)
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(3, activation="softmax")])
    model.compile("sgd", loss)
    model.train_on_batch(X, labels)
    model.fit(X, labels, sample_weight=np.linspace(0.5, 1.5, len(X)), verbose=0)
    assert seen and all(dtype == np.float32 for dtype in seen), seen


def test_functional_summary_lists_the_input_layer():
    inputs = Input((8,))
    lines = []
    Model(inputs, Dense(3)(inputs)).summary(print_fn=lines.append)
    assert lines[0] == 'Model: "functional"'
    assert lines[4].startswith("│ input_layer (InputLayer)        │ (None, 8)")
    assert lines[6].startswith("│ dense (Dense)")
