"""State updates are checked where they are recorded: eagerly, inside a training step's
`StatelessScope`, and in the engine's write-back (`assign_arrays`), with one message."""

import numpy as np
import pytest

from minikeras import Sequential, layers
from minikeras.stateless_scope import StatelessScope
from minikeras.variables import Variable, assign_arrays

SHAPE_MESSAGE = "Cannot assign a value of shape (1, 4) to variable 'moving/mean' of shape (4,)."


class MovingMean(layers.Layer):
    """Tracks the batch mean like BatchNormalization, optionally forgetting `keepdims`."""

    def __init__(self, keepdims, **kwargs):
        super().__init__(**kwargs)
        self.keepdims = keepdims

    def build(self, input_shape):
        self.mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                    trainable=False, name="mean")

    def call(self, x, training=False):
        if training:
            batch_mean = x.mean(axis=0, keepdims=True)  # (1, 4)
            self.mean.assign(batch_mean if self.keepdims else batch_mean[0])
        return x


def _model(keepdims):
    model = Sequential([layers.Input((4,)), MovingMean(keepdims, name="moving"), layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def test_a_wrongly_shaped_moving_mean_fails_at_the_first_step_before_any_weight_changes():
    model = _model(keepdims=True)
    x, y = np.ones((8, 4), np.float32), np.ones((8, 1), np.float32)
    before = [w.numpy() for w in model.weights]
    with pytest.raises(ValueError) as raised:
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert str(raised.value) == SHAPE_MESSAGE
    for old, new in zip(before, model.weights):
        np.testing.assert_array_equal(old, new.numpy())


def test_the_eager_assign_has_the_same_message():
    model = _model(keepdims=True)
    with pytest.raises(ValueError) as raised:
        model.get_layer("moving").mean.assign(np.zeros((1, 4), np.float32))
    assert str(raised.value) == SHAPE_MESSAGE


def test_a_correct_moving_mean_trains_and_is_written_back():
    model = _model(keepdims=False)
    x = np.arange(32, dtype=np.float32).reshape(8, 4)
    model.fit(x, np.ones((8, 1), np.float32), epochs=1, batch_size=8, verbose=0)
    mean = model.get_layer("moving").mean
    np.testing.assert_allclose(mean.numpy(), x.mean(axis=0))
    assert mean.numpy().dtype == np.float32


def test_scope_and_write_back_check_the_shape_and_the_dtype_kind():
    v = Variable(np.zeros(3, np.float32), name="v")
    counter = Variable(np.zeros((), np.int64), name="count")
    with StatelessScope():
        with pytest.raises(ValueError, match=r"shape \(2,\) to variable 'v' of shape \(3,\)"):
            v.assign(np.zeros(2, np.float32))
        with pytest.raises(ValueError, match="dtype float64 to variable 'count' of dtype int64"):
            counter.assign(np.float64(1.5))
    with pytest.raises(ValueError, match="dtype float64 to variable 'count' of dtype int64"):
        counter.assign(np.float64(1.5))
    with pytest.raises(ValueError, match=r"shape \(3, 1\) to variable 'v' of shape \(3,\)"):
        assign_arrays([v], [np.zeros((3, 1), np.float32)])
    assign_arrays([v], [np.arange(3, dtype=np.float64)])  # a float of another width is cast
    assert v.numpy().dtype == np.float32 and v.numpy().tolist() == [0, 1, 2]
