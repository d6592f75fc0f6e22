"""The vision models of the saved-model fixtures, built from a `keras` module given.

`make_saving_golden.py` builds them with real Keras 3 or tf.keras 2 and saves them;
tests/saving/test_golden_files.py builds them with minikeras to load a weights-only file into
(layer names are given, so `.weights.h5` paths and `.h5` layer groups match), and
tests/saving/test_vision_round_trip.py saves and reloads them. This module imports neither Keras
nor minikeras.

- `cnn`: the small CNN of issue 14: `Conv2D` (relu, same) -> `BatchNormalization` ->
  `MaxPooling2D` -> two branches, `Conv2D(4, 1)` and `DepthwiseConv2D` -> `Add` ->
  `Concatenate` with the pooled map -> `GlobalAveragePooling2D` -> `Dense(3, softmax)`; trained.
- `zoo_2d`: one image input through most 2-D layers: Rescaling, ZeroPadding2D,
  SeparableConv2D, Cropping2D, AveragePooling2D, UpSampling2D (bilinear), Conv2DTranspose,
  LayerNormalization, grouped and dilated Conv2D, BatchNormalization, GroupNormalization, the
  dropout-likes (identity at inference), every merge layer, MaxPooling2D, global pooling,
  UnitNormalization, Dot, Resizing, CenterCrop.
- `zoo_1d3d`: a sequence and a volume input through the 1-D and 3-D layers: causal and dilated
  Conv1D, ZeroPadding1D, Cropping1D, UpSampling1D, pooling 1D, SeparableConv1D,
  Conv1DTranspose, RepeatVector, Permute, Conv3D, ZeroPadding3D, Cropping3D, UpSampling3D,
  pooling 3D, Conv3DTranspose, SpatialDropout1D/3D.
"""

IMAGE = (8, 8, 3)
SEQUENCE = (8, 4)
VOLUME = (4, 4, 4, 2)


def cnn(keras):
    """The trained vision model: `Input((8, 8, 3))` ... `Dense(3, softmax)`."""
    layers = keras.layers
    inputs = keras.Input(IMAGE, name="image")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = layers.BatchNormalization(momentum=0.9, name="bn")(x)
    pooled = layers.MaxPooling2D(name="pool")(x)
    pointwise = layers.Conv2D(4, 1, name="pointwise")(pooled)
    depthwise = layers.DepthwiseConv2D(3, padding="same", name="depthwise")(pooled)
    merged = layers.Add(name="add")([pointwise, depthwise])
    merged = layers.Concatenate(name="concat")([merged, pooled])
    x = layers.GlobalAveragePooling2D(name="gap")(merged)
    outputs = layers.Dense(3, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name="vision_cnn")


def zoo_2d(keras):
    """One image input through most 2-D layers (see the module docstring)."""
    layers = keras.layers
    inputs = keras.Input(IMAGE, name="image")
    scaled = layers.Rescaling(0.5, offset=0.25, name="rescale")(inputs)

    a = layers.ZeroPadding2D(((1, 0), (0, 1)), name="pad")(scaled)                 # 9x9x3
    a = layers.SeparableConv2D(4, 3, depth_multiplier=2, activation="tanh",
                               name="separable")(a)                                 # 7x7x4
    a = layers.Cropping2D(((1, 0), (0, 1)), name="crop")(a)                         # 6x6x4
    a = layers.AveragePooling2D(2, name="avgpool")(a)                               # 3x3x4
    a = layers.UpSampling2D(2, interpolation="bilinear", name="upsample")(a)        # 6x6x4
    a = layers.Conv2DTranspose(3, 3, name="transpose")(a)                           # 8x8x3
    a = layers.LayerNormalization(name="layernorm")(a)

    b = layers.Conv2D(6, 3, padding="same", groups=3, dilation_rate=2,
                      name="grouped")(scaled)                                       # 8x8x6
    b = layers.BatchNormalization(momentum=0.8, epsilon=0.01, name="bn")(b)
    b = layers.GroupNormalization(groups=3, name="groupnorm")(b)
    b = layers.SpatialDropout2D(0.2, name="spatial_drop")(b)
    b = layers.GaussianNoise(0.1, name="noise")(b)
    b = layers.GaussianDropout(0.1, name="gauss_drop")(b)
    b = layers.Conv2D(3, 1, strides=1, name="mix")(b)                              # 8x8x3

    merged = layers.Concatenate(axis=-1, name="concat")([
        layers.Subtract(name="subtract")([a, b]), layers.Multiply(name="multiply")([a, b]),
        layers.Average(name="average")([a, b]), layers.Maximum(name="maximum")([a, b]),
        layers.Minimum(name="minimum")([a, b])])                                   # 8x8x15
    merged = layers.MaxPooling2D(3, strides=2, padding="same", name="maxpool")(merged)
    u = layers.GlobalMaxPooling2D(name="gmp")(merged)
    v = layers.GlobalAveragePooling2D(name="gap")(merged)
    dot = layers.Dot(axes=1, normalize=True, name="dot")([u, v])                   # (1,)
    features = layers.Concatenate(name="features")([
        layers.UnitNormalization(name="unitnorm")(u), v, dot])

    small = layers.Resizing(6, 6, name="resize")(inputs)
    small = layers.CenterCrop(4, 4, name="center")(small)
    small = layers.Flatten(name="flatten")(small)
    small = layers.AlphaDropout(0.1, name="alpha_drop")(small)
    features = layers.Concatenate(name="all")([features, small])
    features = layers.Dropout(0.5, name="drop")(features)
    features = layers.ActivityRegularization(l1=0.01, name="activity")(features)
    outputs = layers.Dense(3, name="logits")(features)
    return keras.Model(inputs, outputs, name="vision_zoo_2d")


