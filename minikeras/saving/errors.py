"""The errors loading raises about the file itself, before its content is read."""

import errno
import os


class MissingFileError(FileNotFoundError, ValueError):
    """No file at the path given: an `OSError` as tf.keras 2 raises, and a `ValueError` as
    Keras 3 raises, so code written for either catches it."""


def check_readable(path):
    """Raises `MissingFileError` or `IsADirectoryError`, naming `path`, unless it is a file."""
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"Cannot load {path}: it is a directory, not a "
                                              "file")
    if not os.path.exists(path):
        raise MissingFileError(errno.ENOENT, f"No file or directory found at {path}")
