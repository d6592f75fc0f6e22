"""`tf.GradientTape`: its gradients are autograd's of the same computation written as a pure
function, exactly; TensorFlow's rules for watching, persistence, unconnected sources and
assignments in the block; a custom training loop trains."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import minikeras as keras
from minikeras import tensorflow_shim as tf
from minikeras.stateless_scope import StatelessScope, current_scope


def pure_loss(model, loss_fn, x, y, variables):
    """The loss of `model` on `(x, y)` as a pure function of the variables' values."""
    def f(values):
        with StatelessScope(list(zip(variables, values)), training=True):
            return loss_fn(y, model(x, training=True))
    return f


def dense_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(7, activation="tanh"),
                              keras.layers.Dense(3)])
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 5)).astype("float32")
    y = rng.integers(0, 3, size=16)
    return model, x, y


def test_gradients_equal_autograds_of_the_same_function_exactly():
    model, x, y = dense_model()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    variables = model.trainable_variables
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, variables)

    values = [v.numpy() for v in variables]
    expected = autograd.grad(pure_loss(model, loss_fn, x, y, variables))(values)
    assert len(grads) == 4
    for g, e, v in zip(grads, expected, variables):
        assert g.dtype == np.float32 and g.shape == v.shape
        np.testing.assert_array_equal(g, np.asarray(e, np.float32))
    assert float(loss) == float(pure_loss(model, loss_fn, x, y, variables)(values))


def test_gradients_of_a_linear_model_are_the_hand_derived_ones():
    # loss = mean((x W + b - y)^2) over N x U entries: dW = 2 x^T r / (N U), db = 2 sum(r) / (N U)
    keras.utils.set_random_seed(1)
    layer = keras.layers.Dense(2)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y, layer(x))
    d_kernel, d_bias = tape.gradient(loss, [layer.kernel, layer.bias])
    r = x.astype(np.float32) @ layer.kernel.numpy() + layer.bias.numpy() - y
    np.testing.assert_allclose(d_kernel, 2 * x.T @ r / 12, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(d_bias, 2 * r.sum(0) / 12, rtol=1e-5, atol=1e-7)


def test_a_persistent_tape_gives_two_targets_and_their_sum():
    model, x, y = dense_model(2)
    variables = model.trainable_variables
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape(persistent=True) as tape:
        logits = model(x, training=True)
        first = ce(y, logits)
        second = tf.reduce_mean(tf.square(logits))
    g1 = tape.gradient(first, variables)
    g2 = tape.gradient(second, variables)
    both = tape.gradient([first, second], variables)
    values = [v.numpy() for v in variables]
    square = lambda y_true, out: anp.mean(out ** 2)  # noqa: E731
    e1 = autograd.grad(pure_loss(model, ce, x, y, variables))(values)
    e2 = autograd.grad(pure_loss(model, square, x, y, variables))(values)
    for a, b, c, ea, eb in zip(g1, g2, both, e1, e2):
        np.testing.assert_array_equal(a, np.asarray(ea, np.float32))
        np.testing.assert_array_equal(b, np.asarray(eb, np.float32))
        np.testing.assert_allclose(c, a + b, rtol=1e-6, atol=1e-8)


def test_a_non_persistent_tape_refuses_a_second_gradient():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    assert float(tape.gradient(y, v)) == 4.0
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used to "
                                           "compute one set of gradients"):
        tape.gradient(y, v)


def test_watch_on_a_constant_and_second_derivatives_from_nested_tapes():
    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy_dx = inner.gradient(y, x)
    d2y_dx2 = outer.gradient(dy_dx, x)
    assert float(y) == 27.0 and float(dy_dx) == 27.0 and float(d2y_dx2) == 18.0  # 3x^2, 6x
    assert dy_dx.numpy().dtype == np.float32


def test_a_constant_is_traced_only_while_watched():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        unwatched = tf.reduce_sum(x * x)
        tape.watch(x)
        watched = tf.reduce_sum(tf.exp(x) + x[1] * x)  # a ufunc, a tf function, an index
    assert tape.gradient(unwatched, x) is None
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(tape.gradient(watched, x), e + [2.0, 2.0 + 3.0], rtol=1e-6)


