"""Where the datasets live: Keras's own cache, read offline first, downloads verified.

Every loader asks `dataset_file` for its file. A file already in the cache
(`$KERAS_HOME/datasets`, default `~/.keras/datasets`, shared with real Keras) is used as it is,
with no network access and no hash check, so a copy placed there by hand works offline even if it
was compressed differently from the official one. A missing file is downloaded from Keras's URL
into a temporary file, checked against the published hash and only then renamed into place
(`minikeras.utils.file_utils.get_file`, which writes through `atomic_write`). When the download
fails, the `DownloadError` names the URL and the path where the file can be placed by hand.
"""

import os

from minikeras.utils.file_utils import DownloadError, get_file, keras_home

# Keras's bucket for the datasets it mirrors (mnist, fashion-mnist, imdb, reuters, housing...).
KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

__all__ = ["KERAS_DATASETS_URL", "DownloadError", "cache_dir", "dataset_file"]


def cache_dir(subdir="datasets"):
    """Returns `$KERAS_HOME/<subdir>` (default `~/.keras/datasets`), read at call time."""
    return os.path.join(keras_home(), subdir)


def dataset_file(fname, origin, file_hash, cache_subdir="datasets", extract=False):
    """Returns the path of a dataset file in the Keras cache, downloading it if missing.

    Args:
        fname: the file's name in the cache (Keras's own name, so both libraries share it).
        origin: Keras's download URL.
        file_hash: the sha256 (64 hex digits) or md5 (32) that a download must match.
        cache_subdir: directory under the Keras home. Keras default: `"datasets"`.
        extract: extract the downloaded archive into its own directory, as Keras 3 does, and
            return that directory.

    Raises:
        DownloadError: the file is missing and could not be downloaded; the message names
            `origin` and the path where the file can be placed by hand.
        ValueError: the download did not match `file_hash` (nothing is kept).
    """
    return get_file(fname=fname, origin=origin, file_hash=file_hash,
                    cache_subdir=cache_subdir, extract=extract, verify_cache=False)
