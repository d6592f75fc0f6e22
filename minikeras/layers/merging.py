"""Merge layers: `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`, `Concatenate`,
`Dot`, and their function forms `add`, `subtract`, ... (Keras 3's `keras.layers.merging`).

A merge layer is called on a list of tensors. The element-wise ones follow Keras's broadcasting:
the shapes without the batch axis must agree axis by axis from the right, a 1 stretching to the
other size; an input of lower rank gets axes of size 1 inserted after its batch axis. Shapes are
checked when the layer is built (a functional model fails at the call that wires it) and again
on every eager or traced call, so a mismatch names the layer rather than a NumPy traceback.

Masks, as Keras 3 merges them: the element-wise layers' output mask is the OR of their
inputs' masks, or None as soon as one input has none; `Maximum` and `Minimum` also take, at
a step where one input is masked and another is not, the unmasked one's values; `Multiply`
counts a masked step as 1; `Concatenate` counts an unmasked input as unmasked everywhere
(so its mask is the OR over all inputs, an unmasked input making every step unmasked);
`Dot` gives no mask.
"""

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval

from minikeras import config
from minikeras.keras_mask import get_keras_mask, set_keras_mask
from minikeras.layers.base import Layer


def _merge_inputs(layer, inputs, count=None):
    """`inputs` as a list of at least one tensor (exactly `count` when given)."""
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"A merge layer should be called on a list of inputs. Layer '{layer.name}' "
            f"({type(layer).__name__}) received: {_describe(inputs)} (not a list of tensors)")
    if not inputs or (count is not None and len(inputs) != count):
        expected = f"exactly {count}" if count is not None else "at least 1"
        raise ValueError(
            f"A `{type(layer).__name__}` layer should be called on {expected} input(s). "
            f"Layer '{layer.name}' received {len(inputs)} input(s).")
    return list(inputs)


def _describe(x):
    shape = getattr(x, "shape", None)
    return f"a tensor of shape {tuple(shape)}" if shape is not None else repr(x)


def _shapes_text(shapes):
    return "[" + ", ".join(str(tuple(s)) for s in shapes) + "]"


class Merge(Layer):
    """Base class of the element-wise merge layers (`Add`, `Average`, ...).

    Subclasses define `_merge_function(inputs)` on a list of arrays of equal rank.
    """

    _count = None  # the exact number of inputs, when the operation needs one

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        """The OR of the inputs' masks; None when an input has no mask."""
        masks = _check_masks(self, inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        out = np.asarray(getval(masks[0]), bool)
        for m in masks[1:]:
            out = np.logical_or(out, np.asarray(getval(m), bool))
        return out

    def get_config(self):
        # Only the base keys (name, trainable, dtype), as Keras: not the constructor's kwargs.
        return super().get_config()

    def build(self, input_shape):
        shapes = _merge_inputs(self, input_shape, self._count)
        if not all(isinstance(s, (tuple, list)) for s in shapes):
            raise ValueError(
                f"A merge layer should be called on a list of inputs. Layer '{self.name}' "
                f"({type(self).__name__}) received: a tensor of shape {tuple(input_shape)}")
        self.compute_output_shape(shapes)  # raises for incompatible shapes
        self.built = True

    def _elementwise_shape(self, shapes):
        """The broadcast shape of `shapes` without their batch axis."""
        out = tuple(shapes[0][1:])
        for shape in shapes[1:]:
            other = tuple(shape[1:])
            if len(out) < len(other):
                out, other = other, out
            merged = list(out[:len(out) - len(other)])
            for i, j in zip(out[len(out) - len(other):], other):
                if i is None or j is None:
                    merged.append(None)
                elif i == 1 or j == 1 or i == j:
                    merged.append(j if i == 1 else i)
                else:
                    raise ValueError(
                        f"Inputs of layer '{self.name}' ({type(self).__name__}) have incompatible "
                        f"shapes: expected shapes that are equal (or 1) on every axis but the "
                        f"batch axis. Received shapes {_shapes_text(shapes)}")
            out = tuple(merged)
        return out

    def _batch_size(self, shapes):
        sizes = {s[0] for s in shapes if len(s)} - {None}
        if len(sizes) > 1:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot merge tensors with different "
                f"batch sizes. Received tensors with shapes {_shapes_text(shapes)}")
        return sizes.pop() if sizes else None

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in _merge_inputs(self, input_shape, self._count)]
        return (self._batch_size(shapes),) + self._elementwise_shape(shapes)

    def call(self, inputs):
        inputs = _merge_inputs(self, inputs, self._count)
        shapes = [tuple(x.shape) for x in inputs]
        self.compute_output_shape(shapes)
        rank = max(len(s) for s in shapes)
        if any(len(s) != rank for s in shapes):
            # Keras inserts the missing axes right after the batch axis.
            inputs = [x if len(s) == rank else
                      anp.reshape(x, s[:1] + (1,) * (rank - len(s)) + s[1:])
                      for x, s in zip(inputs, shapes)]
        return self._merge_function(inputs)


