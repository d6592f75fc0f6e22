"""Initializers: sample statistics vs Keras 3, exact Identity/Orthogonal, aliases, seeds."""

import inspect
import math
import re

import numpy as np
import pytest

from minikeras import initializers, layers
from minikeras.backend import set_random_seed
from tests.conftest import load_golden

GOLDEN = load_golden("initializers.json")
STAT_CASES = [c for c in GOLDEN["cases"] if "mean" in c]
# Density, in units of 1/sigma, of a unit normal truncated to [-2, 2] at its edges.
TRUNCATED_EDGE_DENSITY = math.exp(-2) / math.sqrt(2 * math.pi) / 0.9544997361036416


def _make(case):
    cls = getattr(initializers, case["class"])
    seed = {"seed": 1} if case["seed"] is not None else {}
    return cls(**case["config"], **seed)


def _sigma(case):
    # The distribution's standard deviation (Orthogonal has none on record: use the sample's).
    return case["theory_std"] if case["theory_std"] is not None else case["std"]


@pytest.mark.parametrize("case", STAT_CASES,
                         ids=lambda c: f"{c['class']}-{c['config']}-{c['shape']}")
def test_sample_statistics_match_keras(case):
    w = _make(case)(tuple(case["shape"]))
    assert w.shape == tuple(case["shape"]) and w.dtype == np.float32
    w = w.astype(np.float64)
    n, sigma = w.size, _sigma(case)
    if sigma == 0:  # Zeros, Ones, Constant: exact
        np.testing.assert_allclose([w.min(), w.max()], [case["min"], case["max"]], rtol=1e-7)
        return
    # Two independent samples of n draws: their means differ with stddev sigma*sqrt(2/n); their
    # standard deviations with stddev about sigma*sqrt(1/n) (sigma/sqrt(2n) each, the normal
    # case; uniform and truncated normals have lighter tails, hence smaller errors). Five
    # standard errors: a false alarm has probability < 1e-6.
    assert abs(w.mean() - case["mean"]) <= 5 * sigma * math.sqrt(2 / n)
    assert abs(w.std() - case["std"]) <= 5 * sigma / math.sqrt(n)
    assert abs(w.std() - sigma) <= 5 * sigma / math.sqrt(2 * n)  # and the formula itself
    bound = case["abs_max_bound"]
    if bound is not None:
        # Bounded (uniform or truncated at 2 stddev): every value lies inside, and with n draws
        # the extremes come within t of the bound unless a strip of density p*t is missed n
        # times: P = exp(-n*p*t). t = 25/(n*p) makes that exp(-25).
        assert np.abs(w).max() <= bound * (1 + 1e-6)
        if case["class"] in ("RandomUniform",) or case.get("config", {}).get(
                "distribution") == "uniform" or case["class"].endswith("Uniform"):
            p = 1 / (2 * bound)  # the uniform's density
            lo, hi = -bound, bound
            if case["class"] == "RandomUniform":
                lo, hi = case["config"].get("minval", -0.05), case["config"].get("maxval", 0.05)
                p = 1 / (hi - lo)
        else:
            sd_param = bound / 2  # the normal's stddev before truncation
            p = TRUNCATED_EDGE_DENSITY / sd_param
            mean = case["config"].get("mean", 0.0)
            lo, hi = mean - bound, mean + bound
        t = 25 / (n * p)
        assert w.min() <= lo + t and w.max() >= hi - t
    else:
        # Unbounded normal: the maximum of n draws has a Gumbel spread of about
        # sigma/sqrt(2 ln n) (stddev 1.28x that); two samples' maxima differ by < 8 of those
        # except with probability < 1e-6.
        spread = 8 * sigma / math.sqrt(2 * math.log(n))
        assert abs(w.max() - case["max"]) <= spread and abs(w.min() - case["min"]) <= spread


def test_golden_covers_the_families():
    classes = {c["class"] for c in STAT_CASES}
    assert classes >= {"Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
                       "TruncatedNormal", "VarianceScaling", "Orthogonal", "GlorotUniform",
                       "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal"}


@pytest.mark.parametrize("case", [c for c in GOLDEN["exact"]
                                  if c["class"] in ("Identity", "Constant")],
                         ids=lambda c: f"{c['class']}-{c['config']}-{c['shape']}")
def test_identity_and_constant_exact(case):
    init = getattr(initializers, case["class"])(**case["config"])
    if "error" in case:
        with pytest.raises(ValueError, match="2D matrices"):
            init(tuple(case["shape"]))
        return
    w = init(tuple(case["shape"]))
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w, np.asarray(case["value"], dtype=np.float32))


@pytest.mark.parametrize("case", [c for c in GOLDEN["exact"] if c["class"] == "Orthogonal"],
                         ids=lambda c: f"gain{c['config']['gain']}-{c['shape']}")
def test_orthogonal_gram_matrices(case):
    w = initializers.Orthogonal(**case["config"])(tuple(case["shape"])).astype(np.float64)
    gain2 = case["config"]["gain"] ** 2
    rows, cols = case["shape"]
    ours = {"WT_W": w.T @ w, "W_WT": w @ w.T}
    # The Gram matrix of the orthonormal side is gain**2 * I in both libraries (float32 error);
    # the other side depends on the random draw, but its trace is gain**2 * min(rows, cols).
    exact = "WT_W" if rows >= cols else "W_WT"
    other = "W_WT" if exact == "WT_W" else "WT_W"
    np.testing.assert_allclose(ours[exact], case[exact], atol=1e-5)
    np.testing.assert_allclose(ours[exact], gain2 * np.eye(min(rows, cols)), atol=1e-5)
    assert np.trace(ours[other]) == pytest.approx(np.trace(case[other]), rel=1e-5)


