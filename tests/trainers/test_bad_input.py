"""Bad input gets a ValueError/TypeError naming what was expected and what was received."""

import re
import warnings

import numpy as np
import pytest

from minikeras import ops
from minikeras.callbacks import Callback
from minikeras.layers import Dense, Dropout, Flatten, Input, Layer
from minikeras.models import Sequential

X = np.random.default_rng(0).normal(size=(10, 4))
Y = np.eye(3)[np.arange(10) % 3]


def model(loss="categorical_crossentropy", **kwargs):
    m = Sequential([Input((4,)), Dense(3, activation="softmax")])
    m.compile(optimizer=kwargs.get("optimizer", "adam"), loss=loss, metrics=kwargs.get("metrics"))
    return m


def test_mismatched_lengths():
    with pytest.raises(ValueError, match=r"'x' sizes: 10, 'y' sizes: 9"):
        model().fit(X, Y[:9], verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        model().fit(X, Y, sample_weight=np.ones(3), verbose=0)


def test_x_shape_does_not_fit_the_model():
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(10, 5\)"):
        model().fit(np.ones((10, 5)), Y, verbose=0)
    with pytest.raises(ValueError, match=r"Input 0 .*expected shape=\(None, 4\)"):
        model().predict(np.ones((10, 2, 2)), verbose=0)
    deferred = Sequential([Flatten(), Dense(3)])
    deferred.compile("sgd", "mse")
    deferred.fit(np.ones((4, 2, 3)), np.ones((4, 3)), verbose=0)
    # Built from the data on the first fit, the model checks later input against that shape.
    with pytest.raises(ValueError, match=re.escape(
            f"Input 0 of model '{deferred.name}' is incompatible: expected shape=(None, 2, 3), "
            "found shape=(4, 2, 4). Check `x`: each sample must have shape (2, 3).")):
        deferred.predict(np.ones((4, 2, 4)), verbose=0)


def test_y_shape_does_not_fit_the_loss():
    with pytest.raises(ValueError, match=r"expects `y` of shape \(10, 3\).*received `y` with shape "
                                         r"\(10,\).*sparse_categorical_crossentropy"):
        model().fit(X, np.arange(10) % 3, verbose=0)
    with pytest.raises(ValueError, match="label value of 5"):
        model("sparse_categorical_crossentropy").fit(X, np.arange(10) % 6, verbose=0)
    with pytest.raises(ValueError, match=r"received `y` with shape \(10, 4\)"):
        model("mse").fit(X, np.ones((10, 4)), verbose=0)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"loss": "categorical_crossentropyy"}, "loss.*'categorical_crossentropyy'"),
    ({"optimizer": "adamm"}, "optimizer.*'adamm'"),
    ({"metrics": ["acuracy"]}, "metric.*'acuracy'"),
])
def test_unknown_names(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        m = model(**kwargs)
        m.fit(X, Y, verbose=0)


def test_unknown_activation():
    with pytest.raises(ValueError, match="'rellu'"):
        Dense(3, activation="rellu")


def test_fit_evaluate_before_compile():
    m = Sequential([Input((4,)), Dense(3)])
    for call in (lambda: m.fit(X, Y, verbose=0), lambda: m.evaluate(X, Y, verbose=0),
                 lambda: m.train_on_batch(X, Y)):
        with pytest.raises(ValueError, match=r"You must call `compile\(\)` before"):
            call()


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_data(bad):
    x = X.copy()
    x[3, 2] = bad
    with pytest.raises(ValueError, match=r"`x` contains NaN or infinite values \(first at index \(3, 2\)"):
        model().fit(x, Y, verbose=0)
    y = Y.copy()
    y[1, 0] = bad
    with pytest.raises(ValueError, match="`y` contains NaN"):
        model().evaluate(X, y, verbose=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        model().fit(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="verbose"):
        model().fit(X, Y, verbose=3)
    with pytest.raises(ValueError, match="validation_split"):
        model().fit(X, Y, validation_split=1.5, verbose=0)
    with pytest.raises(TypeError, match="unexpected keyword"):
        model().fit(X, Y, epoch=3)
    with pytest.raises(ValueError, match="ragged|Python objects|convert"):
        model().fit([[1, 2], [3]], Y[:2], verbose=0)


# ---------------------------------------------------------------- issue 7, defect 4
EMPTY = "Expected input data to be non-empty: `x` has 0 samples (shape (0, 4))."


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_empty_data(method):
    m = model()
    kwargs = {"verbose": 0} if method in ("fit", "evaluate") else {}
    with pytest.raises(ValueError, match=re.escape(EMPTY)):
        getattr(m, method)(np.zeros((0, 4)), np.zeros((0, 3)), **kwargs)


def test_non_numeric_dtypes_are_refused_up_front():
    strings = np.array([["1", "2", "3", "4"]])
    with pytest.raises(ValueError, match=re.escape(
            "`x` must hold numbers (bool, int or float); received an array of dtype <U1 with "
            "shape (1, 4). Convert it first, e.g. `x = x.astype('float32')`.")):
        model().fit(strings, Y[:1], verbose=0)
    with pytest.raises(ValueError, match=re.escape(
            "`y` must hold numbers (bool, int or float); received an array of dtype <U1 with "
            "shape (1, 3).")):
        model().evaluate(X[:1], np.array([["0", "1", "0"]]), verbose=0)
    with pytest.raises(ValueError, match=re.escape(
            "`sample_weight` must hold numbers (bool, int or float); received an array of dtype "
            "datetime64[D] with shape (10,).")):
        model().fit(X, Y, sample_weight=np.full(10, "2024-01-01", dtype="datetime64[D]"),
                    verbose=0)


def test_1d_x_names_the_missing_feature_axis():
    message = re.escape(
        "`x` is 1-D with shape (10,): the model reads it as 10 samples with no feature axis, but "
        "each sample needs at least one (shape (n, features)). For one feature per sample, pass "
        "`x.reshape(-1, 1)`.")
    deferred = Sequential([Dense(3)])
    deferred.compile("sgd", "mse")
    with pytest.raises(ValueError, match=message):
        deferred.fit(np.arange(10.0), Y, verbose=0)
    with pytest.raises(ValueError, match=message):  # a declared input of rank 2 as well
        model().predict(np.arange(10.0), verbose=0)
    deferred.fit(np.arange(10.0).reshape(-1, 1), Y, verbose=0)  # the suggested fix trains


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 2.5}, "`epochs` must be a non-negative integer. Received: epochs=2.5"),
    ({"epochs": "3"}, "`epochs` must be a non-negative integer. Received: epochs='3'"),
    ({"initial_epoch": -1}, "`initial_epoch` must be a non-negative integer. Received: "
                            "initial_epoch=-1"),
    ({"steps_per_epoch": 1.5}, "`steps_per_epoch` must be a positive integer or None. Received: "
                               "steps_per_epoch=1.5"),
    ({"steps_per_epoch": 0}, "`steps_per_epoch` must be a positive integer or None. Received: "
                             "steps_per_epoch=0"),
    ({"validation_freq": 0.5}, "`validation_freq` must be a positive integer. Received: "
                               "validation_freq=0.5"),
])
def test_fit_counting_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        model().fit(X, Y, validation_split=0.2, verbose=0, **kwargs)


