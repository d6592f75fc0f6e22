"""The lines fit/evaluate/predict print, compared with real Keras 3's output (timings removed).

Keras on Linux always redraws in place (it treats any POSIX stdout as a terminal); minikeras
writes the final line of each bar once when stdout is not a terminal. The text of that line
must be Keras's.
"""

import re

import numpy as np
import pytest

from minikeras.layers import Dense, Input
from minikeras.models import Sequential
from minikeras.optimizers import SGD
from tests.conftest import GOLDEN, load_golden

FIT = load_golden("fit_mlp.json")
TIMING = re.compile(r"\d+(\.\d+)?(s|ms|us)(/step)?")
VALUE = re.compile(r": \d\.\d{4}")


def final_lines(raw):
    """The text a terminal finally shows: ANSI codes dropped, each redraw replaced by the next."""
    raw = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    lines = []
    for line in raw.split("\n"):
        line = line.split("\r")[-1] if "\r" in line else line
        line = re.sub(r"\x08+", "", line).rstrip()
        if line:
            lines.append(line)
    return lines


def normalize(lines):
    """Timings and metric values replaced (the Keras run shuffled its data): the format stays."""
    return [VALUE.sub(": V", TIMING.sub("T", line)) for line in lines]


def read(fixture):
    return (GOLDEN / fixture).read_bytes().decode()  # bytes: text mode would turn \r into \n


def model():
    m = Sequential([Input((4,)), Dense(5, activation="relu"), Dense(3, activation="softmax")])
    m.set_weights([np.array(w, dtype="float32") for w in FIT["init_weights"]])
    m.compile(optimizer=SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"])
    return m


X, Y = np.array(FIT["x"]), np.array(FIT["y"])


@pytest.mark.parametrize("fixture, kwargs", [
    ("progbar_v1.txt", {"verbose": 1}),
    ("progbar_v2.txt", {"verbose": 2}),
    ("progbar_v1_val.txt", {"verbose": 1, "validation_split": 0.25}),
    ("progbar_v2_val.txt", {"verbose": 2, "validation_split": 0.25}),
])
def test_fit_progress_lines_match_keras(capsys, fixture, kwargs):
    model().fit(X, Y, epochs=2, batch_size=6, shuffle=False, **kwargs)
    out = capsys.readouterr().out
    expected = normalize(final_lines(read(fixture)))
    assert normalize(out.strip().split("\n")) == expected


def test_evaluate_and_predict_progress_lines_match_keras(capsys):
    m = model()
    m.evaluate(X, Y, batch_size=6, verbose=1)
    m.predict(X, batch_size=6, verbose=1)
    out = capsys.readouterr().out.strip().split("\n")
    expected = final_lines(read("progbar_evaluate_v1.txt")) + final_lines(
        read("progbar_predict_v1.txt"))
    assert normalize(out) == normalize(expected)


def test_verbose_1_line_shape(capsys):
    model().fit(X, Y, epochs=1, batch_size=6, verbose=1)
    (line,) = capsys.readouterr().out.strip().split("\n")
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(ms|us)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}",
                        line)


def test_verbose_0_prints_nothing(capsys):
    m = model()
    m.fit(X, Y, epochs=2, verbose=0)
    m.evaluate(X, Y, verbose=0)
    m.predict(X, verbose=0)
    assert capsys.readouterr().out == ""
