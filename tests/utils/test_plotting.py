"""Pictures: learning curves, confusion matrices and model graphs are written as images that
decode, with one panel per quantity, one box per layer and one arrow per tensor read
(skipped without matplotlib, the `plot` extra; test_plotting_without_matplotlib.py checks
the error then)."""

import numpy as np
import pytest

import minikeras as keras
from minikeras import layers
from minikeras.utils import (confusion_matrix, model_to_figure, plot_confusion_matrix,
                             plot_history, plot_model)
from tests.utils.png_shapes import count_curves, count_layer_boxes

matplotlib = pytest.importorskip("matplotlib")  # the `plot` extra
import matplotlib.image  # noqa: E402

HISTORY = {"loss": [1.0, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.8],
           "val_loss": [1.1, 0.8, 0.7], "val_accuracy": [0.45, 0.6, 0.65]}
BLUE, ORANGE = (31, 119, 180), (255, 127, 14)  # matplotlib's first two line colours


def decoded(path):
    image = matplotlib.image.imread(str(path))
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    return image


def lines(ax):
    return {line.get_label(): line.get_ydata().tolist() for line in ax.get_lines()}


# --------------------------------------------------------------------------- plot_history
def test_history_gives_one_panel_per_quantity_with_training_and_validation(tmp_path):
    path = tmp_path / "curves.png"
    figure = plot_history(HISTORY, path=path)
    decoded(path)
    # In the picture itself: two panels, each a training (blue) and a validation (orange) curve.
    assert count_curves(path, BLUE) == 2 and count_curves(path, ORANGE) == 2
    axes = figure.get_axes()
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    assert lines(axes[0]) == {"training": [1.0, 0.6, 0.4], "validation": [1.1, 0.8, 0.7]}
    assert lines(axes[1]) == {"training": [0.5, 0.7, 0.8], "validation": [0.45, 0.6, 0.65]}
    assert axes[0].get_lines()[0].get_xdata().tolist() == [1, 2, 3]  # epochs count from 1
    assert axes[0].get_xlabel() == "epoch"


