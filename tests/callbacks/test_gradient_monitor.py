"""GradientMonitor: the recorded gradient norms and update ratios equal hand computations, the
monitor changes nothing in training, and it shows vanishing gradients in a deep sigmoid MLP
and their absence with ReLU + He initialization or with batch normalization."""

import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras.callbacks import (CallbackList, GradientMonitor, LambdaCallback,
                                 plot_gradient_norms)
from minikeras.trainers.step import loss_and_gradients
from tests.utils.png_shapes import count_curves


def tiny_data(n=8):
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, 3)), rng.normal(size=(n, 2))


def tiny_model():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                              layers.Dense(2)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    return model


def hand_gradients(weights, x, y):
    """autograd.grad of the loss written out: Dense(4, relu) -> Dense(2), mean squared error
    averaged over the batch. The biases are added as `ones @ b` products, the way the dense
    primitive sums their gradient (one BLAS product), so the float64 results match bit for
    bit; `x @ W + b` sums in another order and differs in the last bit."""
    ones = np.ones((len(x), 1))

    def loss(params):
        w1, b1, w2, b2 = params
        hidden = anp.maximum(anp.dot(x, w1) + anp.dot(ones, b1[None, :]), 0.0)
        out = anp.dot(hidden, w2) + anp.dot(ones, b2[None, :])
        return anp.mean(anp.mean(anp.square(y - out), axis=-1))

    return autograd.grad(loss)(weights)


def hand_norm(*arrays):
    return math.sqrt(sum(float(np.sum(a.astype(np.float64) ** 2)) for a in arrays))


def test_recorded_norms_and_update_ratios_equal_the_hand_computation(float64):
    keras.utils.set_random_seed(0)
    x, y = tiny_data()
    model = tiny_model()
    start = model.get_weights()
    snapshots = []  # the weights at each epoch's end, taken after the monitor's record
    monitor = GradientMonitor(x, y)
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0, callbacks=[
        monitor, LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(
            model.get_weights()))])

    assert monitor.layer_names == ["dense", "dense_1"]
    assert sorted(k for k in history.history if "/" in k) == [
        "grad_norm/dense", "grad_norm/dense_1", "update_ratio/dense", "update_ratio/dense_1"]
    for epoch, weights in zip([None, 0, 1, 2], [start] + snapshots):  # None: before training
        grads = hand_gradients(weights, x, y)
        expected = {"dense": hand_norm(grads[0], grads[1]),
                    "dense_1": hand_norm(grads[2], grads[3])}
        for layer, value in expected.items():
            recorded = (monitor.initial_grad_norms[layer] if epoch is None
                        else history.history["grad_norm/" + layer][epoch])
            assert recorded == value  # exactly
    for epoch, (before, after) in enumerate(zip([start] + snapshots, snapshots)):
        for layer, (k, b) in (("dense", (0, 1)), ("dense_1", (2, 3))):
            ratio = (hand_norm(after[k] - before[k], after[b] - before[b])
                     / hand_norm(before[k], before[b]))
            assert history.history["update_ratio/" + layer][epoch] == ratio
    assert monitor.history == {k: v for k, v in history.history.items() if "/" in k}
    # The engine's gradients themselves, bit for bit.
    for got, want in zip(loss_and_gradients(model, x, y)[1], hand_gradients(snapshots[-1], x, y)):
        np.testing.assert_array_equal(got, want)


def test_float32_norms_agree_with_the_float64_hand_computation():
    keras.utils.set_random_seed(0)
    x, y = tiny_data()
    model = tiny_model()
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[GradientMonitor(x, y)])
    weights = [w.astype(np.float64) for w in model.get_weights()]
    grads = hand_gradients(weights, x.astype(np.float32).astype(np.float64),
                           y.astype(np.float32).astype(np.float64))
    assert history.history["grad_norm/dense_1"][-1] == pytest.approx(
        hand_norm(grads[2], grads[3]), rel=1e-6)


def test_monitoring_changes_nothing_in_training():
    # Dropout draws and BatchNormalization's moving statistics: the monitor's gradient pass
    # must neither write a variable nor consume the training's random draws.
    def train(with_monitor):
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), layers.Dense(8), layers.BatchNormalization(),
                                  layers.Activation("relu"), layers.Dropout(0.3),
                                  layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(40, 5)), rng.integers(0, 3, 40)
        callbacks = [GradientMonitor(x[:16], y[:16])] if with_monitor else []
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=callbacks)
        return model.get_weights(), history.history["loss"]

    (plain, plain_loss), (monitored, monitored_loss) = train(False), train(True)
    assert plain_loss == monitored_loss
    for a, b in zip(plain, monitored):
        np.testing.assert_array_equal(a, b)


def test_no_work_during_the_steps_and_no_entries_in_the_epoch_logs(capsys):
    x, y = tiny_data()
    model = tiny_model()
    monitor = GradientMonitor(x, y)
    callbacks = CallbackList([monitor], model=model)
    assert not callbacks.listens("on_train_batch_begin")
    assert not callbacks.listens("on_train_batch_end")
    model.fit(x, y, epochs=2, verbose=2, callbacks=[monitor])
    printed = capsys.readouterr().out
    assert "loss:" in printed and "grad_norm" not in printed  # the progress line stays short


