"""`tf.data.Dataset`: slices, batches, TensorFlow's buffer shuffle, the cheap transformations,
lengths as TensorFlow counts them, and use in a custom loop."""

import numpy as np
import pytest

from minikeras import tensorflow_shim as tf
from minikeras.tensorflow_shim.tensor import EagerTensor

Dataset = tf.data.Dataset


def as_list(ds):
    return [np.asarray(e).tolist() for e in ds]


def test_slices_of_an_array_a_tuple_and_a_dict():
    x = np.arange(12).reshape(6, 2)
    y = np.arange(6) * 10
    assert as_list(Dataset.from_tensor_slices(x)) == x.tolist()
    pairs = list(Dataset.from_tensor_slices((x, y)))
    assert len(pairs) == 6 and all(isinstance(p, tuple) and len(p) == 2 for p in pairs)
    assert pairs[4][0].tolist() == [8, 9] and int(pairs[4][1]) == 40
    assert type(pairs[0][0]) is EagerTensor and pairs[0][1].numpy() == 0
    features = list(Dataset.from_tensor_slices({"a": x, "b": y}))
    assert features[2]["a"].tolist() == [4, 5] and int(features[2]["b"]) == 20
    assert list(features[0]) == ["a", "b"]
    assert as_list(Dataset.from_tensor_slices([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]  # one array
    assert len(Dataset.from_tensor_slices((x, y))) == 6


def test_slices_need_components_of_one_length():
    with pytest.raises(ValueError, match=r"same size in their first dimension; received shapes "
                                         r"\[\(3,\), \(4,\)\]"):
        Dataset.from_tensor_slices((np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match="received a scalar"):
        Dataset.from_tensor_slices(np.float32(1.0))


def test_batches_and_their_count():
    x, y = np.arange(10), np.arange(10) % 2
    batches = list(Dataset.from_tensor_slices((x, y)).batch(4))
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b[1].tolist() for b in batches] == [[0, 1, 0, 1], [0, 1, 0, 1], [0, 1]]
    assert len(Dataset.from_tensor_slices(x).batch(4)) == 3
    dropped = Dataset.from_tensor_slices(x).batch(4, drop_remainder=True)
    assert len(dropped) == 2 and as_list(dropped) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    dicts = list(Dataset.from_tensor_slices({"a": x}).batch(5))
    assert dicts[1]["a"].tolist() == [5, 6, 7, 8, 9]
    with pytest.raises(ValueError, match="`batch_size` must be at least 1; received 0"):
        Dataset.from_tensor_slices(x).batch(0)


def test_a_buffer_as_large_as_the_data_shuffles_uniformly_and_reshuffles_each_epoch():
    ds = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3)
    first, second = as_list(ds), as_list(ds)
    assert sorted(first) == list(range(50)) and sorted(second) == list(range(50))
    assert first != second and first != list(range(50))
    again = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3)
    assert as_list(again) == first and as_list(again) == second  # a seed fixes every epoch
    fixed = Dataset.from_tensor_slices(np.arange(50)).shuffle(50, seed=3,
                                                               reshuffle_each_iteration=False)
    assert as_list(fixed) == as_list(fixed)
    # Each position holds each element about equally often over many epochs.
    counts = np.zeros((5, 5))
    small = Dataset.from_tensor_slices(np.arange(5)).shuffle(5, seed=0)
    for _ in range(2000):
        for position, value in enumerate(as_list(small)):
            counts[position, value] += 1
    assert np.all(np.abs(counts - 400) < 5 * np.sqrt(400 * 0.8))


def test_a_small_buffer_only_moves_elements_forward_by_less_than_its_size():
    order = as_list(Dataset.from_tensor_slices(np.arange(100)).shuffle(4, seed=1))
    assert sorted(order) == list(range(100)) and order != list(range(100))
    # The element given out at position p was drawn from the buffer holding p .. p + 3.
    assert all(value <= position + 3 for position, value in enumerate(order))
    assert as_list(Dataset.from_tensor_slices(np.arange(10)).shuffle(1)) == list(range(10))
    with pytest.raises(ValueError, match="`buffer_size` must be at least 1"):
        Dataset.from_tensor_slices(np.arange(3)).shuffle(0)


def test_shuffle_without_a_seed_follows_the_global_seed():
    tf.random.set_seed(11)
    a = as_list(Dataset.from_tensor_slices(np.arange(20)).shuffle(20))
    tf.random.set_seed(11)
    b = as_list(Dataset.from_tensor_slices(np.arange(20)).shuffle(20))
    assert a == b and sorted(a) == list(range(20))