def test_history_of_a_real_fit_and_panels_chosen_by_name(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    history = model.fit(x, y, epochs=2, verbose=0)
    figure = plot_history(history, path=tmp_path / "fit.png")
    assert [ax.get_title() for ax in figure.get_axes()] == ["loss", "accuracy"]
    assert lines(figure.get_axes()[0]) == {"training": history.history["loss"]}
    only = plot_history(HISTORY, metrics=["accuracy"], path=tmp_path / "acc.png")
    assert [ax.get_title() for ax in only.get_axes()] == ["accuracy"]
    with pytest.raises(ValueError, match=r"\['auc'\] not in the history"):
        plot_history(HISTORY, metrics=["auc"], path=tmp_path / "x.png")


def test_many_quantities_are_laid_out_three_to_a_row(tmp_path):
    logs = {name: [1.0, 2.0] for name in ("loss", "a", "b", "c")}
    figure = plot_history(logs, path=tmp_path / "grid.png")
    assert count_curves(tmp_path / "grid.png", BLUE) == 4
    assert count_curves(tmp_path / "grid.png", ORANGE) == 0  # no validation entries
    axes = figure.get_axes()
    assert len(axes) == 4  # a 2 x 3 grid, the two unused cells removed
    assert [ax.get_subplotspec().colspan.start for ax in axes] == [0, 1, 2, 0]


def test_history_without_a_file_is_a_pyplot_figure(tmp_path):
    import matplotlib.pyplot as plt

    figure = plot_history(HISTORY, show=False)
    assert plt.fignum_exists(figure.number)
    plt.close(figure)
    with pytest.raises(TypeError, match="must be what `fit` returns"):
        plot_history([1, 2])


# --------------------------------------------------------------------------- confusion matrix
def test_confusion_matrix_picture_holds_the_counts(tmp_path):
    matrix = confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0])
    path = tmp_path / "cm.png"
    figure = plot_confusion_matrix(matrix, class_names=["a", "b", "c"], path=path)
    decoded(path)
    ax = figure.get_axes()[0]
    assert [t.get_text() for t in ax.texts] == ["1", "0", "0", "0", "1", "1", "1", "0", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    normalized = plot_confusion_matrix(matrix, normalize=True, path=tmp_path / "n.png")
    assert [t.get_text() for t in normalized.get_axes()[0].texts][6:] == ["0.33", "0.00",
                                                                          "0.67"]
    assert [t.get_text() for t in normalized.get_axes()[0].get_yticklabels()] == ["0", "1", "2"]
    with pytest.raises(ValueError, match="must be square"):
        plot_confusion_matrix(np.ones((2, 3)), path=tmp_path / "bad.png")


# --------------------------------------------------------------------------- plot_model
def boxes(figure):
    return [p.get_gid()[len("layer:"):] for p in figure.get_axes()[0].patches
            if (p.get_gid() or "").startswith("layer:")]


def arrows(figure):
    return {p.get_gid()[len("arrow:"):] for p in figure.get_axes()[0].patches
            if (p.get_gid() or "").startswith("arrow:")}


def texts(figure):
    return [t.get_text() for t in figure.get_axes()[0].texts]


def two_in_two_out():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    x = layers.Dense(5, activation="relu", name="d1")(a)
    y = layers.Dense(5, name="d2")(b)
    merged = layers.Add(name="add")([x, y])
    return keras.Model([a, b], [layers.Dense(1, name="o1")(merged),
                                layers.Dense(2, name="o2")(x)])


def test_a_sequential_model_is_a_chain_of_its_layers(tmp_path):
    model = keras.Sequential([keras.Input((8,)), layers.Dense(4, name="hidden"),
                              layers.Dense(1, name="out")])
    path = tmp_path / "model.png"
    plot_model(model, to_file=path, show_shapes=True, show_layer_names=True, dpi=50)
    figure = model_to_figure(model, show_shapes=True, show_layer_names=True)
    width, height = figure.get_size_inches()
    rows, columns = decoded(path).shape[:2]
    assert abs(rows - height * 50) <= 1 and abs(columns - width * 50) <= 1
    plot_model(model, to_file=tmp_path / "large.png", show_shapes=True, dpi=100)
    assert count_layer_boxes(tmp_path / "large.png") == 2  # counted in the picture
    assert boxes(figure) == ["hidden", "out"]  # no box for the input, as Keras 3
    assert arrows(figure) == {"hidden->out"}
    assert texts(figure) == ["hidden (Dense)", "Input shape: (None, 8)",
                             "Output shape: (None, 4)", "out (Dense)",
                             "Input shape: (None, 4)", "Output shape: (None, 1)"]
    assert texts(model_to_figure(model)) == ["Dense", "Dense"]  # Keras 3's defaults


def test_a_functional_model_with_branches_merges_and_two_inputs_and_outputs(tmp_path):
    model = two_in_two_out()
    path = tmp_path / "graph.png"
    plot_model(model, to_file=path, show_shapes=True, show_layer_names=True)
    assert count_layer_boxes(path) == 7  # two inputs and five layers, counted in the picture
    plot_model(model, to_file=tmp_path / "plain.png")
    assert count_layer_boxes(tmp_path / "plain.png") == 7
    figure = model_to_figure(model, show_shapes=True, show_layer_names=True,
                             show_layer_activations=True, show_dtype=True, show_trainable=True)
    assert sorted(boxes(figure)) == ["a", "add", "b", "d1", "d2", "o1", "o2"]
    assert arrows(figure) == {"a->d1", "b->d2", "d1->add", "d2->add", "add->o1", "d1->o2"}
    shown = texts(figure)
    assert "Input shape: [(None, 5), (None, 5)]" in shown  # the merge's two inputs
    assert "Activation: relu" in shown and "Output dtype: float32" in shown
    assert shown.count("Trainable") == 4  # every layer with weights (not Add, not Inputs)
    assert shown[shown.index("a (InputLayer)") + 1] == "Output shape: (None, 4)"  # no input

    # Layers are drawn in ranks, each below what it reads.
    centre = {p.get_gid()[6:]: p.get_y() + p.get_height() / 2
              for p in figure.get_axes()[0].patches if (p.get_gid() or "").startswith("layer:")}
    assert centre["a"] == centre["b"] > centre["d1"] == centre["d2"] > centre["add"] > \
        centre["o1"]


def test_an_arrow_that_skips_ranks_goes_around_the_boxes_between():
    x = keras.Input((5,), name="x")
    h = layers.Dense(5, name="h1")(x)
    h = layers.Dense(5, name="h2")(h)
    model = keras.Model(x, layers.Add(name="skip")([h, x]))
    figure = model_to_figure(model, show_shapes=True)
    ax = figure.get_axes()[0]
    (skip,) = [p for p in ax.patches if p.get_gid() == "arrow:x->skip"]
    points = skip.get_path().interpolated(50).vertices  # along every segment drawn
    for name in ("h1", "h2"):
        (box,) = [p for p in ax.patches if p.get_gid() == f"layer:{name}"]
        inside = [(box.get_x() < px < box.get_x() + box.get_width()) and
                  (box.get_y() < py < box.get_y() + box.get_height()) for px, py in points]
        assert not any(inside)
    assert arrows(figure) == {"x->h1", "h1->h2", "h2->skip", "x->skip"}


def test_left_to_right_and_other_formats(tmp_path):
    model = two_in_two_out()
    figure = model_to_figure(model, rankdir="LR")
    centre = {p.get_gid()[6:]: p.get_x() + p.get_width() / 2
              for p in figure.get_axes()[0].patches if (p.get_gid() or "").startswith("layer:")}
    assert centre["a"] < centre["d1"] < centre["add"] < centre["o1"]
    plot_model(model, to_file=tmp_path / "graph.svg")
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    plot_model(model, to_file=tmp_path / "graph.pdf")
    assert (tmp_path / "graph.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match="`rankdir` must be"):
        model_to_figure(model, rankdir="XY")


def test_nested_models_are_one_box_or_expanded_in_a_frame():
    inner = keras.Sequential([keras.Input((5,)), layers.Dense(4, name="i1"),
                              layers.Dense(5, name="i2")], name="inner")
    x = keras.Input((5,), name="x")
    out = layers.Dense(1, name="out")(layers.Concatenate(name="cat")([inner(x), x]))
    model = keras.Model(x, out)
    collapsed = model_to_figure(model)
    assert sorted(boxes(collapsed)) == ["cat", "inner", "out", "x"]
    assert arrows(collapsed) == {"x->inner", "x->cat", "inner->cat", "cat->out"}
    expanded = model_to_figure(model, expand_nested=True)
    assert sorted(boxes(expanded)) == ["cat", "i1", "i2", "out", "x"]
    assert arrows(expanded) == {"x->i1", "i1->i2", "i2->cat", "x->cat", "cat->out"}
    frames = [p for p in expanded.get_axes()[0].patches if p.get_gid() == "model:inner"]
    assert len(frames) == 1 and "inner" in texts(expanded)


def test_a_subclassed_model_is_one_box_and_unbuilt_models_are_refused(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    net = Net()
    net(np.ones((1, 3), np.float32))
    assert boxes(model_to_figure(net)) == [net.name]
    with pytest.raises(ValueError, match="has not yet been built"):
        plot_model(keras.Sequential([layers.Dense(2)]), to_file=tmp_path / "m.png")
    with pytest.raises(ValueError, match="`layer_range` is no longer supported"):
        plot_model(net, to_file=tmp_path / "m.png", layer_range=["a", "b"])
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        plot_model(net, to_file=tmp_path / "m.png", colours=True)
