"""`save_model`, `load_model`, `save_weights`, `load_weights`: the format follows the extension,
with Keras 3's rules and messages.

| extension      | `save_model` / `load_model`          | `save_weights` / `load_weights`       |
|----------------|--------------------------------------|---------------------------------------|
| `.keras`       | Keras 3 zip (keras_zip.py)           | - / the archive's weights             |
| `.h5`, `.hdf5` | legacy HDF5 (legacy_h5.py)           | legacy HDF5 (tf.keras 2's layout)     |
| `.weights.h5`  | -                                    | Keras 3 layout (weights_h5.py)        |

Keras 3 refuses `save_weights('w.h5')`; minikeras writes tf.keras 2's layout there, because
course code does it. `load_weights` of an HDF5 file goes by its content, so a tf.keras 2 file
named `model.weights.h5` loads too. Every write is atomic (a temporary file, then a rename);
missing directories are created, as Keras's `.h5` saver does.
"""

import contextlib
import os
import warnings

from minikeras.saving import h5_io, keras_zip, legacy_h5, weights_h5
from minikeras.saving.errors import MissingFileError, check_readable

_H5 = (".h5", ".hdf5")


def _path(filepath):
    try:
        return os.fspath(filepath)
    except TypeError:
        raise TypeError(f"`filepath` should be a string or a path, received {filepath!r} of type "
                        f"{type(filepath).__name__}.") from None


def _prepare_directory(path):
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as e:
            raise type(e)(e.errno, f"Cannot write {path}: its directory {directory} cannot be "
                                   f"created ({e.strerror})") from None


@contextlib.contextmanager
def _writing(path):
    """Failures of the file system while writing (disk full, a directory that refuses files...)
    name the file; the temporary file is already gone (atomic_write)."""
    try:
        yield
    except OSError as e:
        if path in str(e):
            raise
        reason = e.strerror or str(e) or type(e).__name__
        raise (type(e)(e.errno, f"Cannot write {path}: {reason}") if e.errno is not None
               else type(e)(f"Cannot write {path}: {reason}")) from e


