"""Keras 3's `.keras` format: a zip archive of three members.

```
metadata.json      {"keras_version": ..., "date_saved": ...}
config.json        the model's config in Keras 3's serialized form ({'module', 'class_name',
                   'config', 'registered_name', 'build_config', 'compile_config'})
model.weights.h5   the weights and optimizer state in Keras 3's layout (weights_h5.py)
```

Members are stored uncompressed, as Keras writes them. Reading refuses an archive member that
declares far more bytes than the file holds (a "zip bomb"), as Keras 3 does.
"""

import datetime
import json
import zipfile

from minikeras.saving import h5_io, serialization_lib, weights_h5
from minikeras.saving.errors import check_readable
from minikeras.saving.legacy_h5 import compile_from_config
from minikeras.saving.model_config import rebuild_model
from minikeras.utils.atomic_write import atomic_write

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
# A member larger than this that also expands more than 100 times is refused (Keras 3's rule).
_BOMB_FLOOR = 1 << 32
_BOMB_RATIO = 100
# The JSON members are small; a bigger one is not a Keras file.
_JSON_LIMIT = 1 << 28


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
    config_bytes, metadata_bytes, weights_bytes = _read_members(filepath)
    with h5_io.open_bytes(weights_bytes, f"{filepath} (member {WEIGHTS})") as reader:
        metadata = _json(reader, metadata_bytes, METADATA) if metadata_bytes else {}
        reader.strict = metadata.get("keras_version") == h5_io.WRITER
        config = _json(reader, config_bytes, CONFIG)
        model = rebuild_model(reader, config, custom_objects)
        compiled = config.get("compile_config") if compile else None
        if compiled:
            compile_from_config(reader, model, compiled, custom_objects)
        weights_h5.load_state(reader, model, own_optimizer=bool(compiled))
    return model


def load_weights(model, filepath, skip_mismatch=False):
    """Loads the weights (and optimizer state) of a `.keras` archive into `model`."""
    _, metadata_bytes, weights_bytes = _read_members(filepath, config=False)
    with h5_io.open_bytes(weights_bytes, f"{filepath} (member {WEIGHTS})", "weights") as reader:
        metadata = _json(reader, metadata_bytes, METADATA) if metadata_bytes else {}
        reader.strict = metadata.get("keras_version") == h5_io.WRITER
        weights_h5.load_state(reader, model, skip_mismatch)


def _json(reader, data, member):
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise reader.error(f"its member {member} is not valid JSON ({e}).") from None
    if not isinstance(value, dict):
        raise reader.error(f"its member {member} should hold a JSON object; found "
                           f"{type(value).__name__}.")
    return value


def _read_members(filepath, config=True):
    """The bytes of `config.json` (None unless `config`), `metadata.json` (None if absent) and
    `model.weights.h5`.

    Raises:
        MissingFileError, IsADirectoryError, PermissionError: naming the path.
        ValueError: naming the file, when it is not a zip archive, lacks a member, or is
            truncated or damaged.
    """
    check_readable(filepath)

    def error(reason):
        return ValueError(f"Cannot load {filepath}: {reason}")

    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            names = archive.namelist()
            for member in ([CONFIG] if config else []) + [WEIGHTS]:
                if member not in names:
                    raise error(f"the archive has no member {member}; a `.keras` file holds "
                                f"{CONFIG}, {METADATA} and {WEIGHTS}. Found: {names[:10]}.")
            config_bytes = _member(archive, CONFIG, _JSON_LIMIT, error) if config else None
            metadata = _member(archive, METADATA, _JSON_LIMIT, error) if METADATA in names \
                else None
            return config_bytes, metadata, _member(archive, WEIGHTS, None, error)
    except PermissionError as e:
        raise PermissionError(e.errno, f"Cannot load {filepath}: permission denied") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as e:
        if str(e).startswith(f"Cannot load {filepath}"):
            raise
        if not zipfile.is_zipfile(filepath):
            raise error("it is not a zip archive, as a `.keras` file must be (an `.h5` file "
                        "renamed? a truncated copy?).") from None
        raise error(f"the archive is truncated or damaged ({type(e).__name__}: {e}).") from None


def _member(archive, name, limit, error):
    info = archive.getinfo(name)
    if info.file_size > _BOMB_FLOOR and info.file_size > _BOMB_RATIO * info.compress_size:
        raise error(f"its member {name} declares {info.file_size} bytes but stores "
                    f"{info.compress_size}; refusing a potential decompression bomb.")
    if limit is not None and info.file_size > limit:
        raise error(f"its member {name} is {info.file_size} bytes, too large for a Keras "
                    "config.")
    with archive.open(name) as f:
        return f.read()
