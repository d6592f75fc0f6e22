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
    killed_midway = rounds_that_left_a_file = 0
    # Kills land at random moments: go on until both cases were seen (a kill inside a save,
    # and one that left a temporary file: a `.keras` archive is written in a short burst at
    # the end of its save, so few kills catch it), within a bound.
    for round_ in range(40):
        if round_ >= 8 and killed_midway >= 4 and rounds_that_left_a_file >= 1:
            break
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
        marks = os.read(read_end, 1)  # the first save has begun (a loaded machine forks slowly)
        time.sleep(rng.uniform(0.005, 0.15))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(read_end, 4096):
            marks += chunk
        os.close(read_end)
        killed_midway += marks.endswith(b"b")
        assert _saved_version(path) in (1.0, 2.0, 3.0), round_
        # Each save removed the temporary files of the children killed before: at most the
        # last child's is left (before this was fixed, 60 kills left 45 files, 642 MiB).
        left = _leftovers(tmp_path, name)
        assert len(left) <= 1, (round_, left)
        rounds_that_left_a_file += bool(left)
    assert killed_midway >= 4  # most kills land inside a save: the test exercised that case
    assert rounds_that_left_a_file >= 1
    save(models[0])  # the next save removes what the last killed child left
    assert sorted(os.listdir(tmp_path)) == [name]
    assert _saved_version(path) == 1.0


# ---------------------------------------------------------------------------- leftovers
def _temporary_name(name, pid, host=None, token="0123abcd", suffix=".tmp"):
    from minikeras.utils import atomic_write as module

    return f".{name}.{host or module._HOST}-{pid}.{token}{suffix}"


def _dead_pid():
    """The pid of a child that has exited and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks children")
def test_only_the_temporaries_of_writers_that_are_gone_are_removed(tmp_path):
    """Removed: a dead process's, and this process's own outside a running save (a killed
    process whose pid this one reuses). Kept: a live process's, another host's, another
    target's and another suffix's."""
    target = tmp_path / "model.h5"
    target.write_bytes(b"old")
    dead = _dead_pid()
    gone = [_temporary_name("model.h5", dead), _temporary_name("model.h5", os.getpid())]
    kept = [_temporary_name("model.h5", os.getppid()),                 # alive
            _temporary_name("model.h5", dead, host="feedf00d"),        # another host
            _temporary_name("other.h5", dead),                         # another target
            _temporary_name("model.h5", dead, suffix=".part"),         # another kind of write
            ".model.h5.0123abcd.tmp",                                  # no writer in the name
            "model.h5.bak"]
    for name in gone + kept:
        (tmp_path / name).write_bytes(b"x" * 100)
    with atomic_write(target) as tmp:
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert sorted(os.listdir(tmp_path)) == sorted(kept + ["model.h5"])
    assert target.read_bytes() == b"new"


def test_a_save_in_another_thread_keeps_the_temporary_a_live_save_is_writing(tmp_path):
    """Two saves of one target in one process (same pid in both names): the second does not
    take the first's temporary file for a leftover."""
    import threading

    target = tmp_path / "model.h5"
    with atomic_write(target) as first:
        with open(first, "wb") as f:
            f.write(b"first")

        def second_save():
            with atomic_write(target) as tmp:
                with open(tmp, "wb") as f:
                    f.write(b"second")

        thread = threading.Thread(target=second_save)
        thread.start()
        thread.join()
        assert target.read_bytes() == b"second"
        assert os.path.exists(first)
    assert target.read_bytes() == b"first"
    assert sorted(os.listdir(tmp_path)) == ["model.h5"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a child")
def test_a_save_in_another_process_keeps_the_temporary_a_live_save_is_writing(tmp_path):
    target = tmp_path / "model.h5"
    started_r, started_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: starts a save, waits in the middle of it, then finishes it
        status = 1
        try:
            with atomic_write(target) as tmp:
                with open(tmp, "wb") as f:
                    f.write(b"child")
                os.write(started_w, tmp.encode())
                os.read(go_r, 1)
            status = 0
        finally:
            os._exit(status)
    try:
        child_tmp = os.read(started_r, 4096).decode()
        with atomic_write(target) as tmp:  # the parent saves meanwhile
            with open(tmp, "wb") as f:
                f.write(b"parent")
        assert target.read_bytes() == b"parent"
        assert os.path.exists(child_tmp)
        assert str(os.getpid()) not in child_tmp and str(pid) in child_tmp
    finally:
        os.write(go_w, b"g")
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0  # the child's rename found its file
    assert target.read_bytes() == b"child"
    assert sorted(os.listdir(tmp_path)) == ["model.h5"]
    for fd in (started_r, started_w, go_r, go_w):
        os.close(fd)


# ---------------------------------------------------------------------------- symbolic links
@pytest.mark.parametrize("relative", [False, True])
def test_a_symbolic_link_is_written_through_and_kept(tmp_path, relative):
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    real = b / "model.h5"
    real.write_bytes(b"old")
    os.chmod(real, 0o640)
    link = a / "link.h5"
    os.symlink(os.path.join("..", "B", "model.h5") if relative else real, link)
    with atomic_write(link) as tmp:
        assert os.path.dirname(tmp) == str(b)  # the rename stays in the target's directory
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert os.path.islink(link) and os.readlink(link) == (
        os.path.join("..", "B", "model.h5") if relative else str(real))
    assert real.read_bytes() == b"new" and link.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert os.listdir(a) == ["link.h5"] and os.listdir(b) == ["model.h5"]


def test_a_chain_of_links_and_a_dangling_link_are_followed(tmp_path):
    real = tmp_path / "B" / "model.h5"
    real.parent.mkdir()
    os.symlink(real, tmp_path / "first.h5")          # dangling: the save creates its target
    os.symlink(tmp_path / "first.h5", tmp_path / "second.h5")
    with atomic_write(tmp_path / "second.h5") as tmp:
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert real.read_bytes() == b"new"
    assert os.path.islink(tmp_path / "first.h5") and os.path.islink(tmp_path / "second.h5")


def test_a_loop_of_links_gets_an_error_naming_the_path(tmp_path):
    os.symlink(tmp_path / "b.h5", tmp_path / "a.h5")
    os.symlink(tmp_path / "a.h5", tmp_path / "b.h5")
    with pytest.raises(OSError, match=f"Cannot write {tmp_path / 'a.h5'}: too many levels"):
        with atomic_write(tmp_path / "a.h5"):
            pass


@pytest.mark.parametrize("name", ["model.h5", "model.keras", "model.weights.h5"])
def test_saving_a_model_to_a_symbolic_link_writes_its_target(tmp_path, name):
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    models = [_versioned_model(v) for v in (1, 2)]
    save = (lambda m, p: m.save_weights(p)) if "weights" in name else (lambda m, p: m.save(p))
    save(models[0], b / name)
    os.symlink(b / name, a / name)
    save(models[1], a / name)
    assert os.path.islink(a / name)
    assert _saved_version(str(b / name)) == 2.0
    assert os.listdir(a) == [name] and os.listdir(b) == [name]


# ---------------------------------------------------------------------------- read-only directory
def _as_unprivileged_user(function):
    """Runs `function()` as an ordinary user: in this process, or as root in a forked child
    that drops to `nobody` (root ignores directory permissions). Returns the message of the
    exception it raised, prefixed by its type name, or None."""
    def run():
        try:
            function()
        except Exception as e:  # noqa: BLE001 - reported to the parent
            return f"{type(e).__name__}: {e}"
        return None

    if os.geteuid() != 0:
        return run()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, (run() or "").encode())
        finally:
            os._exit(0)
    os.close(write_end)
    message = b""
    while chunk := os.read(read_end, 65536):
        message += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    return message.decode() or None


