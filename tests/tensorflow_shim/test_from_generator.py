"""`tf.data.Dataset.from_generator`: elements converted to the declared signature with
TensorFlow's messages (checked against TensorFlow 2.x), a new pass per iteration, and `fit`
reading it to its end each epoch, batch for batch as it reads the same arrays."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import tensorflow_shim as tf

Dataset = tf.data.Dataset


def test_elements_take_the_signature_dtypes_and_each_pass_calls_the_generator_again():
    calls = []

    def gen(n, scale):
        calls.append((type(n), int(n), float(scale)))
        for i in range(int(n)):
            yield np.full(2, i * scale), i

    ds = Dataset.from_generator(gen, args=(3, 0.5), output_signature=(
        tf.TensorSpec(shape=(2,), dtype=tf.float32), tf.TensorSpec(shape=(), dtype=tf.int32)))
    assert int(ds.cardinality()) == -2 == tf.data.experimental.UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="length is unknown"):
        len(ds)
    elements = list(ds)
    assert [(x.dtype.name, y.dtype.name) for x, y in elements] == [("float32", "int32")] * 3
    assert [x.tolist() for x, _ in elements] == [[0, 0], [0.5, 0.5], [1, 1]]
    batches = list(ds.batch(2).as_numpy_iterator())  # TensorFlow: (2, 2), (1, 2)
    assert [b[0].shape for b in batches] == [(2, 2), (1, 2)] and batches[1][1].tolist() == [2]
    assert calls == [(np.ndarray, 3, 0.5)] * 2  # args arrive as NumPy arrays, as in TF

    # output_types / output_shapes: None matches any size; 1.5 becomes int32 1, as in TF.
    typed = Dataset.from_generator(lambda: iter([(np.ones(3), 1.5), (np.ones(5), 2.0)]),
                                   output_types=(tf.float32, tf.int32),
                                   output_shapes=((None,), ()))
    assert [(x.shape, int(y)) for x, y in typed] == [((3,), 1), ((5,), 2)]
    assert Dataset.from_generator(lambda: iter([[1, 2]]), output_types=tf.int64) \
        .as_numpy_iterator().__next__().dtype == np.int64


def test_tensorflows_messages_for_a_wrong_call_or_element():
    def gen():
        yield np.ones(2), 1
        yield np.ones(3), 1

    with pytest.raises(TypeError, match="^`generator` must be a Python callable.$"):
        Dataset.from_generator(gen())
    with pytest.raises(TypeError, match="provide either the `output_signature` argument or "
                                        "the `output_types` argument"):
        Dataset.from_generator(gen)
    with pytest.raises(TypeError, match="can not be used together with the `output_signature`"):
        Dataset.from_generator(gen, output_types=tf.float32, output_signature=tf.TensorSpec(()))
    ds = Dataset.from_generator(gen, output_signature=(tf.TensorSpec((2,)),
                                                       tf.TensorSpec((), tf.int32)))
    iterator = iter(ds)
    next(iterator)
    with pytest.raises(TypeError, match=r"yielded an element of shape \(3,\) where an element "
                                        r"of shape \(2,\) was expected"):
        next(iterator)
    single = Dataset.from_generator(lambda: iter([np.ones(2)]), output_signature=(
        tf.TensorSpec((2,)), tf.TensorSpec((), tf.int32)))
    with pytest.raises(TypeError, match=r"did not match the expected structure. The expected "
                                        r"structure was \(tf.float32, tf.int32\), but the "
                                        r"yielded element was \[1. 1.\].$"):
        list(single)


def make_model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_fit_reads_the_generator_dataset_to_its_end_each_epoch_as_it_reads_the_arrays():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(45, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")[:, None]
    passes = []

    def batches():
        passes.append(1)
        for i in range(0, 45, 10):  # 5 batches, the last of 5 examples
            yield x[i:i + 10], y[i:i + 10]

    signature = (tf.TensorSpec((None, 4), tf.float32), tf.TensorSpec((None, 1), tf.float32))
    ds = Dataset.from_generator(batches, output_signature=signature)
    from_generator, from_arrays = make_model(), make_model()
    history = from_generator.fit(ds, epochs=3, verbose=0, validation_data=ds)
    expected = from_arrays.fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0,
                               validation_data=(x, y))
    for a, b in zip(from_generator.get_weights(), from_arrays.get_weights()):
        np.testing.assert_array_equal(a, b)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history.history[key], expected.history[key], rtol=1e-6)
    assert history.history["loss"][2] < history.history["loss"][0]  # it learnt
    assert len(passes) == 6  # a training and a validation pass per epoch
    np.testing.assert_allclose(from_generator.evaluate(ds, verbose=0),
                               from_arrays.evaluate(x, y, verbose=0), rtol=1e-6)
    assert from_generator.predict(ds, verbose=0).shape == (45, 1)

    # steps_per_epoch takes the next batches of the pass, as for any dataset.
    counted = make_model()
    counted.fit(ds, epochs=1, steps_per_epoch=2, verbose=0)
    short = make_model()
    short.fit(x[:20], y[:20], batch_size=10, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(counted.get_weights(), short.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_an_endless_dataset_still_needs_steps_per_epoch():
    ds = Dataset.from_tensor_slices((np.ones((4, 4)), np.ones((4, 1)))).batch(2).repeat()
    with pytest.raises(ValueError, match="received an endless Dataset .* pass "
                                         "`steps_per_epoch`"):
        make_model().fit(ds, epochs=1, verbose=0)