def test_fit_counting_arguments_accept_integral_values_and_epoch_lists():
    history = model().fit(X, Y, epochs=np.int64(3), steps_per_epoch=2.0, batch_size=4,
                          validation_split=0.2, validation_freq=[1, 3], verbose=0).history
    assert len(history["loss"]) == 3 and len(history["val_loss"]) == 2


def test_nan_in_sample_weight():
    weights = np.ones(10)
    weights[4] = np.nan
    with pytest.raises(ValueError, match=re.escape(
            "`sample_weight` contains NaN or infinite values (first at index (4,): nan).")):
        model().fit(X, Y, sample_weight=weights, verbose=0)
    with pytest.raises(ValueError, match=r"`sample_weight` contains NaN"):
        model().evaluate(X, Y, sample_weight=weights, verbose=0)


def test_nan_message_fits_evaluate():
    x = X.copy()
    x[0, 1] = np.nan
    with pytest.raises(ValueError) as info:
        model().evaluate(x, Y, verbose=0)
    assert str(info.value) == (
        "`x` contains NaN or infinite values (first at index (0, 1): nan). Clean or impute these "
        "values (or drop those samples) before passing the data to the model.")


class StepsPerEpoch(Callback):
    def __init__(self):
        super().__init__()
        self.iterations = []

    def on_epoch_end(self, epoch, logs=None):
        self.iterations.append(int(self.model.optimizer.iterations))


