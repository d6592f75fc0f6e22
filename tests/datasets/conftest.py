"""A temporary Keras cache for the dataset tests, with downloads forbidden."""

import pytest

from minikeras.utils import file_utils


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """`$KERAS_HOME/datasets` in a temporary KERAS_HOME; any download attempt fails the test."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    directory = tmp_path / "keras_home" / "datasets"
    directory.mkdir(parents=True)

    def no_download(*args, **kwargs):
        raise AssertionError("a dataset loader tried to download")

    monkeypatch.setattr(file_utils, "_fetch", no_download)
    return directory
