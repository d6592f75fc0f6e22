"""Activation functions: golden values from Keras 3, gradients, NaN safety, registry."""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

from minikeras import activations, backend as K, layers
from minikeras.variables import Variable
from tests.conftest import central_difference_grad, load_golden

GOLDEN = load_golden("activations.json")
FUNCTION_CASES = [c for c in GOLDEN["cases"] if c["kind"] == "function" and "y" in c]

# float32 outputs: a few ulps of relative error (rtol 1e-6 is ~8 ulp) from evaluating the same
# formula in another order; atol 1e-6 covers values near 0 reached by cancellation (gelu's
# and tanh_shrink's tails), where JAX and NumPy round differently (an ulp of 6.0 is 4.8e-7).
RTOL, ATOL = 1e-6, 1e-6


def _id(case):
    return f"{case['name']}-{case['kwargs']}-{np.shape(case['x'])}"


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=_id)
def test_function_matches_keras(case):
    x = np.asarray(case["x"], dtype=np.float32)
    y = activations.get(case["name"])(x, **case["kwargs"])
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(y, np.asarray(case["y"], dtype=np.float32), rtol=RTOL, atol=ATOL)


def test_golden_covers_every_requested_activation():
    names = {c["name"] for c in FUNCTION_CASES}
    for name in ("softmax", "elu", "selu", "softplus", "softsign", "relu", "tanh", "sigmoid",
                 "hard_sigmoid", "exponential", "linear", "gelu", "swish", "silu", "leaky_relu",
                 "relu6", "log_softmax", "mish", "hard_swish", "hard_silu"):
        assert name in names


def test_keras3_specifics():
    assert activations.hard_sigmoid(np.float32(1.0)) == pytest.approx(4 / 6)  # Keras 2: 0.7
    assert activations.leaky_relu(np.float32(-1.0)) == pytest.approx(-0.2)
    x = np.float32(-1.0)
    assert activations.gelu(x) == pytest.approx(activations.gelu(x, approximate=False))
    assert activations.gelu(x) != pytest.approx(activations.gelu(x, approximate=True), abs=1e-6)
    assert activations.swish is activations.silu and activations.hard_swish is activations.hard_silu
    np.testing.assert_allclose(activations.relu(np.array([-10, -5, 0.0, 5, 10]), threshold=5.0),
                               [0, 0, 0, 0, 10])


# --------------------------------------------------------------------------- gradients
ELEMENTWISE = [
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}), ("softplus", {}),
    ("softsign", {}), ("relu", {}), ("relu", {"negative_slope": 0.1, "max_value": 2.0,
                                              "threshold": 0.5}),
    ("relu", {"max_value": 2.0}), ("relu", {"negative_slope": 0.1}), ("tanh", {}),
    ("sigmoid", {}), ("hard_sigmoid", {}), ("exponential", {}), ("linear", {}), ("gelu", {}),
    ("gelu", {"approximate": True}), ("swish", {}), ("leaky_relu", {}), ("relu6", {}),
    ("mish", {}), ("hard_swish", {}), ("hard_tanh", {}), ("hard_shrink", {}),
    ("soft_shrink", {}), ("log_sigmoid", {}), ("tanh_shrink", {}), ("squareplus", {}),
    ("sparse_plus", {}), ("sparse_sigmoid", {}),
]
# Points away from every kink (0, ±0.5, ±1, 2, ±3, 6, and 0.5 + the 2.0 cap).
POINTS = np.array([-7.3, -4.1, -2.2, -1.7, -0.8, -0.3, -0.05, 0.07, 0.3, 0.8, 1.3, 1.9, 2.4,
                   4.2, 5.1, 7.7])


@pytest.mark.parametrize("name, kwargs", ELEMENTWISE, ids=[f"{n}-{k}" for n, k in ELEMENTWISE])
def test_elementwise_gradient_matches_central_differences(name, kwargs):
    fn = activations.get(name)

    def total(x):
        return anp.sum(fn(x, **kwargs))

    auto = grad(total)(POINTS)
    assert auto.dtype == np.float64
    np.testing.assert_allclose(auto, central_difference_grad(total, POINTS), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name, kwargs", [("softmax", {}), ("softmax", {"axis": 0}),
                                          ("log_softmax", {}), ("log_softmax", {"axis": 0}),
                                          ("glu", {}), ("sparsemax", {})])
def test_axis_functions_gradient(name, kwargs):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4)) * 2
    w = rng.normal(size=np.shape(activations.get(name)(x, **kwargs)))

    def f(v):
        return anp.sum(w * activations.get(name)(v, **kwargs))

    np.testing.assert_allclose(grad(f)(x), central_difference_grad(f, x), rtol=1e-5, atol=1e-8)


EXTREMES = np.array([-1e4, -200.0, -100.0, -89.0, 0.0, 89.0, 100.0, 200.0, 1e4], dtype=np.float32)


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "softplus", "sigmoid", "tanh", "swish",
                                  "mish", "gelu", "log_sigmoid", "softsign", "tanh_shrink"])
def test_gradients_stay_finite_where_generic_rules_overflow(name):
    fn = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        y = fn(EXTREMES)
        g = grad(lambda x: anp.sum(fn(x)))(EXTREMES)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g)), (y, g)
    assert g.dtype == np.float32


@pytest.mark.parametrize("name", sorted(activations.ALL))
def test_float32_values_and_gradients_stay_float32(name):
    # autograd's generic `where` / `maximum` VJPs return float64; those paths are avoided.
    kwargs = {"threshold": 0.5, "default_value": 0.0} if name == "threshold" else {}
    x = np.linspace(-3, 3, 8).astype(np.float32).reshape(2, 4)
    fn = activations.get(name)
    g = grad(lambda v: anp.sum(fn(v, **kwargs)))(x)
    assert fn(x, **kwargs).dtype == np.float32 and g.dtype == np.float32


