"""autograd's private internals that minikeras relies on, checked by behaviour.

`minikeras/autograd_internals.py` is the only module that reaches into `autograd.tracer` and
`autograd.core`. If an autograd release moves or changes what it uses, these tests fail first,
naming the internal that moved (the supported range is pinned in pyproject.toml).
"""

import importlib

import autograd.numpy as anp
import numpy as np
import pytest
from autograd.extend import defvjp_argnums, primitive

from minikeras import autograd_internals as internals
from minikeras.stateless_scope import StatelessScope
from minikeras.variables import Variable


@pytest.mark.parametrize("module, names", [
    ("autograd.tracer", ["Box", "getval", "isbox", "new_box", "toposort", "trace_stack",
                         "find_top_boxed_args"]),
    ("autograd.core", ["VJPNode", "VSpace", "add_outgrads"]),
    ("autograd.numpy.numpy_boxes", ["ArrayBox"]),
    ("autograd.numpy.numpy_vspaces", ["ArrayVSpace"]),
])
def test_the_internals_minikeras_uses_still_exist(module, names):
    mod = importlib.import_module(module)
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing, f"autograd moved {missing} out of {module}: update autograd_internals.py"


def test_box_types_are_matched_exactly_through_the_shared_set():
    from autograd.tracer import Box, box_types

    assert box_types is Box.types, "autograd no longer checks boxes through Box.types"
    assert Variable in box_types


def test_an_untraced_box_is_never_taken_as_an_argument():
    # autograd starts its trace ids at -1; a traceable object below that is passed through raw.
    from autograd.tracer import find_top_boxed_args

    boxed = find_top_boxed_args((Variable(np.ones(2)), 1.0))[0]
    assert boxed == []
    assert internals.UNTRACED < -1


def test_value_and_grads_gives_each_root_its_gradient_and_returns_aux_untraced():
    a, b = np.array([1.0, 2.0], np.float32), np.array(3.0, np.float32)

    def fun(values):
        x, y = values
        out = anp.sum(x * x) * y
        return out, {"out": out, "x": [x]}

    (value, aux), (ga, gb) = internals.value_and_grads(fun, [a, b])
    assert value == 15.0
    assert type(aux["out"]) is np.float32 and type(aux["x"][0]) is np.ndarray
    np.testing.assert_array_equal(ga, [6.0, 12.0])  # 2 * a * b
    assert gb == 5.0 and ga.dtype == np.float32      # sum(a * a)


def test_value_and_grads_keeps_float32_through_float64_vjps():
    # autograd's `mean` VJP divides by an int64 count, which makes float64 gradients.
    a = np.arange(4, dtype=np.float32)
    (_, _), (g,) = internals.value_and_grads(lambda v: (anp.mean(v[0] ** 2), None), [a])
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, a / 2)


def test_value_and_grads_of_a_constant_loss_is_zero():
    (_, _), (g,) = internals.value_and_grads(lambda v: (np.float32(1.0), None),
                                             [np.ones(3, np.float32)])
    np.testing.assert_array_equal(g, np.zeros(3))


def test_a_scoped_variable_carries_gradients_in_every_operator_position():
    var = Variable(np.array([2.0, 3.0], np.float32))

    def fun(values):
        with StatelessScope([(var, values[0])]):
            x = np.array([1.0, 4.0], np.float32)
            out = anp.sum(x * var + var * x + (x @ var) - (var - x) / var + var ** 2)
        return out, None

    (_, _), (g,) = internals.value_and_grads(fun, [var.value])
    v, x = var.value, np.array([1.0, 4.0])
    # sum over 2 entries of 2*x*v + (x.v, broadcast) - (1 - x/v) + v^2:
    # d/dv = 2x + 2x - x/v^2 + 2v
    np.testing.assert_allclose(g, 4 * x - x / v ** 2 + 2 * v, rtol=1e-6)


class _IdentityVJP:
    def __init__(self, x):
        self.x = x

    def __call__(self, g):
        return (g,)


@primitive
def _identity(x):
    return x


defvjp_argnums(_identity, lambda argnums, ans, args, kwargs: _IdentityVJP(args[0]))


def test_primitive_input_finds_the_producer_in_the_graph_and_routes_gradients_to_it():
    found = []

    def fun(values):
        y = _identity(values[0] * 2.0)
        vjp, x_box = internals.primitive_input(y, _IdentityVJP)
        found.append(vjp)
        return anp.sum(x_box * 3.0), None  # uses the producer's input, not y

    (_, _), (g,) = internals.value_and_grads(fun, [np.ones(2)])
    assert isinstance(found[0], _IdentityVJP)
    np.testing.assert_array_equal(g, [6.0, 6.0])  # d(3 * 2x)/dx
    assert internals.primitive_input(_identity(np.ones(2)), _IdentityVJP) is None  # untraced


def test_an_open_trace_boxes_its_roots_and_closes_in_order():
    from autograd.tracer import trace_stack

    top = trace_stack.top
    outer = internals.OpenTrace()
    inner = internals.OpenTrace()
    assert (outer.trace, inner.trace) == (top + 1, top + 2)
    box = outer.new_root(np.ones(2))
    assert outer.owns(box) and not inner.owns(box) and not outer.owns(np.ones(2))
    inner.close()
    outer.close()
    outer.close()  # idempotent
    assert trace_stack.top == top
    assert outer.owns(box * 2.0)  # a closed trace's boxes still compute in it


def test_backward_from_one_end_is_autograds_gradient_exactly():
    from autograd import grad

    x0 = np.array([0.3, -1.2, 2.0], np.float32)

    def f(x):
        return anp.sum(anp.tanh(x) * anp.exp(x) / (1.0 + x * x)) + anp.mean(x ** 3)

    trace = internals.OpenTrace()
    root = trace.new_root(x0)
    out = f(root)
    trace.close()
    (g,) = internals.backward([(out, np.ones_like(out._value))], [root])
    np.testing.assert_array_equal(g, grad(f)(x0))


def test_backward_adds_several_ends_reaches_values_in_between_and_skips_the_unreached():
    trace = internals.OpenTrace()
    x, y = trace.new_root(np.array(2.0)), trace.new_root(np.array(5.0))
    h = x * x          # dh/dx = 2x
    a, b = h * 3.0, h + x
    trace.close()
    gx, gh, gy, none = internals.backward([(a, np.array(1.0)), (b, np.array(10.0))],
                                          [x, h, y, None])
    # d(a + 10 b)/dh = 3 + 10; d/dx = 13 * 2x + 10
    assert (gx, gh, gy, none) == (13.0 * 4.0 + 10.0, 13.0, None, None)
    assert internals.backward([], [x]) == [None]


def test_boxes_answer_eager_accessors_once_given_them():
    internals.give_boxes_eager_accessors()
    internals.give_boxes_eager_accessors()  # idempotent
    trace = internals.OpenTrace()
    box = trace.new_root(np.array([1.5, 2.5], np.float32)) * 2.0
    trace.close()
    assert box.numpy().tolist() == [3.0, 5.0] and box[0].numpy() == 3.0
    assert float(box[1]) == 5.0 and int(box[1]) == 5 and f"{box[0]:.2f}" == "3.00"
    assert np.asarray(box).tolist() == [3.0, 5.0] and np.argmax(box) == 1
