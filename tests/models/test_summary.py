"""`model.summary()` against the text real Keras 3 prints (tests/golden/summary_*.txt, made
by make_functional_golden.py with stdout sent to a file and `COLUMNS` set)."""

import numpy as np
import pytest

from minikeras import Model, layers, optimizers
from minikeras.models.summary import table_widths, wrap_cell
from tests.conftest import GOLDEN
from tests.models.functional_models import (MODELS, SubclassedBN, golden_data, nested,
                                            two_in_two_out)


class SubclassedMLP(Model):
    def __init__(self):
        super().__init__(name="subclassed_mlp")
        self.hidden = layers.Dense(8, activation="relu", name="hidden")
        self.dropout = layers.Dropout(0.5, name="dropout")
        self.out = layers.Dense(3, activation="softmax", name="probabilities")

    def call(self, x, training=None):
        return self.out(self.dropout(self.hidden(x), training=training))


def frozen_trained():
    model = two_in_two_out(frozen_shared=True)
    xa, xb, y1, y2, _ = golden_data()
    model.compile(optimizers.SGD(0.1, momentum=0.9), ["categorical_crossentropy", "mse"])
    model.train_on_batch([xa, xb], [y1, y2])
    return model


def subclassed_fit():
    model = SubclassedMLP()
    xa, _, y1, _, _ = golden_data()
    model.compile(optimizers.Adam(), "categorical_crossentropy")
    model.fit(xa[:10], y1[:10], batch_size=5, verbose=0)
    return model


def subclassed_bn_fit():
    model = SubclassedBN()
    xa, _, y1, _, _ = golden_data()
    model.compile(optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
    model.fit(xa, y1, batch_size=8, verbose=0)
    return model


BUILDERS = dict(MODELS, frozen_trained=frozen_trained, subclassed_fit=subclassed_fit,
                subclassed_bn_fit=subclassed_bn_fit)

CASES = [
    ("summary_functional_two_in_two_out.txt", "two_in_two_out", "80"),
    ("summary_functional_two_in_two_out_cols200.txt", "two_in_two_out", "200"),
    ("summary_functional_nested_cols200.txt", "nested", "200"),
    ("summary_functional_nested.txt", "nested", "80"),
    ("summary_functional_sequential_of_functional.txt", "sequential_of_functional", "80"),
    ("summary_functional_dict_outputs_cols200.txt", "dict_outputs", "200"),
    ("summary_functional_frozen_trained_cols200.txt", "frozen_trained", "200"),
    ("summary_subclassed_fit.txt", "subclassed_fit", "80"),
    ("summary_functional_resnet_concat.txt", "resnet_concat", "80"),
    ("summary_functional_resnet_concat_cols200.txt", "resnet_concat", "200"),
    ("summary_subclassed_bn_fit.txt", "subclassed_bn_fit", "80"),
]


# (fixture, Keras's optimizer and total bytes) of the fixtures with an "Optimizer params" line.
OPTIMIZER_BYTES = {"summary_functional_frozen_trained_cols200.txt": (196, 484),
                   "summary_subclassed_fit.txt": (544, 812),
                   "summary_subclassed_bn_fit.txt": (8, 308)}


def expected_text(fixture, model):
    """The fixture's text. Keras on JAX holds the optimizer's int64 iteration counter in 32
    bits (JAX runs without 64-bit types by default), so it counts 4 bytes for it where
    Keras on TensorFlow counts 8; minikeras counts its counter's own dtype."""
    text = (GOLDEN / fixture).read_text()
    if fixture in OPTIMIZER_BYTES and np.dtype(model.optimizer.iterations.dtype).itemsize == 8:
        for size in OPTIMIZER_BYTES[fixture]:
            text = text.replace(f"({size}.00 B)", f"({size + 4}.00 B)")
    return text


@pytest.mark.parametrize("fixture, model, columns", CASES)
def test_summary_text_equals_keras(fixture, model, columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", columns)
    built = BUILDERS[model]()
    built.summary()
    assert capsys.readouterr().out == expected_text(fixture, built)


def test_expand_nested_and_show_trainable_equal_keras(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")
    model = nested()
    model.get_layer("encoder").trainable = False
    model.summary(expand_nested=True, show_trainable=True)
    expected = (GOLDEN / "summary_functional_expand_nested_trainable_cols200.txt").read_text()
    assert capsys.readouterr().out == expected


def test_print_fn_receives_the_same_lines(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = []
    two_in_two_out().summary(print_fn=lines.append)
    assert "\n".join(lines) + "\n" == (GOLDEN / "summary_functional_two_in_two_out.txt").read_text()


def test_column_widths_follow_rich():
    """rich takes the padding and borders off Keras's requested widths evenly: worked out by
    hand for the 76- and 88-wide tables of the committed fixtures."""
    assert table_widths(76, [0.45, 0.80, 1.0]) == [33, 24, 15]
    assert table_widths(88, [0.45, 0.80, 1.0]) == [38, 29, 17]
    # requested 22, 20, 14, 20 (+2 padding each = 84) into 76 - 5 borders = 71
    assert table_widths(76, [0.3, 0.56, 0.74, 1.0]) == [21, 19, 12, 19]
    with pytest.raises(ValueError, match="Insufficient console width"):
        table_widths(10, [0.3, 0.56, 0.74, 1.0])


def test_cells_wrap_at_word_boundaries_and_cut_long_words():
    assert wrap_cell("in_a[0][0], in_b[0][0]", 17) == ["in_a[0][0],      ", "in_b[0][0]       "]
    assert wrap_cell("encoder (Functional)", 19) == ["encoder            ", "(Functional)       "]
    assert wrap_cell("1,234", 8, "right") == ["   1,234"]
    assert wrap_cell("averyveryverylongname", 8) == ["averyve…"]
    assert wrap_cell("Y", 9, "center") == ["    Y    "]


def test_layer_range_lists_the_matching_layers(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = []
    two_in_two_out().summary(print_fn=lines.append, layer_range=["shared", "out1"])
    names = [line.split()[1] for line in lines if line.startswith("│ ") and "(" in line]
    assert names == ["shared", "branch_b", "out1"]
    with pytest.raises(ValueError, match="does not match"):
        two_in_two_out().summary(layer_range=["nope", "out1"])


def test_one_dimensional_shapes_print_as_keras_does():
    """Keras joins the dimensions itself: `(None)` for a rank-1 output, not `(None,)`."""
    from minikeras import Input
    from minikeras.models.summary import output_shape_cell

    inputs = Input((3,))
    flat = layers.Reshape((3,))(inputs)
    assert output_shape_cell(flat._keras_history[0]) == "(None, 3)"
    assert output_shape_cell(layers.Dense(2)) == "?"
    np.testing.assert_equal(output_shape_cell(layers.Input((5,))._keras_history[0]),
                            "(None, 5)")
