"""The fused bias + activation epilogue that products (`dense`, `conv`) share.

A layer's `activation(x @ kernel + bias)` costs three traced nodes and three passes over the
output when written out; a product primitive instead adds the bias and applies the activation
in place on the output it has just allocated, and its VJP takes the activation's gradient from
that output. `FUSED_ACTIVATIONS` is the one table of activations that can be fused this way:
those whose derivative is a function of their output. Layers choose the entry through
`activations.fused_name` (see `activations.call_fused`), never by testing for a function.
"""

import collections

import numpy as np
from autograd.extend import defvjp, defvjp_argnums, primitive

from minikeras.blas import dot

Epilogue = collections.namedtuple("Epilogue", ["forward", "gradient"])
Epilogue.__doc__ = """An activation fused into a product.

`forward(out)` applies it in place to `out`, an array (or a view of one) the caller allocated,
and returns `out`; `gradient(g, ans)` sends the cotangent `g` of the activation's output `ans`
back to its input, without writing into either."""


def _relu(out):
    return np.maximum(out, 0, out=out)


def _sigmoid(out):
    # exp(-|x|) never overflows; both branches equal 1 / (1 + exp(-x)) (activations._sigmoid).
    e = np.exp(-np.abs(out))
    out[...] = np.where(out >= 0, 1, e) / (1 + e)
    return out


def _tanh(out):
    return np.tanh(out, out=out)


FUSED_ACTIVATIONS = {
    "linear": Epilogue(lambda out: out, lambda g, ans: g),
    "relu": Epilogue(_relu, lambda g, ans: g * (ans > 0)),  # 0 at the kink, as in Keras
    "sigmoid": Epilogue(_sigmoid, lambda g, ans: g * (ans * (1 - ans))),
    "tanh": Epilogue(_tanh, lambda g, ans: g * (1 - ans * ans)),
}


def _epilogue(activation):
    try:
        return FUSED_ACTIVATIONS[activation]
    except KeyError:
        raise ValueError(f"No fused epilogue for activation {activation!r}; expected one of "
                         f"{sorted(FUSED_ACTIVATIONS)}.") from None


def apply_bias_activation(out, bias, activation="linear"):
    """Computes `activation(out + bias)` in `out` and returns `out`.

    Only for a product's own fresh output (`out` is overwritten): the contract forbids it on
    an input. `bias` broadcasts over the last axis; None adds nothing.
    """
    if bias is not None:
        out += bias
    return _epilogue(activation).forward(out)


def activation_gradient(g, ans, activation="linear"):
    """The cotangent of the pre-activation, from that of the activation's output `ans`."""
    return _epilogue(activation).gradient(g, ans)


def bias_gradient(g):
    """The gradient of a bias added over the last axis: the sums of `g` over the other axes.

    As a matrix-vector product: BLAS sums a (4096, 64) batch five times faster than
    `g.sum(axis=0)`, to the same float32 precision (another summation order).
    """
    g2 = g.reshape(-1, g.shape[-1])
    return dot(np.ones(g2.shape[0], g2.dtype), g2)


@primitive
def bias_activation(x, bias=None, activation="linear"):
    """Returns `activation(x + bias)` with `bias` over the last axis, as one traced node.

    Args:
        x: array `(..., channels)`.
        bias: array `(channels,)`, or None.
        activation: a name in `FUSED_ACTIVATIONS` (default `'linear'`).
    """
    return apply_bias_activation(x + bias if bias is not None else np.array(x), None, activation)


def _bias_activation_vjp(argnums, ans, args, kwargs):
    activation = kwargs.get("activation", args[2] if len(args) > 2 else "linear")

    def vjp(g):
        g = activation_gradient(g, ans, activation)
        return [g if argnum == 0 else bias_gradient(g) for argnum in argnums]

    return vjp


defvjp_argnums(bias_activation, _bias_activation_vjp)


@primitive
def relu(x):
    """Returns `max(x, 0)`; its gradient at 0 is 0, as in Keras."""
    return np.maximum(x, 0)


defvjp(relu, lambda ans, x: lambda g: g * (ans > 0))