def zoo_1d3d(keras):
    """A sequence and a volume through the 1-D and 3-D layers (see the module docstring)."""
    layers = keras.layers
    sequence = keras.Input(SEQUENCE, name="sequence")
    s = layers.Conv1D(3, 3, padding="causal", dilation_rate=2, activation="relu",
                      name="causal")(sequence)                                       # 8x3
    s = layers.ZeroPadding1D(1, name="pad1d")(s)                                     # 10x3
    s = layers.Cropping1D((0, 2), name="crop1d")(s)                                  # 8x3
    s = layers.UpSampling1D(2, name="up1d")(s)                                       # 16x3
    s = layers.MaxPooling1D(2, name="maxpool1d")(s)                                  # 8x3
    s = layers.AveragePooling1D(3, strides=2, padding="same", name="avgpool1d")(s)   # 4x3
    s = layers.SpatialDropout1D(0.3, name="spatial_drop1d")(s)
    s = layers.SeparableConv1D(4, 2, padding="same", name="separable1d")(s)          # 4x4
    s = layers.Conv1DTranspose(2, 3, strides=2, name="transpose1d")(s)               # 9x2
    s = layers.Conv1D(4, 2, strides=2, name="strided1d")(s)                          # 4x4
    s_max = layers.GlobalMaxPooling1D(name="gmp1d")(s)
    s_avg = layers.GlobalAveragePooling1D(name="gap1d")(s)
    r = layers.RepeatVector(3, name="repeat")(s_avg)                                 # 3x4
    r = layers.Permute((2, 1), name="permute")(r)                                    # 4x3
    r = layers.Flatten(name="flatten1d")(r)                                          # 12

    volume = keras.Input(VOLUME, name="volume")
    v = layers.Conv3D(2, 2, padding="same", name="conv3d")(volume)                   # 4x4x4x2
    v = layers.ZeroPadding3D(1, name="pad3d")(v)                                     # 6x6x6x2
    v = layers.Cropping3D(((1, 1), (2, 0), (0, 2)), name="crop3d")(v)                # 4x4x4x2
    v = layers.MaxPooling3D(2, name="maxpool3d")(v)                                  # 2x2x2x2
    v = layers.UpSampling3D(2, name="up3d")(v)                                       # 4x4x4x2
    v = layers.AveragePooling3D(2, strides=1, name="avgpool3d")(v)                   # 3x3x3x2
    v = layers.SpatialDropout3D(0.2, name="spatial_drop3d")(v)
    v = layers.Conv3DTranspose(2, 2, strides=2, padding="same", name="transpose3d")(v)  # 6^3x2
    v_max = layers.GlobalMaxPooling3D(name="gmp3d")(v)
    v_avg = layers.GlobalAveragePooling3D(name="gap3d")(v)

    features = layers.Concatenate(name="features")([s_max, r, v_max, v_avg])
    outputs = layers.Dense(2, name="out")(features)
    return keras.Model([sequence, volume], outputs, name="vision_zoo_1d3d")


# Inputs of each model, by key of data_vision.json.
INPUTS = {"cnn": ["x_test"], "zoo_2d": ["x_test"], "zoo_1d3d": ["sequence_test", "volume_test"]}
BUILDERS = {"cnn": cnn, "zoo_2d": zoo_2d, "zoo_1d3d": zoo_1d3d}