def test_saturated_gradients_have_the_right_limits():
    x = np.array([-1e4, 1e4], dtype=np.float32)
    np.testing.assert_allclose(grad(lambda v: anp.sum(activations.elu(v)))(x), [0, 1])
    np.testing.assert_allclose(grad(lambda v: anp.sum(activations.softplus(v)))(x), [0, 1])
    np.testing.assert_allclose(grad(lambda v: anp.sum(activations.sigmoid(v)))(x), [0, 0])
    np.testing.assert_allclose(grad(lambda v: anp.sum(activations.selu(v)))(x),
                               [0, 1.0507009873554805], rtol=1e-6)


def test_relu_gradient_at_kinks_is_zero_as_keras():
    g = grad(lambda v: anp.sum(activations.relu(v)))(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0])
    g = grad(lambda v: anp.sum(activations.relu6(v)))(np.array([0.0, 6.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0])


def test_float64_inputs_stay_float64():
    x = np.linspace(-3, 3, 7)
    for name in ("elu", "selu", "sigmoid", "gelu", "softplus", "tanh", "mish", "softmax"):
        assert activations.get(name)(x).dtype == np.float64, name


def test_lists_numbers_and_variables_are_accepted():
    np.testing.assert_allclose(activations.relu([-1.0, 2.0]), [0.0, 2.0])
    assert activations.relu([-1.0, 2.0]).dtype == np.float32
    assert activations.sigmoid(0) == pytest.approx(0.5)
    v = Variable(np.array([-1.0, 1.0]))
    np.testing.assert_allclose(activations.elu(v), [np.expm1(-1.0), 1.0], rtol=1e-6)
    np.testing.assert_allclose(activations.linear(v), [-1.0, 1.0])


def test_softmax_over_several_axes_sums_to_one():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    p = activations.softmax(x, axis=[1, 2])
    np.testing.assert_allclose(p.sum(axis=(1, 2)), [1, 1])


def test_glu_and_sparsemax():
    x = np.array([[1.0, -2.0, 0.5, 3.0]])
    np.testing.assert_allclose(activations.glu(x), [[1.0 / (1 + np.exp(-0.5)),
                                                     -2.0 / (1 + np.exp(-3.0))]])
    with pytest.raises(ValueError, match="even"):
        activations.glu(np.ones((2, 3)))
    # Projection of (1, 0.5, -1) on the simplex: tau = 0.25 -> (0.75, 0.25, 0).
    np.testing.assert_allclose(activations.sparsemax(np.array([[1.0, 0.5, -1.0]])),
                               [[0.75, 0.25, 0.0]])


# --------------------------------------------------------------------------- registry
def test_get_by_name_alias_none_and_callables():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(K.tanh) is K.tanh
    fn = lambda x: x * 2  # noqa: E731
    assert activations.get(fn) is fn
    leaky = layers.LeakyReLU(0.1)
    assert activations.get(leaky) is leaky


# The layers' outputs with their default config, from real Keras 3 (`keras.layers.<name>()(x)`).
LAYER_DEFAULTS = {c["name"]: c for c in GOLDEN["cases"] if c["kind"] == "layer" and not c["kwargs"]}


@pytest.mark.parametrize("name", [
    "ReLU", "ELU", "Softmax",
    "LeakyReLU",
])
def test_get_capitalised_activation_layer_names(name):
    """tf.keras 2 course code writes `Dense(64, activation="LeakyReLU")`: its `activations.get`
    also looks up the classes of `layers.activation` (tf_keras/activations.py, `deserialize`) and
    returns the layer with its default config. Whatever minikeras returns for such a name must
    compute that layer's default output; the defaults (ReLU(), ELU(alpha=1), Softmax(axis=-1),
    LeakyReLU slope 0.3) are the same in tf.keras 2 and Keras 3, which made the golden values."""
    case = LAYER_DEFAULTS[name]
    x = np.asarray(case["x"], dtype=np.float32)
    y = activations.get(name)(x)
    np.testing.assert_allclose(y, np.asarray(case["y"], dtype=np.float32), rtol=RTOL, atol=ATOL)


def test_get_config_dicts():
    # Keras 3 serializes a built-in activation inside a dict like this.
    keras3 = {"module": "keras.activations", "class_name": "function", "config": "tanh",
              "registered_name": "function"}
    assert activations.get(keras3) is activations.tanh
    assert activations.get({"class_name": "relu", "config": {}}) is activations.relu
    layer = activations.get({"class_name": "LeakyReLU", "config": {"negative_slope": 0.1}})
    assert isinstance(layer, layers.LeakyReLU) and layer.negative_slope == 0.1


def test_get_bad_input():
    with pytest.raises(ValueError, match="Could not interpret activation.*'nope'"):
        activations.get("nope")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(3)


@pytest.mark.parametrize("name", sorted(activations.ALL))
def test_serialize_round_trips(name):
    fn = activations.get(name)
    assert activations.get(activations.serialize(fn)) is fn


def test_serialize_layer_and_custom_function():
    cfg = activations.serialize(layers.LeakyReLU(0.1))
    assert cfg["class_name"] == "LeakyReLU" and cfg["config"]["negative_slope"] == 0.1
    assert activations.get(cfg).negative_slope == 0.1

    def my_act(x):
        return x

    # Keras 3's form of a function that is not one of keras.activations
    assert activations.serialize(my_act) == {"module": "builtins", "class_name": "function",
                                             "config": "my_act", "registered_name": "function"}
    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    assert activations.deserialize(activations.serialize(my_act),
                                   custom_objects={"my_act": my_act}) is my_act
    assert activations.serialize(K.tanh) == "tanh"  # reloads as activations.tanh