@pytest.mark.skipif(not hasattr(os, "geteuid") or not hasattr(os, "fork"),
                    reason="POSIX permissions")
@pytest.mark.parametrize("name", ["model.h5", "model.keras", "model.weights.h5"])
def test_a_read_only_directory_gets_an_error_saying_why_a_file_is_created_there(name):
    """A real read-only directory (as root, the save runs as `nobody`): the error names the
    target and says that an atomic save creates a temporary file in that directory."""
    import shutil
    import tempfile

    model = _versioned_model(1)
    directory = tempfile.mkdtemp()  # in the system's temporary directory: `nobody` reaches it
    try:
        path = os.path.join(directory, name)
        (model.save_weights if "weights" in name else model.save)(path)
        before = open(path, "rb").read()
        os.chmod(path, 0o666)  # the file itself is writable; the directory is not
        os.chmod(directory, 0o555)
        save = model.save_weights if "weights" in name else model.save
        parent = os.path.dirname(directory)
        while os.geteuid() == 0 and parent != os.path.dirname(parent):
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                pytest.skip(f"`nobody` cannot reach {directory}")
            parent = os.path.dirname(parent)
        message = _as_unprivileged_user(lambda: save(path))
        assert message is not None and message.startswith("PermissionError")
        assert f"Cannot write {path}: Permission denied. An atomic save first writes a " \
               f"temporary file in the directory {directory} and then renames it over " \
               f"'{name}', so it needs permission to create files in that directory." in message
        assert open(path, "rb").read() == before
        assert os.listdir(directory) == [name]
    finally:
        os.chmod(directory, 0o755)
        shutil.rmtree(directory)
