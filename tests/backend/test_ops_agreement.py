"""`K.*` and `ops.*` have one implementation per name: `ops` gives what real Keras 3's
`keras.ops` gives (tests/golden/backend_ops.json, values and dtypes), and `K` gives the same
except where a Keras 2 rule differs, each such rule checked against its hand value."""

import inspect
import math

import numpy as np
import pytest
from autograd import grad

from minikeras import backend as K
from minikeras import ops
from tests.conftest import load_golden

CASES = load_golden("backend_ops.json")["cases"]

# The names both namespaces define (they had two implementations, which disagreed).
SHARED = ["abs", "all", "any", "arange", "argmax", "argmin", "cast", "clip", "concatenate",
          "cos", "cumsum", "dot", "equal", "exp", "expand_dims", "eye", "greater",
          "greater_equal", "less", "less_equal", "log", "max", "maximum", "mean", "min",
          "minimum", "not_equal", "ones", "ones_like", "prod", "relu", "reshape", "round",
          "shape", "sign", "sin", "softmax", "sqrt", "square", "squeeze", "stack", "std", "sum",
          "tanh", "tile", "transpose", "var", "zeros", "zeros_like"]

# Where minikeras's ops are known to differ from Keras's, and why.
KNOWN = {
    # ops.relu / ops.softmax are the ops.nn primitives, which take float arrays as they are.
    ("relu", '[[-1.0, 2.0]]'): "ops.nn.relu keeps a Python list's float64",
    ("softmax", "int32"): "ops.nn.softmax computes integers in float64",
}


def _argument(value):
    if isinstance(value, dict):
        return np.array(value["array"], dtype=value["dtype"])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_argument(v) for v in value]
    return value


def _call(namespace, case, **overrides):
    args = [_argument(a) for a in case["args"]]
    return getattr(namespace, case["fn"])(*args, **{**case["kwargs"], **overrides})


def _expected(case):
    if case["dtype"] == "tuple":
        return tuple(case["value"])
    value = [float(v) if isinstance(v, str) else v for v in np.ravel(case["value"]).tolist()] \
        if isinstance(case["value"], list) else case["value"]
    value = float(value) if isinstance(value, str) else value
    return np.reshape(np.array(value, dtype=case["dtype"]), np.shape(case["value"]))


def _check(out, case):
    expected = _expected(case)
    if isinstance(expected, tuple):
        assert out == expected
        return
    out = np.asarray(out)
    assert out.dtype == expected.dtype, (case, out.dtype)
    assert out.shape == expected.shape, (case, out.shape)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(out, expected, rtol=2e-6, atol=1e-7, equal_nan=True)
    else:
        np.testing.assert_array_equal(out, expected)


def _known(case):
    args = str(case["args"])
    for (fn, marker), why in KNOWN.items():
        if case["fn"] == fn and (marker in args or marker.replace(" ", "") in args):
            return why
    return None


def _id(case):
    return f"{case['fn']}-{case['args']}-{case['kwargs']}"[:90]


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_ops_gives_kerass_value_and_dtype(case):
    if "error" in case:
        # JAX refuses a Python list in `any` / `all`; minikeras reads it as the array it holds
        # (as Keras's NumPy backend does), so the answer is the array's.
        assert case["fn"] in ("any", "all") and "list" in case["error"]
        out = _call(ops, case)
        assert out == getattr(np, case["fn"])(case["args"][0]) and out.dtype == bool
        return
    why = _known(case)
    if why:
        pytest.xfail(why)
    _check(_call(ops, case), case)


# K's arguments for the cases where Keras 2's signature differs from Keras 3's.
K_ARGUMENTS = {"eye": lambda args: [args[0] if len(args) == 1 else tuple(args)]}


@pytest.mark.parametrize("case", [c for c in CASES if c["fn"] in SHARED and "error" not in c],
                         ids=_id)
