"""CSVLogger: the files it writes, compared with the ones real Keras 3 writes for the same fit
(tests/golden/callbacks/event_order.json, `csv_logger`)."""

import csv
import io

import numpy as np
import pytest

from minikeras.callbacks import Callback, CSVLogger, LearningRateScheduler
from tests.callbacks.golden_model import EVENTS, X, Y, golden_model

CASES = EVENTS["cases"]["csv_logger"]


def rows(text, separator=","):
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def assert_same_csv(got, want, separator=","):
    """Same header, epochs, NA cells and line endings; numbers to float32 precision."""
    assert got.count("\r\n") == want.count("\r\n")
    got_rows, want_rows = rows(got, separator), rows(want, separator)
    assert got_rows[0] == want_rows[0]
    assert len(got_rows) == len(want_rows)
    for g, w in zip(got_rows[1:], want_rows[1:]):
        assert g[0] == w[0]  # epoch
        for a, b in zip(g[1:], w[1:]):
            assert a == b if b == "NA" else float(a) == pytest.approx(float(b), rel=2e-6)


def run(tmp_path, name, extra_callbacks=(), path=None):
    case = CASES[name]
    path = path or tmp_path / f"{name}.csv"
    logger = CSVLogger(path, **case["logger_kwargs"])
    golden_model().fit(X, Y, callbacks=[*extra_callbacks, logger], **case["fit_kwargs"])
    return path


def test_columns_are_epoch_then_the_sorted_log_keys(tmp_path):
    path = run(tmp_path, "validation")
    assert_same_csv(path.read_bytes().decode(), CASES["validation"]["text"])
    assert path.read_text().splitlines()[0] == "epoch,accuracy,loss,val_accuracy,val_loss"


def test_append_keeps_the_header_and_adds_rows(tmp_path):
    path = run(tmp_path, "validation")
    run(tmp_path, "appended", path=path)
    assert_same_csv(path.read_bytes().decode(), CASES["appended"]["text"])


def test_without_validation_keras_adds_val_columns_of_NA(tmp_path):
    path = run(tmp_path, "no_validation_semicolon")
    assert_same_csv(path.read_bytes().decode(), CASES["no_validation_semicolon"]["text"], ";")


def test_learning_rate_is_a_column(tmp_path):
    path = run(tmp_path, "learning_rate_no_validation",
               [LearningRateScheduler(lambda epoch: 0.05)])
    assert_same_csv(path.read_bytes().decode(), CASES["learning_rate_no_validation"]["text"])


def test_epochs_without_validation_write_NA(tmp_path):
    path = run(tmp_path, "validation_freq_2")
    assert_same_csv(path.read_bytes().decode(), CASES["validation_freq_2"]["text"])


def test_append_to_an_empty_or_missing_file_writes_the_header(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for path in (empty, tmp_path / "missing.csv"):
        golden_model().fit(X, Y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
        assert path.read_text().splitlines()[0] == "epoch,accuracy,loss,val_accuracy,val_loss"


def test_the_file_is_complete_up_to_the_last_epoch_when_training_fails(tmp_path):
    class FailAtEpoch2(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("boom")

    path = tmp_path / "log.csv"
    with pytest.raises(RuntimeError, match="boom"):
        golden_model().fit(X, Y, epochs=5, verbose=0,
                           callbacks=[CSVLogger(path), FailAtEpoch2()])
    assert [r[0] for r in rows(path.read_bytes().decode())] == ["epoch", "0", "1"]


def test_per_class_values_are_written_as_a_quoted_list(tmp_path):
    class PerClass(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["per_class"] = np.array([0.5, 0.25])

    path = tmp_path / "log.csv"
    golden_model().fit(X, Y, epochs=1, verbose=0, callbacks=[PerClass(), CSVLogger(path)])
    header, row = rows(path.read_bytes().decode())[:2]
    assert row[header.index("per_class")] == '"[0.5, 0.25]"'
