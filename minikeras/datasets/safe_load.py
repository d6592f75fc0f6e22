"""Reads dataset files without running any code they might contain.

Two Keras datasets are stored as pickles: `imdb.npz` and `reuters.npz` hold object arrays (one
Python list of word indices per text), and the CIFAR batches are pickled dicts. `pickle.load`
on such a file would call whatever function the file names, so a file swapped in the cache
could run code. Here a pickle may only rebuild what these files really hold: dicts, lists,
tuples, bytes, strings and numbers (pickle's own opcodes, which call nothing) and NumPy arrays
(`numpy.ndarray`, `numpy.dtype` and numpy's `_reconstruct`, under the module names of NumPy 1
and 2). Any other global is refused with a ValueError naming the file. Numeric `.npy` members
are read with pickling disabled altogether.
"""

import io
import pickle
import zipfile
import zlib

import numpy as np

try:  # NumPy 2 names its core `numpy._core`; NumPy 1's `numpy.core` is what old pickles say.
    from numpy._core import multiarray as _multiarray
except ImportError:  # pragma: no cover - NumPy 1
    from numpy.core import multiarray as _multiarray

# (module, name) a pickle may name -> the object it gets. Nothing else is importable.
_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds plain containers and NumPy arrays, and nothing else."""

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load `{module}.{name}`: a dataset file may only hold arrays, "
                "lists, dicts, strings and numbers") from None


def load_pickle(path, what, encoding="bytes"):
    """Returns the object pickled in the file `path`, refusing anything but data.

    Args:
        path: the file.
        what: what the file should be (e.g. `"CIFAR-10 batch"`), for the error message.
        encoding: how Python 2 strings are decoded; the CIFAR batches were pickled by Python 2
            and Keras reads them with `encoding="bytes"`.

    Raises:
        ValueError: naming `path`, when the file is not a pickle of plain data.
    """
    try:
        with open(path, "rb") as f:
            return RestrictedUnpickler(f, encoding=encoding).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, MemoryError) as e:
        raise ValueError(f"{path} is not a valid {what} file ({e}). Delete it to download it "
                         "again.") from e


def load_npz(path, what, allow_objects=True):
    """Returns the arrays of an `.npz` file as a dict, keyed like `np.load(path)`.

    Args:
        path: the `.npz` file.
        what: what the file should be (e.g. `"IMDB .npz"`), for the error message.
        allow_objects: whether object arrays (pickled by NumPy) are accepted; they are rebuilt
            with `RestrictedUnpickler`. With False any object array is refused.

    Raises:
        ValueError: naming `path`, when the file is not an `.npz` archive of arrays.
    """
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if not member.endswith(".npy"):
                    continue
                buffer = io.BytesIO(archive.read(member))
                arrays[member[: -len(".npy")]] = _read_npy(buffer, allow_objects)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, TypeError,
            pickle.UnpicklingError, AttributeError, IndexError, KeyError, MemoryError) as e:
        raise ValueError(
            f"{path} is not a valid {what} file ({e}). Delete it to download it again, or "
            "replace it with Keras's file.") from e
    return arrays


def _read_npy(fp, allow_objects):
    """One `.npy` member: numeric arrays without pickle, object arrays restricted."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f"unsupported .npy format version {version}")
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    if not allow_objects:
        raise ValueError("it holds an object array (pickled Python objects), expected numbers")
    array = RestrictedUnpickler(fp).load()
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"an object array member does not hold an array of shape {shape}")
    return array


def load_xy(path, what, features):
    """Returns `x (n, features)` and `y (n,)` from an `.npz` file of numbers (the housing sets).

    Raises:
        ValueError: naming `path`, when the file does not hold two such arrays.
    """
    arrays = load_npz(path, what, allow_objects=False)
    x, y = arrays.get("x"), arrays.get("y")
    if x is None or y is None or x.ndim != 2 or x.shape[1] != features or y.shape != x.shape[:1]:
        shapes = {k: v.shape for k, v in arrays.items()}
        raise ValueError(f"{path} is not a valid {what} file: expected arrays x of shape "
                         f"(n, {features}) and y of shape (n,). Received {shapes}.")
    return x, y