class Add(Merge):
    """Adds a list of inputs element-wise: `inputs[0] + inputs[1] + ...`."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(Merge):
    """Subtracts two inputs: `inputs[0] - inputs[1]` (exactly two inputs)."""

    _count = 2

    def _merge_function(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(Merge):
    """Multiplies a list of inputs element-wise.

    With masked inputs (Keras 3): a masked step of an input counts as 1; when every input
    is masked, steps masked in all of them are 0 and the output mask is the OR."""

    def _merge_function(self, inputs):
        masks = [_expanded_mask(x) for x in inputs]
        if all(m is None for m in masks):
            out = inputs[0]
            for x in inputs[1:]:
                out = out * x
            return out
        out = None
        for x, m in zip(inputs, masks):
            if m is not None:
                x = anp.where(m, x, anp.ones_like(x))
            out = x if out is None else out * x
        if all(m is not None for m in masks):
            any_kept = np.logical_or.reduce(masks)
            out = anp.where(any_kept, out, anp.zeros_like(out))
            set_keras_mask(out, np.any(any_kept, axis=-1))
        return out


class Average(Merge):
    """Averages a list of inputs element-wise (their sum divided by their number)."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Maximum(Merge):
    """The element-wise maximum of a list of inputs (a tie splits the gradient equally).

    With masked inputs, a step masked in one input takes the other's value (see
    `_merge_masked`)."""

    def _merge_function(self, inputs):
        return _merge_masked(anp.maximum, inputs)


class Minimum(Merge):
    """The element-wise minimum of a list of inputs (a tie splits the gradient equally).

    With masked inputs, a step masked in one input takes the other's value (see
    `_merge_masked`)."""

    def _merge_function(self, inputs):
        return _merge_masked(anp.minimum, inputs)


def _merge_masked(op, inputs):
    """Folds `op` over `inputs` as Keras 3 does for the operations without an identity
    element: where the running result is masked and the next input is not, the input's
    value is used for both (and the reverse), so a masked step never wins; the running
    mask is the OR of the masks, None from the first unmasked input on. The final mask
    (any over the feature axis) is attached to the output."""
    out, out_mask = inputs[0], _expanded_mask(inputs[0])
    for x in inputs[1:]:
        mask = _expanded_mask(x)
        if mask is not None:
            x = anp.where(mask, x, out)
        if out_mask is not None:
            out = anp.where(out_mask, out, x)
        out_mask = None if mask is None or out_mask is None else np.logical_or(out_mask, mask)
        out = op(out, x)
    if out_mask is not None:
        set_keras_mask(out, np.any(out_mask, axis=-1))
    return out


def _expanded_mask(x):
    """The `(batch, time)` mask of `x` broadcast to `x`'s shape, or None."""
    mask = get_keras_mask(x)
    if mask is None:
        return None
    return np.broadcast_to(np.expand_dims(np.asarray(getval(mask), bool), -1), np.shape(x))


def _check_masks(layer, inputs, mask):
    """`mask` as a list with one entry per input (None: no masks at all), checked as Keras."""
    if mask is None:
        return None
    if not isinstance(mask, (list, tuple)):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(
            "The lists `inputs` and `mask` should have the same length. Received: inputs of "
            f"length {len(inputs)} and mask of length {len(mask)} (layer '{layer.name}').")
    return list(mask)


