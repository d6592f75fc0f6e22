"""The `tf.*` functions of the stand-in: TensorFlow's signatures, defaults and dtypes, values
against NumPy written out, and gradients through a tape against autograd's of the same math."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import minikeras as keras
from minikeras import tensorflow_shim as tf
from minikeras.tensorflow_shim.tensor import EagerTensor

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
POS = np.abs(X) + 0.5


def test_constant_follows_tensorflows_dtypes_and_shape_argument():
    assert tf.constant(1.5).dtype == np.float32 and tf.constant(3).dtype == np.int32
    assert tf.constant([1.0, 2.0]).dtype == tf.float32  # a dtype name compares equal
    assert tf.constant(np.ones(2)).dtype == np.float64  # an array keeps its dtype
    assert tf.constant(True).dtype == np.bool_
    assert tf.constant(7, dtype=tf.float32).numpy() == 7.0
    np.testing.assert_array_equal(tf.constant(2.0, shape=(2, 2)), np.full((2, 2), 2.0))
    np.testing.assert_array_equal(tf.constant([1, 2, 3, 4], shape=[2, 2]), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tf.constant([1, 2, 3], shape=(2, 2))
    source = np.ones(3)
    copy = tf.constant(source)
    source[0] = 5.0
    assert copy[0] == 1.0  # a copy, as TensorFlow


def test_eager_tensors_are_arrays_with_numpy_and_stay_eager_through_operators():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t, np.ndarray) and type(t) is EagerTensor
    for result in (t + 1, t * t, t @ t, -t, t[0], np.exp(t), t > 2):
        assert type(result) is EagerTensor
    assert type(t.numpy()) is np.ndarray and tf.constant(2.0).numpy() == 2.0
    assert repr(tf.constant([1, 2])) == "tf.Tensor([1, 2], shape=(2,), dtype=int32)"
    assert str(tf.constant([1, 2])) == "[1 2]"


def test_convert_to_tensor_takes_variables_arrays_and_dtype_hints():
    v = tf.Variable([1.0, 2.0])
    assert type(tf.convert_to_tensor(v)) is EagerTensor
    np.testing.assert_array_equal(tf.convert_to_tensor(v), [1.0, 2.0])
    a = np.arange(3.0)
    assert tf.convert_to_tensor(a).dtype == np.float64
    assert np.shares_memory(tf.convert_to_tensor(a), a)  # no copy for the right dtype
    assert tf.convert_to_tensor(1.0).dtype == np.float32
    assert tf.convert_to_tensor([1, 2], dtype_hint=tf.float32).dtype == np.float32
    assert tf.convert_to_tensor(a, dtype=tf.float32).dtype == np.float32
    t = tf.constant(1.0)
    assert tf.convert_to_tensor(t) is t


def test_variable_is_a_minikeras_variable():
    v = tf.Variable(3.0, name="v")
    assert isinstance(v, keras.Variable) and v.dtype == "float32" and v.trainable
    v.assign_add(1.0)
    assert v.numpy() == 4.0
    assert not tf.Variable(1.0, trainable=False).trainable


# name, tf function, NumPy formula: values compared for every one.
VALUES = [
    ("reduce_sum", lambda x: tf.reduce_sum(x), lambda x: x.sum()),
    ("reduce_sum axis keepdims", lambda x: tf.reduce_sum(x, axis=1, keepdims=True),
     lambda x: x.sum(1, keepdims=True)),
    ("reduce_mean", lambda x: tf.reduce_mean(x, axis=0), lambda x: x.mean(0)),
    ("reduce_max", lambda x: tf.reduce_max(x, axis=[0, 1]), lambda x: x.max()),
    ("reduce_min", lambda x: tf.reduce_min(x, 1), lambda x: x.min(1)),
    ("reduce_prod", lambda x: tf.reduce_prod(x, 0), lambda x: x.prod(0)),
    ("square", tf.square, np.square), ("exp", tf.exp, np.exp),
    ("tanh", tf.tanh, np.tanh), ("abs", tf.abs, np.abs),
    ("sqrt", lambda x: tf.sqrt(np.abs(x) + 0.5), lambda x: np.sqrt(np.abs(x) + 0.5)),
    ("math.log", lambda x: tf.math.log(np.abs(x) + 0.5), lambda x: np.log(np.abs(x) + 0.5)),
    ("sigmoid", tf.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("nn.sigmoid", tf.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("nn.relu", tf.nn.relu, lambda x: np.maximum(x, 0)),
    ("nn.softmax", tf.nn.softmax, lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
    ("nn.softmax axis 0", lambda x: tf.nn.softmax(x, axis=0),
     lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
    ("nn.log_softmax", tf.nn.log_softmax,
     lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    ("math.maximum", lambda x: tf.math.maximum(x, 0.3), lambda x: np.maximum(x, 0.3)),
    ("minimum", lambda x: tf.minimum(x, 0.3), lambda x: np.minimum(x, 0.3)),
    ("add", lambda x: tf.add(x, 1.0), lambda x: x + 1), ("pow", lambda x: tf.pow(x, 2.0),
                                                         lambda x: x ** 2),
    ("subtract", lambda x: tf.subtract(x, x[0]), lambda x: x - x[0]),
    ("multiply", lambda x: tf.multiply(x, x), lambda x: x * x),
    ("divide", lambda x: tf.divide(x, 4.0), lambda x: x / 4),
    ("matmul", lambda x: tf.matmul(x, x, transpose_b=True), lambda x: x @ x.T),
    ("matmul transpose_a", lambda x: tf.matmul(x, x, transpose_a=True), lambda x: x.T @ x),
    ("reshape", lambda x: tf.reshape(x, [3, -1]), lambda x: x.reshape(3, 2)),
    ("reshape tensor shape", lambda x: tf.reshape(x, tf.shape(x)[::-1]),
     lambda x: x.reshape(3, 2)),
    ("concat", lambda x: tf.concat([x, 2 * x], axis=1), lambda x: np.concatenate([x, 2 * x], 1)),
    ("stack", lambda x: tf.stack([x, x], axis=0), lambda x: np.stack([x, x])),
    ("transpose", tf.transpose, lambda x: x.T),
    ("expand_dims", lambda x: tf.expand_dims(x, 1), lambda x: x[:, None]),
    ("squeeze", lambda x: tf.squeeze(tf.reshape(x, [1, 6])), lambda x: x.reshape(6)),
    ("cast to float64", lambda x: tf.cast(x, tf.float64), lambda x: x.astype(np.float64)),
]


@pytest.mark.parametrize("name, fn, formula", VALUES, ids=[v[0] for v in VALUES])
def test_values_are_the_numpy_formulas(name, fn, formula):
    out = fn(tf.constant(X))
    assert type(out) is EagerTensor
    np.testing.assert_allclose(out, formula(X.astype(np.float64)), rtol=2e-6, atol=1e-7)


# Every differentiable function: the tape's gradient of sum(f(x) * w) is autograd's of the same
# formula written with autograd.numpy.
GRADIENTS = [
    ("reduce_sum", lambda x: tf.reduce_sum(x, axis=1), lambda x: anp.sum(x, axis=1)),
    ("reduce_mean", tf.reduce_mean, anp.mean),
    ("reduce_max", lambda x: tf.reduce_max(x, 0), lambda x: anp.max(x, 0)),
    ("square", tf.square, anp.square), ("exp", tf.exp, anp.exp),
    ("log", lambda x: tf.math.log(x), anp.log), ("sqrt", tf.sqrt, anp.sqrt),
    ("tanh", tf.math.tanh, anp.tanh),
    ("sigmoid", tf.nn.sigmoid, lambda x: 1 / (1 + anp.exp(-x))),
    ("softmax", tf.nn.softmax,
     lambda x: anp.exp(x) / anp.sum(anp.exp(x), axis=-1, keepdims=True)),
    ("relu", tf.nn.relu, lambda x: anp.maximum(x, 0)),
    ("matmul", lambda x: tf.matmul(x, x, transpose_a=True), lambda x: anp.dot(x.T, x)),
    ("reshape", lambda x: tf.reshape(x, [-1]) * tf.range(6.0), lambda x: anp.reshape(x, -1)
     * np.arange(6.0)),
    ("concat", lambda x: tf.concat([x, x * x], 0), lambda x: anp.concatenate([x, x * x], 0)),
    ("cast", lambda x: tf.cast(x, "float64") ** 3, lambda x: x ** 3),
]


@pytest.mark.parametrize("name, fn, formula", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_through_the_tape_are_autograds(name, fn, formula):
    x64 = POS.astype(np.float64)
    x = tf.constant(x64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = fn(x)
        loss = tf.reduce_sum(out * np.linspace(0.5, 2.0, np.size(out)).reshape(np.shape(out)))
    weights = np.linspace(0.5, 2.0, np.size(out)).reshape(np.shape(out))
    expected = autograd.grad(lambda v: anp.sum(formula(v) * weights))(x64)
    np.testing.assert_allclose(tape.gradient(loss, x), expected, rtol=1e-10, atol=1e-12)


def test_tensorflow_rules_that_differ_from_numpy():
    logits = tf.constant([[1.0, 5.0], [7.0, 2.0], [0.0, 9.0]])
    assert tf.argmax(logits).numpy().tolist() == [1, 2]  # axis 0 by default
    assert tf.argmax(logits, axis=1).dtype == np.int64
    assert tf.argmin(logits, 1).numpy().tolist() == [0, 1, 0]
    assert tf.reduce_mean(tf.constant([1, 2])).numpy() == 1  # integer mean, truncated
    assert tf.reduce_mean(tf.constant([-1, -2])).numpy() == -1  # toward zero
    assert tf.reduce_mean(tf.constant([[1, 2], [4, 6]]), axis=0).numpy().tolist() == [2, 4]
    assert tf.cast(tf.constant([-1.7, 1.7]), tf.int32).numpy().tolist() == [-1, 1]
    assert tf.cast(tf.constant([True, False]), tf.float32).numpy().tolist() == [1.0, 0.0]
    assert tf.shape(logits).dtype == np.int32 and tf.shape(logits).numpy().tolist() == [3, 2]
    assert tf.range(3).dtype == np.int32 and tf.range(1.0, 2.0, 0.5).dtype == np.float32
    assert tf.zeros([2, 3]).dtype == np.float32 and tf.ones((2,), tf.int32).numpy().sum() == 2
    assert tf.equal(tf.constant([1, 2]), 2).numpy().tolist() == [False, True]


def test_one_hot():
    hot = tf.one_hot([0, 2, 5], 3)
    assert hot.dtype == np.float32
    np.testing.assert_array_equal(hot, [[1, 0, 0], [0, 0, 1], [0, 0, 0]])  # 5: out of range
    np.testing.assert_array_equal(tf.one_hot([1], 2, on_value=5, off_value=-1, dtype="int32"),
                                  [[-1, 5]])
    np.testing.assert_array_equal(tf.one_hot([0, 1], 3, axis=0), [[1, 0], [0, 1], [0, 0]])


def test_random_functions_take_tensorflows_signatures():
    tf.random.set_seed(3)
    a = tf.random.normal([2000], mean=1.0, stddev=2.0)
    tf.random.set_seed(3)
    b = tf.random.normal([2000], mean=1.0, stddev=2.0)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and abs(a.mean() - 1.0) < 5 * 2 / np.sqrt(2000)
    u = tf.random.uniform((3, 1000), minval=-2.0, maxval=3.0, seed=1)
    assert u.shape == (3, 1000) and u.min() >= -2.0 and u.max() < 3.0
    np.testing.assert_array_equal(u, tf.random.uniform((3, 1000), -2.0, 3.0, seed=1))
    assert 0 <= tf.random.uniform([50]).min() and tf.random.uniform([50]).max() < 1
    ints = tf.random.uniform([100], 0, 5, dtype=tf.int32, seed=2)
    assert ints.dtype == np.int32 and set(ints.tolist()) <= set(range(5))
    with pytest.raises(ValueError, match="`maxval` must be given"):
        tf.random.uniform([2], dtype=tf.int64)
    assert np.abs(tf.random.truncated_normal([500], seed=4)).max() <= 2.0


def test_function_is_a_no_op_decorator_with_or_without_arguments():
    def f(x):
        return x + 1

    assert tf.function(f) is f
    assert tf.function(jit_compile=True)(f) is f
    assert tf.function(input_signature=None, reduce_retracing=True)(f) is f

    @tf.function
    def g(x):
        return x * 2

    assert g(3) == 6


def test_config_lists_one_cpu_and_no_gpu():
    assert tf.config.list_physical_devices("GPU") == []
    (cpu,) = tf.config.list_physical_devices("CPU")
    assert cpu.device_type == "CPU" and cpu.name == "/physical_device:CPU:0"
    assert tf.config.list_physical_devices() == [cpu]


def test_keras_and_version():
    assert tf.keras is keras and tf.__version__.startswith("2.")