def test_unused_and_non_trainable_variables_get_none_or_zeros():
    used, unused = tf.Variable([1.0, 2.0]), tf.Variable([3.0])
    frozen = tf.Variable(4.0, trainable=False)
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(used * frozen)
    assert tape.gradient(y, [used, unused, frozen])[1:] == [None, None]
    zero = tape.gradient(y, {"u": unused}, unconnected_gradients="zero")["u"]
    np.testing.assert_array_equal(zero, [0.0])
    assert tape.watched_variables() == [used]

    with tf.GradientTape() as tape:
        tape.watch(frozen)
        y = tf.reduce_sum(used * frozen)
    d_used, d_frozen = tape.gradient(y, [used, frozen])
    np.testing.assert_array_equal(d_used, [4.0, 4.0])
    assert d_frozen == 3.0


def test_watch_accessed_variables_false_watches_only_what_it_is_given():
    a, b = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(b)
        y = a * b
    assert tape.gradient(y, [a, b]) == [None, 2.0]


def test_output_gradients_and_a_gradient_with_respect_to_a_value_in_between():
    v = tf.Variable([1.0, -2.0])
    with tf.GradientTape(persistent=True) as tape:
        h = v * 3.0
        out = h * h
    np.testing.assert_array_equal(tape.gradient(out, v, output_gradients=[1.0, 10.0]),
                                  [18.0, -360.0])  # 18 v * g
    np.testing.assert_array_equal(tape.gradient(out, h), [6.0, -12.0])  # 2 h


def test_watching_a_numpy_array_is_a_clear_type_error():
    with tf.GradientTape() as tape:
        with pytest.raises(TypeError, match="Wrap NumPy data in `tf.convert_to_tensor"):
            tape.watch(np.ones(3))
    with pytest.raises(ValueError, match="only be called inside the tape's `with` block"):
        tape.watch(tf.constant(1.0))


def test_the_block_computes_as_tensorflow_eager_code_and_leaves_no_scope_behind():
    model, x, y = dense_model(3)
    with tf.GradientTape() as tape:
        assert isinstance(current_scope(), StatelessScope)
        logits = model(x)
    assert current_scope() is None
    # Read as an eager tensor after the block: numbers, formats and NumPy conversion.
    expected = model(x).numpy()
    np.testing.assert_array_equal(logits.numpy(), expected)
    np.testing.assert_array_equal(np.argmax(logits, axis=1), expected.argmax(1))
    assert f"{tf.reduce_sum(logits):.3f}" == f"{expected.sum():.3f}"
    metric = keras.metrics.SparseCategoricalAccuracy()
    metric.update_state(y, logits)
    assert float(metric.result()) == np.mean(expected.argmax(1) == y)
    assert len(tape.gradient(tf.reduce_sum(logits), model.trainable_variables)) == 4


def test_batch_normalization_updates_its_statistics_in_the_block_and_dropout_draws():
    keras.utils.set_random_seed(4)
    bn = keras.layers.BatchNormalization(momentum=0.5)
    drop = keras.layers.Dropout(0.5)
    x = np.random.default_rng(4).normal(2.0, 1.0, size=(64, 3)).astype("float32")
    with tf.GradientTape() as tape:
        out = drop(bn(x, training=True), training=True)
        loss = tf.reduce_sum(out)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(0), rtol=1e-5)
    kept = np.asarray(out) != 0
    assert 0.3 < kept.mean() < 0.7  # dropout was applied in training mode
    d_gamma, d_beta = tape.gradient(loss, [bn.gamma, bn.beta])
    normalized = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    np.testing.assert_allclose(d_beta, 2.0 * kept.sum(0), rtol=1e-6)  # kept / (1 - rate)
    np.testing.assert_allclose(d_gamma, 2.0 * (normalized * kept).sum(0), rtol=1e-4, atol=1e-4)


def test_losses_layers_add_in_the_block_are_traced():
    keras.utils.set_random_seed(5)
    layer = keras.layers.Dense(2, activity_regularizer=keras.regularizers.L1(0.01),
                               kernel_regularizer=keras.regularizers.L2(0.1))
    x = np.random.default_rng(5).normal(size=(4, 3)).astype("float32")
    with tf.GradientTape() as tape:
        out = layer(x)  # built here: its variables are made and watched in the block
        penalties = layer.losses
    assert len(penalties) == 2  # this call's activity penalty, then the kernel's penalty
    d_kernel = tape.gradient(penalties, layer.kernel)
    # 0.01 * sum|x K + b| / 4 and 0.1 * sum(K^2): x^T sign(out) * 0.01 / 4 + 0.2 K
    expected = x.T @ np.sign(np.asarray(out)) * 0.01 / 4 + 0.2 * layer.kernel.numpy()
    np.testing.assert_allclose(d_kernel, expected, rtol=1e-5, atol=1e-7)


