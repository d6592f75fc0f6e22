"""ModelCheckpoint: the files it writes (names from templates, save_best_only, save_freq in
batches), compared with what real Keras 3 writes on the same fit
(tests/golden/callbacks/event_order.json, `checkpoint_files`), and the checkpoints load back."""

import os

import numpy as np
import pytest

from minikeras.callbacks import ModelCheckpoint
from minikeras.models import load_model
from tests.callbacks.golden_model import EVENTS, X, Y, golden_model
from tests.callbacks.scripted import WeightsAtEpochEnd

FILES = EVENTS["cases"]["checkpoint_files"]


def run(tmp_path, name, **overrides):
    """Fits the fixture's case with a ModelCheckpoint writing into `tmp_path`; returns the
    model, its History, the weights at each epoch's end and the names saved, in order."""
    case = FILES[name]
    kwargs = dict(case["kwargs"], **overrides)
    kwargs["filepath"] = str(tmp_path / kwargs["filepath"])
    model = golden_model(lr=case["lr"])
    saved = []
    for method in ("save", "save_weights"):
        def record(path, *args, _save=getattr(model, method), **kw):
            saved.append(os.path.basename(path))
            return _save(path, *args, **kw)

        setattr(model, method, record)
    seen = WeightsAtEpochEnd()
    history = model.fit(X, Y, callbacks=[seen, ModelCheckpoint(**kwargs)], **case["fit_kwargs"])
    return history, seen, saved


@pytest.mark.parametrize("name", sorted(FILES))
def test_writes_the_files_keras_writes(tmp_path, name):
    """Templates with `{epoch:02d}`, `{val_loss:.2f}`, `{accuracy:.3f}`; `{batch}` with
    save_freq=2 (counted across epochs); save_best_only on val_loss (min) and on accuracy
    (max, a tie is no improvement); initial_value_threshold."""
    history, _, saved = run(tmp_path, name)
    for key, values in FILES[name]["history"].items():
        assert history.history[key] == pytest.approx(values, rel=2e-6), key
    assert saved == FILES[name]["saved"]
    assert sorted(os.listdir(tmp_path)) == FILES[name]["final_listing"]


def test_a_weights_checkpoint_loads_back(tmp_path):
    _, seen, _ = run(tmp_path, "template")
    for i, name in enumerate(FILES["template"]["saved"]):
        fresh = golden_model()
        fresh.load_weights(str(tmp_path / name))
        for got, want in zip(fresh.get_weights(), seen.weights[i]):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("extension", [".keras", ".h5"])
def test_save_best_only_keeps_the_best_epochs_model(tmp_path, extension):
    history, seen, _ = run(tmp_path, "best_only", filepath="best" + extension)
    best = int(np.argmin(history.history["val_loss"]))
    assert os.listdir(tmp_path) == ["best" + extension]
    loaded = load_model(str(tmp_path / ("best" + extension)))
    for got, want in zip(loaded.get_weights(), seen.weights[best]):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(loaded.predict(X, verbose=0),
                               _predict_with(seen.weights[best]), rtol=1e-6)


def _predict_with(weights):
    model = golden_model()
    model.set_weights(weights)
    return model.predict(X, verbose=0)


def test_verbose_messages(tmp_path, capsys):
    run(tmp_path, "best_only", filepath="b.keras", verbose=1)
    out = capsys.readouterr().out
    path = tmp_path / "b.keras"
    assert f"\nEpoch 1: val_loss improved from None to 1.13292, saving model to {path}" in out
    assert f"\nEpoch 1: finished saving model to {path}" in out
    assert "\nEpoch 3: val_loss did not improve from 1.11800" in out


def test_a_missing_monitor_saves_anyway_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="Can save best model only with val_auc available."):
        run(tmp_path, "best_only", filepath="b.keras", monitor="val_auc", mode="max")
    assert os.listdir(tmp_path) == ["b.keras"]


def test_a_template_key_missing_from_the_logs(tmp_path):
    with pytest.raises(KeyError, match=r"Failed to format this callback filepath: .*"
                       r"m-\{val_auc\}\.keras.*Reason: .*val_auc.* is not a log key"):
        run(tmp_path, "best_only", filepath="m-{val_auc}.keras", save_best_only=False)


@pytest.mark.parametrize("kwargs, message", [
    ({"filepath": "m.weights.h5"}, "pass `save_weights_only=True`"),
    ({"filepath": "m.ckpt"}, "must end in `.keras`"),
    ({"filepath": "m.keras", "save_weights_only": True}, "must end in `.weights.h5`"),
    ({"filepath": "m.keras", "save_freq": "batch"}, "Unrecognized save_freq: batch"),
    ({"filepath": "m.keras", "save_freq": 0}, "Unrecognized save_freq: 0"),
])
def test_arguments_are_checked_when_created(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ModelCheckpoint(**kwargs)


def test_keras2_spellings_are_accepted(tmp_path):
    # tf.keras 2 course code: `.hdf5` files, weights in `.h5`, `period=`.
    ModelCheckpoint(str(tmp_path / "w.hdf5"), save_weights_only=True)
    with pytest.warns(DeprecationWarning, match="`period` is deprecated"):
        cb = ModelCheckpoint(str(tmp_path / "m.{epoch}.h5"), period=2)
    golden_model().fit(X, Y, epochs=4, batch_size=6, verbose=0, callbacks=[cb])
    assert sorted(os.listdir(tmp_path)) == ["m.2.h5", "m.4.h5"]


def test_a_directory_as_filepath_is_refused(tmp_path):
    (tmp_path / "m.keras").mkdir()
    with pytest.raises(IsADirectoryError, match="non-directory filepath"):
        golden_model().fit(X, Y, epochs=1, verbose=0,
                           callbacks=[ModelCheckpoint(str(tmp_path / "m.keras"))])


def test_missing_directories_are_created(tmp_path):
    path = tmp_path / "runs" / "{epoch}" / "m.weights.h5"
    golden_model().fit(X, Y, epochs=2, verbose=0,
                       callbacks=[ModelCheckpoint(str(path), save_weights_only=True)])
    assert (tmp_path / "runs" / "2" / "m.weights.h5").exists()
