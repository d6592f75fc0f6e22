"""Atomic writes: the helper every saver and `get_file` use, and a save killed half-way."""

import os
import stat

import numpy as np
import pytest

from minikeras.utils.atomic_write import atomic_write


def _leftovers(directory, name):
    return [f for f in os.listdir(directory) if f.startswith(f".{name}.")]


def test_clean_exit_replaces_the_file(tmp_path):
    target = tmp_path / "model.h5"
    target.write_bytes(b"old")
    with atomic_write(target) as tmp:
        assert os.path.dirname(tmp) == str(tmp_path)  # same directory: the rename is atomic
        assert target.read_bytes() == b"old"
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert target.read_bytes() == b"new"
    assert _leftovers(tmp_path, "model.h5") == []


def test_an_error_in_the_block_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "model.h5"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_write(target) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"half")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, "model.h5") == []


def test_new_file_gets_the_umask_default_and_a_replaced_file_keeps_its_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        new = tmp_path / "new.h5"
        with atomic_write(new) as tmp:
            open(tmp, "wb").close()
        assert stat.S_IMODE(os.stat(new).st_mode) == 0o644
        old = tmp_path / "old.h5"
        old.write_bytes(b"x")
        os.chmod(old, 0o600)
        with atomic_write(old) as tmp:
            open(tmp, "wb").close()
        assert stat.S_IMODE(os.stat(old).st_mode) == 0o600
    finally:
        os.umask(umask)


def test_a_directory_that_refuses_files_gets_an_error_naming_the_target(tmp_path, monkeypatch):
    real_open = os.open

    def refuse(path, *args, **kwargs):  # what a read-only directory does (root ignores chmod)
        if os.path.dirname(os.fspath(path)) == str(tmp_path):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    target = tmp_path / "model.h5"
    with pytest.raises(PermissionError, match=f"Cannot write {target}: Permission denied"):
        with atomic_write(target):
            pass
    assert not target.exists()


def test_a_missing_directory_gets_an_error_naming_the_target(tmp_path):
    target = tmp_path / "nowhere" / "model.h5"
    with pytest.raises(FileNotFoundError, match="Cannot write .*nowhere/model.h5"):
        with atomic_write(target):
            pass


# ---------------------------------------------------------------------------- killed saves
def _versioned_model(version):
    """A model of ~0.5 M weights (a save takes tens of milliseconds), every weight `version`."""
    import minikeras as keras

    model = keras.Sequential([keras.Input((256,)), keras.layers.Dense(1024),
                              keras.layers.Dense(256), keras.layers.Dense(4)])
    model.compile(optimizer="adam", loss="mse")
    model.set_weights([np.full(w.shape, version, "float32") for w in model.get_weights()])
    return model


def _saved_version(path):
    import minikeras as keras

    if path.endswith(".weights.h5"):
        model = _versioned_model(0)
        model.load_weights(path)
    else:
        model = keras.models.load_model(path)
    values = {float(v) for w in model.get_weights() for v in np.unique(w)}
    assert len(values) == 1, f"{path} mixes versions {sorted(values)[:5]}"
    return values.pop()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked child")
@pytest.mark.parametrize("name", ["model.h5", "model.keras", "model.weights.h5"])
def test_a_save_killed_midway_leaves_the_previous_file(tmp_path, name):
    """A child saves new versions in a loop and is SIGKILLed at random moments: the file is
    always a whole version, never a mixture or a fragment."""
    import random
    import signal
    import time

    path = str(tmp_path / name)
    models = [_versioned_model(v) for v in (1, 2, 3)]
    save = (lambda m: m.save_weights(path)) if "weights" in name else (lambda m: m.save(path))
    save(models[0])
    rng = random.Random(7)
    killed_midway = 0
    for round_ in range(8):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: save version 2, 3, 2, 3... telling when each save starts
            try:
                os.close(read_end)
                for i in range(1000):
                    os.write(write_end, b"b")
                    save(models[1 + i % 2])
                    os.write(write_end, b"e")
            finally:
                os._exit(0)
        os.close(write_end)
        time.sleep(rng.uniform(0.005, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        marks = b""
        while chunk := os.read(read_end, 4096):
            marks += chunk
        os.close(read_end)
        killed_midway += marks.endswith(b"b")
        assert _saved_version(path) in (1.0, 2.0, 3.0), round_
    assert killed_midway >= 4  # most kills land inside a save: the test exercised that case
