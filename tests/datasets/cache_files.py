"""Writers of tiny dataset files in each dataset's exact Keras cache format.

- Fashion-MNIST: gzipped IDX files (big-endian magic 0x801 / 0x803, then the dimensions, then
  the bytes), in `datasets/fashion-mnist/`.
- CIFAR: the "python version" tar.gz of www.cs.toronto.edu, whose batches are dicts pickled by
  Python 2 (bytes keys and strings, numpy arrays under `numpy.core.multiarray._reconstruct`).
  `py2_pickle` reproduces that encoding: strings and bytes as Python 2 `str` (BINSTRING), NumPy
  globals under NumPy 1's module name, protocol 2.
- imdb / reuters: `.npz` files of object arrays of lists (pickled by NumPy, as Keras's are).
"""

import gzip
import io
import os
import pickle
import struct
import tarfile

import numpy as np


def write_idx(path, array):
    """A gzipped IDX file of uint8: labels (n,) or images (n, 28, 28)."""
    array = np.asarray(array, dtype=np.uint8)
    magic = 0x800 + array.ndim
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


class _Py2Pickler(pickle._Pickler):
    """Pickles str and bytes as Python 2 `str` objects, as the CIFAR batches were written."""

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else bytes(obj)
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = _save_py2_str
    dispatch[bytes] = _save_py2_str

    def save_global(self, obj, name=None):
        # Write NumPy 1's module names, which Python 2 era files carry.
        module = getattr(obj, "__module__", None)
        if module == "numpy._core.multiarray" or module == "numpy.core.multiarray":
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n" + obj.__name__.encode() + b"\n")
            self.memoize(obj)
            return
        super().save_global(obj, name)


def py2_pickle(obj):
    """`obj` pickled with protocol 2 the way Python 2's cPickle wrote the CIFAR batches."""
    buffer = io.BytesIO()
    _Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def cifar_batch(data, labels, label_key="labels", extra=None):
    """A batch dict as in the archives: bytes keys, uint8 data (n, 3072), labels a list."""
    batch = {b"batch_label": b"testing batch 1 of 1", label_key.encode(): list(labels),
             b"data": np.asarray(data, dtype=np.uint8),
             b"filenames": [f"img_{i}.png".encode() for i in range(len(labels))]}
    batch.update(extra or {})
    return py2_pickle(batch)


def write_tar_gz(path, folder, members):
    """A .tar.gz holding `folder/<name>` for each `{name: bytes}` of `members`."""
    with tarfile.open(path, "w:gz") as archive:
        directory = tarfile.TarInfo(folder)
        directory.type = tarfile.DIRTYPE
        directory.mode = 0o755
        archive.addfile(directory)
        for name, data in members.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))


def object_array(rows):
    """A 1-D object array of lists, as in Keras's imdb.npz and reuters.npz."""
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = list(row)
    return out
