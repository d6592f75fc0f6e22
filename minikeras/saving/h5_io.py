"""Reading and writing the pieces of Keras's HDF5 files, with errors that name the file.

Every `.h5` reader of the package goes through `H5Reader`: a missing group, an attribute of the
wrong type, a dataset of another shape or an unreadable block (a truncated or corrupt file)
becomes a `ValueError` that names the file and the object, never an `h5py`, `KeyError` or
`TypeError` traceback from inside minikeras. A dataset is checked against the shape the model
expects *before* it is read, so a corrupt header cannot make the reader allocate gigabytes.

A damaged file can also make the HDF5 library itself crash or hang: hdf5_probe.py reads it in a
child process first. Files minikeras writes carry checksums (checksums.py), which the reader
verifies; in a file minikeras wrote (`strict`), a missing checksum is damage too. Before
anything is read, every member is checked to point nowhere outside the file (h5_contained.py).
"""

import json
import warnings

import h5py
import numpy as np

from minikeras.saving import checksums, config_json, h5_contained, hdf5_probe
from minikeras.saving.errors import FileSource, check_readable

# HDF5 keeps attributes in the object header, which holds at most 64 KiB: Keras splits longer
# lists of names into `name0`, `name1`, ... (`HDF5_OBJECT_HEADER_LIMIT` in Keras).
HEADER_LIMIT = 64512
# HDF5's 1.8 file format: its superblock, object headers and indexes carry checksums (the
# default, 1.0 format, has none), so a damaged header is an HDF5 error instead of garbage that
# the library follows (a flipped byte in an index of the old format can crash the process).
# Every HDF5 since 1.8 (2008) reads it: h5py 2 and 3, tf.keras 2, Keras 3.
LIBVER = ("v108", "v108")
# What minikeras writes as `keras_version`: files that say it are read strictly (every
# checksum must be there).
WRITER = "minikeras"
CHECKSUM = checksums.CHECKSUM
# Errors h5py (and the HDF5 library under it) raises on damaged content.
H5_ERRORS = hdf5_probe.H5_ERRORS
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def open_for_reading(path, what="model"):
    """Opens an HDF5 file for reading: an `H5Reader`, to use in a `with` block.

    Raises:
        MissingFileError, IsADirectoryError, PermissionError: naming the path.
        ValueError: when the file is not HDF5, or is truncated so that HDF5 cannot open it.
    """
    check_readable(path)
    hdf5_probe.probe(lambda: h5py.File(path, "r"), f"Cannot load {what} from {path}")
    try:
        file = h5py.File(path, "r")
    except PermissionError as e:
        raise PermissionError(e.errno, f"Cannot load {path}: permission denied") from None
    except H5_ERRORS as e:
        raise ValueError(f"Cannot load {what} from {path}: "
                         f"{_open_failure(_has_signature(path), e)}") from None
    return _contained(H5Reader(file, path, what))


def open_stream(open_stream, source, what="model"):
    """An `H5Reader` over an HDF5 file inside an archive (the weights of a `.keras` file), read
    through the seekable file object that `open_stream()` returns; `source` names it in
    messages."""
    hdf5_probe.probe(lambda: h5py.File(open_stream(), "r"), f"Cannot load {what} from {source}")
    stream = open_stream()
    try:
        file = h5py.File(stream, "r")
    except H5_ERRORS as e:
        stream.seek(0)
        raise ValueError(f"Cannot load {what} from {source}: "
                         f"{_open_failure(stream.read(8) == HDF5_SIGNATURE, e)}") from None
    return _contained(H5Reader(file, source, what))


def _contained(reader):
    """`reader`, once its whole tree is checked to point nowhere outside the file
    (h5_contained.py); otherwise it is closed and a `ValueError` names the member."""
    try:
        h5_contained.check(reader.file)
    except h5_contained.UncontainedError as e:
        reader.close()
        raise reader.error(str(e)) from None
    except H5_ERRORS as e:
        reader.close()
        raise reader.error(f"its tree of groups cannot be read ({e}); the file is "
                           "damaged.") from None
    return reader


def _has_signature(path):
    try:
        with open(path, "rb") as f:
            return f.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def _open_failure(signature_found, error):
    text = str(error)
    if not signature_found:
        return ("it is not an HDF5 file (Keras's `.h5`/`.weights.h5` formats are HDF5; a "
                "`.keras` file is a zip archive).")
    if "truncated" in text:
        return f"the file is truncated (an interrupted copy or download?). HDF5 said: {text}"
    return f"the file is damaged. HDF5 said: {text}"


