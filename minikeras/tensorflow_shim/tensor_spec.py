"""`tf.TensorSpec` and the check `Dataset.from_generator` makes of each element it is given.

TensorFlow converts every element a generator yields to the declared structure: each leaf
becomes an array of the declared dtype, and a leaf whose shape is not compatible with the
declared one (a `None` dimension matches any size) is refused with TensorFlow's message.
"""

import numpy as np

from minikeras import tree


class TensorSpec:
    """The shape and dtype of a tensor, as `tf.TensorSpec`.

    Args:
        shape: a tuple or list of sizes, `None` for a dimension of any size (default `()`:
            a scalar); `None` for any rank.
        dtype: the dtype's name (`tf.float32`, TensorFlow's default, is `'float32'`).
        name: accepted and kept, as in TensorFlow.
    """

    def __init__(self, shape=(), dtype="float32", name=None):
        self.shape = None if shape is None else tuple(
            None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype).name
        self.name = name

    def is_compatible_with(self, value):
        """Whether the array `value` has a compatible shape (its dtype is converted)."""
        shape = np.shape(value)
        if self.shape is None:
            return True
        return len(shape) == len(self.shape) and all(
            d is None or d == s for d, s in zip(self.shape, shape))

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and
                (self.shape, self.dtype, self.name) == (other.shape, other.dtype, other.name))

    def __hash__(self):
        return hash((self.shape, self.dtype, self.name))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype=tf.{self.dtype}, name={self.name!r})"


def signature_from(output_types, output_shapes, output_signature):
    """The structure of `TensorSpec`s that `from_generator`'s arguments declare.

    Raises:
        TypeError: neither `output_types` nor `output_signature` given, or both (TensorFlow's
            messages).
    """
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError("The `output_types` argument can not be used together with the "
                            "`output_signature` argument.")
        for spec in tree.flatten(output_signature):
            if not isinstance(spec, TensorSpec):
                raise TypeError("`output_signature` must contain objects that are subclass of "
                                f"`tf.TypeSpec` but found {type(spec).__name__} which is not.")
        return output_signature
    if output_types is None:
        raise TypeError("To specify the output signature you need to provide either the "
                        "`output_signature` argument or the `output_types` argument.")
    types = tree.flatten(output_types)
    if output_shapes is None:
        shapes = [None] * len(types)
    elif tree.is_nested(output_types):
        shapes = _flatten_shapes(output_shapes, output_types)
    else:
        shapes = [output_shapes]
    return tree.pack_sequence_as(output_types, [TensorSpec(s, t) for s, t in zip(shapes, types)])


def _flatten_shapes(output_shapes, output_types):
    """The shapes of `output_shapes` in the order of `output_types`' leaves: a shape is a
    tuple or list of sizes, so the structure is walked along the types'."""
    if isinstance(output_types, dict):
        return [s for k in sorted(output_types)
                for s in _flatten_shapes(output_shapes[k], output_types[k])]
    if isinstance(output_types, (list, tuple)):
        if len(output_shapes) != len(output_types):
            raise ValueError(f"`output_shapes` {output_shapes!r} does not match the structure "
                             f"of `output_types` {output_types!r}.")
        return [s for shape, t in zip(output_shapes, output_types)
                for s in _flatten_shapes(shape, t)]
    return [output_shapes]


def conform(element, signature):
    """`element` (what the generator yielded) in the structure of `signature`, each leaf an
    array of its spec's dtype.

    Raises:
        TypeError: the element's structure or a leaf's shape differs from the declared one
            (TensorFlow's messages).
    """
    specs = tree.flatten(signature)
    if tree.is_nested(signature):
        leaves = tree.flatten(element) if tree.is_nested(element) else [element]
        if len(leaves) != len(specs):
            expected = tree.map_structure(lambda s: f"tf.{s.dtype}", signature)
            raise TypeError("`generator` yielded an element that did not match the expected "
                            f"structure. The expected structure was "
                            f"{_plain(expected)}, but the yielded element was {element}.")
    else:
        leaves = [element]
    arrays = []
    for leaf, spec in zip(leaves, specs):
        array = np.asarray(leaf, dtype=spec.dtype)
        if not spec.is_compatible_with(array):
            raise TypeError(f"`generator` yielded an element of shape {array.shape} where an "
                            f"element of shape {spec.shape} was expected.")
        arrays.append(array)
    return tree.pack_sequence_as(signature, arrays) if tree.is_nested(signature) else arrays[0]


def _plain(structure):
    """`(tf.float32, tf.int32)` rather than `('tf.float32', 'tf.int32')`."""
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{k!r}: {_plain(v)}" for k, v in structure.items()) + "}"
    if isinstance(structure, (list, tuple)):
        inner = ", ".join(_plain(v) for v in structure)
        return f"({inner},)" if isinstance(structure, tuple) and len(structure) == 1 else (
            f"({inner})" if isinstance(structure, tuple) else f"[{inner}]")
    return structure
