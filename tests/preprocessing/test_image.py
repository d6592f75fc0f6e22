"""ImageDataGenerator and the affine transforms: results worked out by hand, the iterator's
mechanics, the shift directions, and the errors."""

import subprocess
import sys

import numpy as np
import pytest

from minikeras.preprocessing import image
from minikeras.preprocessing.image import (ImageDataGenerator, apply_affine_transform,
                                           apply_channel_shift)

LAST = dict(row_axis=0, col_axis=1, channel_axis=2)  # one channels_last image


def lit(rows, cols, at):
    x = np.zeros((rows, cols, 1), dtype=np.float32)
    x[at] = 1.0
    return x


def test_integer_shifts_move_the_content_left_and_up():
    # Input sampled at (row + ty, col + tx): tx = 1 brings column 2 to column 1 (left).
    x = lit(4, 5, (1, 2, 0))
    assert np.argwhere(apply_affine_transform(x, tx=1, **LAST, fill_mode="constant"))[0].tolist() \
        == [1, 1, 0]
    assert np.argwhere(apply_affine_transform(x, ty=1, **LAST, fill_mode="constant"))[0].tolist() \
        == [0, 2, 0]
    assert np.argwhere(apply_affine_transform(x, tx=-2, ty=-1, **LAST))[0].tolist() == [2, 4, 0]


def test_a_half_pixel_shift_averages_neighbours_by_hand():
    x = np.array([[0, 2, 4, 8]], dtype=np.float32)[..., None]  # one row
    out = apply_affine_transform(x, tx=0.5, **LAST, fill_mode="nearest")
    # column j samples 0.5 * x[j] + 0.5 * x[j + 1]; past the right edge "nearest" repeats 8
    assert out[0, :, 0].tolist() == [1, 3, 6, 8]


@pytest.mark.parametrize("mode, expected", [
    ("constant", [-1, -1, 1, 2]),  # cval
    ("nearest", [1, 1, 1, 2]),     # a a | a b c d
    ("reflect", [2, 1, 1, 2]),     # b a | a b c d
    ("wrap", [2, 4, 1, 2]),        # SciPy's wrap has period n - 1 = 3: -2 -> 1, -1 -> 2
])
def test_fill_modes_by_hand(mode, expected):
    x = np.array([[1, 2, 4, 8]], dtype=np.float32)[..., None]
    out = apply_affine_transform(x, tx=-2, **LAST, fill_mode=mode, cval=-1)  # content right
    assert out[0, :, 0].tolist() == expected


def test_rotation_by_90_degrees_is_a_counter_clockwise_quarter_turn():
    # After Keras's axis swap the input is sampled at [[cos, sin], [-sin, cos]] @ (o - c) + c:
    # for 90 degrees out[r, k] = x[k, n - 1 - r], which is np.rot90.
    x = np.arange(9, dtype=np.float32).reshape(3, 3, 1)
    out = apply_affine_transform(x, theta=90, **LAST)
    np.testing.assert_allclose(out, np.rot90(x, axes=(0, 1)), atol=1e-5)
    assert out[0, 0, 0] == pytest.approx(2) and out[2, 0, 0] == pytest.approx(0)


def test_zoom_samples_further_from_the_centre_by_hand():
    x = (10 * np.arange(4)[:, None] + np.arange(4)[None, :]).astype(np.float32)[..., None]
    out = apply_affine_transform(x, zx=2, zy=1, **LAST)
    # columns are sampled at 2 * (c - 1.5) + 1.5 = -1.5, 0.5, 2.5, 4.5 -> clipped to 0 and 3
    np.testing.assert_allclose(out[..., 0], 10 * np.arange(4)[:, None] + [0, 0.5, 2.5, 3])


def test_the_identity_returns_the_image_itself_as_keras():
    x = np.ones((2, 2, 1), dtype=np.float32)
    assert apply_affine_transform(x, **LAST) is x


def test_channel_shift_clips_to_the_image_range_by_hand():
    x = np.array([[[0.0, 10.0], [4.0, 6.0]]], dtype=np.float32)  # (1, 2, 2): min 0, max 10
    out = apply_channel_shift(x, 5.0, channel_axis=2)
    assert out[0].tolist() == [[5.0, 10.0], [9.0, 10.0]]


