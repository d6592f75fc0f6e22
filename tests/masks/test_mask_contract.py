"""The mask contract (minikeras/ops/nn/__init__.py, point 5) beyond the Keras fixtures: how
long a mask lives, which mask a call receives, subclassed models in a training step, and the
errors."""

import warnings

import numpy as np
import pytest

import minikeras as keras
from minikeras import keras_mask, layers
from minikeras.keras_mask import MaskScope, get_keras_mask, set_keras_mask, with_keras_mask
from tests.conftest import load_golden
from tests.masks import mask_models as mm

KEEP = ~np.all(mm.padded(1) == 0, axis=-1)


def seeded(model):
    model.set_weights(mm.model_weights(model))
    return model


# ----------------------------------------------------------------------------- lifetime
def test_an_eager_output_carries_its_mask_and_no_scope_outlives_the_call():
    x = mm.padded(1)
    out = layers.Dense(2)(layers.Masking()(x))
    np.testing.assert_array_equal(out._keras_mask, KEEP)
    assert out._keras_mask.numpy().dtype == bool  # a Tensor, as tf.keras's mask
    assert keras_mask._scopes() == []
    assert get_keras_mask(x) is None  # the user's array is left alone


def test_a_scope_entry_holds_its_value_and_answers_only_for_it():
    a = np.ones((2, 3))
    with MaskScope() as scope:
        set_keras_mask(a, np.array([True, False]))
        assert get_keras_mask(a).tolist() == [True, False]
        assert get_keras_mask(np.ones((2, 3))) is None  # another array, never a stale entry
        assert scope._entries[id(a)][0] is a  # kept alive: its id cannot be reused
    assert get_keras_mask(a) is None


def test_set_keras_mask_outside_a_scope_keeps_it_only_on_tensors():
    t = with_keras_mask(np.zeros((2, 3), np.float32), np.array([True, False]))
    assert get_keras_mask(t).tolist() == [True, False]
    set_keras_mask(t, None)
    assert get_keras_mask(t) is None
    plain = np.zeros(2)
    set_keras_mask(plain, np.array([True, True]))  # nowhere to keep it: dropped
    assert get_keras_mask(plain) is None


def test_predict_returns_plain_arrays():
    model = seeded(mm.sequential_masking_dense(keras))
    out = model.predict(mm.padded(1), verbose=0)
    assert type(out) is np.ndarray and not hasattr(out, "_keras_mask")


# ----------------------------------------------------------------------------- which mask
def test_an_explicit_mask_overrides_the_inputs_and_becomes_the_output_mask():
    masked = layers.Masking()(mm.padded(1))
    lstm = layers.LSTM(2, return_sequences=True)
    out = lstm(masked, mask=mm.EXPLICIT_MASK)
    np.testing.assert_array_equal(out._keras_mask, mm.EXPLICIT_MASK)
    np.testing.assert_allclose(out, lstm(np.asarray(masked), mask=mm.EXPLICIT_MASK))


def test_a_sequential_called_with_mask_passes_it_to_its_layers():
    model = keras.Sequential([keras.Input((mm.T, mm.D)), layers.LSTM(2, return_sequences=True),
                              layers.Dense(1)])
    out = model(mm.padded(1), mask=mm.EXPLICIT_MASK)
    np.testing.assert_array_equal(out._keras_mask, mm.EXPLICIT_MASK)
    lstm_out = model.layers[0](mm.padded(1), mask=mm.EXPLICIT_MASK)
    np.testing.assert_allclose(out, model.layers[1](lstm_out), rtol=1e-6)


def test_a_call_with_several_tensor_arguments_fills_their_name_mask_parameters():
    """Keras 3's rule (Attention's `query_mask`/`value_mask`): `mask` is left alone, and a
    `<argument>_mask` parameter receives that argument's mask."""
    seen = {}

    class Pair(layers.Layer):
        def call(self, query, value, query_mask=None, value_mask=None, mask=None):
            seen.update(query_mask=query_mask, value_mask=value_mask, mask=mask)
            return query + value

    query = layers.Masking()(mm.padded(1))
    value = layers.Masking()(mm.padded(2))
    Pair()(query, value)
    np.testing.assert_array_equal(seen["query_mask"], query._keras_mask)
    np.testing.assert_array_equal(seen["value_mask"], value._keras_mask)
    assert seen["mask"] is None


def test_supports_masking_follows_compute_mask_unless_set():
    class Own(layers.Layer):
        def call(self, x):
            return x * 2.0

        def compute_mask(self, inputs, mask=None):
            return mask

    assert Own().supports_masking and not layers.Layer().supports_masking
    layer = Own()
    layer.supports_masking = False
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = layer(layers.Masking()(mm.padded(1)))
    assert get_keras_mask(out) is None
    assert "does not support masking" in str(record[0].message)
    assert record[0].filename == __file__  # the warning names the line that called the layer