def test_steps_per_epoch_beyond_the_data_warns_and_ends_the_epoch():
    # As Keras 3 with NumPy arrays: 10 samples in batches of 5 are 2 steps per epoch, whatever
    # steps_per_epoch asks for; each epoch warns and stops when the data runs out.
    m, counter = model(), StepsPerEpoch()
    with pytest.warns(UserWarning, match=r"^Your input ran out of data; interrupting training\. "
                                         r"With 10 samples and batch_size=5 the data holds 2 "
                                         r"batches per pass, and this epoch ran out after 2 of its "
                                         r"steps_per_epoch=5 steps"):
        history = m.fit(X, Y, batch_size=5, steps_per_epoch=5, epochs=2, verbose=0,
                        callbacks=[counter])
    assert counter.iterations == [2, 4] and int(m.optimizer.iterations) == 4
    assert len(history.history["loss"]) == 2


def test_steps_per_epoch_consumes_the_data_across_epochs():
    # Keras 3: 5 batches, 3 steps per epoch -> epochs of 3, 2 (ran out: warning), 3 steps.
    m, counter = model(), StepsPerEpoch()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.fit(X, Y, batch_size=2, steps_per_epoch=3, epochs=3, verbose=0, callbacks=[counter])
    assert counter.iterations == [3, 5, 8]
    assert [str(w.message).split(".")[0] for w in caught] == [
        "Your input ran out of data; interrupting training"]


class ActivityPenalty(Layer):
    """The only loss of the model: the mean square of its input, added with `add_loss`."""

    def call(self, inputs):
        self.add_loss(ops.mean(ops.square(inputs)))
        return inputs


def test_model_trained_only_by_add_loss():
    m = Sequential([Input((4,)), Dense(3, kernel_initializer="ones"), ActivityPenalty()])
    m.compile(optimizer="sgd", loss=None)  # Keras 3 accepts this
    kernel, bias = m.get_weights()
    expected = float(np.mean(np.square(X @ kernel + bias)))
    assert m.evaluate(X, verbose=0) == pytest.approx(expected, rel=1e-5)
    history = m.fit(X, epochs=3, batch_size=10, verbose=0).history  # no `y`, as in Keras
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history["loss"][0] > history["loss"][1] > history["loss"][2] > 0
    with pytest.raises(ValueError, match=r"`y` is required: fit\(\) trains on inputs `x` and targets `y`"):
        model().fit(X, verbose=0)


def test_loss_none_without_added_losses():
    m = Sequential([Input((4,)), Dense(3)])
    m.compile(optimizer="sgd", loss=None)
    with pytest.raises(ValueError, match=re.escape(
            "The model has no loss to minimize: pass a `loss` to `compile()` or add one in a "
            "layer with `self.add_loss(...)`.")):
        m.fit(X, Y, verbose=0)


def test_dropout_rate_one_trains_as_keras():
    # Keras: Dropout(1.0) outputs zeros in training; the loss stays finite and the weights
    # before it get no gradient.
    m = Sequential([Input((4,)), Dense(3, name="before"), Dropout(1.0), Dense(2, name="after")])
    m.compile(optimizer="adam", loss="mse")
    before = [w.copy() for w in m.get_layer("before").get_weights()]
    after = [w.copy() for w in m.get_layer("after").get_weights()]
    history = m.fit(X, np.ones((10, 2)), epochs=3, verbose=0).history
    assert np.isfinite(history["loss"]).all()
    assert history["loss"][0] == pytest.approx(1.0)  # zeros in, zero kernel path, bias 0
    for old, new in zip(before, m.get_layer("before").get_weights()):
        np.testing.assert_array_equal(new, old)
    assert not np.array_equal(m.get_layer("after").get_weights()[1], after[1])


def test_bad_validation_data_says_it_is_the_validation_data():
    with pytest.raises(ValueError, match=re.escape(
            "Invalid `validation_data` (x_val, y_val[, sample_weight_val]): " + EMPTY)):
        model().fit(X, Y, validation_data=(np.zeros((0, 4)), np.zeros((0, 3))), verbose=0)