def test_gradient_inside_the_block_stops_recording_so_apply_gradients_may_follow():
    model, x, y = dense_model(6)
    optimizer = keras.optimizers.SGD(0.1)
    before = [v.numpy() for v in model.trainable_variables]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x)))
        grads = tape.gradient(loss, model.trainable_variables)
        assert current_scope() is None
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    for v, b, g in zip(model.trainable_variables, before, grads):
        np.testing.assert_allclose(v.numpy(), b - 0.1 * g.numpy(), rtol=1e-6, atol=1e-7)


def test_stop_recording_reset_and_a_used_tape():
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as tape:
        a = v * v
        with tape.stop_recording():
            b = v * v
        c = v * 2.0
    assert float(tape.gradient(a, v)) == 6.0 and tape.gradient(b, v) is None
    with tf.GradientTape() as tape:
        d = v * v
        tape.reset()
        e = v * 5.0
    assert float(tape.gradient(e, v)) == 5.0
    assert float(c) == 6.0 and float(d) == 9.0
    with pytest.raises(RuntimeError, match="call `jacobian` again"):
        tape.jacobian(e, v)  # the non-persistent tape gave its gradient already


def test_an_assigned_variable_gets_the_gradients_of_its_reads_before_and_after():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        a = v * 3.0
        v.assign(5.0)  # applied now, as TensorFlow's eager assign
        b = v * v
    assert float(v.numpy()) == 5.0
    assert float(tape.gradient(a + b, v)) == 3.0 + 10.0


def test_a_custom_training_loop_trains_with_apply_gradients_and_tf_function():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(512, 2)).astype("float32")
    y = ((x[:, 0] * x[:, 1]) > 0).astype("int32")  # XOR of the signs: needs the hidden layer
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(2)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(0.02)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(512, seed=0).batch(64)

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    first = float(loss_fn(y, model(x)))
    for _ in range(30):
        for xb, yb in dataset:
            train_step(xb, yb)
    accuracy = np.mean(np.argmax(model(x).numpy(), 1) == y)
    assert int(optimizer.iterations.numpy()) == 30 * 8
    assert float(loss_fn(y, model(x))) < first / 3 and accuracy > 0.95


def test_jacobian_and_batch_jacobian_equal_autograds_of_the_same_function():
    rng = np.random.default_rng(3)
    x_value = rng.normal(size=(4, 3)).astype("float32")
    w = tf.Variable(rng.normal(size=(3, 2)).astype("float32"))
    x = tf.constant(x_value)
    unused = tf.Variable(np.ones(2, dtype="float32"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.nn.softmax(tf.tanh(tf.matmul(x, w)))  # (4, 2); rows depend on their own x

    def f(x_, w_):
        z = anp.tanh(x_ @ w_)
        e = anp.exp(z - anp.max(z, axis=1, keepdims=True))
        return e / anp.sum(e, axis=1, keepdims=True)

    x64, w64 = x_value.astype("float64"), w.numpy().astype("float64")
    jw, jx = tape.jacobian(y, [w, x])
    assert jw.shape == (4, 2, 3, 2) and jx.shape == (4, 2, 4, 3) and jw.dtype == np.float32
    np.testing.assert_allclose(jw, autograd.jacobian(lambda w_: f(x64, w_))(w64), atol=2e-6)
    expected_jx = autograd.jacobian(lambda x_: f(x_, w64))(x64)
    np.testing.assert_allclose(jx, expected_jx, atol=2e-6)
    assert np.abs(jx[0, :, 1]).max() == 0  # example 0 does not depend on example 1
    batch = tape.batch_jacobian(y, x)
    assert batch.shape == (4, 2, 3)
    np.testing.assert_allclose(batch, [expected_jx[i, :, i] for i in range(4)], atol=2e-6)
    assert tape.jacobian(y, unused) is None
    np.testing.assert_array_equal(tape.jacobian(y, unused, unconnected_gradients="zero"),
                                  np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match=r"same first \(batch\) dimension; received shapes "
                                         r"\(4, 2\) and \(3, 2\)"):
        tape.batch_jacobian(y, w)


def test_a_watched_constant_is_traced_through_a_layer_call():
    # TensorFlow: d sum(x @ k + b) / dx = k^T for every row; the layer must not copy the
    # watched tensor into a plain array (which the tape cannot see).
    layer = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(
        [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    x = tf.constant(np.ones((2, 3), "float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(layer(x))
    np.testing.assert_array_equal(tape.gradient(y, x), [[3.0, 7.0, 11.0]] * 2)
