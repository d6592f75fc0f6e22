"""`atomic_write`: write a file so that readers see the old file or the new one, never a part.

The new content goes to a temporary file in the target's own directory (a rename is atomic only
within one file system), is flushed to disk, and then replaces the target with one `os.replace`.
A process killed mid-write (even by SIGKILL) leaves the previous file intact and a stray
temporary file next to it, which the next save to the same target removes. Downloads
(`get_file`) and saved models use it.

Temporary files are named `.<name>.<host>-<pid>.<random><suffix>`: the writer's host (a short
hash of its name) and process id say whether the writer still lives, so a save removes only
the files of writers that are gone (a process that no longer exists on this host, or this very
process outside the saves it is running) and never the file a live save is still writing, in
another process or another thread.

A target that is a symbolic link is written through: the link stays, the file it points to is
replaced (the temporary file is made in that file's directory), as Keras's savers writing
through `open(path, 'w')` do.
"""

import contextlib
import errno
import hashlib
import os
import re
import secrets
import socket
import threading

# The temporary files this process is writing now (absolute paths): a save in another thread
# must not take them for leftovers of a killed process that had the same pid.
_own_temporaries = set()
_own_lock = threading.Lock()


def _reset_after_fork():
    """A forked child writes none of its parent's files, and must not inherit a held lock."""
    global _own_lock
    _own_lock = threading.Lock()
    _own_temporaries.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


@contextlib.contextmanager
def atomic_write(path, suffix=".tmp"):
    """Yields a temporary path next to `path`; a clean exit from the block moves it to `path`.

    Write and close the temporary file inside the block. If the block raises (or is
    interrupted), the temporary file is removed and `path` is left as it was. Temporary files
    left next to `path` by saves that were killed are removed first. When `path` is a symbolic
    link, the file it points to is replaced and the link kept.

    Args:
        path: the file to (re)place. Its directory must exist.
        suffix: the temporary file's suffix (default `'.tmp'`).

    Raises:
        OSError: of the same type (`PermissionError`, `FileNotFoundError`...) as the failure,
            naming `path` and the directory, when the directory cannot hold the temporary file.
    """
    path = os.fspath(path)
    target = _link_target(path)
    directory = os.path.dirname(os.path.abspath(target))
    _remove_leftovers(target, directory, suffix)
    tmp_path = _create_temporary(path, target, directory, suffix)
    try:
        yield tmp_path
        _fsync_path(tmp_path)
        with contextlib.suppress(OSError):  # keep the permissions of the file replaced
            os.chmod(tmp_path, os.stat(target).st_mode & 0o7777)
        os.replace(tmp_path, target)
    except BaseException:  # KeyboardInterrupt too: never leave a partial file behind
        with contextlib.suppress(OSError):
            os.remove(tmp_path)
        raise
    finally:
        with _own_lock:
            _own_temporaries.discard(tmp_path)
    _fsync_directory(directory)


def _link_target(path):
    """The file `path` names once symbolic links in its last component are followed (the
    directories on the way are kept as given); `path` itself when it is not a link."""
    target = path
    for _ in range(40):  # Linux's limit on links followed (ELOOP beyond)
        if not os.path.islink(target):
            return target
        target = os.path.join(os.path.dirname(target), os.readlink(target))
    raise OSError(errno.ELOOP, f"Cannot write {path}: too many levels of symbolic links")


# ---------------------------------------------------------------------------- temporary names
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _temporary_pattern(basename, suffix):
    """Matches the temporary names of `basename`; groups: host, pid."""
    return re.compile(rf"\.{re.escape(basename)}\.([0-9a-f]{{8}})-([0-9]+)\.[0-9a-f]{{8}}"
                      rf"{re.escape(suffix)}")


def _create_temporary(path, target, directory, suffix):
    """Creates an empty, new temporary file next to `target`, registered as this process's,
    and returns its path.

    Created with mode 0o666 minus the umask, as `open(path, 'w')` would create `path` itself
    (`tempfile.mkstemp` would make it readable by its owner only).
    """
    prefix = os.path.join(directory, f".{os.path.basename(target)}.{_HOST}-{os.getpid()}.")
    for _ in range(100):
        tmp_path = f"{prefix}{secrets.token_hex(4)}{suffix}"
        with _own_lock:  # registered before it exists: another thread's cleanup keeps it
            _own_temporaries.add(tmp_path)
        try:
            fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except BaseException as e:
            with _own_lock:
                _own_temporaries.discard(tmp_path)
            if isinstance(e, FileExistsError):
                continue
            if isinstance(e, OSError):
                raise _cannot_create(e, path, target, directory) from None
            raise
        os.close(fd)
        return tmp_path
    raise FileExistsError(errno.EEXIST, f"Cannot write {path}: no free temporary file name in "
                                        f"{directory}.")


def _cannot_create(error, path, target, directory):
    """The error of a temporary file that could not be created, saying why one is needed."""
    reason = error.strerror or type(error).__name__
    what = path if target == path else f"{path} (a symbolic link to {target})"
    message = (f"Cannot write {what}: {reason}. An atomic save first writes a temporary file "
               f"in the directory {directory} and then renames it over "
               f"'{os.path.basename(target)}', so it needs permission to create files in that "
               "directory")
    if error.errno == errno.ENOENT:
        message += f" (does {directory} exist?)"
    return type(error)(error.errno, message + ".")


# ---------------------------------------------------------------------------- leftovers
def _remove_leftovers(target, directory, suffix):
    """Removes the temporary files of `target` whose writer is gone: a process of this host
    that no longer exists, or this process outside the saves it is running (a killed process
    whose pid was reused). Best effort: a file that cannot be removed stays."""
    pattern = _temporary_pattern(os.path.basename(target), suffix)
    own_pid = os.getpid()
    try:
        entries = [e.name for e in os.scandir(directory)]
    except OSError:
        return
    for name in entries:
        match = pattern.fullmatch(name)
        if match is None or match.group(1) != _HOST:
            continue  # another host's pids cannot be checked from here
        pid, leftover = int(match.group(2)), os.path.join(directory, name)
        if pid == own_pid:
            with _own_lock:  # under the lock: a thread cannot register this name meanwhile
                if leftover not in _own_temporaries:
                    _remove_file(leftover)
        elif not _process_alive(pid):
            _remove_file(leftover)


def _remove_file(path):
    with contextlib.suppress(OSError):
        if not os.path.isdir(path):
            os.remove(path)


def _process_alive(pid):
    """Whether process `pid` exists on this machine and has not exited; True when this cannot
    be told (the file is then kept)."""
    if os.name != "posix" or pid <= 0:
        return True  # os.kill(pid, 0) is not a probe on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by another user
        return True
    try:  # Linux: a zombie has exited and writes nothing more
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rfind(b")") + 2:][:1] not in (b"Z", b"X")


# ---------------------------------------------------------------------------- durability
def _fsync_path(path):
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_directory(directory):
    """Makes the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
