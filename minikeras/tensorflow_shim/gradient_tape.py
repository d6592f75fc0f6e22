"""`tf.GradientTape` on autograd: the gradients of the code run inside a `with` block.

autograd differentiates a function by tracing it; a tape's block is not a function, so the
tape opens a trace itself (`autograd_internals.OpenTrace`) when the block starts and a
`TapeScope` (a stateless scope) on top of the scope stack:

- Every trainable `Variable` read in the block (`watch_accessed_variables=True`, the
  default) becomes, at its first read, a root box of the trace, and stays that box for the
  rest of the block: `x @ self.kernel`, `ops.matmul`, a model's call, `model.losses` (weight
  penalties read the variables) all compute on boxes, so the loss comes out traced.
- `tape.watch(x)` does the same for a non-trainable Variable or an `EagerTensor`
  (`tf.constant`).
- Assignments made in the block (a BatchNormalization's moving statistics in
  `model(x, training=True)`) are applied at once, as in TensorFlow's eager mode, and are not
  differentiated; layers added losses (`add_loss`) go where they go outside a training step.
- `tape.gradient(target, sources)` runs autograd's backward pass from the target's graph to
  the sources' nodes (`autograd_internals.backward`); a source the target does not depend on
  gets None, as in TensorFlow.

Values computed in the block stay autograd boxes after it; they answer `.numpy()`, `float()`,
format specs and NumPy conversion as TensorFlow's eager tensors do
(`autograd_internals.give_boxes_eager_accessors`).
"""

import contextlib

import numpy as np

from minikeras import tree
from minikeras.autograd_internals import (OpenTrace, backward, getval,
                                          give_boxes_eager_accessors, isbox)
from minikeras.keras_mask import MaskScope
from minikeras.stateless_scope import StatelessScope, _local, check_assignment, current_scope
from minikeras.tensorflow_shim.tensor import EagerTensor, as_eager
from minikeras.variables import Variable, assign_arrays


class _WatchingValues(dict):
    """The scope's `{variable: box}`, filled at a variable's first read while recording."""

    def __init__(self, scope):
        super().__init__()
        self.scope = scope

    def get(self, variable, default=None):
        try:
            return self[variable]
        except KeyError:
            value = self.scope.first_read(variable)
            return default if value is None else value


class TapeScope(StatelessScope):
    """The stateless scope a recording tape puts on the scope stack (see the module doc).

    Args:
        trace: the tape's `OpenTrace` for this block.
        watch_accessed: whether trainable Variables are watched at their first read.
        parent: the scope that was current when the block started (None outside any), whose
            values stand for the variables this scope does not watch.
    """

    def __init__(self, trace, watch_accessed, parent):
        super().__init__(training=None)  # a tape sets no `training`, as TensorFlow's
        self.values = _WatchingValues(self)
        self.trace = trace
        self.watch_accessed = watch_accessed
        self.parent = parent
        self.roots = {}    # variable -> every root box made for it (an assignment adds one)
        self.tensors = {}  # id(EagerTensor) -> (tensor, box): the watched tensors

    def _outer_value(self, variable):
        return None if self.parent is None else self.parent.values.get(variable)

    def first_read(self, variable):
        """The box a variable read for the first time in the block stands for, or its value
        in the enclosing scope (None: its own array) when the tape does not watch it."""
        if self.watch_accessed and getattr(variable, "trainable", False):
            return self.watch_variable(variable)
        return self._outer_value(variable)

    def watch_variable(self, variable):
        box = dict.get(self.values, variable)
        if box is None:
            outer = self._outer_value(variable)  # an enclosing tape's box: higher orders
            box = self._new_root(variable, variable._array if outer is None else outer)
        return box

    def _new_root(self, variable, value):
        box = self.trace.new_root(value)
        self.values[variable] = box
        self.roots.setdefault(variable, []).append(box)
        return box

    def watch_tensor(self, tensor):
        entry = self.tensors.get(id(tensor))
        if entry is None:
            outer = self.parent.box_of_tensor(tensor) if isinstance(self.parent, TapeScope) \
                else None
            entry = (tensor, self.trace.new_root(tensor.view(np.ndarray) if outer is None
                                                 else outer))
            self.tensors[id(tensor)] = entry  # keeps the tensor alive, so its id stays its own
        return entry[1]

    def box_of_tensor(self, tensor):
        """The box of a watched `EagerTensor` (from this tape or an enclosing one), or None."""
        entry = self.tensors.get(id(tensor))
        if entry is not None:
            return entry[1]
        return self.parent.box_of_tensor(tensor) if isinstance(self.parent, TapeScope) else None

    def assign(self, variable, value):
        """Applied at once, as TensorFlow's eager assignments (not differentiated). A watched
        variable read afterwards reads the new value through a new root: the gradient with
        respect to it adds both roots' (the reads before and after)."""
        check_assignment(variable, value)
        assign_arrays([variable], [np.array(getval(value), dtype=variable.dtype)])
        if dict.get(self.values, variable) is not None:
            self._new_root(variable, variable._array)

    def add_loss(self, layer, loss):
        """Losses layers add in the block are kept by the layers, as outside a training step
        (`model.losses` reads them)."""
        layer._losses.append(loss)


