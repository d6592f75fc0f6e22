"""Without matplotlib (hidden here when it is installed), every picture function raises an
ImportError that says what to install, and the confusion matrix, which needs none, works."""

import sys

import numpy as np
import pytest

import minikeras as keras
from minikeras.utils import confusion_matrix, plot_confusion_matrix, plot_history, plot_model


def test_a_missing_matplotlib_is_a_clear_import_error(monkeypatch, tmp_path):
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")] \
            + ["matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)  # `import matplotlib` now fails
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    calls = {"plot_history": lambda: plot_history({"loss": [1.0]}, path=tmp_path / "h.png"),
             "plot_model": lambda: plot_model(model, to_file=tmp_path / "m.png"),
             "plot_confusion_matrix": lambda: plot_confusion_matrix(np.eye(2))}
    for name, call in calls.items():
        with pytest.raises(ImportError, match=rf"`{name}` draws with matplotlib, which is not "
                                              r"installed. Install it with `pip install "
                                              r"matplotlib`"):
            call()
    assert not list(tmp_path.iterdir())  # nothing written
    assert confusion_matrix([0, 1], [1, 1]).tolist() == [[0, 1], [0, 1]]
