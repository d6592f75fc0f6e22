"""The one gradient check of every primitive and layer (the contract of `minikeras.ops.nn`).

`check_grads(fun, *args, **kwargs)` checks, for every differentiable argument of a primitive:

- the VJP autograd computes for a random cotangent `w` (the gradient of `sum(w * fun(...))`)
  against float64 central differences of the same scalar;
- the float32 contract: called on float32 arguments, the output and every gradient are
  float32 and have their argument's shape;
- that neither the forward nor the backward pass writes into an argument.

`check_layer_grads(layer, x)` does the same for a layer, through the training engine's path
(a `StatelessScope`), with respect to its input and every trainable weight.

Keep the shapes small: central differences call the function twice per entry (or pass
`max_entries` to check a random sample of the entries of large arguments).
"""

import autograd.numpy as anp
import numpy as np
from autograd import grad

__all__ = ["central_differences", "check_grads", "check_layer_grads"]


def central_differences(scalar, x, eps=1e-6, entries=None):
    """`d scalar / d x` by float64 central differences, at `entries` (flat indices) or everywhere.

    Returns a float64 array of `x`'s shape; entries not checked are NaN.
    """
    x = np.array(x, dtype=np.float64, order="C")  # a C-ordered copy: `flat` must be a view
    flat = x.reshape(-1)
    out = np.full(flat.shape, np.nan)
    for i in range(flat.size) if entries is None else entries:
        saved = flat[i]
        flat[i] = saved + eps
        up = scalar(x)
        flat[i] = saved - eps
        down = scalar(x)
        flat[i] = saved
        out[i] = (up - down) / (2 * eps)
    return out.reshape(x.shape)


def _cotangents(out, rng):
    if isinstance(out, (tuple, list)):
        return [rng.normal(size=np.shape(o)) for o in out]
    return rng.normal(size=np.shape(out))


def _contract(out, w):
    if isinstance(out, (tuple, list)):
        return sum(anp.sum(wi * o) for wi, o in zip(w, out))
    return anp.sum(w * out)


def _differentiable(args):
    return [i for i, a in enumerate(args)
            if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)]


def _entries(size, max_entries, rng):
    if max_entries is None or size <= max_entries:
        return None
    return np.sort(rng.choice(size, max_entries, replace=False))


def _compare(auto, numeric, rtol, atol, what):
    checked = ~np.isnan(numeric)
    np.testing.assert_allclose(np.asarray(auto, dtype=np.float64)[checked], numeric[checked],
                               rtol=rtol, atol=atol, err_msg=f"gradient w.r.t. {what}")


def check_grads(fun, *args, argnums=None, rtol=1e-5, atol=1e-7, eps=1e-6, seed=0,
                max_entries=None, check_float32=True, **kwargs):
    """Checks `fun`'s gradients for every differentiable argument (see the module docstring).

    Args:
        fun: the primitive (or a function of primitives); `fun(*args, **kwargs)` returns an
            array or a tuple of arrays.
        *args: the arguments; floating arrays are cast to float64 for the central differences
            (and to float32 for the contract check), anything else is passed unchanged.
        argnums: the indices to differentiate (default: every floating array argument).
        rtol, atol: tolerances of the comparison with central differences (float64).
        eps: the finite-difference step.
        seed: seeds the cotangent (and the sampled entries).
        max_entries: check at most this many random entries of each argument (default all).
        check_float32: also check the float32 contract (default True).
        **kwargs: keyword arguments of `fun` (strides, padding...), never differentiated.
    """
    rng = np.random.default_rng(seed)
    floating = _differentiable(args)
    argnums = floating if argnums is None else list(argnums)
    args64 = [np.array(a, dtype=np.float64) if i in floating else a
              for i, a in enumerate(args)]
    w = _cotangents(fun(*args64, **kwargs), rng)

    def scalar_of(argnum):
        def scalar(x):
            a = list(args64)
            a[argnum] = x
            return _contract(fun(*a, **kwargs), w)
        return scalar

    for argnum in argnums:
        scalar = scalar_of(argnum)
        auto = grad(scalar)(args64[argnum])
        entries = _entries(args64[argnum].size, max_entries, rng)
        _compare(auto, central_differences(scalar, args64[argnum], eps, entries), rtol, atol,
                 f"argument {argnum}")
    if check_float32:
        _check_float32(fun, args, floating, argnums, w, kwargs)


def _check_float32(fun, args, floating, argnums, w, kwargs):
    args32 = [np.array(a, dtype=np.float32) if i in floating else a
              for i, a in enumerate(args)]
    copies = [np.array(a) if i in floating else None for i, a in enumerate(args32)]
    out = fun(*args32, **kwargs)
    for o in out if isinstance(out, (tuple, list)) else [out]:
        assert o.dtype == np.float32, f"float32 arguments gave a {o.dtype} output"
    w32 = ([np.asarray(wi, np.float32) for wi in w] if isinstance(w, list)
           else np.asarray(w, np.float32))
    for argnum in argnums:
        def scalar(x, argnum=argnum):
            a = list(args32)
            a[argnum] = x
            return _contract(fun(*a, **kwargs), w32)
        g = grad(scalar)(args32[argnum])
        assert g.dtype == np.float32, f"float32 arguments gave a {g.dtype} gradient (arg {argnum})"
        assert g.shape == args32[argnum].shape, f"gradient {argnum} has shape {g.shape}"
    for i in floating:
        np.testing.assert_array_equal(args32[i], copies[i],
                                      err_msg=f"argument {i} was written into")


def check_layer_grads(layer, x, rtol=1e-5, atol=1e-7, eps=1e-6, seed=0, max_entries=None,
                      training=False):
    """Checks the gradients of `sum(w * layer(x))` w.r.t. the input and every trainable weight.

    The gradients come from the training engine's path (a `StatelessScope` mapping the weights
    to traced values, and autograd) and are compared with float64 central differences. Build
    the layer under `floatx() == 'float64'` (the `float64` fixture) for tight tolerances.

    Args:
        layer: the layer (built by the first call when it is not).
        x: the input batch.
        training: the `training` flag of the scope (default False).
        Others as `check_grads`.
    """
    from minikeras.autograd_internals import value_and_grads
    from minikeras.stateless_scope import StatelessScope

    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float64)
    w = _cotangents(layer(x), rng)
    weights = layer.trainable_weights

    def objective(values):
        with StatelessScope(zip(weights, values[1:]), training=training):
            return _contract(layer(values[0]), w), None

    values = [x] + [np.asarray(v.numpy(), dtype=np.float64) for v in weights]
    _, grads = value_and_grads(objective, values)
    for i, (value, g) in enumerate(zip(values, grads)):
        def scalar(v, i=i):
            vals = list(values)
            vals[i] = v
            return objective(vals)[0]

        entries = _entries(value.size, max_entries, rng)
        _compare(g, central_differences(scalar, value, eps, entries), rtol, atol,
                 "input" if i == 0 else weights[i - 1].path)