class Concatenate(Merge):
    """Concatenates a list of inputs along `axis`.

    Args:
        axis: the axis to join along (default -1). Every other axis must have the same size in
            all inputs.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in _merge_inputs(self, input_shape)]
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(self._mismatch(shapes))
        axis = self.axis % rank
        out = []
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in dims else sum(dims))
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ValueError(self._mismatch(shapes))
            out.append(known.pop() if known else None)
        return tuple(out)

    def _mismatch(self, shapes):
        return (f"Layer '{self.name}' (Concatenate) requires inputs of the same rank with matching "
                f"shapes except for the concatenation axis (axis={self.axis}). Received: "
                f"input_shape={_shapes_text(shapes)}")

    def call(self, inputs):
        inputs = _merge_inputs(self, inputs)
        self.compute_output_shape([tuple(x.shape) for x in inputs])
        return anp.concatenate(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        """The inputs' masks broadcast to the inputs' shapes (an unmasked input all True),
        concatenated along `axis`, then any over the last axis; None when no input has one."""
        masks = _check_masks(self, inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            shape = np.shape(getval(x))
            if m is None:
                full.append(np.ones(shape, bool))
                continue
            m = np.asarray(getval(m), bool)
            full.append(np.broadcast_to(np.expand_dims(m, -1), shape) if m.ndim < len(shape)
                        else m)
        return np.any(np.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """The dot product of two batches of samples along one axis of each (`batch_dot`).

    With inputs of shapes `(B, 3, 5)` and `(B, 10, 3)` and `axes=(1, 2)` the output is
    `(B, 5, 10)`; a result of rank 1 is returned as `(B, 1)`.

    Args:
        axes: an int (the same axis of both inputs) or a pair `(axis_of_x, axis_of_y)`; the
            batch axis 0 cannot be one of them.
        normalize: whether to L2-normalize both inputs along the dot axes first, making the
            output the cosine similarity (default False).
    """

    _count = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes` of Dot: it should be a list or "
                                f"an int. Received: axes={axes!r}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes` of Dot: it should contain "
                                 f"two elements. Received: axes={axes!r}")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(f"Invalid format for argument `axes` of Dot: list elements should "
                                 f"be integers. Received: axes={axes!r}")
        self.axes = axes
        self.normalize = normalize

    def _axes(self, shapes):
        pair = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        return [a % len(s) if a < 0 else a for a, s in zip(pair, shapes)]

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in _merge_inputs(self, input_shape, 2)]
        self._batch_size(shapes)
        if any(len(s) < 2 for s in shapes):
            raise ValueError(f"Layer '{self.name}' (Dot) needs inputs of rank >= 2. Received "
                             f"shapes {_shapes_text(shapes)}")
        a0, a1 = self._axes(shapes)
        if 0 in (a0, a1) or a0 >= len(shapes[0]) or a1 >= len(shapes[1]):
            raise ValueError(f"Layer '{self.name}' (Dot): invalid axes={self.axes} for inputs of "
                             f"shapes {_shapes_text(shapes)} (the batch axis 0 cannot be reduced)")
        d0, d1 = shapes[0][a0], shapes[1][a1]
        if d0 is not None and d1 is not None and d0 != d1:
            raise ValueError(
                f"Layer '{self.name}' (Dot): incompatible input shapes: axis values {d0} (at axis "
                f"{a0}) != {d1} (at axis {a1}). Full input shapes: {shapes[0]}, {shapes[1]}")
        out = [d for i, d in enumerate(shapes[0]) if i != a0] + \
            [d for i, d in enumerate(shapes[1]) if i not in (0, a1)]
        return tuple(out + [1] if len(out) == 1 else out)

    def call(self, inputs):
        x, y = _merge_inputs(self, inputs, 2)
        shapes = [tuple(x.shape), tuple(y.shape)]
        self.compute_output_shape(shapes)
        a0, a1 = self._axes(shapes)
        if self.normalize:
            x, y = _l2_normalize(x, a0), _l2_normalize(y, a1)
        return _batch_dot(x, y, a0, a1)

    def compute_mask(self, inputs, mask=None):
        """None: a dot product has no time steps to mask (Keras 3)."""
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    # x / max(|x|, epsilon), as Keras's `normalize`; the floor inside the square root keeps
    # the gradient of an all-zero sample finite.
    eps = config.epsilon()
    squares = anp.sum(x * x, axis=axis, keepdims=True)
    return x / anp.sqrt(anp.maximum(squares, eps * eps))


def _batch_dot(x, y, a0, a1):
    """Per sample, the contraction of `x`'s axis `a0` with `y`'s axis `a1`: `x`'s remaining
    axes, then `y`'s (one matrix product of `(B, m, k) @ (B, k, n)`)."""
    x = anp.moveaxis(x, a0, -1)
    y = anp.moveaxis(y, a1, 1)
    x_mid, y_rest = x.shape[1:-1], y.shape[2:]
    k = x.shape[-1]
    out = anp.matmul(anp.reshape(x, (x.shape[0], -1, k)), anp.reshape(y, (y.shape[0], k, -1)))
    out = anp.reshape(out, (out.shape[0],) + tuple(x_mid) + tuple(y_rest))
    return out if out.ndim > 1 else anp.reshape(out, (-1, 1))


# --------------------------------------------------------------------------- function forms
def add(inputs, **kwargs):
    """Functional interface to `Add`: `add([x1, x2, ...])` (layer kwargs such as `name`)."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional interface to `Subtract`: `subtract([x1, x2])`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional interface to `Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional interface to `Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional interface to `Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional interface to `Minimum`."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to `Concatenate` (default `axis=-1`)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """Functional interface to `Dot` (default `axes=-1`, as Keras 3; `normalize=` as a kwarg)."""
    return Dot(axes=axes, **kwargs)(inputs)
