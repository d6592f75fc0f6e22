"""`fit` / `evaluate` / `predict` on data pipelines: generators, `PyDataset` / `Sequence`,
`ImageDataGenerator.flow()` and datasets (iterables of batches).

Each pipeline gives the same batches as arrays sliced in order, so training on it must give
exactly the weights, History and predictions of `fit(arrays, shuffle=False)` (dropout
included: the step seeds are drawn the same way). The epoch rules (`steps_per_epoch`
consumed across epochs, "ran out of data", validation restarting each epoch) are checked
against Keras 3's numbers in tests/golden/pipelines.json.
"""

import io
import json
import os
import re
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest

import minikeras as keras
from minikeras import tensorflow_shim as tf
from minikeras.callbacks import Callback
from minikeras.layers import Dense, Dropout, Flatten, Input
from minikeras.models import Model, Sequential
from minikeras.preprocessing.image import ImageDataGenerator

GOLDEN = json.load(open(os.path.join(os.path.dirname(__file__), "..", "golden",
                                     "pipelines.json")))

RNG = np.random.default_rng(7)
X = RNG.normal(size=(40, 3)).astype("float32")
Y = np.eye(2, dtype="float32")[(X[:, 0] - X[:, 2] > 0).astype(int)]
SW = RNG.uniform(0.5, 2.0, size=40).astype("float32")
BATCH = 8  # 5 batches


