"""Keras 3's full priority for `training`: the value passed, else the enclosing call's, else
the default in `call`'s signature (`def call(self, x, training=True)`, Keras 3's augmentation
layers); and a functional node recorded with `training=True` yields to inference.

The expected values are real Keras 3's (tests/golden/training_flag.json, made by
tests/golden/make_training_flag_golden.py).
"""

import json
import os

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras.models import Model, Sequential, model_from_json

GOLDEN = json.load(open(os.path.join(os.path.dirname(__file__), "..", "golden",
                                     "training_flag.json")))
X = np.ones((2, 3), "float32")


def probe_class(default):
    class Probe(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        if default:
            def call(self, x, training=True):
                self.seen.append(training)
                return x
        else:
            def call(self, x, training=None):
                self.seen.append(training)
                return x

    return Probe


def flags(default):
    """What the probe receives in each context (the golden script's scenarios)."""
    Probe = probe_class(default)
    out = {}
    probe = Probe()
    probe(X)
    out["direct_call"] = probe.seen

    probe = Probe()
    inputs = keras.Input((3,))
    model = Model(inputs, layers.Dense(1)(probe(inputs)))
    model.compile("sgd", "mse")
    runs = {"functional_eager": lambda: model(X),
            "functional_eager_training_false": lambda: model(X, training=False),
            "functional_predict": lambda: model.predict(X, verbose=0),
            "functional_evaluate": lambda: model.evaluate(X, np.zeros((2, 1)), verbose=0),
            "functional_train_on_batch": lambda: model.train_on_batch(X, np.zeros((2, 1)))}
    for name, run in runs.items():
        probe.seen.clear()
        run()
        out[name] = list(dict.fromkeys(probe.seen))

    class Sub(Model):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x):
            return self.probe(x)

    sub = Sub()
    sub(X)
    out["subclassed_eager"] = sub.probe.seen[-1:]
    sub(X, training=False)
    out["subclassed_training_false"] = sub.probe.seen[-1:]
    return out


@pytest.mark.parametrize("default", [True, False], ids=["training=True", "training=None"])
def test_a_layer_receives_the_training_value_keras3_gives_it(default):
    expected = GOLDEN["flags_default_true" if default else "flags_default_none"]
    assert flags(default) == expected


def test_a_user_layer_whose_call_defaults_to_training_true_trains_when_called_directly():
    # The default applies only when neither the caller nor an enclosing call gives a value.
    Probe = probe_class(True)
    probe = Probe()
    model = Sequential([keras.Input((3,)), probe])
    probe.seen.clear()  # (building the model ran it once, on zeros, in inference)
    model(X)
    model(X, training=False)
    model.predict(X, verbose=0)
    assert probe.seen == [True, False, False]


def test_an_eager_model_call_augments_and_predict_does_not():
    flips = GOLDEN["random_flip"]
    keras.utils.set_random_seed(1)
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    model = Sequential([keras.Input((4, 4, 1)), layers.RandomFlip("horizontal")])
    eager = [not np.array_equal(np.asarray(model(image)), image) for _ in range(8)]
    predicted = [not np.array_equal(model.predict(image, verbose=0), image) for _ in range(4)]
    assert (any(eager), any(predicted)) == (flips["eager_model_call_flips"],
                                           flips["predict_flips"]) == (True, False)
    assert not all(eager)  # a random horizontal flip: some calls leave the image as it is


def test_a_node_recorded_with_training_true_does_not_augment_at_inference():
    case = GOLDEN["recorded_true"]
    config = json.loads(case["config_json"])
    nodes = [layer["inbound_nodes"] for layer in config["config"]["layers"]
             if layer["class_name"] == "RandomRotation"]
    assert nodes[0][0]["kwargs"] == {"training": True}  # what Keras 3 wrote
    model = model_from_json(case["config_json"])
    model.layers[-1].set_weights([np.asarray(w, "float32") for w in case["dense_weights"]])
    images = np.asarray(case["images"], "float32")
    inputs = keras.Input((6, 6, 1))
    without = Model(inputs, model.layers[-1](model.layers[-2](inputs)))  # no rotation
    expected = without.predict(images, verbose=0)
    assert case["predict_equals_model_without_rotation"]
    for _ in range(3):  # deterministic, and equal to the model without the rotation
        np.testing.assert_allclose(model.predict(images, verbose=0), expected, rtol=1e-6,
                                   atol=1e-6)
    np.testing.assert_allclose(np.asarray(model(images, training=False)), expected, rtol=1e-6,
                               atol=1e-6)
    model.compile("sgd", "mse")
    losses = {round(float(model.evaluate(images, expected, verbose=0)), 7) for _ in range(3)}
    assert losses == {0.0}
    # With no flag given (an eager call) the recorded True applies, as in Keras 3.
    assert case["eager_call_rotates"]
    assert not np.allclose(np.asarray(model(images)), expected, atol=1e-6)


def test_a_node_recorded_with_training_false_stays_in_inference_during_fit():
    # tf.keras's transfer-learning recipe `base(x, training=False)`: Keras 3 would let fit's
    # training=True override it; minikeras keeps tf.keras's behaviour, which course code
    # written for it expects.
    inputs = keras.Input((64,))
    outputs = layers.Dropout(0.5)(inputs, training=False)
    model = Model(inputs, layers.Dense(64, kernel_initializer="identity",
                                       use_bias=False)(outputs))
    model.compile(keras.optimizers.SGD(0.0), "mse")
    ones = np.ones((4, 64), "float32")
    assert model.train_on_batch(ones, ones) == 0.0  # no unit dropped
