"""Keras 3's `.keras` format: a zip archive of three members.

```
metadata.json      {"keras_version": ..., "date_saved": ...}
config.json        the model's config in Keras 3's serialized form ({'module', 'class_name',
                   'config', 'registered_name', 'build_config', 'compile_config'})
model.weights.h5   the weights and optimizer state in Keras 3's layout (weights_h5.py)
```

Members are stored uncompressed, as Keras writes them. Reading streams the weights member (HDF5
reads it in place) and refuses a member that declares more bytes than the archive stores (a "zip
bomb", as Keras 3 does) or than the model it describes could fill; the config's layers may not
allocate more than the weights member holds (model_config.py).
"""

import contextlib
import datetime
import io
import json
import os
import struct
import zipfile
import zlib

from minikeras.saving import config_json, h5_io, serialization_lib, weights_h5
from minikeras.saving.errors import FileSource, check_readable
from minikeras.saving.legacy_h5 import compile_from_config
from minikeras.saving.model_config import rebuild_model
from minikeras.utils.atomic_write import atomic_write

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
# A member larger than this that also expands more than 100 times is refused (Keras 3's rule).
_BOMB_FLOOR = 1 << 32
_BOMB_RATIO = 100
# The JSON members are small (a large model's config is a few MiB); a bigger one is not a
# Keras file, and parsing it would take many times its size in memory.
_JSON_LIMIT = 1 << 26
# The weights member holds the model's weights and at most a few optimizer slots per weight
# (Adam with AMSGrad and EMA: four), plus HDF5's headers and attributes for each dataset.
_STATE_RATIO = 8
_DATASET_BYTES = 1 << 14
_SLACK = 1 << 20


