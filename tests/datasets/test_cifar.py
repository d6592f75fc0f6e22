"""cifar10 / cifar100 on tiny archives written in the real format (Python 2 pickled batches).

The pixel layout is derived by hand: row `k` of a batch's `data` holds image k's 1024 red, then
1024 green, then 1024 blue values, each plane row by row, so `data[k, c*1024 + i*32 + j]` is
pixel (i, j) of channel c, which Keras returns at `x[k, i, j, c]` (channels_last).
"""

import os

import numpy as np
import pytest

from minikeras import config
from minikeras.datasets import cifar10, cifar100
from minikeras.utils.file_utils import DownloadError
from tests.datasets.cache_files import cifar_batch, py2_pickle, write_tar_gz


def batch_data(n, offset):
    data = np.zeros((n, 3072), dtype=np.uint8)
    for k in range(n):
        data[k] = (np.arange(3072) * 7 + 13 * k + offset) % 256
    return data


def cifar10_members(sizes=(2, 1, 3, 2, 2), n_test=3):
    members, expected = {}, {"x": [], "y": []}
    for i, n in enumerate(sizes, start=1):
        data, labels = batch_data(n, 31 * i), [(i + k) % 10 for k in range(n)]
        members[f"data_batch_{i}"] = cifar_batch(data, labels)
        expected["x"].append(data)
        expected["y"] += labels
    test_data, test_labels = batch_data(n_test, 5), [9, 0, 4][:n_test]
    members["test_batch"] = cifar_batch(test_data, test_labels)
    members["batches.meta"] = py2_pickle({b"label_names": [b"airplane"] * 10})
    return members, np.concatenate(expected["x"]), expected["y"], test_data, test_labels


def test_pixel_layout_by_hand():
    data = batch_data(1, 0)
    x = data.reshape(1, 3, 32, 32).transpose(0, 2, 3, 1)
    assert x[0, 2, 5, 1] == data[0, 1 * 1024 + 2 * 32 + 5] == (1 * 1024 + 69) * 7 % 256


def test_cifar10_from_the_keras3_archive(cache):
    members, x, y, x_test, y_test = cifar10_members()
    write_tar_gz(cache / "cifar-10-batches-py-target_archive", "cifar-10-batches-py", members)
    (xa, ya), (xb, yb) = cifar10.load_data()
    assert xa.shape == (10, 32, 32, 3) and xb.shape == (3, 32, 32, 3)
    assert xa.dtype == ya.dtype == xb.dtype == yb.dtype == np.uint8
    assert ya.shape == (10, 1) and yb.shape == (3, 1)
    for k in range(10):
        for c, i, j in ((0, 0, 0), (1, 2, 5), (2, 31, 30)):
            assert xa[k, i, j, c] == x[k, c * 1024 + i * 32 + j]
    assert ya[:, 0].tolist() == y and yb[:, 0].tolist() == y_test
    np.testing.assert_array_equal(xb, x_test.reshape(3, 3, 32, 32).transpose(0, 2, 3, 1))
    assert os.path.isdir(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py")


def test_channels_first_keeps_the_stored_layout(cache, monkeypatch):
    members, x, *_ = cifar10_members()
    write_tar_gz(cache / "cifar-10-batches-py-target_archive", "cifar-10-batches-py", members)
    monkeypatch.setattr(config, "image_data_format", lambda: "channels_first")
    (xa, _), _ = cifar10.load_data()
    assert xa.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(xa, x.reshape(10, 3, 32, 32))


@pytest.mark.parametrize("layout", ["keras2_extracted", "keras2_archive", "keras3_extracted"])
def test_other_cache_layouts_are_found_offline(cache, layout):
    members, x, y, *_ = cifar10_members()
    if layout == "keras2_archive":  # tf.keras 2: get_file(..., untar=True)
        write_tar_gz(cache / "cifar-10-batches-py.tar.gz", "cifar-10-batches-py", members)
    else:
        folder = cache / ("cifar-10-batches-py-target/cifar-10-batches-py"
                          if layout == "keras3_extracted" else "cifar-10-batches-py")
        folder.mkdir(parents=True)
        for name, data in members.items():
            (folder / name).write_bytes(data)
    (xa, ya), _ = cifar10.load_data()
    assert xa[3, 1, 2, 0] == x[3, 34] and ya[:, 0].tolist() == y


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_label_modes(cache, label_mode):
    fine, coarse = [17, 99, 0, 45], [3, 19, 0, 11]
    data = batch_data(4, 3)
    extra = {b"coarse_labels": coarse}
    members = {"train": cifar_batch(data, fine, "fine_labels", extra),
               "test": cifar_batch(data[:2], fine[:2], "fine_labels",
                                   {b"coarse_labels": coarse[:2]}),
               "meta": py2_pickle({b"fine_label_names": [], b"coarse_label_names": []})}
    write_tar_gz(cache / "cifar-100-python-target_archive", "cifar-100-python", members)
    (xa, ya), (xb, yb) = cifar100.load_data(label_mode=label_mode)
    labels = fine if label_mode == "fine" else coarse
    assert ya.dtype == yb.dtype == np.int64  # Keras leaves CIFAR-100's labels int64
    assert ya.shape == (4, 1) and ya[:, 0].tolist() == labels and yb[:, 0].tolist() == labels[:2]
    assert xa.shape == (4, 32, 32, 3) and xa[2, 31, 0, 2] == data[2, 2048 + 31 * 32]


def test_cifar100_label_mode_is_checked(cache):
    with pytest.raises(ValueError, match=r'`label_mode` must be one of `"fine"`, `"coarse"`. '
                                         r"Received: label_mode='medium'"):
        cifar100.load_data(label_mode="medium")


def test_offline_message_names_the_url_the_archive_and_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    from minikeras.utils import file_utils

    def offline(origin, out):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(file_utils, "_fetch", offline)
    with pytest.raises(DownloadError) as info:
        cifar10.load_data()
    message = str(info.value)
    assert cifar10.ORIGIN in message
    assert str(tmp_path / "datasets" / "cifar-10-batches-py-target_archive") in message
    assert str(tmp_path / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py") \
        in message


class Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_a_batch_that_would_run_code_is_refused(cache, monkeypatch):
    members, *_ = cifar10_members()
    members["data_batch_3"] = py2_pickle({b"data": Boom()})
    write_tar_gz(cache / "cifar-10-batches-py-target_archive", "cifar-10-batches-py", members)
    ran = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd))
    with pytest.raises(ValueError, match="refusing to load `posix.system`") as info:
        cifar10.load_data()
    assert "data_batch_3" in str(info.value) and ran == []


def test_a_batch_with_wrong_contents_is_named(cache):
    members, *_ = cifar10_members()
    members["test_batch"] = cifar_batch(np.zeros((2, 100)), [1, 2])
    write_tar_gz(cache / "cifar-10-batches-py-target_archive", "cifar-10-batches-py", members)
    with pytest.raises(ValueError, match=r"test_batch is not a valid CIFAR-10 batch: expected "
                                         r"uint8 data of shape \(n, 3072\)"):
        cifar10.load_data()


def test_a_folder_missing_a_batch_is_reported(cache):
    members, *_ = cifar10_members()
    del members["data_batch_5"]
    write_tar_gz(cache / "cifar-10-batches-py-target_archive", "cifar-10-batches-py", members)
    with pytest.raises(ValueError, match=r"lacks the files \['data_batch_5'\]"):
        cifar10.load_data()
