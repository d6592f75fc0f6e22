"""Atomic writes: the helper every saver and `get_file` use, and a save killed half-way."""

import os
import stat

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
