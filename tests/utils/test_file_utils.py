"""get_file tests. None of them touches the network: origins are file:// URLs
of temporary files, or urllib / _fetch is monkeypatched."""

import hashlib
import io
import os
import tarfile
import urllib.error
import urllib.request
import zipfile

import pytest

from minikeras.utils import get_file
from minikeras.utils import file_utils
from minikeras.utils.file_utils import DownloadError

PAYLOAD = b"minikeras test payload\n" * 100


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh KERAS_HOME; returns its path."""
    keras_home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    return keras_home


@pytest.fixture
def origin(tmp_path):
    """A file:// URL serving PAYLOAD, as `remote/payload.bin`."""
    remote = tmp_path / "remote"
    remote.mkdir()
    src = remote / "payload.bin"
    src.write_bytes(PAYLOAD)
    return src.as_uri()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def no_download(*args, **kwargs):
    raise AssertionError("get_file tried to download")


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir())


def test_downloads_into_keras_home_datasets(home, origin):
    path = get_file("data.bin", origin=origin, file_hash=sha256(PAYLOAD))
    assert path == str(home / "datasets" / "data.bin")
    assert open(path, "rb").read() == PAYLOAD
    assert leftovers(home / "datasets") == ["data.bin"]


def test_default_cache_is_dot_keras_in_home(tmp_path, monkeypatch, origin):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    path = get_file("data.bin", origin=origin)
    assert path == str(tmp_path / ".keras" / "datasets" / "data.bin")


def test_cache_dir_and_subdir_arguments(tmp_path, home, origin):
    path = get_file("d.bin", origin=origin, cache_dir=tmp_path / "c", cache_subdir="x")
    assert path == str(tmp_path / "c" / "x" / "d.bin")


def test_unwritable_cache_falls_back_to_tmp_keras(tmp_path, home, origin, monkeypatch):
    monkeypatch.setattr(file_utils, "_writable_dir", lambda path: False)
    monkeypatch.setattr(file_utils, "_tmp_home", lambda: str(tmp_path / "tmp_keras"))
    path = get_file("data.bin", origin=origin)
    assert path == str(tmp_path / "tmp_keras" / "datasets" / "data.bin")


def test_read_only_cache_holding_the_file_is_used(home, monkeypatch):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"placed by hand")
    monkeypatch.setattr(file_utils, "_writable_dir", lambda path: False)
    monkeypatch.setattr(file_utils, "_fetch", no_download)
    path = get_file("data.bin", origin="https://example.invalid/data.bin")
    assert path == str(home / "datasets" / "data.bin")


def test_fname_defaults_to_the_url_basename(home, origin):
    assert get_file(origin=origin) == str(home / "datasets" / "payload.bin")


def test_origin_is_required(home):
    with pytest.raises(ValueError, match="origin"):
        get_file("x.bin")


def test_cached_file_is_used_without_download(home, monkeypatch):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"placed by hand")
    monkeypatch.setattr(file_utils, "_fetch", no_download)
    path = get_file("data.bin", origin="https://example.invalid/data.bin")
    assert open(path, "rb").read() == b"placed by hand"


def test_cached_file_not_verified_when_verify_cache_is_false(home, monkeypatch):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"same arrays, other bytes")
    monkeypatch.setattr(file_utils, "_fetch", no_download)
    path = get_file(
        "data.bin",
        origin="https://example.invalid/data.bin",
        file_hash=sha256(PAYLOAD),
        verify_cache=False,
    )
    assert open(path, "rb").read() == b"same arrays, other bytes"


def test_mismatching_cached_file_is_downloaded_again_by_default(home, origin, capsys):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"stale")
    path = get_file("data.bin", origin=origin, file_hash=sha256(PAYLOAD))
    assert open(path, "rb").read() == PAYLOAD
    assert "does not match" in capsys.readouterr().out


def test_force_download(home, origin):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"old")
    path = get_file("data.bin", origin=origin, force_download=True)
    assert open(path, "rb").read() == PAYLOAD


@pytest.mark.parametrize(
    "kwargs",
    [
        {"file_hash": hashlib.md5(PAYLOAD).hexdigest()},
        {"md5_hash": hashlib.md5(PAYLOAD).hexdigest()},
        {"file_hash": sha256(PAYLOAD).upper(), "hash_algorithm": "sha256"},
    ],
)
def test_md5_and_explicit_algorithms(home, origin, kwargs):
    assert open(get_file("d.bin", origin=origin, **kwargs), "rb").read() == PAYLOAD


def test_hash_mismatch_leaves_no_file(home, origin):
    with pytest.raises(ValueError, match="corrupted") as info:
        get_file("data.bin", origin=origin, file_hash="0" * 64)
    assert sha256(PAYLOAD) in str(info.value)  # the hash actually received
    assert leftovers(home / "datasets") == []


def test_interrupted_download_leaves_no_partial_file(home, monkeypatch):
    def half_then_fail(origin, out):
        out.write(PAYLOAD[:10])
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(file_utils, "_fetch", half_then_fail)
    with pytest.raises(DownloadError, match="connection reset"):
        get_file("data.bin", origin="https://example.invalid/data.bin")
    assert leftovers(home / "datasets") == []


