"""`get_file`: fetch a file once into the Keras cache, verify it, reuse it offline.

The cache is Keras's own (`$KERAS_HOME` or `~/.keras`), so files downloaded by
real Keras are found here and vice versa.
"""

import hashlib
import http.client
import os
import posixpath
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from minikeras.utils.atomic_write import atomic_write
from minikeras.utils.progbar import Progbar


class DownloadError(OSError):
    """A download failed; the message says where to put the file by hand."""


def keras_home():
    """Returns `$KERAS_HOME` if set, else `~/.keras`, read at call time."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return os.path.expanduser(home)
    return os.path.join(os.path.expanduser("~"), ".keras")


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
    *,
    verify_cache=True,
):
    """Downloads a file from a URL unless it is already in the cache.

    The file lands in `<cache_dir>/<cache_subdir>/<fname>`; `cache_dir`
    defaults to `$KERAS_HOME` if set, else `~/.keras` (`/tmp/.keras` when that
    cannot be written), as in Keras. A download goes to a temporary file in
    the same directory, is checked against `file_hash`, and only then renamed
    into place, so a failed or corrupted download never leaves a file behind.

    Args:
        fname: Name of the file in the cache. `None` (Keras default) takes the
            last part of `origin`'s path. A path is joined onto the cache
            directory (tf.keras 2 accepted this; Keras 3 raises).
        origin: URL of the file.
        untar: Deprecated, tf.keras 2 behaviour kept for course code: the
            archive `<fname>.tar.gz` is extracted into the cache subdirectory
            itself and `<cache subdir>/<fname>` is returned.
        md5_hash: Deprecated alias of `file_hash` with `hash_algorithm="md5"`.
        file_hash: Expected sha256 (or md5) hex digest of the file.
        cache_subdir: Subdirectory of the cache; an absolute path is used as
            is. Keras default: `"datasets"`.
        hash_algorithm: `"sha256"`, `"md5"` or `"auto"` (Keras default: sha256
            for a 64-character hash, else md5).
        extract: Keras 3 behaviour: extract a tar or zip archive into its own
            directory (`<stem>_extracted` when `fname` has an extension, else
            `<fname>`, the archive then being `<fname>_archive`) and return
            that directory. Keras default: False.
        archive_format: `"auto"` (Keras default), `"tar"`, `"zip"`, a list of
            those, or `None`.
        cache_dir: Cache location, default `$KERAS_HOME` or `~/.keras`.
        force_download: Download even if the file is cached. Keras default:
            False.
        verify_cache: minikeras addition, keyword only. With `True` (Keras's
            behaviour) a cached file that does not match `file_hash` is
            downloaded again. With `False` the hash checks downloads only, and
            a file already in the cache is trusted: dataset loaders use this
            because a user-placed copy may hold the same arrays compressed
            differently, and must work offline.

    Returns:
        Path of the file, or of the extraction directory.

    Raises:
        DownloadError: (an `OSError`) if the download fails; the message names
            the URL and the path where the file can be placed by hand.
        ValueError: if the downloaded file does not match `file_hash`, or an
            archive has members that would land outside its directory.
    """
    if origin is None:
        raise ValueError(
            'Please specify the "origin" argument (URL of the file to '
            "download)."
        )
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    provided_fname = bool(fname)
    fname = os.fspath(fname) if fname else None
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Can't parse the file name from origin={origin!r}. "
                "Please specify the `fname` argument."
            )
    base = keras_home() if cache_dir is None else os.path.expanduser(cache_dir)

    def paths(datadir):
        # (download target, extraction directory or None) under datadir.
        if untar:
            return os.path.join(datadir, fname + ".tar.gz"), None
        if not extract:
            return os.path.join(datadir, fname), None
        if provided_fname and "." in fname:
            stem = fname[: fname.index(".")]
            return (
                os.path.join(datadir, fname),
                os.path.join(datadir, stem + "_extracted"),
            )
        return (
            os.path.join(datadir, fname + "_archive"),
            os.path.join(datadir, fname),
        )

    datadir = os.path.join(base, cache_subdir)
    if not os.path.exists(paths(datadir)[0]) and not _writable_dir(datadir):
        # Keras falls back to /tmp/.keras when the cache cannot be written;
        # a file already there (even read-only) is still used.
        datadir = os.path.join(_tmp_home(), cache_subdir)
    target, extraction_dir = paths(datadir)

    download = force_download or not os.path.exists(target)
    note = ""
    if not download and file_hash is not None and verify_cache:
        if not validate_file(target, file_hash, hash_algorithm):
            note = (
                f"The cached file {target} does not match the expected "
                f"{_algorithm_name(hash_algorithm, file_hash)} hash {file_hash}. "
            )
            print(note + "Downloading it again.", flush=True)
            download = True
    if download:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _download(origin, target, file_hash, hash_algorithm, note)

    if untar:
        # tf.keras 2: extract next to the archive unless already done.
        untar_path = os.path.join(datadir, fname)
        if download or not os.path.exists(untar_path):
            _extract_into(target, datadir, "tar")
        return untar_path
    if extract:
        if download or not os.path.exists(extraction_dir):
            found = _extract_into(target, extraction_dir, archive_format, replace=True)
            if not found:
                warnings.warn(f"Could not extract archive {target}.", stacklevel=2)
        return extraction_dir
    return target


def _tmp_home():
    tmp = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
    return os.path.join(tmp, ".keras")


def _writable_dir(path):
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _download(origin, target, file_hash, hash_algorithm, note=""):
    """Downloads `origin` to `target` through a temporary file, atomically."""
    print(f"Downloading data from {origin}", flush=True)
    with atomic_write(target, suffix=".part") as tmp_path:
        with open(tmp_path, "wb") as out:
            try:
                _fetch(origin, out)
            except (http.client.HTTPException, OSError) as e:  # URLError too
                raise DownloadError(
                    f"{note}URL fetch failure on {origin}: {_reason(e)}. If this "
                    "machine is offline, download the file elsewhere and place "
                    f"it at {target}"
                ) from e
        # Verify before the rename: a corrupted file never reaches `target`.
        if file_hash is not None:
            algorithm = _algorithm_name(hash_algorithm, file_hash)
            actual = hash_file(tmp_path, algorithm)
            if actual != file_hash.lower():
                raise ValueError(
                    f"Incomplete or corrupted file downloaded from {origin}: "
                    f"its {algorithm} hash is {actual}, expected {file_hash}. "
                    f"Nothing was written to {target}."
                )


def _fetch(origin, out):
    """Streams the bytes at `origin` into the binary file `out`, with a Progbar."""
    with urllib.request.urlopen(origin) as response:
        # file:// responses have the header but no `.length`; None if unknown.
        length = response.headers.get("Content-Length")
        total = int(length) if length else None
        progbar = Progbar(total)
        done = 0
        while chunk := response.read(1 << 16):
            out.write(chunk)
            done += len(chunk)
            progbar.update(done, finalize=False)
        progbar.update(done, finalize=True)
    if total is not None and done != total:
        raise OSError(f"connection closed after {done} of {total} bytes")


def _reason(error):
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


def _algorithm_name(algorithm, file_hash):
    if algorithm == "auto":
        return "sha256" if len(file_hash) == 64 else "md5"
    return algorithm


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Returns the hex digest of a file, `"sha256"` (default) or `"md5"`."""
    hasher = hashlib.new("md5" if algorithm == "md5" else "sha256")
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Returns whether a file matches a sha256 or md5 hex digest."""
    actual = hash_file(fpath, _algorithm_name(algorithm, file_hash), chunk_size)
    return actual == str(file_hash).lower()


def _extract_into(archive_path, path, archive_format="auto", replace=False):
    """Extracts a tar or zip archive, refusing members that escape `path`.

    The archive is unpacked into a temporary directory next to `path` first,
    so an interrupted or refused extraction leaves nothing half-written.
    With `replace` the temporary directory becomes `path`; otherwise its
    entries are moved into `path`.

    Returns:
        Whether the archive matched one of the formats.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    if isinstance(formats, str):
        formats = [formats]
    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(archive_path):
            break
        if fmt == "zip" and zipfile.is_zipfile(archive_path):
            break
        if fmt not in ("tar", "zip"):
            raise ValueError(
                f"archive_format must be 'tar' or 'zip'. Received: {fmt!r}"
            )
    else:
        return False

    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp_dir = tempfile.mkdtemp(dir=parent, prefix=".extracting.")
    try:
        if fmt == "tar":
            with tarfile.open(archive_path) as archive:
                members = archive.getmembers()
                for member in members:
                    _check_tar_member(member, archive_path)
                # Python's own "data" filter (3.11.4+) adds a second guard.
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(tmp_dir, members=members, **safe)
        else:
            with zipfile.ZipFile(archive_path) as archive:
                for name in archive.namelist():
                    _check_member_name(name, archive_path)
                archive.extractall(tmp_dir)
        if replace:
            if os.path.isdir(path):
                shutil.rmtree(path)
            os.replace(tmp_dir, path)
        else:
            os.makedirs(path, exist_ok=True)
            for entry in os.listdir(tmp_dir):
                dest = os.path.join(path, entry)
                if os.path.isdir(dest) and not os.path.islink(dest):
                    shutil.rmtree(dest)
                os.replace(os.path.join(tmp_dir, entry), dest)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return True


def _check_member_name(name, archive_path):
    """Raises ValueError for an absolute member name or one containing `..`."""
    posix = name.replace("\\", "/")
    drive = len(posix) > 1 and posix[1] == ":"  # C:/... on Windows
    if posix.startswith("/") or drive or ".." in posix.split("/"):
        raise ValueError(
            f"Refusing to extract {archive_path}: member {name!r} would be "
            "written outside the extraction directory."
        )


def _check_tar_member(member, archive_path):
    _check_member_name(member.name, archive_path)
    if member.issym() or member.islnk():
        # Symlinks resolve from the member's directory, hard links from the root.
        start = posixpath.dirname(member.name) if member.issym() else ""
        link = posixpath.normpath(posixpath.join(start, member.linkname))
        if link.startswith("/") or link == ".." or link.startswith("../"):
            raise ValueError(
                f"Refusing to extract {archive_path}: link {member.name!r} "
                f"points outside the extraction directory ({member.linkname!r})."
            )
    elif not (member.isfile() or member.isdir()):
        raise ValueError(
            f"Refusing to extract {archive_path}: member {member.name!r} is a "
            "device or fifo, not a file or directory."
        )
