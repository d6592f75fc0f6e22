"""Smaller points of the functional API: a list of one output, the models' shape properties,
per-output sample weights."""

import numpy as np
import pytest

from minikeras import Input, Model, layers, optimizers
from tests.models.functional_models import golden_data, two_in_two_out

XA, XB, Y1, Y2, SW = golden_data()


def test_a_list_of_one_output_is_one_output():
    """Keras unpacks `Model(inputs, [output])`: calls and predict return the array, the
    History has no per-output keys."""
    inputs = Input((4,))
    model = Model(inputs, [layers.Dense(2)(inputs)])
    assert model.output_shape == (None, 2) and model.input_shape == (None, 4)
    assert isinstance(model.predict(XA, verbose=0), np.ndarray)
    model.compile(optimizers.SGD(0.1), ["mse"], metrics=[["mae"]])
    history = model.fit(XA, [Y1[:, :2]], verbose=0)
    assert list(history.history) == ["loss", "mae"]
    # used as a layer, it gives one tensor too
    outer_in = Input((4,))
    outer = Model(outer_in, layers.Dense(1)(model(outer_in)))
    assert outer.predict(XA, verbose=0).shape == (16, 1)


def test_shapes_of_a_model_with_several_inputs_and_outputs():
    model = two_in_two_out()
    assert model.input_shape == [(None, 4), (None, 4)]
    assert model.output_shape == [(None, 3), (None, 1)]


@pytest.mark.parametrize("as_dict", [False, True])
def test_sample_weights_per_output(as_dict):
    """`sample_weight` with one entry per output weighs each output's loss with its own
    weights (Keras's reduction: sum(w * loss) / batch size); an output without weights is a
    plain mean."""
    model = two_in_two_out()
    model.compile(optimizers.SGD(0.1), ["categorical_crossentropy", "mse"])
    weights = {"out1": SW} if as_dict else [SW, None]
    logs = model.evaluate([XA, XB], [Y1, Y2], sample_weight=weights, batch_size=16, verbose=0,
                          return_dict=True)
    p1, p2 = model.predict([XA, XB], verbose=0)
    p1 = np.clip(p1 / p1.sum(axis=-1, keepdims=True), 1e-7, 1 - 1e-7)
    cce = -(Y1 * np.log(p1)).sum(axis=-1)
    mse = ((Y2 - p2) ** 2).mean(axis=-1)
    np.testing.assert_allclose(logs["out1_loss"], (SW * cce).sum() / 16, rtol=1e-5)
    np.testing.assert_allclose(logs["out2_loss"], mse.mean(), rtol=1e-5)
    np.testing.assert_allclose(logs["loss"], logs["out1_loss"] + logs["out2_loss"], rtol=1e-6)