def test_keyboard_interrupt_leaves_no_partial_file(home, monkeypatch):
    def interrupted(origin, out):
        out.write(PAYLOAD[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(file_utils, "_fetch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        get_file("data.bin", origin="https://example.invalid/data.bin")
    assert leftovers(home / "datasets") == []


def test_truncated_response_is_an_error(home, monkeypatch):
    class ShortResponse(io.BytesIO):
        headers = {"Content-Length": str(len(PAYLOAD))}

    monkeypatch.setattr(
        urllib.request, "urlopen", lambda url: ShortResponse(PAYLOAD[:50])
    )
    with pytest.raises(DownloadError, match=f"50 of {len(PAYLOAD)} bytes"):
        get_file("data.bin", origin="https://example.invalid/data.bin")
    assert leftovers(home / "datasets") == []


def test_offline_error_names_the_url_and_where_to_place_the_file(home, monkeypatch):
    def offline(url):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    url = "https://example.invalid/files/data.bin"
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", origin=url)
    message = str(info.value)
    assert url in message
    assert "name resolution" in message
    assert str(home / "datasets" / "data.bin") in message
    assert isinstance(info.value, OSError)
    assert leftovers(home / "datasets") == []


def test_http_error_message(home, monkeypatch):
    def not_found(url):
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)

    monkeypatch.setattr(urllib.request, "urlopen", not_found)
    with pytest.raises(DownloadError, match="HTTP 404 Not Found"):
        get_file("data.bin", origin="https://example.invalid/data.bin")


def test_missing_file_url(home, tmp_path):
    with pytest.raises(DownloadError, match="place it at"):
        get_file("x.bin", origin=(tmp_path / "missing.bin").as_uri())


def test_fname_with_a_path_is_joined_like_tf_keras_2(tmp_path, home, origin):
    target = tmp_path / "elsewhere" / "data.bin"
    assert get_file(str(target), origin=origin) == str(target)
    assert target.read_bytes() == PAYLOAD


# --- archives -------------------------------------------------------------


def make_tar(path, members):
    """members: name -> bytes, or (type, linkname) for links."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = content
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


def test_extract_tar_gz_keras_3_layout(tmp_path, home):
    archive = make_tar(tmp_path / "photos.tar.gz", {"photos/a.txt": b"A"})
    path = get_file("photos.tar.gz", origin=archive.as_uri(), extract=True)
    assert path == str(home / "datasets" / "photos_extracted")
    assert (home / "datasets" / "photos_extracted" / "photos" / "a.txt").read_bytes() == b"A"
    assert leftovers(home / "datasets") == ["photos.tar.gz", "photos_extracted"]


def test_extract_zip_without_fname(tmp_path, home):
    archive = make_zip(tmp_path / "pack.zip", {"pack/b.txt": b"B"})
    path = get_file(origin=archive.as_uri(), extract=True)
    # Keras 3: named after the URL, the archive kept as <name>_archive.
    assert path == str(home / "datasets" / "pack.zip")
    assert (home / "datasets" / "pack.zip" / "pack" / "b.txt").read_bytes() == b"B"
    assert (home / "datasets" / "pack.zip_archive").exists()


def test_extract_uses_the_cache_offline(tmp_path, home, monkeypatch):
    archive = make_tar(tmp_path / "photos.tar.gz", {"photos/a.txt": b"A"})
    get_file("photos.tar.gz", origin=archive.as_uri(), extract=True)
    monkeypatch.setattr(file_utils, "_fetch", no_download)
    path = get_file("photos.tar.gz", origin=archive.as_uri(), extract=True)
    assert os.path.isdir(path)


def test_untar_tf_keras_2_layout(tmp_path, home):
    archive = make_tar(tmp_path / "src.tar.gz", {"aclImdb/readme": b"R"})
    path = get_file("aclImdb", origin=archive.as_uri(), untar=True)
    assert path == str(home / "datasets" / "aclImdb")
    assert (home / "datasets" / "aclImdb" / "readme").read_bytes() == b"R"
    assert (home / "datasets" / "aclImdb.tar.gz").exists()


@pytest.mark.parametrize(
    "members",
    [
        {"ok.txt": b"x", "../evil.txt": b"x"},
        {"/tmp/evil.txt": b"x"},
        {"a/../../evil.txt": b"x"},
        {"link": (tarfile.SYMTYPE, "../../outside")},
        {"link": (tarfile.SYMTYPE, "/etc/passwd")},
        {"hard": (tarfile.LNKTYPE, "../outside")},
        {"dev": (tarfile.CHRTYPE, "")},
    ],
)
def test_hostile_tar_is_refused_whole(tmp_path, home, members):
    archive = make_tar(tmp_path / "bad.tar.gz", members)
    with pytest.raises(ValueError, match="Refusing to extract"):
        get_file("bad.tar.gz", origin=archive.as_uri(), extract=True)
    assert leftovers(home / "datasets") == ["bad.tar.gz"]  # nothing extracted
    assert not (home / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "C:/evil.txt"])
def test_hostile_zip_is_refused_whole(tmp_path, home, name):
    archive = make_zip(tmp_path / "bad.zip", {"ok.txt": b"x", name: b"x"})
    with pytest.raises(ValueError, match="Refusing to extract"):
        get_file("bad.zip", origin=archive.as_uri(), extract=True)
    assert leftovers(home / "datasets") == ["bad.zip"]


def test_symlink_inside_the_archive_is_allowed(tmp_path, home):
    archive = make_tar(
        tmp_path / "l.tar.gz", {"d/f.txt": b"F", "d/link": (tarfile.SYMTYPE, "f.txt")}
    )
    path = get_file("l.tar.gz", origin=archive.as_uri(), extract=True)
    assert open(os.path.join(path, "d", "link"), "rb").read() == b"F"