def _proceed(path, overwrite):
    """Keras's prompt when `overwrite=False` and the file exists."""
    if overwrite or not os.path.exists(path):
        return True
    while True:
        answer = input(f"[WARNING] {path} already exists - overwrite? [y/n]").strip().lower()
        if answer in ("y", "n"):
            break
        print('Please answer "y" (yes) or "n" (no).')
    if answer == "y":
        print("[TIP] Next time specify overwrite=True!")
    return answer == "y"


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves a model as `.keras` (Keras 3 zip) or `.h5`/`.hdf5` (legacy HDF5), as
    `keras.saving.save_model`.

    Args:
        model: the model.
        filepath: a path ending in `.keras`, `.h5` or `.hdf5`.
        overwrite: replace an existing file without asking (default True).
        zipped: accepted for Keras 3 compatibility; only zipped `.keras` files are written.
        include_optimizer: (keyword, `.h5` only) also save the compile arguments and the
            optimizer state (default True).
        save_format: deprecated Keras 2 argument: warned about when the extension already says
            the format, refused otherwise (as in Keras 3).
    """
    path = _path(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", False)
    if save_format:
        if path.endswith(_H5) or path.endswith(".keras"):
            warnings.warn("The `save_format` argument is deprecated in Keras 3. We recommend "
                          "removing this argument as it can be inferred from the file path. "
                          f"Received: save_format={save_format}", stacklevel=2)
        else:
            raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove "
                             "this argument and pass a file path with either `.keras` or `.h5` "
                             f"extension.Received: save_format={save_format}")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if zipped is False:
        raise ValueError("minikeras writes `.keras` models as zip archives only "
                         f"(zipped=True). Received: zipped={zipped}")
    if not (path.endswith(".keras") or path.endswith(_H5)):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for "
            "the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath)` if you want to export a SavedModel for use with "
            f"TFLite/TFServing/etc. Received: filepath={path}.")
    if not _proceed(path, overwrite):
        return
    _prepare_directory(path)
    with _writing(path):
        if path.endswith(".keras"):
            keras_zip.save_model(model, path)
        else:
            legacy_h5.save_model(model, path, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by minikeras or by Keras (Keras 3 `.keras`; `.h5` from Keras 3,
    tf.keras 2 or Keras 2), as `keras.saving.load_model`.

    Loading never runs code from the file (no pickle, no eval, no marshalled bytecode, whatever
    `safe_mode` says); classes of your own are found through `custom_objects`,
    `custom_object_scope` or `register_keras_serializable`.

    Args:
        filepath: path of a `.keras`, `.h5` or `.hdf5` file.
        custom_objects: dict `{name: class or function}` of your own objects.
        compile: also compile the model as it was, restoring the optimizer state (default True).
        safe_mode: accepted for Keras 3 compatibility (minikeras is always safe).

    Raises:
        MissingFileError: (a `FileNotFoundError` and a `ValueError`) when there is no file.
        ValueError: naming the file, for a wrong extension or a file that is damaged, of another
            format, or names objects minikeras cannot rebuild.
    """
    path = _path(filepath)
    if path.endswith(".keras"):
        try:
            check_readable(path)
        except MissingFileError:
            raise MissingFileError(2, f"File not found: filepath={path}. Please ensure the file "
                                      "is an accessible `.keras` zip file.") from None
        return keras_zip.load_model(path, custom_objects, compile)
    if path.endswith(_H5):
        return legacy_h5.load_model(path, custom_objects, compile)
    if os.path.isdir(path):
        raise ValueError(
            f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` "
            "files, legacy H5 format files (`.h5` extension). Note that the legacy SavedModel "
            "format is not supported by `load_model()` in Keras 3 (nor in minikeras): save the "
            "model as `.keras` or `.h5` with the TensorFlow that wrote it.")
    raise ValueError(
        f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` files, "
        "legacy H5 format files (`.h5` extension). Note that the legacy SavedModel format is "
        "not supported by `load_model()` in Keras 3.")


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Saves the model's weights: `.weights.h5` in Keras 3's layout, `.h5`/`.hdf5` in tf.keras
    2's (Keras 3 refuses the latter; course code uses it).

    Args:
        model: a built model.
        filepath: a path ending in `.weights.h5` (or `.h5`/`.hdf5`).
        overwrite: replace an existing file without asking (default True).
        max_shard_size: sharded weights are not supported by minikeras (must be None).
    """
    path = _path(filepath)
    if max_shard_size is not None:
        raise ValueError("minikeras does not write sharded weights (`max_shard_size`): save "
                         f"to one `.weights.h5` file. Received: max_shard_size={max_shard_size}")
    if not path.endswith(_H5):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    if not _proceed(path, overwrite):
        return
    _prepare_directory(path)
    with _writing(path):
        if path.endswith(".weights.h5"):
            weights_h5.save_weights(model, path)
        else:
            legacy_h5.save_weights(model, path)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights saved by `save_weights` or `save` (minikeras or Keras): `.keras`,
    `.weights.h5`, or a legacy `.h5`/`.hdf5` (whole model or weights only).

    Args:
        model: the model to load into.
        filepath: the file.
        skip_mismatch: skip (with a warning) weights whose shape or count does not match,
            instead of raising (default False).
        by_name: (keyword, legacy `.h5` only) match layers by name instead of by order, as
            tf.keras 2.

    Raises:
        ValueError: naming the file, for mismatching weights or a damaged file; for `by_name`
            with another format (as Keras 3).
    """
    path = _path(filepath)
    by_name = kwargs.pop("by_name", None)
    if kwargs.pop("objects_to_skip", None) is not None:
        raise ValueError("`objects_to_skip` is not supported by minikeras.")
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if path.endswith(".keras"):
        if by_name is not None:
            raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                             f"Received: {path}")
        keras_zip.load_weights(model, path, skip_mismatch)
        return
    if not path.endswith(_H5):
        raise ValueError(
            f"File format not supported: filepath={path}. Keras 3 only supports V3 `.keras` "
            "files, `.weights.h5` files, legacy H5 format files (`.h5` extension), or Orbax "
            "checkpoints.")
    if _holds_legacy_layout(path):
        legacy_h5.load_weights(model, path, skip_mismatch, bool(by_name))
        return
    if by_name is not None:
        raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                         f"Received: {path}")
    weights_h5.load_weights(model, path, skip_mismatch)


def _holds_legacy_layout(path):
    """Whether an HDF5 file has the legacy layout (`layer_names`) rather than Keras 3's."""
    with h5_io.open_for_reading(path, "weights") as reader:
        root = reader.file
        for group in (root, reader.group(root, "model_weights", required=False)):
            if group is not None and (reader.has_attr(group, "layer_names")
                                      or reader.has_attr(group, "layer_names0")):
                return True
    return False