# ---------------------------------------------------------------------------- writing
def save_model(model, filepath):
    """Writes `model` to a `.keras` archive, atomically."""
    config = json.dumps(keras3_config(model))
    metadata = json.dumps({"keras_version": h5_io.WRITER,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = weights_h5.to_bytes(model)
    with atomic_write(filepath) as tmp_path:
        with zipfile.ZipFile(tmp_path, "w") as archive:
            archive.writestr(METADATA, metadata)
            archive.writestr(CONFIG, config)
            archive.writestr(WEIGHTS, weights)


def keras3_config(model):
    """The model's `config.json`: Keras 3's serialized form (with its build and compile
    configs), which Keras 3 rebuilds."""
    return serialization_lib.serialize_keras_object(model)


# ---------------------------------------------------------------------------- reading
def load_model(filepath, custom_objects=None, compile=True):
    """Rebuilds the model of a `.keras` archive with its weights and (with `compile`) its
    compile arguments and optimizer state."""
    with _Archive(filepath) as archive:
        metadata = archive.json(METADATA) if archive.has(METADATA) else {}
        config = archive.json(CONFIG)
        config_source = archive.source(CONFIG)
        model = rebuild_model(config_source, config, custom_objects, archive.holds(WEIGHTS))
        archive.check_weights_fit(model)
        compiled = config.get("compile_config") if compile else None
        if compiled:
            compile_from_config(config_source, model, compiled, custom_objects)
        with archive.weights("model") as reader:
            reader.strict = metadata.get("keras_version") == h5_io.WRITER
            reader.keras_version = metadata.get("keras_version")
            weights_h5.load_state(reader, model, own_optimizer=bool(compiled))
    return model


def load_weights(model, filepath, skip_mismatch=False):
    """Loads the weights (and optimizer state) of a `.keras` archive into `model`."""
    with _Archive(filepath, config=False) as archive:
        metadata = archive.json(METADATA) if archive.has(METADATA) else {}
        with archive.weights("weights") as reader:
            reader.strict = metadata.get("keras_version") == h5_io.WRITER
            reader.keras_version = metadata.get("keras_version")
            weights_h5.load_state(reader, model, skip_mismatch)


class _Archive:
    """An open `.keras` archive whose errors name the file (and the member).

    The weights member is never read whole into memory: HDF5 reads it in place in the archive
    (`_StoredMember`), or through the decompressing stream for a compressed member.

    Raises:
        MissingFileError, IsADirectoryError, PermissionError: naming the path.
        ValueError: naming the file, when it is not a zip archive, lacks a member, or a member
            is larger than it could be, truncated or damaged.
    """

    def __init__(self, filepath, config=True):
        check_readable(filepath)
        self.path = filepath
        try:
            self.zip = zipfile.ZipFile(filepath, "r")
        except PermissionError as e:
            raise PermissionError(e.errno, f"Cannot load {filepath}: permission denied") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
            if not zipfile.is_zipfile(filepath):
                raise self.error("it is not a zip archive, as a `.keras` file must be (an `.h5` "
                                 "file renamed? a truncated copy?).") from None
            raise self.error(f"the archive is damaged ({type(e).__name__}: {e}).") from None
        names = self.zip.namelist()
        for member in ([CONFIG] if config else []) + [WEIGHTS]:
            if member not in names:
                self.zip.close()
                raise self.error(f"the archive has no member {member}; a `.keras` file holds "
                                 f"{CONFIG}, {METADATA} and {WEIGHTS}. Found: {names[:10]}.")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.zip.close()

    def error(self, reason):
        return ValueError(f"Cannot load {self.path}: {reason}")

    def source(self, member, what="model"):
        """What errors about `member` name."""
        return FileSource(f"{self.path} (member {member})", what)

    def has(self, member):
        return member in self.zip.namelist()

    def holds(self, member):
        """How many bytes `member` can hold at most: its declared size, bounded by what the
        archive stores (a compressed member expands at most `_BOMB_RATIO` times)."""
        info = self.zip.getinfo(member)
        if info.compress_type == zipfile.ZIP_STORED:
            return info.file_size
        return min(info.file_size, _BOMB_RATIO * info.compress_size)

    def json(self, member):
        """The JSON object of a config member, read whole (it is small)."""
        info = self.zip.getinfo(member)
        if info.file_size > _JSON_LIMIT:
            raise self.error(f"its member {member} is {info.file_size} bytes, too large for a "
                             f"Keras config (at most {_JSON_LIMIT}).")
        source = self.source(member)
        value = config_json.loads(self._read(member, _JSON_LIMIT), source, "it")
        if not isinstance(value, dict):
            raise source.error(f"it should hold a JSON object; found {type(value).__name__}.")
        return value

    def check_weights_fit(self, model):
        """Refuses a weights member larger than the state of `model` could fill: its weights,
        an optimizer's slots for them and HDF5's own bytes per dataset."""
        info = self.zip.getinfo(WEIGHTS)
        variables = model.weights
        room = (_STATE_RATIO * sum(v.numpy().nbytes for v in variables)
                + _DATASET_BYTES * (len(variables) + 16) + _SLACK)
        if info.file_size > room:
            raise self.source(WEIGHTS).error(
                f"it declares {info.file_size} bytes, more than the weights of this model "
                f"({len(variables)} variables) and their optimizer state could fill ({room} "
                "bytes at most): the archive is damaged or hostile.")
        if info.file_size > _BOMB_FLOOR and info.file_size > _BOMB_RATIO * info.compress_size:
            raise self.error(f"its member {WEIGHTS} declares {info.file_size} bytes but stores "
                             f"{info.compress_size}; refusing a potential decompression bomb.")

    @contextlib.contextmanager
    def weights(self, what):
        """An `h5_io.H5Reader` over the weights member, read in place."""
        source = f"{self.path} (member {WEIGHTS})"
        self._read(WEIGHTS, None)  # one streamed pass: the archive checks the member's CRC
        info = self.zip.getinfo(WEIGHTS)
        if info.compress_type == zipfile.ZIP_STORED:
            start = self._data_start(info)
            open_stream = lambda: _StoredMember(self.zip.fp.fileno(), start, info.file_size)
        else:
            open_stream = lambda: self.zip.open(WEIGHTS)
        with h5_io.open_stream(open_stream, source, what) as reader:
            yield reader

    def _read(self, member, limit):
        """The member's bytes (streamed and dropped when `limit` is None, to check it)."""
        chunks, size = [], 0
        try:
            with self.zip.open(member) as f:
                while chunk := f.read(1 << 20):
                    size += len(chunk)
                    if limit is not None:
                        if size > limit:
                            raise self.error(f"its member {member} holds more than {limit} "
                                             "bytes, too large for a Keras config.")
                        chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
                zlib.error) as e:
            raise self.error(f"its member {member} is truncated or damaged "
                             f"({type(e).__name__}: {e}).") from None
        return b"".join(chunks)

    def _data_start(self, info):
        """Where a stored member's bytes begin in the archive (after its local header)."""
        header = os.pread(self.zip.fp.fileno(), 30, info.header_offset)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise self.error(f"the local header of its member {info.filename} is damaged.")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_length + extra_length


class _StoredMember(io.RawIOBase):
    """The bytes of an uncompressed archive member, read in place with `os.pread` (no shared
    file position: the probe's child process reads through the same descriptor)."""

    def __init__(self, fd, start, size):
        super().__init__()
        self.fd, self.start, self.size, self.position = fd, start, size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, buffer):
        count = max(0, min(len(buffer), self.size - self.position))
        data = os.pread(self.fd, count, self.start + self.position)
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self):
        return self.position