def test_width_shifts_are_horizontal_and_height_shifts_vertical():
    # Keras 2 swaps them (keras-team/keras#17398); minikeras moves along the named axis.
    x = np.zeros((1, 9, 9, 1), dtype=np.float32)
    x[0, 4, 4, 0] = 1
    for kwargs, moves_along in ((dict(width_shift_range=[2]), "row stays"),
                                (dict(height_shift_range=[2]), "column stays")):
        batch = ImageDataGenerator(**kwargs, fill_mode="constant").flow(x, batch_size=1,
                                                                        seed=0)[0]
        row, col = np.argwhere(batch[0, ..., 0] > 0.5)[0]
        if moves_along == "row stays":
            assert row == 4 and abs(col - 4) == 2
        else:
            assert col == 4 and abs(row - 4) == 2


def test_flips_and_standardize_by_hand():
    generator = ImageDataGenerator(rescale=0.5, samplewise_center=True)
    x = np.array([[[1.0], [3.0]], [[5.0], [7.0]]], dtype=np.float32)  # (2, 2, 1)
    flipped = generator.apply_transform(x.copy(), {"flip_horizontal": True})
    assert flipped[..., 0].tolist() == [[3, 1], [7, 5]]
    # rescale: [[0.5, 1.5], [2.5, 3.5]], mean 2 subtracted
    assert generator.standardize(x.copy())[..., 0].tolist() == [[-1.5, -0.5], [0.5, 1.5]]


def test_featurewise_statistics_by_hand():
    x = np.zeros((2, 1, 2, 2), dtype=np.float32)  # 2 images of 1x2, 2 channels
    x[:, :, :, 0] = [[[1, 3]], [[5, 7]]]
    x[:, :, :, 1] = 10
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    generator.fit(x)
    assert generator.mean.shape == (1, 1, 2) and generator.mean.ravel().tolist() == [4, 10]
    np.testing.assert_allclose(generator.std.ravel(), [np.sqrt(5), 0])
    out = generator.standardize(np.copy(x[0]))
    np.testing.assert_allclose(out[..., 0], [[-3 / (np.sqrt(5) + 1e-6), -1 / (np.sqrt(5) + 1e-6)]],
                               rtol=1e-6)


def test_iterator_length_batches_epochs_and_labels():
    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    y = np.arange(10)
    iterator = ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False)
    assert len(iterator) == 3
    assert [b[1].tolist() for b in (iterator[0], iterator[1], iterator[2])] == \
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    # next() walks the epoch and starts again
    assert [next(iterator)[1].tolist() for _ in range(4)] == \
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]
    xb, yb = iterator[0]
    assert xb.dtype == np.float32 and xb[:, 0, 0, 0].tolist() == yb.tolist()
    with pytest.raises(ValueError, match="Asked to retrieve element 3, but the Sequence has "
                                         "length 3"):
        iterator[3]


def test_shuffle_is_seeded_and_leaves_numpys_global_state_alone():
    x = np.arange(8, dtype=np.float32).reshape(8, 1, 1, 1)
    state = np.random.get_state()[1].copy()
    a = ImageDataGenerator(rotation_range=10).flow(x, np.arange(8), batch_size=8, seed=3)
    b = ImageDataGenerator(rotation_range=10).flow(x, np.arange(8), batch_size=8, seed=3)
    first = a[0][1].tolist()
    assert first == b[0][1].tolist() and sorted(first) == list(range(8))
    assert first == np.random.RandomState(3).permutation(8).tolist()  # Keras 2's draw
    a.on_epoch_end()
    assert sorted(a[0][1].tolist()) == list(range(8))
    assert (np.random.get_state()[1] == state).all()


def test_subsets_split_the_first_part_off_for_validation():
    x = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    y = np.array([0, 1] * 5)
    generator = ImageDataGenerator(validation_split=0.3)
    val = generator.flow(x, y, batch_size=10, shuffle=False, subset="validation")[0]
    train = generator.flow(x, y, batch_size=10, shuffle=False, subset="training",
                           sample_weight=np.arange(10.0))[0]
    assert val[0].ravel().tolist() == [0, 1, 2]
    assert train[0].ravel().tolist() == list(range(3, 10))
    assert train[2].tolist() == list(range(3, 10))  # weights stay with their images


