"""`atomic_write`: write a file so that readers see the old file or the new one, never a part.

The new content goes to a temporary file in the target's own directory (a rename is atomic only
within one file system), is flushed to disk, and then replaces the target with one `os.replace`.
A process killed mid-write (even by SIGKILL) leaves the previous file intact; only a stray
`.<name>.*.tmp` file may remain next to it. Downloads (`get_file`) and saved models use it.
"""

import contextlib
import os
import secrets


@contextlib.contextmanager
def atomic_write(path, suffix=".tmp"):
    """Yields a temporary path next to `path`; a clean exit from the block moves it to `path`.

    Write and close the temporary file inside the block. If the block raises (or is
    interrupted), the temporary file is removed and `path` is left as it was.

    Args:
        path: the file to (re)place. Its directory must exist.
        suffix: the temporary file's suffix (default `'.tmp'`).

    Raises:
        OSError: of the same type (`PermissionError`, `FileNotFoundError`...) as the failure,
            naming `path`, when the directory cannot hold the temporary file.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp_path = _create_temporary(path, directory, suffix)
    try:
        yield tmp_path
        _fsync_path(tmp_path)
        with contextlib.suppress(OSError):  # keep the permissions of the file replaced
            os.chmod(tmp_path, os.stat(path).st_mode & 0o7777)
        os.replace(tmp_path, path)
    except BaseException:  # KeyboardInterrupt too: never leave a partial file behind
        with contextlib.suppress(OSError):
            os.remove(tmp_path)
        raise
    _fsync_directory(directory)


def _create_temporary(path, directory, suffix):
    """Creates an empty, new temporary file next to `path` and returns its path.

    Created with mode 0o666 minus the umask, as `open(path, 'w')` would create `path` itself
    (`tempfile.mkstemp` would make it readable by its owner only).
    """
    for _ in range(100):
        tmp_path = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(4)}"
                                           f"{suffix}")
        try:
            fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            reason = e.strerror or type(e).__name__
            raise type(e)(e.errno, f"Cannot write {path}: {reason} (a temporary file in "
                                   f"{directory} could not be created)") from None
        os.close(fd)
        return tmp_path
    raise FileExistsError(f"Cannot write {path}: no free temporary file name in {directory}.")


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