def deep_mlp(activation, initializer, batch_norm=False):
    model = keras.Sequential([keras.Input((64,))])
    for _ in range(8):
        if batch_norm:
            model.add(layers.Dense(32, kernel_initializer=initializer))
            model.add(layers.BatchNormalization())
            model.add(layers.Activation(activation))
        else:
            model.add(layers.Dense(32, activation=activation, kernel_initializer=initializer))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    return model


def last_over_first(model, monitor, history, epoch):
    dense = [layer.name for layer in model.layers if isinstance(layer, layers.Dense)]
    norms = (monitor.initial_grad_norms if epoch is None else
             {name: history.history["grad_norm/" + name][epoch] for name in dense})
    return norms[dense[-1]] / norms[dense[0]], dense


# Measured on the bundled digits (seeded, 500-image sample, SGD 0.05, 3 epochs), the output
# layer's gradient norm over the first layer's, before training and after epochs 1 and 3:
# sigmoid 45,300, 14,200, 17,600; relu + He 0.66, 0.37, 0.61; sigmoid + BatchNormalization
# 1.35, 1.37, 1.54. In the first epoch the first sigmoid layer moves by 2.2e-6 of its norm,
# the first relu or batch-normalized one by 6.2e-2.
@pytest.mark.parametrize("activation, initializer, batch_norm, low, high", [
    ("sigmoid", "glorot_uniform", False, 1e4, 1e6),
    ("relu", "he_normal", False, 0.1, 10.0),
    ("sigmoid", "glorot_uniform", True, 0.1, 10.0),
], ids=["sigmoid", "relu_he", "sigmoid_batchnorm"])
def test_vanishing_gradients_in_a_deep_sigmoid_mlp_only(activation, initializer, batch_norm,
                                                        low, high):
    (x, y), _ = keras.datasets.digits.load_data()
    x = x.reshape(-1, 64) / 16.0
    keras.utils.set_random_seed(0)
    model = deep_mlp(activation, initializer, batch_norm)
    monitor = GradientMonitor(x[:500], y[:500])
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[monitor])
    for epoch in (None, 0, 2):
        ratio, dense = last_over_first(model, monitor, history, epoch)
        assert low < ratio < high, (epoch, ratio)
    first_update = history.history["update_ratio/" + dense[0]][0]
    if activation == "sigmoid" and not batch_norm:
        assert first_update < 1e-5  # the first layer does not learn
    else:
        assert first_update > 1e-2
    if batch_norm:  # BatchNormalization's gamma and beta are monitored as layers too
        assert "grad_norm/batch_normalization" in history.history


def test_plot_gradient_norms_draws_one_line_per_layer(tmp_path):
    matplotlib_image = pytest.importorskip("matplotlib.image")
    x, y = tiny_data()
    model = tiny_model()
    monitor = GradientMonitor(x, y)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[monitor])
    figure = plot_gradient_norms(history, path=tmp_path / "norms.png")
    assert matplotlib_image.imread(str(tmp_path / "norms.png")).ndim == 3
    left, right = figure.get_axes()
    # In the picture: the first layer's colour (viridis's first), a line in each panel.
    first = tuple(round(255 * c) for c in left.get_lines()[0].get_color()[:3])
    assert count_curves(tmp_path / "norms.png", first) == 2
    assert left.get_title() == "gradient norm per layer" and left.get_yscale() == "log"
    assert [line.get_label() for line in left.get_lines()] == ["dense", "dense_1"]
    assert left.get_lines()[1].get_ydata().tolist() == history.history["grad_norm/dense_1"]
    assert right.get_lines()[0].get_ydata().tolist() == history.history["update_ratio/dense"]
    only = monitor.plot(layers=["dense_1"], path=tmp_path / "one.png")
    assert [len(ax.get_lines()) for ax in only.get_axes()] == [1, 1]
    # plot_history leaves the monitor's entries out: one panel, the loss.
    curves = keras.utils.plot_history(history, path=tmp_path / "curves.png")
    assert [ax.get_title() for ax in curves.get_axes()] == ["loss"]


def test_bad_arguments_are_named():
    x, y = tiny_data()
    with pytest.raises(ValueError, match="GradientMonitor needs a sample"):
        GradientMonitor(x, None)
    history = tiny_model().fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="no `grad_norm/...` entries"):
        plot_gradient_norms(history)
    with pytest.raises(ValueError, match=r"layers \['dense_9'\] were not monitored"):
        plot_gradient_norms({"grad_norm/dense": [1.0]}, layers=["dense_9"])
    frozen = keras.Sequential([keras.Input((3,)), layers.Dense(2, trainable=False)])
    frozen.compile("sgd", "mse")
    with pytest.raises(ValueError, match="has no layer with trainable weights"):
        frozen.fit(x, y, epochs=1, verbose=0, callbacks=[GradientMonitor(x, y)])
    with pytest.raises(ValueError, match="expected shape"):  # the sample is checked as fit's
        tiny_model().fit(x, y, epochs=1, verbose=0, callbacks=[GradientMonitor(x[:, :2], y)])