def decode(value):
    """A `str` from an attribute value that h5py gives as `str`, `bytes` or a NumPy scalar.

    Raises:
        TypeError: for another type; UnicodeError: for bytes that are not UTF-8 (h5py gives
            those as a `str` with surrogates).
    """
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    if isinstance(value, (str, np.str_)):
        value = str(value)
        value.encode("utf-8")
        return value
    raise TypeError(f"expected a string, found {type(value).__name__}")


class H5Reader(FileSource):
    """An open HDF5 file whose accessors raise `ValueError`s naming the file.

    Args:
        file: the open `h5py.File`.
        path: the file's path, for messages.
        what: what is being loaded (`'model'`, `'weights'`), for messages.
    """

    def __init__(self, file, path, what):
        super().__init__(path, what)
        self.file = file
        self.strict = False  # set for files minikeras wrote: every dataset has its checksum
        self.keras_version = None  # a `.keras` archive's metadata: which Keras wrote it

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        try:
            self.file.close()
        except H5_ERRORS:
            pass

    # ------------------------------------------------------------------ groups
    def has(self, group, name):
        """Whether `group` has a member `name` (a path). A member whose link is there but whose
        object HDF5 cannot open is damage, not absence."""
        try:
            if name in group:
                return True
            listed = name.split("/")[0] in group.keys()
        except H5_ERRORS as e:  # not absent: HDF5 could not tell
            listed, reason = True, f" ({e})"
        else:
            reason = ""
        if listed:
            raise self.error(f"the member '{name}' of '{_name(group)}' cannot be read{reason}; "
                             "the file is damaged.")
        return False

    def group(self, parent, name, required=True):
        """The subgroup `name` of `parent` (None if absent and not `required`)."""
        try:
            member = parent.get(name) if self.has(parent, name) else None
        except H5_ERRORS as e:
            raise self.error(f"its group '{_join(parent, name)}' cannot be read ({e}); the "
                             "file is damaged.") from None
        if member is None:
            if required:
                raise self.error(f"it has no group '{_join(parent, name)}'; it is damaged or "
                                 "not a Keras file.")
            return None
        if not isinstance(member, h5py.Group):
            raise self.error(f"'{_join(parent, name)}' should be a group, but it is a "
                             f"{type(member).__name__}.")
        return member

    def written_here(self, group):
        """Whether minikeras wrote the file: `group`'s `keras_version` says so, or the root
        has minikeras's checksums (either is enough: one may be the damaged part)."""
        if self.has_attr(self.file, CHECKSUM):
            return True
        return self.has_attr(group, "keras_version") and \
            self.string_attr(group, "keras_version") == WRITER

    def members_checked(self, group):
        """The names of `group`'s members, checked against the group's checksum of them when
        it has one (`write_members_checksum`)."""
        names = self.keys(group)
        if not self.has_attr(group, CHECKSUM):
            if self.strict:
                raise self.error(f"the group '{group.name}' has no checksum, which minikeras "
                                 "writes: the file is damaged.")
            return names
        stored = self._stored_digest(group)
        if stored is None or stored != self._members_digest(group, names):
            raise self.error(f"the members of '{group.name}' do not match their checksum (a "
                             "dataset is missing, added or damaged): the file is damaged.")
        return names

    def tree_checked(self):
        """Checks the root's checksum of every `vars` group of a Keras 3 layout file
        (`write_tree_checksum`), so that a group removed, renamed or added is found."""
        if not self.has_attr(self.file, CHECKSUM):
            if self.strict:
                raise self.error("its root has no checksum, which minikeras writes: the file is "
                                 "damaged.")
            return
        groups = []
        try:
            self.file.visititems(lambda name, obj: groups.append(name) if name.split("/")[-1]
                                 == "vars" and isinstance(obj, h5py.Group) else None)
            found = checksums.members_digest({name: self._stored_digest(self.file[name])
                                    for name in groups})
        except H5_ERRORS:
            found = None
        stored = self._stored_digest(self.file)
        if stored is None or found != stored:
            raise self.error("its groups do not match their checksum (a layer's or the "
                             "optimizer's group is missing, added or renamed): the file is "
                             "damaged.")

    def _stored_digest(self, obj):
        try:
            return decode(self.attr(obj, CHECKSUM)) if self.has_attr(obj, CHECKSUM) else None
        except (TypeError, UnicodeError):
            return None

    def _members_digest(self, group, names):
        try:
            return checksums.members_digest({name: self._stored_digest(group[name])
                                             for name in names})
        except H5_ERRORS:
            return None

    def keys(self, group):
        """The names of `group`'s members."""
        try:
            return list(group.keys())
        except H5_ERRORS as e:
            raise self.error(f"the members of '{group.name}' cannot be listed ({e}); the file "
                             "is damaged.") from None

    # ------------------------------------------------------------------ attributes
    def has_attr(self, group, name):
        """Whether `group` has an attribute `name`."""
        try:
            return name in group.attrs
        except H5_ERRORS as e:
            raise self.error(f"the attributes of '{_name(group)}' cannot be read ({e}); the "
                             "file is damaged.") from None

    def attr(self, group, name):
        """The raw value of attribute `name` of `group`."""
        try:
            return group.attrs[name]
        except H5_ERRORS as e:
            raise self.error(f"the attribute '{name}' of '{group.name}' cannot be read "
                             f"({type(e).__name__}: {e}).") from None

    def string_attr(self, group, name, required=True):
        """Attribute `name` as a `str` (None if absent and not `required`)."""
        if not self.has_attr(group, name):
            if required:
                raise self.error(f"'{group.name}' has no attribute '{name}'; the file is "
                                 "damaged or not a Keras file.")
            return None
        try:
            return decode(self.attr(group, name))
        except (TypeError, UnicodeError) as e:
            raise self.error(f"the attribute '{name}' of '{group.name}' should be a text "
                             f"string ({e}).") from None

    def json_attr(self, group, name, required=True):
        """Attribute `name` decoded from JSON (None if absent and not `required`), checked
        against the root's checksums when the file has them."""
        text = self.string_attr(group, name, required)
        if text is None:
            return None
        expected = self._config_checksums().get(name) if group == self.file else None
        if expected is not None and expected != checksums.digest(text.encode("utf-8")):
            raise self.error(f"its attribute '{name}' does not match its checksum: the file "
                             "is damaged.")
        if expected is None and self.strict and group == self.file:
            raise self.error(f"its attribute '{name}' has no checksum, which minikeras writes: "
                             "the file is damaged.")
        return config_json.loads(text, self, f"its attribute '{name}'")

    def _config_checksums(self):
        if not self.has_attr(self.file, CHECKSUM):
            return {}
        try:
            stored = json.loads(decode(self.attr(self.file, CHECKSUM)))
        except (TypeError, ValueError) as e:  # UnicodeError is a ValueError
            raise self.error(f"its attribute '{CHECKSUM}' is unreadable ({e}): the file is "
                             "damaged.") from None
        if not isinstance(stored, dict):
            raise self.error(f"its attribute '{CHECKSUM}' is damaged.")
        return stored

    def strings(self, group, name):
        """A list of names stored in attribute `name`, or split by Keras into `name0`,
        `name1`, ... when too long for one attribute (an empty list when absent)."""
        if self.has_attr(group, name):
            parts = [name]
        else:
            parts = []
            while self.has_attr(group, f"{name}{len(parts)}"):
                parts.append(f"{name}{len(parts)}")
        names = []
        for part in parts:
            value = self.attr(group, part)
            values = np.asarray(value)
            if values.size == 0:  # Keras writes `[]`, which h5py stores as float64
                continue
            if values.ndim != 1:
                raise self.error(f"the attribute '{part}' of '{group.name}' should be a list "
                                 f"of names; found an array of shape {values.shape}.")
            try:
                names.extend(decode(v) for v in values)
            except (TypeError, UnicodeError) as e:
                raise self.error(f"the attribute '{part}' of '{group.name}' should be a list "
                                 f"of names ({e}).") from None
        return names

    # ------------------------------------------------------------------ datasets
    def array(self, group, name, shape=None):
        """The numeric dataset `name` of `group` as a NumPy array.

        Args:
            shape: when given, the shape the dataset must have; checked before reading.
        """
        try:
            dataset = group.get(name) if self.has(group, name) else None
        except H5_ERRORS as e:
            raise self.error(f"the dataset '{_join(group, name)}' cannot be read ({e}).") from None
        if dataset is None:
            raise self.error(f"the dataset '{_join(group, name)}' is missing.")
        if not isinstance(dataset, h5py.Dataset):
            raise self.error(f"'{_join(group, name)}' should be a dataset of numbers, but it is "
                             f"a {type(dataset).__name__}.")
        try:
            found_shape, dtype = tuple(dataset.shape or ()), dataset.dtype
        except H5_ERRORS as e:
            raise self.error(f"the dataset '{_join(group, name)}' cannot be read ({e}).") from None
        if dtype.kind not in "biuf":
            raise self.error(f"the dataset '{_join(group, name)}' should hold numbers, but its "
                             f"type is {dtype}.")
        if shape is not None and found_shape != tuple(shape):
            return _Mismatch(found_shape)
        try:
            value = np.asarray(dataset[()])
        except H5_ERRORS as e:
            raise self.error(f"the dataset '{_join(group, name)}' cannot be read ({e}); the file "
                             "is truncated or damaged.") from None
        self._verify(dataset, value, _join(group, name))
        return value

    def _verify(self, dataset, value, where):
        if not self.has_attr(dataset, CHECKSUM):
            if self.strict:
                raise self.error(f"the dataset '{where}' has no checksum, which minikeras "
                                 "writes: the file is damaged.")
            return
        try:
            expected = decode(self.attr(dataset, CHECKSUM))
        except (TypeError, UnicodeError):
            expected = None
        if expected != checksums.array_digest(value):
            raise self.error(f"the dataset '{where}' does not match its checksum: the file is "
                             "damaged.")


