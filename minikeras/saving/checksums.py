"""The SHA-256 checksums minikeras adds to the HDF5 files it writes (Keras ignores them).

HDF5 checks its own metadata (in the 1.8 format minikeras writes) but not the data it stores: a
flipped bit in a weight would load as a silently different model. So each dataset gets a
`minikeras_sha256` attribute (of its dtype, shape and bytes), the root's JSON configs one entry
each in the root's attribute, each Keras 3 `vars` group one over its members, and a Keras 3
layout file's root one over all its `vars` groups (so a group removed or renamed is found).
`h5_io.H5Reader` verifies them.
"""

import hashlib

import h5py
import numpy as np

CHECKSUM = "minikeras_sha256"


def write_members_checksum(group):
    """Gives `group` a checksum of its datasets' names and checksums (so that a dataset
    removed or added is found)."""
    group.attrs[CHECKSUM] = members_digest(
        {name: _decode(group[name].attrs[CHECKSUM]) for name in group.keys()})


def write_tree_checksum(f):
    """Gives the root a checksum of every `vars` group's path and checksum."""
    groups = []
    f.visititems(lambda name, obj: groups.append(name) if name.split("/")[-1] == "vars" and
                 isinstance(obj, h5py.Group) else None)
    f.attrs[CHECKSUM] = members_digest({name: _decode(f[name].attrs[CHECKSUM])
                                        for name in groups})


def members_digest(checksums):
    return digest("\n".join(f"{k}:{v}" for k, v in sorted(checksums.items()))
                  .encode("utf-8", "surrogateescape"))


def digest(data):
    return hashlib.sha256(data).hexdigest()


def array_digest(value):
    """SHA-256 of an array's dtype, shape and bytes."""
    value = np.ascontiguousarray(value)
    header = f"{value.dtype.str}{value.shape}".encode("ascii")
    return digest(header + value.tobytes())


def _decode(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
