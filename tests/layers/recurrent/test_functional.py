"""Recurrent layers in functional models: the course's encoder-decoder, whose decoder starts
from the encoder's final states (`initial_state=` with symbolic tensors), trains end to end
and saves; masks from an Embedding reach every layer after it."""

import numpy as np

import minikeras as keras
from minikeras import layers


def _seq2seq():
    encoder_inputs = keras.Input((None, 5))
    _, h, c = layers.LSTM(8, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input((None, 6))
    decoded = layers.LSTM(8, return_sequences=True)(decoder_inputs, initial_state=[h, c])
    outputs = layers.Dense(6, activation="softmax")(decoded)
    return keras.Model([encoder_inputs, decoder_inputs], outputs)


def test_encoder_decoder_trains_through_the_initial_states_and_saves(tmp_path):
    model = _seq2seq()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    xe, xd = rng.random((16, 7, 5)).astype("f4"), rng.random((16, 4, 6)).astype("f4")
    y = np.eye(6, dtype="f4")[rng.integers(0, 6, (16, 4))]
    encoder_kernel = model.layers[2].cell.kernel.numpy()
    assert model.layers[2].name == "lstm" and model.layers[2].return_state
    model.fit([xe, xd], y, epochs=1, batch_size=16, verbose=0)
    # The loss reaches the encoder only through the decoder's initial states.
    assert not np.allclose(model.layers[2].cell.kernel.numpy(), encoder_kernel)
    decoder = model.layers[3]
    h, c = (np.asarray(s) for s in model.layers[2](xe)[1:])
    np.testing.assert_allclose(model.predict([xe, xd], verbose=0),
                               model.layers[4](decoder(xd, initial_state=[h, c])), rtol=1e-5)
    for name in ("s2s.keras", "s2s.h5"):
        model.save(tmp_path / name)
        loaded = keras.models.load_model(tmp_path / name)
        np.testing.assert_array_equal(loaded.predict([xe, xd], verbose=0),
                                      model.predict([xe, xd], verbose=0))


def test_an_embedding_mask_reaches_every_layer_after_it():
    ids = np.array([[3, 1, 0, 0, 7], [0, 2, 9, 4, 4], [5, 6, 8, 1, 0]])
    inputs = keras.Input((5,), dtype="int32")
    embedded = layers.Embedding(10, 4, mask_zero=True)(inputs)
    both = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(embedded)
    dense = layers.TimeDistributed(layers.Dense(2))(both)
    model = keras.Model(inputs, layers.GRU(2)(dense))
    mask = ids != 0
    _, embedding, bidirectional, distributed, gru = model.layers
    expected = gru(distributed(bidirectional(embedding(ids), mask=mask), mask=mask), mask=mask)
    np.testing.assert_allclose(model.predict(ids, verbose=0), expected, rtol=1e-6)
    # Without the mask (a plain array: an eager output carries its mask, as in Keras 3).
    unmasked = gru(distributed(bidirectional(np.array(embedding(ids)))))
    assert not np.allclose(expected, unmasked)