class _Mismatch:
    """What `H5Reader.array` returns for a dataset whose shape is not the expected one."""

    def __init__(self, shape):
        self.shape = shape


def is_mismatch(value):
    """Whether `H5Reader.array` found another shape than the expected one (and read nothing)."""
    return isinstance(value, _Mismatch)


def _name(group):
    try:
        return group.name
    except H5_ERRORS:
        return "?"


def _join(group, name):
    base = getattr(group, "name", "") or ""
    return f"{base.rstrip('/')}/{name}"


def assign_loaded(assignments, path):
    """Sets each `(variable, value)` read from the file at `path`, warning about a weight that
    holds NaN or infinity: such a model predicts NaN everywhere, usually because it was saved
    after its training diverged (Keras loads it silently)."""
    for variable, value in assignments:
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            count = value.size - int(np.isfinite(value).sum())
            warnings.warn(f"The weight '{variable.path}' loaded from {path} holds {count} NaN or "
                          f"infinite value(s) out of {value.size}: the model will predict NaN. "
                          "It was probably saved after its training diverged (try a lower "
                          "learning rate).", UserWarning, stacklevel=4)
        variable.assign(value)


# ---------------------------------------------------------------------------- writing
def write_strings(group, name, values):
    """Stores a list of names as attribute `name`, split into `name0`, `name1`, ... when it does
    not fit in one HDF5 object header (as Keras does)."""
    encoded = [str(v).encode("utf-8") for v in values]
    too_long = [v for v in encoded if len(v) > HEADER_LIMIT]
    if too_long:
        raise ValueError(f"The names {too_long} are longer than {HEADER_LIMIT} bytes, which an "
                         "HDF5 attribute cannot hold.")
    array = np.asarray(encoded) if encoded else np.zeros((0,))
    chunks = 1
    while any(part.nbytes > HEADER_LIMIT for part in np.array_split(array, chunks)):
        chunks += 1
    if chunks == 1:
        group.attrs[name] = encoded if encoded else np.zeros((0,))
    else:
        for i, part in enumerate(np.array_split(array, chunks)):
            group.attrs[f"{name}{i}"] = [bytes(v) for v in part]


def write_array(group, name, value):
    """Creates dataset `name` (which may contain `/`) holding `value`, with its checksum."""
    value = np.asarray(value)
    dataset = group.create_dataset(name, data=value)
    dataset.attrs[CHECKSUM] = checksums.array_digest(value)


def write_json(group, values):
    """Writes the JSON attributes `{name: value}` of the root, with their checksums."""
    digests = {}
    for name, value in values.items():
        data = json.dumps(value, default=_json_default).encode("utf-8")
        group.attrs[name] = data
        digests[name] = checksums.digest(data)
    group.attrs[CHECKSUM] = json.dumps(digests).encode("utf-8")


def _json_default(obj):
    """What `json` cannot write by itself, as Keras's `get_json_type` writes it."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if callable(obj):
        return obj.__name__
    raise TypeError(f"Cannot write {obj!r} (of type {type(obj).__name__}) into the file's JSON "
                    "config.")
