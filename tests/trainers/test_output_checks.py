"""Warnings Keras does not give: a one-unit softmax output and categorical cross-entropy on a
one-unit output train nothing. Each is a UserWarning naming the layer, given once per compile
(at `compile` when the outputs are known, else at the first `fit` / `train_on_batch`), and
never for the set-ups that train."""

import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers, losses

X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
Y1 = (X[:, :1] > 0).astype(np.float32)                       # two classes, one column
Y10 = np.eye(10, dtype=np.float32)[np.arange(16) % 10]         # ten classes, one-hot

SOFTMAX = "has one unit with a softmax activation"
CATEGORICAL = "has one unit but the loss is categorical"


def _ours(caught):
    return [w for w in caught if SOFTMAX in str(w.message) or CATEGORICAL in str(w.message)]


def _record(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return _ours(caught)


def _sequential(units, activation, name="out", input_layer=True):
    stack = [keras.Input((3,))] if input_layer else []
    return keras.Sequential(stack + [layers.Dense(4, activation="relu"),
                                     layers.Dense(units, activation=activation, name=name)])


def test_a_one_unit_softmax_warns_at_compile_naming_the_layer_and_what_to_use():
    model = _sequential(1, "softmax", name="prediction")
    caught = _record(lambda: model.compile(optimizer="sgd", loss="binary_crossentropy"))
    assert len(caught) == 1 and caught[0].category is UserWarning
    message = str(caught[0].message)
    assert "Output layer 'prediction' has one unit with a softmax activation" in message
    assert "always outputs 1.0" in message and "nothing trains" in message
    assert "`activation='sigmoid'` and `loss='binary_crossentropy'`" in message
    assert caught[0].filename == __file__  # points at the user's compile call
    assert _record(lambda: model.fit(X, Y1, epochs=2, verbose=0)) == []  # once per compile
    assert len(_record(lambda: model.compile(optimizer="sgd", loss="binary_crossentropy"))) == 1


def test_what_the_softmax_warning_says_is_true_the_weights_never_move():
    model = _sequential(1, "softmax")
    with pytest.warns(UserWarning, match=SOFTMAX):
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy")
    before = model.get_weights()
    model.fit(X, Y1, epochs=3, batch_size=4, verbose=0)
    np.testing.assert_allclose(model.predict(X, verbose=0), 1.0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("loss", [
    "categorical_crossentropy", "CategoricalCrossentropy", losses.categorical_crossentropy,
    losses.CategoricalCrossentropy(), losses.CategoricalCrossentropy(from_logits=True),
    "categorical_focal_crossentropy"], ids=lambda loss: str(getattr(loss, "name", loss)))
def test_categorical_crossentropy_on_one_unit_warns_in_every_spelling(loss):
    model = _sequential(1, "sigmoid", name="prob")
    caught = _record(lambda: model.compile(optimizer="adam", loss=loss))
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("Output layer 'prob' has one unit but the loss is categorical_")
    assert "nothing trains" in message and "`loss='binary_crossentropy'`" in message


def test_what_the_categorical_warning_says_is_true_the_weights_never_move():
    model = _sequential(1, "sigmoid")
    with pytest.warns(UserWarning, match=CATEGORICAL):
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="categorical_crossentropy")
    before = model.get_weights()
    model.fit(X, Y1, epochs=3, batch_size=4, verbose=0)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_both_mistakes_at_once_give_both_warnings():
    model = _sequential(1, "softmax", name="out")
    caught = _record(lambda: model.compile(optimizer="adam", loss="categorical_crossentropy"))
    assert sorted(SOFTMAX in str(w.message) for w in caught) == [False, True]


@pytest.mark.parametrize("setup", [(10, "softmax", "categorical_crossentropy", Y10),
                                   (1, "sigmoid", "binary_crossentropy", Y1),
                                   (1, None, "mse", Y1),
                                   (10, "softmax", "sparse_categorical_crossentropy",
                                    np.arange(16) % 10)],
                         ids=["10 softmax + cce", "1 sigmoid + bce", "1 linear + mse",
                              "10 softmax + sparse cce"])
def test_no_warning_for_set_ups_that_train(setup):
    units, activation, loss, y = setup
    model = _sequential(units, activation)
    assert _record(lambda: model.compile(optimizer="adam", loss=loss)) == []
    before = model.get_weights()
    assert _record(lambda: model.fit(X, y, epochs=1, batch_size=4, verbose=0)) == []
    assert not np.array_equal(model.get_weights()[-2], before[-2])  # they do train


def test_a_model_built_by_its_first_fit_warns_at_that_fit_once():
    model = _sequential(1, "softmax", name="late", input_layer=False)
    assert _record(lambda: model.compile(optimizer="adam", loss="binary_crossentropy")) == []
    caught = _record(lambda: model.fit(X, Y1, epochs=2, batch_size=4, verbose=0))
    assert len(caught) == 1 and "'late'" in str(caught[0].message)
    assert caught[0].filename == __file__
    assert _record(lambda: model.fit(X, Y1, epochs=1, verbose=0)) == []


def test_train_on_batch_also_checks_an_unbuilt_model_once():
    model = _sequential(1, "sigmoid", name="tob", input_layer=False)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    caught = _record(lambda: [model.train_on_batch(X, Y1) for _ in range(3)])
    assert len(caught) == 1 and "'tob'" in str(caught[0].message)


def test_softmax_layers_and_activation_layers_are_recognised():
    inputs = keras.Input((3,))
    a = layers.Activation("softmax", name="act")(layers.Dense(1)(inputs))
    b = layers.Softmax(name="soft")(layers.Dense(1)(inputs))
    c = layers.Softmax(axis=1, name="soft_axis_1")(layers.Dense(1)(inputs))
    d = layers.Dense(5, activation="softmax", name="fine")(inputs)
    model = keras.Model(inputs, [a, b, c, d])
    caught = _record(lambda: model.compile(optimizer="adam", loss=["binary_crossentropy"] * 3
                                           + ["categorical_crossentropy"]))
    named = sorted(str(w.message).split("'")[1] for w in caught)
    assert named == ["act", "soft", "soft_axis_1"]


def test_a_softmax_over_another_axis_is_not_flagged():
    inputs = keras.Input((4, 1))
    out = layers.Softmax(axis=1, name="over_time")(inputs)  # sums to 1 over 4 steps: trains
    model = keras.Model(inputs, out)
    assert _record(lambda: model.compile(optimizer="adam", loss="mse")) == []


def test_the_layer_inside_a_nested_model_is_named():
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="softmax",
                                                              name="inner_out")], name="inner")
    model = keras.Sequential([keras.Input((3,)), inner])
    caught = _record(lambda: model.compile(optimizer="adam", loss="binary_crossentropy"))
    assert len(caught) == 1 and "Output layer 'inner_out'" in str(caught[0].message)


def test_only_the_one_unit_output_of_a_two_output_model_is_named():
    inputs = keras.Input((3,))
    good = layers.Dense(10, activation="softmax", name="digits")(inputs)
    bad = layers.Dense(1, activation="sigmoid", name="is_odd")(inputs)
    model = keras.Model(inputs, [good, bad])
    caught = _record(lambda: model.compile(
        optimizer="adam", loss={"digits": "categorical_crossentropy",
                                "is_odd": "categorical_crossentropy"}))
    assert len(caught) == 1 and "Output layer 'is_odd'" in str(caught[0].message)
