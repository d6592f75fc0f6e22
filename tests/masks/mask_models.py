"""The masked models of tests/golden/masks.json, written once for both libraries.

Each builder takes the Keras module (`keras` in tests/golden/make_mask_golden.py, `minikeras`
in the tests) and returns a model, so the architecture Keras was asked about is the one
minikeras is tested on. This file imports neither library.
"""

import numpy as np

B, T, D = 3, 5, 4


def data(shape, seed, scale=1.0):
    """Seeded float32 values in [-scale, scale) (NumPy's RandomState stream is stable)."""
    return (np.random.RandomState(seed).uniform(-1, 1, size=shape) * scale).astype("float32")


def padded(seed=1):
    """`(3, 5, 4)` sequences with all-zero (padding) steps: row 0 padded at the end, row 1
    in the middle, row 2 at the start."""
    x = data((B, T, D), seed)
    x[0, 3:] = 0.0
    x[1, 2] = 0.0
    x[2, :2] = 0.0
    return x


# Token ids, 0 = padding: padded after, before, not at all, and nearly empty.
TOKENS = np.array([[3, 1, 4, 0, 0, 0], [0, 0, 2, 9, 4, 4], [5, 6, 8, 1, 7, 2],
                   [1, 0, 0, 0, 0, 0]], dtype="int32")
TOKEN_MASK = TOKENS != 0


def sequential_masking_dense(k):
    L = k.layers
    return k.Sequential([k.Input((T, D)), L.Masking(), L.Dense(2)], name="seq")


def functional_masking_concat(k):
    L = k.layers
    inp = k.Input((T, D))
    m = L.Masking(name="masking")(inp)
    a = L.Dense(3, name="branch_a")(m)
    b = L.Dense(2, activation="tanh", name="branch_b")(m)
    c = L.Concatenate(name="concat")([a, b])
    return k.Model(inp, L.Dense(2, name="head")(c), name="concat_model")


def functional_add_unmasked_branch(k):
    """A masked branch added to an unmasked one: Add's mask is None, the loss unmasked."""
    L = k.layers
    inp = k.Input((T, D))
    a = L.Dense(2, name="masked_branch")(L.Masking(name="masking")(inp))
    b = L.Dense(2, name="plain_branch")(inp)
    return k.Model(inp, L.Add(name="add")([a, b]), name="add_model")


def functional_maximum_two_masks(k):
    """Two differently padded inputs: Maximum keeps each one's value where only it is
    unmasked, and the output mask is their OR."""
    L = k.layers
    x1, x2 = k.Input((T, D), name="x1"), k.Input((T, D), name="x2")
    a = L.Dense(2, name="dense_1")(L.Masking(name="masking_1")(x1))
    b = L.Dense(2, name="dense_2")(L.Masking(name="masking_2")(x2))
    return k.Model([x1, x2], L.Maximum(name="maximum")([a, b]), name="max_model")


def functional_conv_drops_mask(k):
    """Conv1D does not support masking: Keras warns and the mask stops there."""
    L = k.layers
    inp = k.Input((T, D))
    m = L.Masking(name="masking")(inp)
    c = L.Conv1D(3, 2, padding="same", name="conv")(m)
    return k.Model(inp, L.Dense(2, name="head")(c), name="conv_model")


def functional_nested_sequential(k):
    """A masked tensor through a nested Sequential (which does not support masking)."""
    L = k.layers
    inner = k.Sequential([k.Input((T, D)), L.Dense(3, name="inner_dense")], name="inner")
    inp = k.Input((T, D))
    n = inner(L.Masking(name="masking")(inp))
    return k.Model(inp, L.Dense(2, name="head")(n), name="nested_model")


def embedding_lstm(k):
    L = k.layers
    return k.Sequential([k.Input((6,), dtype="int32"), L.Embedding(10, 4, mask_zero=True),
                         L.LSTM(3), L.Dense(1, activation="sigmoid")], name="emb_lstm")