def mlp():
    keras.utils.set_random_seed(3)
    model = Sequential([Input((3,)), Dense(6, activation="relu"), Dropout(0.3),
                        Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def slices(n=40, batch=BATCH):
    return [slice(i, i + batch) for i in range(0, n, batch)]


def generator(weights=False, x=X, y=Y):
    for part in slices(len(x)):
        yield (x[part], y[part], SW[part]) if weights else (x[part], y[part])


class Batches(keras.utils.PyDataset):
    """A Keras 3 PyDataset over X, Y (`workers` & co. passed through, as the guide does)."""

    def __init__(self, x=X, y=Y, weights=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.weights = x, y, weights
        self.ends = 0
        self.asked = []

    def __len__(self):
        return -(-len(self.x) // BATCH)

    def __getitem__(self, index):
        self.asked.append(index)
        part = slice(index * BATCH, (index + 1) * BATCH)
        if self.weights is not None:
            return self.x[part], self.y[part], self.weights[part]
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.ends += 1


class Keras2Sequence(keras.utils.Sequence):
    """Keras 2 style: no `super().__init__()`, batches as a list `[x, y]`."""

    def __init__(self, x=X, y=Y):
        self.x, self.y = x, y

    def __len__(self):
        return 5

    def __getitem__(self, index):
        part = slice(index * BATCH, (index + 1) * BATCH)
        return [self.x[part], self.y[part]]


class DuckSequence:
    """The protocol alone, no base class."""

    def __len__(self):
        return 5

    def __getitem__(self, index):
        part = slice(index * BATCH, (index + 1) * BATCH)
        return X[part], Y[part]


class BatchList:
    """An iterable of batches with a length, as a dataset is."""

    def __len__(self):
        return 5

    def __iter__(self):
        return generator()


def reference(epochs=2, **fit_kwargs):
    model = mlp()
    history = model.fit(X, Y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0,
                        **fit_kwargs)
    return model, history.history


def assert_same_training(model, history, ref_model, ref_history):
    for w, r in zip(model.get_weights(), ref_model.get_weights()):
        np.testing.assert_array_equal(w, r)
    assert history == ref_history
    assert int(model.optimizer.iterations) == int(ref_model.optimizer.iterations)


PIPELINES = {
    "generator": lambda: generator(),
    "PyDataset": lambda: Batches(),
    "PyDataset with workers": lambda: Batches(workers=4, use_multiprocessing=True,
                                              max_queue_size=3),
    "Keras 2 Sequence": lambda: Keras2Sequence(),
    "duck-typed Sequence": lambda: DuckSequence(),
    "iterable with len": lambda: BatchList(),
    "tf.data.Dataset": lambda: tf.data.Dataset.from_tensor_slices((X, Y)).batch(BATCH),
}


@pytest.mark.parametrize("kind", sorted(PIPELINES))
def test_fit_on_a_pipeline_trains_as_on_the_same_arrays(kind):
    ref_model, ref_history = reference(epochs=1)
    model = mlp()
    history = model.fit(PIPELINES[kind](), epochs=1, shuffle=False, verbose=0)
    assert_same_training(model, history.history, ref_model, ref_history)


@pytest.mark.parametrize("kind", ["PyDataset", "Keras 2 Sequence", "iterable with len",
                                  "tf.data.Dataset"])
def test_reusable_pipelines_give_every_epoch_one_pass(kind):
    ref_model, ref_history = reference(epochs=3)
    model = mlp()
    history = model.fit(PIPELINES[kind](), epochs=3, shuffle=False, verbose=0)
    assert_same_training(model, history.history, ref_model, ref_history)


def test_sequence_on_epoch_end_is_called_after_each_epoch():
    data = Batches()
    mlp().fit(data, epochs=3, shuffle=False, verbose=0)
    assert data.ends == 3
    # Batch 0 is read once before training (to build and check) and reused, not read twice.
    assert data.asked == [0, 1, 2, 3, 4] + [0, 1, 2, 3, 4] * 2


def test_shuffle_true_shuffles_a_sequences_batch_order_every_epoch():
    data = Batches()
    mlp().fit(data, epochs=3, verbose=0)
    # Batch 0 is read first (to build and check), then kept for when the first pass needs it.
    passes = [data.asked[0:5], data.asked[5:10], data.asked[10:15]]
    assert len(data.asked) == 15
    for order in passes:
        assert sorted(order) == [0, 1, 2, 3, 4]
    assert passes[1] != passes[2] or passes[1] != list(range(5))
    again = Batches()
    mlp().fit(again, epochs=3, verbose=0)
    assert again.asked == data.asked  # drawn from the seeded fit generator


def test_flow_feeds_fit_evaluate_and_predict_like_arrays():
    images = RNG.normal(size=(40, 2, 2, 1)).astype("float32")
    labels = (images.reshape(40, -1).sum(axis=1) > 0).astype("float32")

    def model():
        keras.utils.set_random_seed(5)
        m = Sequential([Input((2, 2, 1)), Flatten(), Dense(1, activation="sigmoid")])
        m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return m

    flow = ImageDataGenerator().flow(images, labels, batch_size=BATCH, shuffle=False)
    assert not isinstance(flow, keras.utils.Sequence)  # read by the Sequence protocol
    ref = model()
    ref_history = ref.fit(images, labels, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    m = model()
    history = m.fit(flow, epochs=2, shuffle=False, verbose=0)
    assert_same_training(m, history.history, ref, ref_history.history)
    assert m.evaluate(flow, verbose=0) == ref.evaluate(images, labels, batch_size=BATCH,
                                                       verbose=0)
    images_only = ImageDataGenerator().flow(images, batch_size=BATCH, shuffle=False)
    np.testing.assert_array_equal(m.predict(images_only, verbose=0),
                                  ref.predict(images, batch_size=BATCH, verbose=0))


def test_generator_batches_with_sample_weights():
    ref = mlp()
    ref_history = ref.fit(X, Y, sample_weight=SW, batch_size=BATCH, shuffle=False, verbose=0)
    model = mlp()
    history = model.fit(generator(weights=True), verbose=0)
    assert_same_training(model, history.history, ref, ref_history.history)


def test_class_weight_applies_to_pipeline_batches():
    cw = {0: 0.5, 1: 3.0}
    ref = mlp()
    ref_history = ref.fit(X, Y, class_weight=cw, batch_size=BATCH, shuffle=False, verbose=0)
    model = mlp()
    history = model.fit(Batches(), class_weight=cw, shuffle=False, verbose=0)
    assert_same_training(model, history.history, ref, ref_history.history)


@pytest.mark.parametrize("kind", sorted(PIPELINES))
def test_evaluate_and_predict_on_a_pipeline_equal_the_arrays(kind):
    model = mlp()
    model.fit(X, Y, batch_size=BATCH, verbose=0)
    expected = model.evaluate(X, Y, batch_size=BATCH, verbose=0)
    assert model.evaluate(PIPELINES[kind](), verbose=0) == expected
    np.testing.assert_array_equal(model.predict(PIPELINES[kind](), verbose=0),
                                  model.predict(X, batch_size=BATCH, verbose=0))


def test_predict_takes_batches_of_x_alone_or_x_tuples():
    model = mlp()
    expected = model.predict(X, batch_size=BATCH, verbose=0)
    bare = (X[part] for part in slices())
    np.testing.assert_array_equal(model.predict(bare, verbose=0), expected)
    tuples = ((X[part],) for part in slices())
    np.testing.assert_array_equal(model.predict(tuples, verbose=0), expected)
    np.testing.assert_array_equal(model.predict(generator(), steps=2, verbose=0), expected[:16])


def test_steps_bound_evaluate_and_predict():
    model = mlp()
    expected = model.evaluate(X[:16], Y[:16], batch_size=BATCH, verbose=0)
    assert model.evaluate(Batches(), steps=2, verbose=0) == expected
    assert model.evaluate(generator(), steps=2, verbose=0) == expected


def test_subclassed_model_is_built_from_the_first_batch():
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.hidden = Dense(5, activation="tanh")
            self.out = Dense(2, activation="softmax")

        def call(self, x):
            return self.out(self.hidden(x))

    def net():
        keras.utils.set_random_seed(11)
        m = Net()
        m.compile(optimizer="sgd", loss="categorical_crossentropy")
        return m

    seen = {}

    class Probe(Callback):
        def on_train_begin(self, logs=None):
            seen["built"] = self.model.built
            seen["weights"] = len(self.model.weights)

    ref = net()
    ref_history = ref.fit(X, Y, batch_size=BATCH, shuffle=False, verbose=0)
    model = net()
    history = model.fit(generator(), verbose=0, callbacks=[Probe()])
    assert seen == {"built": True, "weights": 4}  # built before training begins, as Keras
    assert_same_training(model, history.history, ref, ref_history.history)


# ----------------------------------------------------------------- Keras 3's epoch rules
GOLDEN_X = np.array(GOLDEN["x"], dtype="float32").reshape(16, 2)
GOLDEN_Y = GOLDEN_X.sum(axis=1, keepdims=True)
GOLDEN_W = np.array(GOLDEN["batch_sample_weight"], dtype="float32")


def golden_model():
    m = Sequential([Input((2,)), Dense(1)])
    m.set_weights([np.array(GOLDEN["kernel"], "float32").reshape(2, 1),
                   np.array(GOLDEN["bias"], "float32")])
    m.compile(keras.optimizers.SGD(0.01), "mse")
    return m


def golden_batch(i, weighted=False):
    part = slice(4 * i, 4 * i + 4)
    if weighted:
        return GOLDEN_X[part], GOLDEN_Y[part], GOLDEN_W
    return GOLDEN_X[part], GOLDEN_Y[part]


class GoldenBatches(keras.utils.PyDataset):
    def __init__(self, weighted=False):
        super().__init__()
        self.weighted = weighted

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return golden_batch(index, self.weighted)


def golden_finite():
    for i in range(4):
        yield golden_batch(i)


def golden_endless():
    while True:
        for i in range(4):
            yield golden_batch(i)


GOLDEN_RUNS = {
    "pydataset_two_epochs": lambda m: m.fit(GoldenBatches(), epochs=2, shuffle=False,
                                            verbose=0),
    "pydataset_steps_3_of_4": lambda m: m.fit(GoldenBatches(), epochs=2, steps_per_epoch=3,
                                              shuffle=False, verbose=0),
    "pydataset_steps_2_of_4": lambda m: m.fit(GoldenBatches(), epochs=3, steps_per_epoch=2,
                                              shuffle=False, verbose=0),
    "endless_generator_steps_3": lambda m: m.fit(golden_endless(), epochs=2,
                                                 steps_per_epoch=3, verbose=0),
    "finite_generator_steps_3": lambda m: m.fit(golden_finite(), epochs=2, steps_per_epoch=3,
                                                verbose=0),
    "pydataset_sample_weights": lambda m: m.fit(GoldenBatches(weighted=True), epochs=2,
                                                shuffle=False, verbose=0),
    "pydataset_validation_steps_2": lambda m: m.fit(
        GoldenBatches(), epochs=2, shuffle=False, verbose=0, validation_data=GoldenBatches(),
        validation_steps=2),
    "evaluate_pydataset_steps_2": lambda m: m.evaluate(GoldenBatches(), steps=2, verbose=0),
    "evaluate_generator": lambda m: m.evaluate(golden_finite(), verbose=0),
    "predict_generator_of_x_tuples": lambda m: m.predict(
        ((GOLDEN_X[4 * i:4 * i + 4],) for i in range(3)), verbose=0),
}


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["name"])
def test_epoch_rules_match_keras3(case):
    model = golden_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = GOLDEN_RUNS[case["name"]](model)
    assert int(model.optimizer.iterations) == case["iterations"]
    for w, expected in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(np.ravel(w), expected, rtol=2e-6, atol=1e-7)
    if "history" in case:
        assert sorted(result.history) == sorted(case["history"])
        for key, values in case["history"].items():
            np.testing.assert_allclose(result.history[key], values, rtol=2e-6)
        ran_out = sum("Your input ran out of data" in str(w.message) for w in caught)
        assert ran_out == case["ran_out_warnings"]
    else:
        # Keras 3 also warns "ran out of data" when evaluate/predict simply reach the end of
        # a generator; minikeras does not (nothing was cut short).
        np.testing.assert_allclose(np.ravel(result), case["result"], rtol=2e-6)


def test_endless_generator_with_steps_trains_on_its_batches_in_order():
    def endless():
        while True:
            yield from generator()

    ref_model, ref_history = reference(epochs=2)
    model = mlp()
    history = model.fit(endless(), epochs=4, steps_per_epoch=5, verbose=0)
    assert len(history.history["loss"]) == 4
    # Two epochs of 5 steps read the 10 batches the two epochs of arrays read.
    model2 = mlp()
    history2 = model2.fit(endless(), epochs=2, steps_per_epoch=5, verbose=0)
    assert_same_training(model2, history2.history, ref_model, ref_history)


def test_a_generator_that_runs_dry_stops_training_with_keras_warning():
    ref_model, ref_history = reference(epochs=1)
    model = mlp()
    with pytest.warns(UserWarning, match="Your input ran out of data; interrupting training"):
        history = model.fit(generator(), epochs=3, verbose=0)
    assert history.history == ref_history  # one epoch, then the generator was dry
    assert int(model.optimizer.iterations) == 5


def test_a_finite_generator_for_one_epoch_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mlp().fit(generator(), epochs=1, verbose=0)


def test_validation_data_as_a_generator_and_a_sequence():
    ref_model, ref_history = reference(epochs=2, validation_data=(X[:16], Y[:16]))
    model = mlp()
    history = model.fit(Batches(), epochs=2, shuffle=False, verbose=0,
                        validation_data=Batches(), validation_steps=2)
    assert_same_training(model, history.history, ref_model, ref_history)
    model = mlp()
    history = model.fit(generator(), epochs=1, verbose=0,
                        validation_data=generator(x=X[:16], y=Y[:16]))
    ref_model, ref_history = reference(epochs=1, validation_data=(X[:16], Y[:16]))
    assert_same_training(model, history.history, ref_model, ref_history)


# ----------------------------------------------------------------- bad batches
class Checkpoint(Callback):
    """Keeps the weights after each finished batch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


class StopAfter(Callback):
    """Stops training after batch `batch` of epoch `epoch` (0-based)."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            self.model.stop_training = True


def weights_after_arrays(epoch, batch):
    """The weights of `fit(X, Y)` on arrays (in order) stopped after that batch."""
    model = mlp()
    model.fit(X, Y, batch_size=BATCH, epochs=epoch + 1, shuffle=False, verbose=0,
              callbacks=[StopAfter(epoch, batch)])
    return model.get_weights()


def test_a_batch_of_the_wrong_shape_mid_epoch_is_named_and_nothing_of_its_step_changes():
    def bad_generator():
        for i, part in enumerate(slices()):
            if i == 3:
                yield X[part][:, :2], Y[part]  # two features where the model takes three
            else:
                yield X[part], Y[part]

    model = mlp()
    with pytest.raises(ValueError, match=re.escape(
            "Batch 3 of the generator (step 3 of epoch 1): Input 0 of model 'sequential")) as e:
        model.fit(bad_generator(), epochs=2, verbose=0)
    assert "expected shape=(None, 3), found shape=(8, 2)" in str(e.value)
    # Dropout seeds depend on the epoch, not the data: the first three steps match arrays.
    for w, r in zip(model.get_weights(), weights_after_arrays(0, 2)):
        np.testing.assert_array_equal(w, r)


class BadTargets(Batches):
    """Batch 2 of the second epoch has targets of the wrong shape (found by the loss)."""

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_end(self):
        self.epoch += 1

    def __getitem__(self, index):
        x, y = super().__getitem__(index)
        return (x, y[:, :1]) if (self.epoch, index) == (1, 2) else (x, y)


def test_a_batch_with_wrong_targets_mid_epoch_is_named_and_weights_are_as_after_the_last_step():
    model = mlp()
    checkpoint = Checkpoint()
    with pytest.raises(ValueError, match=re.escape(
            "Batch 2 of the BadTargets (step 2 of epoch 2): `categorical_crossentropy` expects "
            "`y_true` and `y_pred` of the same shape. Received: y_true.shape=(8, 1)")):
        model.fit(BadTargets(), epochs=2, shuffle=False, verbose=0, callbacks=[checkpoint])
    assert len(checkpoint.weights) == 5 + 2
    for w, r in zip(model.get_weights(), checkpoint.weights[-1]):
        np.testing.assert_array_equal(w, r)
    for w, r in zip(model.get_weights(), weights_after_arrays(1, 1)):
        np.testing.assert_array_equal(w, r)


def test_bad_batches_get_the_checks_arrays_get():
    nan_x = X[:8].copy()
    nan_x[1, 2] = np.nan
    with pytest.raises(ValueError, match=re.escape(
            "Batch 1 of the generator (step 1 of epoch 1): `x` contains NaN")):
        mlp().fit(iter([(X[:8], Y[:8]), (nan_x, Y[:8])]), verbose=0)
    with pytest.raises(ValueError, match=re.escape(
            "Batch 0 of the generator: the batch holds no targets `y`")):
        mlp().fit((X[part] for part in slices()), verbose=0)
    with pytest.raises(ValueError, match=r"Batch 1 of the generator \(step 1 of epoch 1\): "
                                         r"Data cardinality is ambiguous"):
        mlp().fit(iter([(X[:8], Y[:8]), (X[:8], Y[:7])]), verbose=0)
    with pytest.raises(ValueError, match=r"Batch 0 of the generator: Data is expected to be "
                                         r"in format `x`, `\(x,\)`, `\(x, y\)`"):
        mlp().fit(iter([(X[:8], Y[:8], SW[:8], SW[:8])]), verbose=0)
    with pytest.raises(ValueError, match=re.escape(
            "Batch 2 of the generator (step 2): Input 0 of model")):
        mlp().predict(iter([X[:8], X[:8], X[:8, :2]]), verbose=0)


def test_arguments_that_do_not_go_with_a_pipeline():
    with pytest.raises(ValueError, match=re.escape(
            "When providing `x` as a generator, `y` should not be passed")):
        mlp().fit(generator(), Y, verbose=0)
    with pytest.raises(ValueError, match=re.escape(
            "When providing `x` as a Batches, `sample_weight` should not be passed")):
        mlp().fit(Batches(), sample_weight=SW, verbose=0)
    with pytest.raises(ValueError, match="`validation_split` is only supported for NumPy "
                                         "arrays"):
        mlp().fit(Batches(), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="received a generator with no batches"):
        mlp().fit(iter([]), verbose=0)

    class Endless(keras.utils.PyDataset):
        num_batches = None

        def __getitem__(self, index):
            return golden_batch(index % 4)

    with pytest.raises(ValueError, match=re.escape(
            "`fit()` received an endless Endless (it reports no number of batches): pass "
            "`steps_per_epoch`")):
        golden_model().fit(Endless(), verbose=0)
    model = golden_model()
    model.fit(Endless(), steps_per_epoch=6, verbose=0)
    assert int(model.optimizer.iterations) == 6
    endless_ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(BATCH).repeat()
    with pytest.raises(ValueError, match=r"`evaluate\(\)` received an endless .* pass `steps`"):
        mlp().evaluate(endless_ds, verbose=0)
    assert mlp().evaluate(endless_ds, steps=7, verbose=0)  # 7 batches of the repeated data


def test_fit_on_x_alone_says_what_it_accepts():
    with pytest.raises(ValueError, match=r"`y` is required: .* To train on a pipeline, pass a "
                                         r"generator, a `keras.utils.PyDataset`"):
        mlp().fit(X, verbose=0)


def test_fit_on_a_generator_function_says_to_call_it():
    def batches():
        yield X[:BATCH], Y[:BATCH]

    model = mlp()
    weights = model.get_weights()
    with pytest.raises(ValueError, match=r"Received x=a function and no `y`\..* `x` is a "
                                         r"generator function: call it, `fit\(gen\(\)\)`\.$"):
        model.fit(batches, steps_per_epoch=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))


# ----------------------------------------------------------------- Keras 2 spellings
def test_fit_evaluate_predict_generator_are_keras2_spellings():
    ref_model, ref_history = reference(epochs=2)
    model = mlp()
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        history = model.fit_generator(Keras2Sequence(), steps_per_epoch=5, epochs=2, verbose=0,
                                      max_queue_size=4, workers=2, use_multiprocessing=True,
                                      shuffle=False)
    assert_same_training(model, history.history, ref_model, ref_history)
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        assert model.evaluate_generator(generator(), steps=5, workers=3) == \
            ref_model.evaluate(X, Y, batch_size=BATCH, verbose=0)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        np.testing.assert_array_equal(
            model.predict_generator((X[p] for p in slices()), steps=5, max_queue_size=1),
            ref_model.predict(X, batch_size=BATCH, verbose=0))


def test_tf_keras2_worker_arguments_are_accepted_by_fit_evaluate_predict():
    model = mlp()
    model.fit(Batches(), workers=2, use_multiprocessing=False, max_queue_size=5, verbose=0)
    model.evaluate(Batches(), workers=2, verbose=0)
    model.predict(Batches(), use_multiprocessing=True, verbose=0)


def test_utils_names():
    assert keras.utils.Sequence is keras.utils.PyDataset
    x, y, w = keras.utils.unpack_x_y_sample_weight((X, Y))
    assert x is X and y is Y and w is None
    assert keras.utils.unpack_x_y_sample_weight(X)[0] is X
    assert keras.utils.pack_x_y_sample_weight(X) is X
    assert keras.utils.pack_x_y_sample_weight(X, Y, SW) == (X, Y, SW)
    data = Batches()
    assert [b[0].shape for b in data] == [(8, 3)] * 5  # iterating a PyDataset reads it in order


# ----------------------------------------------------------------- progress bar
def run_verbose(fit_data, verbose, epochs=2, **kwargs):
    out = io.StringIO()
    with redirect_stdout(out):
        mlp().fit(fit_data, epochs=epochs, verbose=verbose, **kwargs)
    return out.getvalue()


def test_progress_bar_counts_the_steps_of_a_sequence_and_learns_a_generators():
    text = run_verbose(Batches(), 2)
    assert re.findall(r"^(\d+/\d+) - ", text, re.M) == ["5/5", "5/5"]

    def endless():
        while True:
            yield from generator()

    text = run_verbose(endless(), 2, steps_per_epoch=5)
    assert re.findall(r"^(\d+/\d+) - ", text, re.M) == ["5/5", "5/5"]
    # A generator of unknown length: the first epoch learns its length (Keras 3).
    out = io.StringIO()
    model = mlp()
    with redirect_stdout(out):
        model.fit(generator(), epochs=1, verbose=2)
        model.evaluate(generator(), verbose=2)
    assert re.findall(r"^(\d+/\d+) - ", out.getvalue(), re.M) == ["5/5", "5/5"]


def test_progress_bar_shows_unknown_while_the_length_is_unknown(monkeypatch):
    from minikeras.utils import progbar

    monkeypatch.setattr(progbar.Progbar, "_dynamic_display", True, raising=False)
    original_init = progbar.Progbar.__init__

    def dynamic_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._dynamic_display = True
        self.interval = 0

    monkeypatch.setattr(progbar.Progbar, "__init__", dynamic_init)
    text = run_verbose(generator(), 1, epochs=1)
    assert "      1/Unknown" in text
    final = text.rstrip("\n").split("\r")[-1]  # the last redraw knows the count
    assert "Unknown" not in final and re.search(r"5/5\S* \S*━+", final)
