"""The fully connected product `activation(x @ kernel + bias)`, with a hand-written VJP.

autograd's generic `dot` VJP goes through `tensordot` and costs more than the matrix products
themselves; this primitive does one BLAS call forward and one per requested gradient backward.
autograd only evaluates the VJP of arguments being differentiated, so the input gradient of a
model's first layer is never computed.
"""

from autograd.extend import defvjp_argnums, primitive

from minikeras.blas import dot
from minikeras.ops.nn.bias_activation import (activation_gradient, apply_bias_activation,
                                              bias_gradient)


def _as_2d(x):
    return x if x.ndim == 2 else x.reshape(-1, x.shape[-1])


@primitive
def dense(x, kernel, bias=None, activation="linear"):
    """Returns `activation(x @ kernel + bias)` over the last axis of `x`.

    Args:
        x: array of shape `(..., in)`.
        kernel: array of shape `(in, out)`.
        bias: array of shape `(out,)`, or None.
        activation: the name of a fused activation (`nn.FUSED_ACTIVATIONS`), default
            `'linear'`; layers pick it with `activations.call_fused`.
    """
    out = dot(_as_2d(x), kernel)
    if x.ndim != 2:
        out = out.reshape(x.shape[:-1] + (kernel.shape[1],))
    return apply_bias_activation(out, bias, activation)


def _dense_vjp(argnums, ans, args, kwargs):
    x, kernel = args[0], args[1]
    activation = kwargs.get("activation", args[3] if len(args) > 3 else "linear")

    def vjp(g):
        g2 = _as_2d(activation_gradient(g, ans, activation))
        grads = []
        for argnum in argnums:
            if argnum == 0:
                grads.append(dot(g2, kernel.T).reshape(x.shape))
            elif argnum == 1:
                grads.append(dot(_as_2d(x).T, g2))
            else:
                grads.append(bias_gradient(g2))
        return grads

    return vjp


defvjp_argnums(dense, _dense_vjp)