def test_shuffle_then_batch_keeps_pairs_together():
    x = np.arange(30)
    for xb, yb in Dataset.from_tensor_slices((x, x * 2)).shuffle(30, seed=0).batch(7):
        np.testing.assert_array_equal(yb, xb * 2)


def test_map_repeat_take_skip_and_prefetch():
    x = np.arange(6)
    assert as_list(Dataset.from_tensor_slices(x).map(lambda v: v * v)) == [0, 1, 4, 9, 16, 25]
    pairs = Dataset.from_tensor_slices((x, -x)).map(lambda a, b: (a + b, b))  # tuple unpacked
    assert [(int(a), int(b)) for a, b in pairs][:2] == [(0, 0), (0, -1)]
    batched = Dataset.from_tensor_slices(x).batch(4).map(lambda b: b.sum())
    assert as_list(batched) == [6, 9]
    repeated = Dataset.from_tensor_slices(x).repeat(2)
    assert len(repeated) == 12 and as_list(repeated) == list(range(6)) * 2
    forever = Dataset.from_tensor_slices(x).repeat()
    with pytest.raises(TypeError, match="The dataset is infinite"):
        len(forever)
    assert int(forever.cardinality()) == tf.data.INFINITE_CARDINALITY
    assert as_list(forever.take(8)) == [0, 1, 2, 3, 4, 5, 0, 1] and len(forever.take(8)) == 8
    assert as_list(Dataset.from_tensor_slices(x).skip(4)) == [4, 5]
    assert len(Dataset.from_tensor_slices(x).skip(4)) == 2
    assert len(Dataset.from_tensor_slices(x).take(100)) == 6
    ds = Dataset.from_tensor_slices(x)
    assert ds.prefetch(tf.data.AUTOTUNE) is ds and tf.data.experimental.AUTOTUNE == -1


def test_cache_computes_the_first_epoch_once():
    calls = []

    def slow(v):
        calls.append(int(v))
        return v + 100

    ds = Dataset.from_tensor_slices(np.arange(4)).map(slow).cache().shuffle(4, seed=0)
    first, second = as_list(ds), as_list(ds)
    assert sorted(first) == sorted(second) == [100, 101, 102, 103]
    assert calls == [0, 1, 2, 3]  # the second epoch read the cache


def test_as_numpy_iterator_and_unknown_names():
    ds = Dataset.from_tensor_slices(np.arange(3))
    assert [type(v) for v in ds.as_numpy_iterator()] == [np.int64] * 3
    with pytest.raises(AttributeError, match="`tf.data.Dataset.interleave` is TensorFlow"):
        ds.interleave
    assert as_list(Dataset.range(2, 5)) == [2, 3, 4]
    assert as_list(Dataset.from_tensors(np.arange(3))) == [[0, 1, 2]]


def test_row_pipelines_give_what_the_element_by_element_path_gives():
    # `map` makes a dataset run element by element; without it, rows are gathered per batch.
    x, y = np.arange(40).reshape(20, 2), np.arange(20) * 3

    def pipelines(transform):
        rows = transform(Dataset.from_tensor_slices((x, y)))
        elements = transform(Dataset.from_tensor_slices((x, y)).map(lambda a, b: (a, b)))
        return rows, elements

    for transform in (
            lambda d: d.shuffle(7, seed=3).batch(6),
            lambda d: d.skip(3).take(12).batch(5, drop_remainder=True),
            lambda d: d.repeat(3).shuffle(9, seed=1).batch(8),
            lambda d: d.shuffle(4, seed=2).repeat().take(50).batch(7),
            lambda d: d.shuffle(5, seed=0).cache().batch(4)):
        rows, elements = pipelines(transform)
        for _ in range(2):  # two epochs
            got, expected = list(rows), list(elements)
            assert len(got) == len(expected) == len(rows)
            for (gx, gy), (ex, ey) in zip(got, expected):
                np.testing.assert_array_equal(gx, ex)
                np.testing.assert_array_equal(gy, ey)
                np.testing.assert_array_equal(gy, gx[:, 0] * 3 // 2)  # pairs kept together


def test_cache_after_shuffle_repeats_the_first_order():
    ds = Dataset.from_tensor_slices(np.arange(30)).shuffle(30, seed=5).cache()
    first = as_list(ds)
    assert first == as_list(ds) and sorted(first) == list(range(30)) and first != sorted(first)
