"""Checking that an HDF5 file holds everything it names: nothing in it may point outside it.

HDF5 lets a file reach other files: a dataset with *external storage* keeps its bytes in any
file of the file system (`/etc/passwd`, a FIFO that blocks whoever opens it), an *external
link* opens another HDF5 file, a *virtual dataset* assembles its values from other files (or
gives an attacker's fill value when they are missing), and a filter that HDF5 does not know is
looked for as a plugin library on disk. A model file is untrusted input, so before any value is
read, `objects` walks the file's whole tree by its links alone (reading no dataset) and
`UncontainedError` names the first member that would leave it. Keras writes none of these
(Keras 3 refuses external datasets too).

The walk follows hard links only, visits each object once (hard links may form cycles) and
stops past `MAX_OBJECTS`, so a hostile tree cannot make it loop or run for long.
"""

import h5py

# Filters HDF5 or h5py carry built in (deflate, shuffle, fletcher32, szip, n-bit,
# scale-offset, h5py's lzf): any other would be searched for as a plugin library on disk.
BUILTIN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})
# Far more objects than any Keras file holds (a model has a few per layer).
MAX_OBJECTS = 1_000_000


class UncontainedError(ValueError):
    """A member of an HDF5 file points outside the file, or the tree is not a plain one.

    Attributes:
        member: the member's path in the file.
        reason: what was found there.
    """

    def __init__(self, member, reason):
        super().__init__(f"its member '{member}' {reason}; loading never reads anything "
                         "outside the file, so it is refused.")
        self.member, self.reason = member, reason


def objects(file):
    """Yields `(path, object)` for every group and dataset of `file` reached by hard links,
    after checking each one.

    Raises:
        UncontainedError: at the first external link, user-defined link, soft link that does
            not resolve through hard links inside the file, dataset with external storage,
            virtual dataset or dataset with a filter HDF5 would load from disk.
    """
    seen = {_address(file)}
    stack = [("", file)]
    count = 0
    while stack:
        path, group = stack.pop()
        for name in list(group.keys()):
            member = f"{path}/{name}"
            count += 1
            if count > MAX_OBJECTS:
                raise UncontainedError(member, f"is past the {MAX_OBJECTS}th object of the "
                                       "file, more than any Keras file holds")
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                _check_soft_link(file, member, link.path)
                continue  # its target is visited through its own hard link
            if not isinstance(link, h5py.HardLink):
                raise UncontainedError(member, _link_description(link))
            obj = group[name]
            if isinstance(obj, h5py.Dataset):
                _check_dataset(member, obj)
            key = _address(obj)
            if key in seen:
                continue
            seen.add(key)
            yield member, obj
            if isinstance(obj, h5py.Group):
                stack.append((member, obj))


def check(file):
    """Walks all of `file` (see `objects`)."""
    for _ in objects(file):
        pass


def _address(obj):
    info = h5py.h5o.get_info(obj.id)
    return info.fileno, info.addr


def _link_description(link):
    if isinstance(link, h5py.ExternalLink):
        return f"is an external link to '{link.path}' in the file '{link.filename}'"
    return f"is a link of a kind Keras never writes ({type(link).__name__})"


def _check_soft_link(file, member, target):
    """A soft link is accepted when its target is reached from the root by hard links."""
    if not target.startswith("/"):
        target = member.rsplit("/", 1)[0] + "/" + target
    group = file
    parts = [p for p in target.split("/") if p not in ("", ".")]
    for i, part in enumerate(parts):
        link = group.get(part, getlink=True) if isinstance(group, h5py.Group) else None
        if not isinstance(link, h5py.HardLink):
            raise UncontainedError(member, f"is a soft link to '{target}', which does not "
                                   "lead to an object of the file by its own hard links")
        if i < len(parts) - 1:
            group = group[part]


def _check_dataset(member, dataset):
    plist = dataset.id.get_create_plist()
    if plist.get_layout() == h5py.h5d.VIRTUAL:
        sources = ", ".join(sorted({plist.get_virtual_filename(i)
                                    for i in range(plist.get_virtual_count())}))
        raise UncontainedError(member, f"is a virtual dataset whose values come from other "
                               f"files ({sources})")
    if plist.get_external_count():
        files = ", ".join(plist.get_external(i)[0].decode("utf-8", "replace")
                          for i in range(plist.get_external_count()))
        raise UncontainedError(member, f"is a dataset with external storage: its bytes are in "
                               f"{files}")
    for i in range(plist.get_nfilters()):
        code = plist.get_filter(i)[0]
        if code not in BUILTIN_FILTERS:
            raise UncontainedError(member, f"is a dataset compressed with filter {code}, which "
                                   "HDF5 would load as a plugin library from disk")
