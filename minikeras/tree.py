"""Nested structures (lists, tuples, dicts) of arrays or tensors, as `keras.tree`."""


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def flatten(x):
    """Returns the leaves of `x` in order (dict values in sorted-key order)."""
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in flatten(item)]
    return [x]


def map_structure(fn, x):
    """Applies `fn` to every leaf of `x`, keeping the structure."""
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(map_structure(fn, v) for v in x) if not hasattr(x, "_fields") else type(x)(
            *[map_structure(fn, v) for v in x])
    return fn(x)


def pack_sequence_as(structure, leaves):
    """Returns `structure` with its leaves replaced, in `flatten`'s order, by `leaves`.

    A dict is filled in sorted-key order (the order `flatten` reads it in) and keeps its own
    key order.
    """
    it = iter(leaves)

    def pack(x):
        if isinstance(x, dict):
            filled = {k: pack(x[k]) for k in sorted(x)}
            return {k: filled[k] for k in x}
        if isinstance(x, (list, tuple)):
            items = [pack(v) for v in x]
            return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
        return next(it)

    return pack(structure)