def embedding_gap(k):
    L = k.layers
    return k.Sequential([k.Input((6,), dtype="int32"), L.Embedding(10, 4, mask_zero=True),
                         L.GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")],
                        name="emb_gap")


def embedding_lstm_sequence(k):
    """A per-step classifier: the loss and accuracy of padded steps are masked."""
    L = k.layers
    inp = k.Input((6,), dtype="int32")
    e = L.Embedding(10, 4, mask_zero=True, name="embedding")(inp)
    h = L.LSTM(3, return_sequences=True, name="lstm")(e)
    return k.Model(inp, L.Dense(3, activation="softmax", name="tagger")(h), name="tagger")


def embedding_bidirectional(k):
    L = k.layers
    inp = k.Input((6,), dtype="int32")
    e = L.Embedding(10, 4, mask_zero=True, name="embedding")(inp)
    h = L.Bidirectional(L.LSTM(2, return_sequences=True, name="lstm"), name="bidi")(e)
    return k.Model(inp, L.TimeDistributed(L.Dense(1, name="dense"), name="td")(h),
                   name="bidi_model")


def _x_padded():
    return padded(1)


def _x_two():
    x2 = padded(2)
    x2[0, 3:] = data((2, D), 3)  # unpadded where x1 is padded
    x2[0, 0] = 0.0
    return [padded(1), x2]


# name -> (builder, x, y, loss, metrics); y is seeded per case.
MODELS = {
    "sequential_masking_dense": (sequential_masking_dense, _x_padded, lambda: data((B, T, 2), 5),
                                 "mse", ["mae"]),
    "functional_masking_concat": (functional_masking_concat, _x_padded,
                                  lambda: data((B, T, 2), 5), "mse", ["mae"]),
    "functional_add_unmasked_branch": (functional_add_unmasked_branch, _x_padded,
                                       lambda: data((B, T, 2), 5), "mse", ["mae"]),
    "functional_maximum_two_masks": (functional_maximum_two_masks, _x_two,
                                     lambda: data((B, T, 2), 5), "mse", ["mae"]),
    "functional_conv_drops_mask": (functional_conv_drops_mask, _x_padded,
                                   lambda: data((B, T, 2), 5), "mse", ["mae"]),
    "functional_nested_sequential": (functional_nested_sequential, _x_padded,
                                     lambda: data((B, T, 2), 5), "mse", ["mae"]),
    "embedding_lstm": (embedding_lstm, lambda: TOKENS,
                       lambda: np.array([[1], [0], [1], [0]], "float32"),
                       "binary_crossentropy", ["accuracy"]),
    "embedding_gap": (embedding_gap, lambda: TOKENS,
                      lambda: np.array([[1], [0], [1], [0]], "float32"),
                      "binary_crossentropy", ["accuracy"]),
    "embedding_lstm_sequence": (embedding_lstm_sequence, lambda: TOKENS,
                                lambda: np.random.RandomState(6).randint(0, 3, (4, 6)),
                                "sparse_categorical_crossentropy", ["accuracy"]),
    "embedding_bidirectional": (embedding_bidirectional, lambda: TOKENS,
                                lambda: data((4, 6, 1), 7), "mse", ["mae"]),
}


def model_weights(model, seed=100):
    """The seeded weights every case sets (weight i from seed + i, scale 0.5)."""
    return [data(tuple(w.shape), seed + i, 0.5) for i, w in enumerate(model.weights)]


# ----------------------------------------------------------------------------- layers
def _identity(x):
    return x


# Every minikeras layer class that Keras 3 also has, with arguments it can be made from (a
# dict value with a "class" key is a nested layer spec). `supports_masking` is compared.
LAYER_SPECS = {
    "Activation": {"activation": "relu"}, "ActivityRegularization": {}, "Add": {},
    "AlphaDropout": {"rate": 0.1}, "Average": {}, "AveragePooling1D": {"pool_size": 2},
    "AveragePooling2D": {"pool_size": 2}, "AveragePooling3D": {"pool_size": 2}, "BatchNormalization": {},
    "Bidirectional": {"layer": {"class": "LSTM", "kwargs": {"units": 2}}},
    "CenterCrop": {"height": 2, "width": 2}, "Concatenate": {},
    "Conv1D": {"filters": 2, "kernel_size": 2}, "Conv2D": {"filters": 2, "kernel_size": 2},
    "Conv3D": {"filters": 2, "kernel_size": 2},
    "Conv1DTranspose": {"filters": 2, "kernel_size": 2},
    "Conv2DTranspose": {"filters": 2, "kernel_size": 2},
    "Conv3DTranspose": {"filters": 2, "kernel_size": 2},
    "Cropping1D": {}, "Cropping2D": {}, "Cropping3D": {}, "Dense": {"units": 2},
    "DepthwiseConv1D": {"kernel_size": 2}, "DepthwiseConv2D": {"kernel_size": 2},
    "Dot": {"axes": 1}, "Dropout": {"rate": 0.1}, "ELU": {},
    "Embedding": {"input_dim": 5, "output_dim": 2}, "Flatten": {}, "GRU": {"units": 2},
    "GRUCell": {"units": 2}, "GaussianDropout": {"rate": 0.1},
    "GaussianNoise": {"stddev": 0.1}, "GlobalAveragePooling1D": {},
    "GlobalAveragePooling2D": {}, "GlobalAveragePooling3D": {}, "GlobalMaxPooling1D": {},
    "GlobalMaxPooling2D": {}, "GlobalMaxPooling3D": {}, "GroupNormalization": {"groups": 1},
    "InputLayer": {"shape": (3,)}, "LSTM": {"units": 2}, "LSTMCell": {"units": 2},
    "Lambda": {"function": _identity}, "Layer": {}, "LayerNormalization": {},
    "LeakyReLU": {}, "Masking": {}, "MaxPooling1D": {"pool_size": 2},
    "MaxPooling2D": {"pool_size": 2}, "MaxPooling3D": {"pool_size": 2}, "Maximum": {}, "Minimum": {}, "Multiply": {}, "PReLU": {},
    "Permute": {"dims": (1,)}, "RNN": {"cell": {"class": "SimpleRNNCell", "kwargs": {"units": 2}}},
    "RandomBrightness": {"factor": 0.1}, "RandomContrast": {"factor": 0.1},
    "RandomFlip": {}, "RandomRotation": {"factor": 0.1},
    "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
    "RandomZoom": {"height_factor": 0.1}, "ReLU": {}, "RepeatVector": {"n": 2},
    "Rescaling": {"scale": 2.0}, "Reshape": {"target_shape": (2,)},
    "Resizing": {"height": 2, "width": 2},
    "SeparableConv1D": {"filters": 2, "kernel_size": 2},
    "SeparableConv2D": {"filters": 2, "kernel_size": 2}, "SimpleRNN": {"units": 2},
    "SimpleRNNCell": {"units": 2}, "Softmax": {}, "SpatialDropout1D": {"rate": 0.1},
    "SpatialDropout2D": {"rate": 0.1}, "SpatialDropout3D": {"rate": 0.1},
    "StackedRNNCells": {"cells": [{"class": "SimpleRNNCell", "kwargs": {"units": 2}}]},
    "Subtract": {}, "TimeDistributed": {"layer": {"class": "Dense", "kwargs": {"units": 2}}},
    "UnitNormalization": {}, "UpSampling1D": {}, "UpSampling2D": {}, "UpSampling3D": {},
    "ZeroPadding1D": {}, "ZeroPadding2D": {}, "ZeroPadding3D": {},
}
# Arguments that change `supports_masking`.
LAYER_VARIANTS = {
    "Embedding(mask_zero=True)": ("Embedding", {"input_dim": 5, "output_dim": 2,
                                                "mask_zero": True}),
    "Lambda(mask=...)": ("Lambda", {"function": _identity, "mask": _identity}),
}


def make_layer(k, name, kwargs):
    def value(v):
        if isinstance(v, dict) and "class" in v:
            return make_layer(k, v["class"], v["kwargs"])
        if isinstance(v, list):
            return [value(item) for item in v]
        return v

    return getattr(k.layers, name)(**{key: value(v) for key, v in kwargs.items()})


# ----------------------------------------------------------------------------- eager calls
def _seeded(layer, *args, **kwargs):
    """Calls `layer` once to build it, sets the seeded weights, calls it again."""
    layer(*args, **kwargs)
    layer.set_weights([data(tuple(w.shape), 200 + i, 0.5) for i, w in enumerate(layer.weights)])
    return layer(*args, **kwargs)


def _padded_minus_one():
    x = data((B, T, D), 4)
    x[0, 1] = -1.0
    x[2, 3:] = -1.0
    x[1, 0, 0] = -1.0  # one feature only: not padding
    return x


def _second_padded():
    return _x_two()[1]


EXPLICIT_MASK = np.array([[1, 1, 0, 1, 1], [0, 1, 1, 1, 1], [1, 1, 1, 1, 0]], bool)


def _custom_layers(k):
    class Doubler(k.layers.Layer):
        def call(self, x):
            return x * 2.0

    class MaskKeepingDoubler(k.layers.Layer):
        def call(self, x):
            return x * 2.0

        def compute_mask(self, inputs, mask=None):
            return mask

    class MaskReader(k.layers.Layer):
        """Takes the mask in `call` but has no `compute_mask`."""

        def call(self, x, mask=None):
            if mask is None:
                return x
            return x * k.ops.expand_dims(k.ops.cast(mask, x.dtype), -1)

    return Doubler, MaskKeepingDoubler, MaskReader


def _dense_model(k):
    """A functional Dense on sequences, called with an explicit input `mask=`."""
    inp = k.Input((T, D))
    return k.Model(inp, k.layers.Dense(2)(inp))


def eager_cases(k):
    """`{name: function() -> output}`: eager layer calls whose `_keras_mask` is compared."""
    L = k.layers

    def masked():
        return L.Masking()(padded(1))

    def custom(i, x):
        return _custom_layers(k)[i]()(x)

    return {
        "masking": masked,
        "masking_minus_one": lambda: L.Masking(mask_value=-1.0)(_padded_minus_one()),
        "dense_3d": lambda: _seeded(L.Dense(2), masked()),
        "dense_2d_unmasked": lambda: _seeded(L.Dense(2), padded(1)[:, 0]),
        "dropout_inference": lambda: L.Dropout(0.5)(masked()),
        "activation": lambda: L.Activation("relu")(masked()),
        "batch_normalization_inference": lambda: L.BatchNormalization()(masked()),
        "conv1d": lambda: _seeded(L.Conv1D(2, 2, padding="same"), masked()),
        "flatten": lambda: L.Flatten()(masked()),
        "global_average_pooling": lambda: L.GlobalAveragePooling1D()(masked()),
        "lstm_sequences": lambda: _seeded(L.LSTM(2, return_sequences=True), masked()),
        "lstm_last": lambda: _seeded(L.LSTM(2), masked()),
        "lstm_explicit_mask": lambda: _seeded(L.LSTM(2, return_sequences=True), padded(1),
                                              mask=EXPLICIT_MASK),
        "embedding_mask_zero": lambda: _seeded(L.Embedding(10, 4, mask_zero=True), TOKENS),
        "embedding_no_mask": lambda: _seeded(L.Embedding(10, 4), TOKENS),
        "concatenate_masked_unmasked": lambda: L.Concatenate()([masked(), padded(2)]),
        "concatenate_two_masked": lambda: L.Concatenate()(
            [masked(), L.Masking()(_second_padded())]),
        "concatenate_axis_1": lambda: L.Concatenate(axis=1)(
            [masked(), L.Masking()(_second_padded())]),
        "add_masked_unmasked": lambda: L.Add()([masked(), padded(2)]),
        "add_two_masked": lambda: L.Add()([masked(), L.Masking()(_second_padded())]),
        "multiply_two_masked": lambda: L.Multiply()([masked(), L.Masking()(_second_padded())]),
        "maximum_two_masked": lambda: L.Maximum()([masked(), L.Masking()(_second_padded())]),
        "minimum_two_masked": lambda: L.Minimum()([masked(), L.Masking()(_second_padded())]),
        "minimum_masked_unmasked": lambda: L.Minimum()([masked(), _second_padded()]),
        "dot_two_masked": lambda: L.Dot(axes=2)([masked(), L.Masking()(_second_padded())]),
        "time_distributed_dense": lambda: _seeded(L.TimeDistributed(L.Dense(2)), masked()),
        "bidirectional_lstm": lambda: _seeded(
            L.Bidirectional(L.LSTM(2, return_sequences=True)), masked()),
        "sequential_unbuilt": lambda: _seeded(k.Sequential([L.Masking(), L.Dense(2)]),
                                              padded(1)),
        "sequential_built": lambda: _seeded(k.Sequential([k.Input((T, D)), L.Masking(),
                                                          L.Dense(2)]), padded(1)),
        "functional_explicit_input_mask": lambda: _seeded(_dense_model(k), padded(1),
                                                          mask=EXPLICIT_MASK),
        "multiply_masked_unmasked": lambda: L.Multiply()([masked(), _second_padded()]),
        "average_two_masked": lambda: L.Average()([masked(), L.Masking()(_second_padded())]),
        "custom_without_compute_mask": lambda: custom(0, masked()),
        "custom_with_compute_mask": lambda: custom(1, masked()),
        "custom_call_takes_mask": lambda: custom(2, masked()),
    }


# ----------------------------------------------------------------------------- saved graphs
def masking_concat_lstm(k):
    """Two masked branches concatenated into an LSTM: Keras writes the mask's operations
    (not_equal, any, expand_dims, zeros_like, logical_or, concatenate) into the config."""
    L = k.layers
    inp = k.Input((T, D))
    m = L.Masking(name="masking")(inp)
    c = L.Concatenate(name="concat")([L.Dense(3, name="a")(m), L.Dense(2, name="b")(m)])
    return k.Model(inp, L.Dense(1, name="head")(L.LSTM(2, name="lstm")(c)), name="concat_lstm")


def masked_and_plain_concat_lstm(k):
    """A masked and an unmasked branch concatenated (Keras adds ones_like)."""
    L = k.layers
    inp = k.Input((T, D))
    a = L.Dense(2, name="a")(L.Masking(name="masking")(inp))
    c = L.Concatenate(name="concat")([a, L.Dense(2, name="b")(inp)])
    return k.Model(inp, L.LSTM(2, name="lstm")(c), name="half_masked_lstm")


def two_masks_add_lstm(k):
    """Two paddings OR-ed by Add (logical_or) into an LSTM."""
    L = k.layers
    inp = k.Input((T, D))
    a = L.Dense(2, name="a")(L.Masking(name="masking_0")(inp))
    b = L.Dense(2, name="b")(L.Masking(mask_value=1.0, name="masking_1")(inp))
    return k.Model(inp, L.LSTM(2, return_sequences=True, name="lstm")(L.Add(name="add")([a, b])),
                   name="add_lstm")


def embedding_gap_functional(k):
    L = k.layers
    inp = k.Input((6,), dtype="int32")
    e = L.Embedding(10, 4, mask_zero=True, name="embedding")(inp)
    g = L.GlobalAveragePooling1D(name="gap")(e)
    return k.Model(inp, L.Dense(1, activation="sigmoid", name="out")(g), name="emb_gap_func")


def _x_padded_ones():
    x = padded(1)
    x[1, 4] = 1.0  # padding for the second Masking (mask_value=1)
    return x


# name -> (builder, x): Keras 3 saves each as .keras (tests/golden/masks/), and those of
# SAVED_H5 as .h5 too.
SAVED = {
    "embedding_lstm_sequence": (embedding_lstm_sequence, lambda: TOKENS),
    "embedding_bidirectional": (embedding_bidirectional, lambda: TOKENS),
    "embedding_gap_functional": (embedding_gap_functional, lambda: TOKENS),
    "masking_concat_lstm": (masking_concat_lstm, _x_padded),
    "masked_and_plain_concat_lstm": (masked_and_plain_concat_lstm, _x_padded),
    "two_masks_add_lstm": (two_masks_add_lstm, _x_padded_ones),
}
SAVED_H5 = ("embedding_lstm_sequence", "masking_concat_lstm")
