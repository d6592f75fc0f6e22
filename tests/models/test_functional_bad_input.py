"""Data and compile arguments that do not fit a model's inputs and outputs: a ValueError naming
what was expected and what was received, raised before any weight changes."""

import re

import numpy as np
import pytest

from minikeras import optimizers
from tests.models.functional_models import golden_data, two_in_two_out

XA, XB, Y1, Y2, SW = golden_data()


@pytest.fixture
def model():
    m = two_in_two_out()
    m.compile(optimizers.SGD(0.1), ["categorical_crossentropy", "mse"],
              metrics=[["accuracy"], ["mae"]])
    return m


def fails_without_training(model, match, **fit_kwargs):
    before = model.get_weights()
    with pytest.raises(ValueError, match=match):
        model.fit(verbose=0, **fit_kwargs)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations.numpy()) == 0


def test_too_few_inputs(model):
    fails_without_training(model, re.escape("expects 2 input(s) ['in_a', 'in_b'], but it "
                                            "received 1"), x=[XA], y=[Y1, Y2])
    with pytest.raises(ValueError, match="expects 2 input"):
        model.predict(XA, verbose=0)


def test_input_dict_without_an_input(model):
    fails_without_training(model, re.escape("without the keys ['in_b']; expected keys "
                                            "['in_a', 'in_b']"), x={"in_a": XA}, y=[Y1, Y2])


def test_input_dict_with_an_unknown_key_warns_and_ignores_it(model):
    with pytest.warns(UserWarning, match=re.escape("['in_c'], which name no input")):
        model.fit({"in_a": XA, "in_b": XB, "in_c": XB}, [Y1, Y2], verbose=0)


def test_wrong_number_of_targets(model):
    fails_without_training(model, re.escape("The model has 2 output(s) ['out1', 'out2'], but "
                                            "`y` is a list of 3 arrays"),
                           x=[XA, XB], y=[Y1, Y2, Y2])
    fails_without_training(model, re.escape("The model has 2 outputs ['out1', 'out2'], but `y` "
                                            "is a single array (shape (16, 3))"),
                           x=[XA, XB], y=Y1)


def test_target_dict_key_that_names_no_output(model):
    fails_without_training(model, re.escape("`y` has the key(s) ['out3'], which are not names "
                                            "of the model's outputs. Expected keys among the "
                                            "output names ['out1', 'out2']; received keys "
                                            "['out1', 'out3']"),
                           x=[XA, XB], y={"out1": Y1, "out3": Y2})


def test_target_missing_for_an_output_with_a_loss(model):
    fails_without_training(model, re.escape("`y` has no target for the output(s) ['out2']"),
                           x=[XA, XB], y={"out1": Y1})


def test_sample_weight_dict_key_that_names_no_output(model):
    fails_without_training(model, re.escape("`sample_weight` has the key(s) ['other']"),
                           x=[XA, XB], y=[Y1, Y2], sample_weight={"other": SW})


def test_target_of_the_wrong_shape_names_the_output(model):
    fails_without_training(model, re.escape("The loss 'mse' of output 'out2' expects `y` of "
                                            "shape (6, 1) to match the model output of shape "
                                            "(6, 1), but received `y` with shape (6, 3)."),
                           x=[XA, XB], y=[Y1, Y1], batch_size=6)


def test_validation_data_with_a_bad_key(model):
    fails_without_training(model, "Invalid `validation_data`.*'bad'", x=[XA, XB], y=[Y1, Y2],
                           validation_data=([XA, XB], {"out1": Y1, "bad": Y2}))


@pytest.mark.parametrize("compile_kwargs, message", [
    ({"loss": {"out1": "mse", "out_3": "mse"}},
     "`loss` has the key(s) ['out_3'], which are not names of the model's outputs. Expected "
     "keys among the output names ['out1', 'out2']; received keys ['out1', 'out_3']."),
    ({"loss": ["mse", "mse", "mse"]},
     "`loss` is a list of 3 losses, but the model has 2 output(s) ['out1', 'out2']"),
    ({"loss": "mse", "loss_weights": {"out1": 1.0, "outz": 2.0}},
     "`loss_weights` has the key(s) ['outz']"),
    ({"loss": "mse", "loss_weights": [1.0]},
     "`loss_weights` has 1 entries, but the model has 2 output(s) ['out1', 'out2']"),
    ({"loss": "mse", "loss_weights": 0.5}, "`loss_weights` is the single number 0.5"),
    ({"loss": "mse", "metrics": {"nope": ["mae"]}}, "`metrics` has the key(s) ['nope']"),
    ({"loss": "mse", "weighted_metrics": {"nope": ["mae"]}},
     "`weighted_metrics` has the key(s) ['nope']"),
])
def test_compile_arguments_that_name_no_output(compile_kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        two_in_two_out().compile(optimizers.SGD(0.1), **compile_kwargs)
