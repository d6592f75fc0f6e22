"""Merge layers: `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`, `Concatenate`,
`Dot`, and their function forms `add`, `subtract`, ... (Keras 3's `keras.layers.merging`).

A merge layer is called on a list of tensors. The element-wise ones follow Keras's broadcasting:
the shapes without the batch axis must agree axis by axis from the right, a 1 stretching to the
other size; an input of lower rank gets axes of size 1 inserted after its batch axis. Shapes are
checked when the layer is built (a functional model fails at the call that wires it) and again
on every eager or traced call, so a mismatch names the layer rather than a NumPy traceback.
Masks are not merged yet (no minikeras layer produces one).
"""

import autograd.numpy as anp

from minikeras import config
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
    """Multiplies a list of inputs element-wise."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(Merge):
    """Averages a list of inputs element-wise (their sum divided by their number)."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / len(inputs)


class Maximum(Merge):
    """The element-wise maximum of a list of inputs (a tie splits the gradient equally)."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = anp.maximum(out, x)
        return out


class Minimum(Merge):
    """The element-wise minimum of a list of inputs (a tie splits the gradient equally)."""

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = anp.minimum(out, x)
        return out


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
