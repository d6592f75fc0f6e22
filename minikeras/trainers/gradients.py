"""`value_and_grad` with JAX's contract, on autograd: the gradient a `train_step` override
written in Keras 3's JAX style needs.

Keras 3's JAX guide computes a custom step's gradient with
`jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)`; minikeras differentiates
with autograd, so the same code reads `keras.value_and_grad(...)` (minikeras's name) where it
read `jax.value_and_grad(...)`. A TensorFlow-style override uses `tf.GradientTape` instead
(minikeras/tensorflow_shim).
"""

from minikeras import tree
from minikeras.autograd_internals import value_and_grads


def value_and_grad(fun, argnums=0, has_aux=False):
    """Returns a function computing `fun`'s value and its gradient, as `jax.value_and_grad`.

    Args:
        fun: a function returning a scalar (or, with `has_aux`, a pair `(scalar, aux)`),
            written with `keras.ops` / `autograd.numpy` so that autograd can trace it.
        argnums: the position (or a tuple of positions) of the arguments to differentiate
            with respect to (default 0); each may be an array or a list, tuple or dict of
            arrays (a model's `trainable_variables` values).
        has_aux: whether `fun` returns `(value, aux)`; `aux` is handed back as plain arrays.

    Returns:
        A function of `fun`'s arguments returning `(value, grads)` (`((value, aux), grads)`
        with `has_aux`); `grads` has the structure of the argument (a tuple of them when
        `argnums` is a tuple).
    """
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def wrapped(*args, **kwargs):
        for p in positions:
            if p >= len(args):
                raise TypeError(f"value_and_grad: argnums={argnums!r} names argument {p}, but "
                                f"the function was called with {len(args)} positional "
                                "argument(s).")
        structures = [args[p] for p in positions]
        leaves = [tree.flatten(s) for s in structures]
        sizes = [len(part) for part in leaves]

        def objective(flat):
            new_args, start = list(args), 0
            for p, structure, size in zip(positions, structures, sizes):
                part = flat[start:start + size]
                new_args[p] = tree.pack_sequence_as(structure, part) if tree.is_nested(
                    structure) else part[0]
                start += size
            out = fun(*new_args, **kwargs)
            if has_aux:
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise ValueError("value_and_grad(has_aux=True): the function must return "
                                     f"a pair (value, aux); it returned {type(out).__name__}.")
                return out[0], out[1]
            return out, None

        (value, aux), grads = value_and_grads(objective, [x for part in leaves for x in part])
        packed, start = [], 0
        for structure, size in zip(structures, sizes):
            part = grads[start:start + size]
            packed.append(tree.pack_sequence_as(structure, part) if tree.is_nested(structure)
                          else part[0])
            start += size
        grads_out = packed[0] if isinstance(argnums, int) else tuple(packed)
        return ((value, aux) if has_aux else value), grads_out

    return wrapped
