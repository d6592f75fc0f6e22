"""A batch of the wrong shape in the middle of a pass, on every pipeline and every method that
reads one (`fit`, `fit_generator`, `evaluate`, `evaluate_generator`, `predict`,
`predict_generator`, `validation_data`): the error names the batch's index and what it
received, and no weight changed after the last good step (`fit` stopped after batch 2 of the
same data in arrays has the same weights; `evaluate` and `predict` leave them as they were)."""

import re
import warnings

import numpy as np
import pytest

from minikeras import tensorflow_shim as tf
from tests.trainers.test_data_pipelines import (BATCH, X, Y, Batches, Keras2Sequence, mlp,
                                                slices, weights_after_arrays)

BAD = 3  # the index of the bad batch: two features where the model takes three


def bad_batches():
    for i, part in enumerate(slices()):
        yield (X[part][:, :2] if i == BAD else X[part]), Y[part]


class BadPyDataset(Batches):
    def __getitem__(self, index):
        x, y = super().__getitem__(index)
        return (x[:, :2] if index == BAD else x), y


class BadSequence(Keras2Sequence):
    def __getitem__(self, index):
        x, y = super().__getitem__(index)
        return [x[:, :2] if index == BAD else x, y]


class BadIterable:
    def __len__(self):
        return 5

    def __iter__(self):
        return bad_batches()


PIPELINES = {  # kind -> (make, the name the message gives it)
    "generator": (bad_batches, "generator"),
    "PyDataset": (BadPyDataset, "BadPyDataset"),
    "Keras 2 Sequence": (BadSequence, "BadSequence"),
    "iterable with len": (BadIterable, "BadIterable"),
    "tf.data from_generator": (lambda: tf.data.Dataset.from_generator(
        bad_batches, output_signature=(tf.TensorSpec((None, None)),
                                       tf.TensorSpec((None, 2)))), "Dataset"),
}
SHAPES = "expected shape=(None, 3), found shape=(8, 2)"


def unchanged(model, before):
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)


@pytest.mark.parametrize("kind", sorted(PIPELINES))
@pytest.mark.parametrize("method", ["fit", "fit_generator"])
def test_fit_names_the_batch_and_keeps_the_last_good_steps_weights(kind, method):
    make, name = PIPELINES[kind]
    model = mlp()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fit_generator's
        with pytest.raises(ValueError, match=re.escape(
                f"Batch {BAD} of the {name} (step {BAD} of epoch 1): Input 0 of model")) as e:
            getattr(model, method)(make(), epochs=2, shuffle=False, verbose=0)
    assert SHAPES in str(e.value)
    assert int(model.optimizer.iterations) == BAD
    unchanged(model, weights_after_arrays(0, BAD - 1))


@pytest.mark.parametrize("kind", sorted(PIPELINES))
@pytest.mark.parametrize("method", ["evaluate", "evaluate_generator", "predict",
                                    "predict_generator"])
def test_evaluate_and_predict_name_the_batch_and_change_no_weight(kind, method):
    make, name = PIPELINES[kind]
    model = mlp()
    before = model.get_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match=re.escape(
                f"Batch {BAD} of the {name} (step {BAD}): Input 0 of model")) as e:
            getattr(model, method)(make(), verbose=0)
    assert SHAPES in str(e.value)
    unchanged(model, before)


@pytest.mark.parametrize("kind", sorted(PIPELINES))
def test_a_bad_validation_batch_is_named_after_the_epochs_training(kind):
    make, name = PIPELINES[kind]
    model = mlp()
    good = ((X[p], Y[p]) for p in slices())
    with pytest.raises(ValueError, match=re.escape(
            f"Batch {BAD} of the {name} (step {BAD} of validation): Input 0 of model")):
        model.fit(good, epochs=2, verbose=0, validation_data=make())
    assert int(model.optimizer.iterations) == len(X) // BATCH  # epoch 1 trained, no more
    unchanged(model, weights_after_arrays(0, len(X) // BATCH - 1))
