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


class FileSource:
    """What a loading error is about: `error(message)` makes the `ValueError` naming it.

    Args:
        path: the file's path, with the archive member when there is one (e.g.
            `"model.keras (member config.json)"`).
        what: what is being loaded (`'model'`, `'weights'`), for messages.
    """

    def __init__(self, path, what="model"):
        self.path, self.what = path, what

    def error(self, message):
        """The `ValueError` to raise about this file."""
        return ValueError(f"Cannot load {self.what} from {self.path}: {message}")