def test_orthogonal_conv_kernel_and_errors():
    w = initializers.Orthogonal(seed=3)((3, 3, 4, 8))
    flat = w.reshape(-1, 8).astype(np.float64)
    np.testing.assert_allclose(flat.T @ flat, np.eye(8), atol=1e-5)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((5,))


def test_orthogonal_uses_the_sign_corrected_q_of_a_normal_draw():
    # Keras multiplies Q's columns by sign(diag(R)) (without it Q is not uniformly distributed
    # over orthogonal matrices). Our draw is the seed's standard normal (6, 4) matrix.
    w = initializers.Orthogonal(seed=5)((6, 4)).astype(np.float64)
    q, r = np.linalg.qr(np.random.default_rng(5).standard_normal((6, 4)))
    np.testing.assert_allclose(w, q * np.sign(np.diag(r)), atol=1e-6)
    wide = initializers.Orthogonal(seed=5, gain=3.0)((4, 6)).astype(np.float64)
    np.testing.assert_allclose(wide, 3.0 * (q * np.sign(np.diag(r))).T, atol=1e-5)


ALIAS_CASES = [c for c in GOLDEN["aliases"] if c["name"] is not None]


@pytest.mark.parametrize("case", ALIAS_CASES, ids=lambda c: str(c["name"]))
def test_aliases_match_keras(case):
    name = case["name"]
    if name in ("constant", "Constant"):
        # Keras 3 raises KeyError('value') here (a bug); tf.keras 2 gave Constant(0.0): so do we.
        assert isinstance(initializers.get(name), initializers.Constant)
        assert initializers.get(name).value == 0.0
        return
    if "error" in case:
        with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
            initializers.get(name)
        return
    init = initializers.get(name)
    assert type(init).__name__ == case["class"]
    config = init.get_config()
    for key, value in case["config"].items():  # Keras's keys are a subset of ours
        assert config[key] == value, (key, config)


def test_get_none_class_instance_callable_array_and_dict():
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)
    inst = initializers.HeNormal(seed=1)
    assert initializers.get(inst) is inst

    def f(shape, dtype=None):
        return np.full(shape, 0.5, dtype=dtype)

    assert initializers.get(f) is f
    dense = layers.Dense(2, kernel_initializer=f)
    dense(np.ones((1, 3), dtype="float32"))
    np.testing.assert_array_equal(dense.kernel.numpy(), np.full((3, 2), 0.5))
    arr = np.arange(6.0).reshape(2, 3)
    init = initializers.get(arr)
    np.testing.assert_array_equal(init((2, 3)), arr)
    with pytest.raises(ValueError, match="Expected `shape`"):
        init((3, 2))
    keras3 = {"module": "keras.initializers", "class_name": "GlorotUniform",
              "config": {"seed": 7, "input_axes": None, "output_axes": None},
              "registered_name": None}
    g = initializers.get(keras3)
    assert isinstance(g, initializers.GlorotUniform) and g.seed == 7
    assert initializers.get({"class_name": "Constant", "config": {"value": 2}}).value == 2
    with pytest.raises(ValueError, match="Unknown initializer"):
        initializers.get({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="Could not interpret"):
        initializers.get(3.5)


def test_lowercase_class_aliases_are_callable_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    w = initializers.he_normal(seed=2)((4, 4))
    assert w.shape == (4, 4)


ALL_CLASSES = ["Zeros", "Ones", "Constant", "Identity", "RandomNormal", "RandomUniform",
               "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
               "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal"]


@pytest.mark.parametrize("name", ALL_CLASSES)
def test_config_round_trip(name):
    init = initializers.get(name)
    config = initializers.serialize(init)
    again = initializers.get(config)
    assert type(again) is type(init) and again.get_config() == init.get_config()
    assert type(init.clone()) is type(init)


@pytest.mark.parametrize("name", [n for n in ALL_CLASSES if n not in
                                  ("Zeros", "Ones", "Constant", "Identity")])
def test_seed_semantics(name):
    cls = getattr(initializers, name)
    seeded = cls(seed=4)
    a, b = seeded((20, 10)), seeded((20, 10))
    np.testing.assert_array_equal(a, b)  # Keras 3: a seeded instance repeats itself
    np.testing.assert_array_equal(a, cls(seed=4)((20, 10)))
    assert not np.array_equal(a, cls(seed=5)((20, 10)))
    unseeded = cls()
    assert not np.array_equal(unseeded((20, 10)), unseeded((20, 10)))
    set_random_seed(11)
    c = cls()((20, 10))
    set_random_seed(11)
    np.testing.assert_array_equal(c, cls()((20, 10)))


def test_variance_scaling_formulas_and_errors():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((7,)) == (7, 7) and initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((2, 3, 4), input_axes=[0, 1], output_axes=[2]) == (6, 4)
    w = initializers.VarianceScaling(3.0, "fan_out", "uniform", seed=0)((10, 30))
    assert np.abs(w).max() <= math.sqrt(3 * 3.0 / 30)
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    with pytest.raises(ValueError, match="scale"):
        initializers.VarianceScaling(scale=0)
    with pytest.raises(ValueError, match="mode"):
        initializers.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        initializers.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed="x")


def test_dtypes():
    assert initializers.Zeros()((2,), dtype="int32").dtype == np.int32
    assert initializers.GlorotUniform(seed=1)((2, 2), dtype="float64").dtype == np.float64
    assert initializers.Identity()((2, 2)).dtype == np.float32


@pytest.mark.parametrize("cls", list(initializers.CLASSES.values()), ids=lambda c: c.__name__)
def test_every_class_is_written_out_in_the_source(cls):
    # Classes made at run time cannot be found with grep (nor by inspect).
    assert re.match(rf"class {cls.__name__}\b", inspect.getsource(cls))