def test_a_layer_that_passes_a_mask_on_gives_the_same_symbolic_mask():
    inp = keras.Input((mm.T, mm.D))
    masked = layers.Masking()(inp)
    dense = layers.Dense(2)(masked)
    assert dense._keras_mask is masked._keras_mask
    assert masked._keras_mask.shape == (None, mm.T)


def test_a_symbolic_lambda_mask_function_gives_the_symbolic_mask():
    inp = keras.Input((mm.T, mm.D))
    out = layers.Lambda(lambda x: x * 2.0,
                        mask=lambda inputs, mask: np.any(inputs != 0, axis=-1))(inp)
    assert out._keras_mask.shape == (None, mm.T)
    np.testing.assert_array_equal(keras.Model(inp, out)(mm.padded(1))._keras_mask, KEEP)


# ----------------------------------------------------------------------------- training
class Tagger(keras.Model):
    """A subclassed model: the mask travels between the layers its `call` uses."""

    def __init__(self):
        super().__init__()
        self.embedding = layers.Embedding(10, 4, mask_zero=True, name="embedding")
        self.lstm = layers.LSTM(3, return_sequences=True, name="lstm")
        self.tagger = layers.Dense(3, activation="softmax", name="tagger")

    def call(self, inputs):
        return self.tagger(self.lstm(self.embedding(inputs)))


def test_a_subclassed_model_trains_with_its_masks_as_the_functional_one():
    functional = seeded(mm.embedding_lstm_sequence(keras))
    subclassed = Tagger()
    subclassed(mm.TOKENS)
    subclassed.set_weights(functional.get_weights())
    y = mm.MODELS["embedding_lstm_sequence"][2]()
    for model in (functional, subclassed):
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    np.testing.assert_array_equal(subclassed(mm.TOKENS)._keras_mask, mm.TOKEN_MASK)
    logs = [m.train_on_batch(mm.TOKENS, y, return_dict=True) for m in (functional, subclassed)]
    assert logs[0] == pytest.approx(logs[1], rel=1e-6)
    for a, b in zip(functional.get_weights(), subclassed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    expected = load_golden("masks.json")["models"]["embedding_lstm_sequence"]
    np.testing.assert_allclose(logs[1]["loss"], expected["evaluate"][0], rtol=1e-5)


def test_a_fully_masked_batch_gives_a_zero_loss_and_no_update():
    """Keras divides with `divide_no_nan`: no unmasked step, a loss of 0 and zero gradients."""
    model = seeded(mm.sequential_masking_dense(keras))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = model.get_weights()
    loss = model.train_on_batch(np.zeros((2, mm.T, mm.D), np.float32),
                                np.ones((2, mm.T, 2), np.float32))
    assert loss == 0.0
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- errors
def test_a_mask_that_does_not_fit_the_loss_names_both_shapes():
    y_pred = with_keras_mask(np.zeros((3, 5, 2), np.float32), np.ones(3, bool))
    with pytest.raises(ValueError, match=r"mask of `y_pred` has shape \(3,\).*\(3, 5\)"):
        keras.losses.MeanSquaredError()(np.zeros((3, 5, 2), np.float32), y_pred)


def test_merge_masks_must_be_a_list_of_one_per_input():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(ValueError, match="`mask` should be a list"):
        layers.Add().compute_mask([x, x], np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="same length"):
        layers.Concatenate().compute_mask([x, x], [None])


def test_a_loss_in_a_gradient_tape_block_is_masked_as_in_a_training_step():
    """A TensorFlow-style custom loop: the masks the layers attach last as long as the
    tape's block, so the loss leaves padded steps out and its gradient is the one the
    training step takes (one SGD step of 0.1 from the same weights gives the same weights)."""
    from minikeras.tensorflow_shim import GradientTape
    y = mm.MODELS["embedding_lstm_sequence"][2]()
    model = seeded(mm.embedding_lstm_sequence(keras))
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    with GradientTape() as tape:
        loss = loss_fn(y, model(mm.TOKENS, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    expected = load_golden("masks.json")["models"]["embedding_lstm_sequence"]
    np.testing.assert_allclose(float(loss), expected["evaluate"][0], rtol=1e-5)
    for var, g, want in zip(model.trainable_variables, grads, expected["weights_after_step"]):
        np.testing.assert_allclose(var.numpy() - 0.1 * np.asarray(g), want, rtol=1e-5,
                                   atol=1e-7)
