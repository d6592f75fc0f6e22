"""Bad input gets a ValueError/TypeError naming what was expected and what was received."""

import numpy as np
import pytest

from minikeras.layers import Dense, Flatten, Input
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
    with pytest.raises(ValueError, match=r'layer "dense_1".*value 6.*\(4, 8\)|expected shape'):
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