def test_k_gives_kerass_value_except_for_keras2_rules(case):
    fn, kwargs = case["fn"], case["kwargs"]
    if _known(case):
        pytest.xfail(_known(case))
    args = [_argument(a) for a in case["args"]]
    if fn in K_ARGUMENTS:
        args = K_ARGUMENTS[fn](args)
    # Keras 2's own defaults: an explicit axis makes K compute what ops computes.
    if fn in ("argmax", "argmin") and "axis" not in kwargs:
        out = getattr(K, fn)(*args)
        np.testing.assert_array_equal(out, getattr(ops, fn)(*args, axis=-1))
        return
    if fn == "cumsum" and "axis" not in kwargs:
        np.testing.assert_array_equal(K.cumsum(*args), ops.cumsum(*args, axis=0))
        return
    if fn == "concatenate" and "axis" not in kwargs:
        np.testing.assert_array_equal(K.concatenate(*args), ops.concatenate(*args, axis=-1))
        return
    if fn == "sqrt" and np.any(np.asarray(_call(ops, case)) != np.asarray(_call(ops, case))):
        return  # a negative input: see test_k_sqrt_of_a_negative_number_is_zero
    if fn == "clip" and case["args"][1:] == [1.0, 0.0]:
        return  # max < min: see test_k_clip_raises_max_to_min
    _check(getattr(K, fn)(*args, **kwargs), case)


def test_k_functions_are_the_ops_functions_or_call_them():
    for name in SHARED:
        k, o = getattr(K, name), getattr(ops, name)
        if k is o:
            continue
        if o in inspect.getclosurevars(k).nonlocals.values():
            continue  # K's Keras 2 argument names around the ops function itself
        names = inspect.unwrap(k).__code__.co_names
        # K.relu's Keras 2 arguments (alpha, max_value, threshold) are those of Keras 3's
        # `keras.activations.relu`, which it calls.
        assert ("ops" in names or name == "relu" and "activations" in names), name
        assert "anp" not in names and "np" not in names, name


def test_k_sqrt_of_a_negative_number_is_zero():
    x = np.array([-4.0, 0.0, 9.0], np.float32)
    np.testing.assert_array_equal(K.sqrt(x), [0.0, 0.0, 3.0])  # Keras 2: sqrt(max(x, 0))
    assert math.isnan(ops.sqrt(x)[0])  # Keras 3: NaN (the golden case)
    np.testing.assert_array_equal(grad(lambda v: K.sum(K.sqrt(v)))(np.array([1.0, 4.0])),
                                  [0.5, 0.25])


def test_k_clip_raises_max_to_min():
    x = np.array([[0.5, -1.5, 2.0]], np.float32)
    np.testing.assert_array_equal(K.clip(x, 1.0, 0.0), [[1.0, 1.0, 1.0]])  # Keras 2: min wins
    np.testing.assert_array_equal(ops.clip(x, 1.0, 0.0), [[0.0, 0.0, 0.0]])  # Keras 3: max
    np.testing.assert_array_equal(K.clip(x, None, None), x)
    np.testing.assert_array_equal(K.clip(x, None, 0.0), [[0.0, -1.5, 0.0]])


def test_k_arange_keras2_rules():
    assert K.arange(-3).tolist() == []  # Keras 2: a negative start alone gives an empty range
    assert K.arange(3).dtype == np.int32
    # dtype='int32' (the default) casts nothing: tf.range infers float32 from float arguments.
    out = K.arange(0, 1, 0.25)
    assert out.dtype == np.float32 and out.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert K.arange(0, 3, dtype="float32").dtype == np.float32


def test_k_mean_of_booleans_is_ops_mean_in_floatx(float64):
    b = np.array([True, False, False, True, True])
    assert K.mean(b).dtype == np.float64 and K.mean(b) == 0.6  # floatx() is float64 here
    assert ops.mean(b).dtype == np.float64


def test_integer_results_keep_gradients_for_floats():
    w = np.array([[0.5, -1.0], [2.0, 3.0]])
    np.testing.assert_allclose(grad(lambda v: K.sum(K.square(v)))(w), 2 * w)
    np.testing.assert_allclose(grad(lambda v: ops.sum(ops.cumsum(v, axis=0)))(w),
                               [[2.0, 2.0], [1.0, 1.0]])
    np.testing.assert_allclose(grad(lambda v: K.mean(K.concatenate([v, v])))(w),
                               np.full((2, 2), 0.25))