def test_tuple_inputs_and_no_labels():
    x = np.ones((3, 2, 2, 1), dtype=np.float32)
    extra = np.array([[7], [8], [9]])
    inputs, labels = ImageDataGenerator().flow((x, extra), np.arange(3), batch_size=3,
                                               shuffle=False)[0]
    assert len(inputs) == 2 and inputs[1].tolist() == [[7], [8], [9]]
    alone = ImageDataGenerator().flow(x, batch_size=2, shuffle=False)[0]
    assert isinstance(alone, np.ndarray) and alone.shape == (2, 2, 2, 1)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(fill_mode="mirror"), ValueError, "`fill_mode` must be one of"),
    (dict(data_format="channels_middle"), ValueError, "`data_format` should be"),
    (dict(validation_split=1.5), ValueError, "`validation_split` must be strictly between"),
    (dict(zoom_range=[0.5, 1, 2]), ValueError, "`zoom_range` should be a float or a tuple"),
    (dict(brightness_range=[0.5, 1.5]), NotImplementedError, "`brightness_range` is not "
                                                             "implemented in minikeras"),
    (dict(interpolation_order=3), NotImplementedError, "interpolation_order=3"),
])
def test_bad_generator_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ImageDataGenerator(**kwargs)


def test_bad_flow_arguments():
    generator = ImageDataGenerator()
    with pytest.raises(ValueError, match=r"should have rank 4 .* shape \(3, 2, 2\)"):
        generator.flow(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="`x` \\(images tensor\\) and `y` \\(labels\\) should "
                                         "have the same length"):
        generator.flow(np.zeros((3, 2, 2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="subset='training' needs a validation split"):
        generator.flow(np.zeros((3, 2, 2, 1)), subset="training")
    with pytest.raises(ValueError, match="different number of classes"):
        ImageDataGenerator(validation_split=0.5).flow(np.zeros((4, 1, 1, 1)), [0, 0, 1, 1],
                                                      subset="training")
    with pytest.raises(NotImplementedError, match="flow_from_directory"):
        generator.flow_from_directory("images/")
    with pytest.raises(NotImplementedError, match="save_to_dir"):
        generator.flow(np.zeros((3, 2, 2, 1)), save_to_dir="/tmp")
    with pytest.warns(UserWarning, match="expected either 1, 3, or 4 channels"):
        generator.flow(np.zeros((3, 2, 2, 5)))


def test_picture_file_functions_say_they_are_not_implemented():
    with pytest.raises(NotImplementedError,
                       match="`keras.preprocessing.image.load_img` is not implemented"):
        image.load_img
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        image.no_such_name


SCRIPT = """
import numpy as np
import keras
import tensorflow as tf
from keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.preprocessing.image import ImageDataGenerator as TfGenerator
from keras.preprocessing.text import Tokenizer
from tensorflow.keras.preprocessing.text import Tokenizer as TfTokenizer
from keras.preprocessing.sequence import pad_sequences
from keras.utils import pad_sequences as utils_pad
assert ImageDataGenerator is TfGenerator is keras.preprocessing.image.ImageDataGenerator
assert Tokenizer is TfTokenizer is tf.keras.preprocessing.text.Tokenizer
assert pad_sequences is utils_pad is tf.keras.preprocessing.sequence.pad_sequences
print(pad_sequences([[1], [2, 3]]).tolist())
"""


def test_keras_and_tf_keras_spellings_through_python_m_minikeras():
    result = subprocess.run([sys.executable, "-m", "minikeras", "-c", SCRIPT],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[[0, 1], [2, 3]]"


def test_fit_trains_on_flow():
    """`model.fit(generator.flow(x, y))`, the course's augmentation loop: `fit` reads the
    iterator as the Keras 2 `Sequence` it is, one pass per epoch."""
    import minikeras as keras

    rng = np.random.default_rng(0)
    x = rng.random((32, 6, 6, 1)).astype(np.float32)
    y = (x[:, :, :3].mean(axis=(1, 2, 3)) > x[:, :, 3:].mean(axis=(1, 2, 3))).astype(np.float32)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    flow = ImageDataGenerator(vertical_flip=True).flow(x, y, batch_size=8, seed=1)
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(flow, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert model.optimizer.iterations.numpy() == 3 * len(flow) == 12
    assert not np.allclose(model.get_weights()[0], before[0])