class GradientTape:
    """Records the computations of a `with` block to differentiate them, as `tf.GradientTape`.

    Args:
        persistent: whether `gradient` may be called more than once (default False; a
            non-persistent tape frees its graph after the first call).
        watch_accessed_variables: whether trainable Variables read in the block are watched
            automatically (default True); if False, only what `watch` was given is.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        give_boxes_eager_accessors()
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._scope = None     # the recording block's scope (None while not recording)
        self._block = None     # the scope of the block being run (recording or stopped)
        self._recorded = []    # the TapeScope of each block recorded (a persistent tape may
        self._used = False     # be entered again)

    # ------------------------------------------------------------------ recording
    def __enter__(self):
        if self._scope is not None:
            raise ValueError("Cannot enter a GradientTape that is already recording.")
        if self._used and not self._persistent:
            self._recorded = []
            self._used = False
        self._scope = self._block = TapeScope(OpenTrace(), self._watch_accessed,
                                              current_scope())
        self._recorded.append(self._scope)
        self._scope.__enter__()
        # The masks layers attach in the block (Embedding(mask_zero=True)...) last as long as
        # it, so that a loss computed in it leaves masked steps out, as TensorFlow's.
        self._masks = MaskScope().__enter__()
        return self

    def __exit__(self, *exc):
        self._masks.__exit__(*exc)
        self._stop_recording()
        self._block.trace.close()
        self._block = None
        return False

    def _stop_recording(self):
        scope, self._scope = self._scope, None
        stack = _local.stack
        if scope is not None and scope in stack:
            # Normally the top of the stack; found by identity should a scope opened in the
            # block have been left open.
            del stack[len(stack) - 1 - stack[::-1].index(scope)]

    @contextlib.contextmanager
    def stop_recording(self):
        """Inside this block, variables read are not watched and tensors not traced."""
        if self._scope is None:
            raise ValueError("Tape.stop_recording() can only be called while recording.")
        scope = self._scope
        self._stop_recording()
        try:
            yield
        finally:
            self._scope = scope
            scope.__enter__()

    def watch(self, tensor):
        """Watches `tensor` (a Variable, an `EagerTensor` such as `tf.constant` returns, or a
        nested structure of them): values computed from it in the block are traced."""
        if self._scope is None:
            raise ValueError("GradientTape.watch() can only be called inside the tape's "
                             "`with` block, while it is recording.")
        for item in tree.flatten(tensor):
            if isinstance(item, Variable):
                self._scope.watch_variable(item)
            elif type(item) is EagerTensor:
                self._scope.watch_tensor(item)
            elif not self._owns(item):  # a value computed in the block is traced already
                raise TypeError(
                    "GradientTape.watch() takes Variables and tensors made by `tf.constant`, "
                    "`tf.convert_to_tensor` or another `tf.*` function; received a "
                    f"{type(item).__name__}. Wrap NumPy data in `tf.convert_to_tensor(...)` "
                    "before the `with` block and watch that tensor.")

    def reset(self):
        """Forgets what was recorded so far (the block goes on recording, watching anew)."""
        for scope in self._recorded:
            dict.clear(scope.values)
            scope.roots.clear()
            scope.tensors.clear()
        self._recorded = [self._scope] if self._scope is not None else []
        self._used = False

    def watched_variables(self):
        """The Variables this tape watches, in the order they were first read or watched."""
        out = []
        for scope in self._recorded:
            out += [v for v in scope.roots if not any(v is w for w in out)]
        return out

    # ------------------------------------------------------------------ gradients
    def _owns(self, x):
        return any(scope.trace.owns(x) for scope in self._recorded)

    def _boxes_of(self, x):
        """The boxes of this tape standing for `x`: the roots of a watched Variable or tensor,
        or `x` itself when it was computed in a block; [] when the tape does not know it."""
        if isinstance(x, Variable):
            return [box for scope in self._recorded for box in scope.roots.get(x, ())]
        if type(x) is EagerTensor:
            return [scope.tensors[id(x)][1] for scope in self._recorded
                    if id(x) in scope.tensors]
        return [x] if self._owns(x) else []

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """The gradient of `target` with respect to each of `sources`.

        Args:
            target: a value computed in the block (or a list of them: their gradients add
                up). A non-scalar target is differentiated as the sum of its entries.
            sources: a Variable or tensor, or a nested structure (list, tuple, dict) of them.
            output_gradients: the gradient flowing into each target (default: ones).
            unconnected_gradients: `'none'` (default) gives None for a source the target does
                not depend on, `'zero'` gives zeros.

        Returns:
            The gradients in the structure of `sources`, each of its source's dtype.

        Raises:
            RuntimeError: on a second call to a non-persistent tape.
        """
        self._begin_backward("gradient", unconnected_gradients)
        targets = tree.flatten(target)
        if output_gradients is None:
            cotangents = [None] * len(targets)
        elif tree.is_nested(target):
            cotangents = tree.flatten(output_gradients)
        else:
            cotangents = [output_gradients]  # one target: one array, whatever its structure
        if len(cotangents) != len(targets):
            raise ValueError(f"`output_gradients` must hold one gradient per target "
                             f"({len(targets)}); received {len(cotangents)}.")
        ends = []
        for t, g in zip(targets, cotangents):
            for box in self._boxes_of(t)[-1:]:
                value = getval(box)
                ends.append((box, np.ones_like(value) if g is None
                             else np.asarray(getval(g), dtype=np.result_type(value))))
        flat_sources = tree.flatten(sources)
        groups = [self._boxes_of(s) for s in flat_sources]
        grads = iter(backward(ends, [box for group in groups for box in group]))
        results = []
        for source, group in zip(flat_sources, groups):
            parts = [g for g in (next(grads) for _ in group) if g is not None]
            results.append(_finish(source, parts, unconnected_gradients))
        return self._release(sources, results)

    def jacobian(self, target, sources, unconnected_gradients="none",
                 parallel_iterations=None, experimental_use_pfor=True):
        """The derivative of every entry of `target` with respect to every entry of each
        source: for a source of shape `s`, an array of shape `target.shape + s`.

        One backward pass per entry of `target` (TensorFlow vectorizes them; the numbers are
        the same).

        Args:
            target: one value computed in the block.
            sources: a Variable or tensor, or a nested structure of them.
            unconnected_gradients: `'none'` (default) or `'zero'`, as in `gradient`.
            parallel_iterations, experimental_use_pfor: accepted for TensorFlow's signature
                (they choose how TensorFlow runs the passes).

        Returns:
            The jacobians in the structure of `sources`.
        """
        self._begin_backward("jacobian", unconnected_gradients)
        shape = np.shape(getval(target))
        rows = self._rows_of(target, sources, np.eye(int(np.prod(shape, dtype=int))),
                             shape, unconnected_gradients)
        return self._release(sources, [_stack_rows(r, shape, s, unconnected_gradients)
                                       for r, s in zip(rows, tree.flatten(sources))])

    def batch_jacobian(self, target, source, unconnected_gradients="none",
                       parallel_iterations=None, experimental_use_pfor=True):
        """The per-example jacobian: for `target` of shape `(b, y...)` and `source` of shape
        `(b, x...)`, the array `(b, y..., x...)` whose row `i` is d target[i] / d source[i].

        As TensorFlow, it assumes example `i` of `target` depends only on example `i` of
        `source`: one backward pass per entry of `y`, each summed over the batch.
        """
        self._begin_backward("batch_jacobian", unconnected_gradients)
        shape = np.shape(getval(target))
        source_shape = np.shape(getval(source._array if isinstance(source, Variable)
                                       else source))
        if len(shape) < 1 or len(source_shape) < 1 or shape[0] != source_shape[0]:
            raise ValueError("GradientTape.batch_jacobian needs a target and a source with "
                             "the same first (batch) dimension; received shapes "
                             f"{shape} and {source_shape}.")
        inner = int(np.prod(shape[1:], dtype=int))
        # Cotangent j: ones at entry j of every example.
        cotangents = np.repeat(np.eye(inner)[:, None, :], shape[0], axis=1)
        (rows,) = self._rows_of(target, [source], cotangents, shape, unconnected_gradients)
        if rows is None:
            return self._release(source, [None])
        stacked = np.stack([np.asarray(getval(r)) for r in rows], axis=1)  # (b, inner, x...)
        return self._release(source, [as_eager(stacked.reshape(
            shape + source_shape[1:]).astype(np.result_type(stacked)))])

    # ------------------------------------------------------------------ backward passes
    def _begin_backward(self, method, unconnected_gradients):
        """Checks a call to `gradient`, `jacobian` or `batch_jacobian` and marks the tape
        used; a non-persistent tape stops recording, as TensorFlow's (code after the call in
        the block, e.g. `apply_gradients`, runs untraced)."""
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError("`unconnected_gradients` must be 'none' or 'zero'; received "
                             f"{unconnected_gradients!r}.")
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians). Make it with "
                               f"`tf.GradientTape(persistent=True)` to call `{method}` again.")
        if not self._recorded:
            raise ValueError(f"GradientTape.{method}() needs a recorded block: use the tape "
                             "in a `with` statement first.")
        if self._scope is not None and not self._persistent:
            self._stop_recording()
            self._block.trace.close()
        self._used = True

    def _rows_of(self, target, sources, cotangents, shape, unconnected_gradients):
        """For each source, the list of its gradients, one per cotangent (each reshaped to
        the target's shape), or None when the target does not depend on it."""
        ends = self._boxes_of(target)[-1:]
        flat_sources = tree.flatten(sources)
        groups = [self._boxes_of(s) for s in flat_sources]
        boxes = [box for group in groups for box in group]
        rows = [[] for _ in flat_sources]
        for cotangent in cotangents:
            cotangent = cotangent.reshape(shape).astype(np.result_type(getval(target)))
            grads = iter(backward([(box, cotangent) for box in ends], boxes))
            for row, source, group in zip(rows, flat_sources, groups):
                parts = [g for g in (next(grads) for _ in group) if g is not None]
                row.append(_finish(source, parts, "none"))
        return [None if any(g is None for g in row) else row for row in rows]

    def _release(self, sources, results):
        """`results` in the structure of `sources`; a non-persistent tape frees its graph."""
        if not self._persistent:
            self._recorded = []
        return tree.pack_sequence_as(sources, results) if tree.is_nested(sources) \
            else results[0]


def _stack_rows(rows, target_shape, source, unconnected):
    """One source's jacobian from its rows (None: not connected)."""
    raw = getval(source._array if isinstance(source, Variable) else source)
    full_shape = tuple(target_shape) + np.shape(raw)
    if rows is None:
        return as_eager(np.zeros(full_shape, dtype=np.result_type(raw))) \
            if unconnected == "zero" else None
    return as_eager(np.stack([np.asarray(getval(r)) for r in rows]).reshape(full_shape))


def _finish(source, parts, unconnected):
    """The gradient of one source: its parts added, in its dtype, as a Tensor."""
    raw = getval(source._array if isinstance(source, Variable) else source)
    dtype = np.result_type(raw)
    if not parts:
        return as_eager(np.zeros(np.shape(raw), dtype=dtype)) if unconnected == "zero" \
            else None
    grad = parts[0]
    for part in parts[1:]:
        grad = grad + part
    if isbox(grad) and type(grad) is not EagerTensor:  # an enclosing tape traces it
        return grad if grad.dtype == dtype else grad.astype(dtype)
    return as_eager(np.asarray(grad, dtype=dtype))
