"""`keras.random`: Keras 3's signatures, dtypes and errors (tests/golden/random_api.json), the
distributions' moments against their formulas, determinism under seeds and `set_random_seed`,
`SeedGenerator`'s state, and use inside an initializer and a training step.

NumPy's generator is not JAX's, so no value is compared with Keras's. Statistical checks use a
fixed seed (they are deterministic) and a tolerance of five standard errors of the estimate,
stated at each check: a correct sampler fails one with probability below 1e-6 for a new seed.
"""

import inspect
import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import minikeras as keras
from minikeras import random
from minikeras.backend import set_random_seed
from tests.conftest import load_golden

GOLDEN = load_golden("random_api.json")
N = 200_000


def _signature(fn):
    params = {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        params[p.name] = "<required>" if p.default is p.empty else p.default
    return params


@pytest.mark.parametrize("name", sorted(GOLDEN["signatures"]))
def test_signatures_and_defaults_are_keras(name):
    fn = random.SeedGenerator.__init__ if name == "SeedGenerator" else getattr(random, name)
    assert _signature(fn) == GOLDEN["signatures"][name]


CALLS = {
    "normal": lambda: random.normal((2, 3), seed=1),
    "uniform": lambda: random.uniform((2, 3), seed=1),
    "truncated_normal": lambda: random.truncated_normal((2, 3), seed=1),
    "randint": lambda: random.randint((2, 3), 0, 5, seed=1),
    "categorical": lambda: random.categorical(np.zeros((2, 4), "float32"), 5, seed=1),
    "gamma": lambda: random.gamma((2, 3), 2.0, seed=1),
    "binomial": lambda: random.binomial((2, 3), 5, 0.5, seed=1),
    "beta": lambda: random.beta((2, 3), 2.0, 3.0, seed=1),
    "dropout": lambda: random.dropout(np.ones((2, 3), "float32"), 0.5, seed=1),
    "shuffle": lambda: random.shuffle(np.arange(6, dtype="float32"), seed=1),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_default_dtypes_are_keras(name):
    out = CALLS[name]()
    assert out.dtype == np.dtype(GOLDEN["dtypes"][name])
    expected_shape = {"categorical": (2, 5), "shuffle": (6,)}.get(name, (2, 3))
    assert out.shape == expected_shape


@pytest.mark.parametrize("name", ["normal", "uniform", "truncated_normal", "gamma", "beta",
                                  "binomial"])
def test_float_functions_follow_floatx_and_dtype(name, float64):
    assert CALLS[name]().dtype == np.float64  # floatx() is float64 in this test
    fn = getattr(random, name)
    args = {"gamma": (2.0,), "beta": (2.0, 3.0), "binomial": (5, 0.5)}.get(name, ())
    assert fn((4,), *args, dtype="float16", seed=3).dtype == np.float16


def test_errors_are_keras():
    errors = GOLDEN["errors"]
    cases = {
        "randint_float_dtype": lambda: random.randint((2,), 0, 5, dtype="float32"),
        "uniform_int_dtype": lambda: random.uniform((2,), dtype="int32"),
        "seed_float": lambda: random.normal((2,), seed=1.5),
        "seed_generator_float_seed": lambda: random.SeedGenerator(1.5),
    }
    for name, call in cases.items():
        kind, message = errors[name].split(": ", 1)
        with pytest.raises(ValueError) as info:
            call()
        assert kind == "ValueError" and str(info.value).startswith(message.strip()), name
    kind, message = errors["categorical_1d_logits"].split(": ", 1)
    with pytest.raises(ValueError, match="`logits` should be a 2-D tensor"):
        random.categorical(np.zeros(4), 2)
    with pytest.raises(ValueError, match="requires a floating point `dtype`"):
        random.normal((2,), dtype="int32")
    with pytest.raises(ValueError, match=r"`rate` must be a float in \[0, 1\]"):
        random.dropout(np.ones(3), 1.5)


# ----------------------------------------------------------------------------- seeds
def test_integer_seed_is_a_pure_function_of_the_seed():
    assert GOLDEN["same_int_seed_same_values"]
    for fn in (lambda s: random.normal((50,), seed=s), lambda s: random.uniform((50,), seed=s),
               lambda s: random.randint((50,), 0, 1000, seed=s),
               lambda s: random.shuffle(np.arange(50), seed=s)):
        np.testing.assert_array_equal(fn(7), fn(7))
        assert not np.array_equal(fn(7), fn(8))


def test_seed_generator_state_advances_and_replays():
    facts = GOLDEN["seed_generator"]
    gen = random.SeedGenerator(42, name="gen")
    assert gen.state.dtype == facts["state_dtype"]
    np.testing.assert_array_equal(gen.state.numpy(), facts["state_before"])
    first = random.normal((3,), seed=gen)
    np.testing.assert_array_equal(gen.state.numpy(), facts["state_after_one_draw"])
    second = random.normal((3,), seed=gen)
    np.testing.assert_array_equal(gen.state.numpy(), facts["state_after_two_draws"])
    assert gen.get_config() == facts["config"]
    assert not np.array_equal(first, second)
    # As in Keras, an integer seed draws what a fresh generator of that seed draws first.
    assert facts["int_seed_equals_first_draw"]
    np.testing.assert_array_equal(first, random.normal((3,), seed=42))
    # The same seed replays the same sequence; from_config restarts it.
    again = random.SeedGenerator.from_config(gen.get_config())
    np.testing.assert_array_equal(random.normal((3,), seed=again), first)
    np.testing.assert_array_equal(random.normal((3,), seed=again), second)


def test_seed_generator_names_and_unseeded_generators():
    a, b = random.SeedGenerator(1), random.SeedGenerator(1)
    assert (a.name, b.name) == ("seed_generator", "seed_generator_1")
    assert a.state.path == "seed_generator/seed_generator_state"
    set_random_seed(3)
    first = random.SeedGenerator().state.numpy()
    set_random_seed(3)
    np.testing.assert_array_equal(random.SeedGenerator().state.numpy(), first)
    assert random.SeedGenerator(name="x").get_config() == {"seed": None, "name": "x"}
    gen = random.SeedGenerator(5)
    assert gen.next(ordered=False).tolist() == [5, 0]
    assert gen.state.numpy().tolist() == [6 * 5387 % 933199, 1 * 5387 % 933199]


def test_unseeded_draws_follow_set_random_seed():
    def draws():
        return [random.normal((4,)), random.uniform((4,)), random.randint((4,), 0, 99),
                random.shuffle(np.arange(6)), random.dropout(np.ones(8), 0.5),
                random.categorical(np.zeros((1, 5)), 4)]

    set_random_seed(11)
    first = draws()
    set_random_seed(11)
    second = draws()
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_raises(AssertionError, np.testing.assert_array_equal,
                             first[0], random.normal((4,)))  # the stream moves on


# ----------------------------------------------------------------------------- moments
def _close(value, expected, standard_error):
    assert abs(value - expected) <= 5 * standard_error, (value, expected, standard_error)


def test_normal_moments():
    x = random.normal((N,), mean=2.0, stddev=3.0, seed=1).astype(np.float64)
    _close(x.mean(), 2.0, 3.0 / math.sqrt(N))
    _close(x.std(), 3.0, 3.0 / math.sqrt(2 * N))  # se of a normal sample's stddev
    per_column = random.normal((N, 2), mean=np.array([0.0, 10.0]), seed=2).mean(axis=0)
    _close(per_column[0], 0.0, 1 / math.sqrt(N))
    _close(per_column[1], 10.0, 1 / math.sqrt(N))


def test_uniform_bounds_and_moments():
    x = random.uniform((N,), minval=-1.0, maxval=3.0, seed=1)
    assert x.min() >= -1.0 and x.max() < 3.0
    x = x.astype(np.float64)
    sd = 4.0 / math.sqrt(12)
    _close(x.mean(), 1.0, sd / math.sqrt(N))
    # var of U(a,b) is (b-a)^2/12; the sample variance's se is sqrt((mu4 - sd^4)/N) with
    # mu4 = (b-a)^4/80.
    _close(x.var(), sd**2, math.sqrt((4.0**4 / 80 - sd**4) / N))
    # float32 rounding must not put a value on the excluded bound
    assert random.uniform((N,), 0.0, 1.0, seed=3).max() < 1.0


def test_truncated_normal_bounds_and_moments():
    x = random.truncated_normal((N,), mean=5.0, stddev=2.0, seed=1).astype(np.float64)
    assert x.min() >= 5.0 - 4.0 and x.max() <= 5.0 + 4.0
    # A unit normal truncated to [-2, 2] has stddev 0.87962566103423978 (the constant
    # Keras's VarianceScaling divides by).
    sd = 2.0 * 0.87962566103423978
    _close(x.mean(), 5.0, sd / math.sqrt(N))
    # Lighter tails than a normal's: the sample stddev's se is below sd/sqrt(2N); sd/sqrt(N)
    # is the (looser) bound used.
    _close(x.std(), sd, sd / math.sqrt(N))


def test_randint_range_and_moments():
    x = random.randint((N,), 3, 9, seed=1)
    assert x.dtype == np.int32 and set(np.unique(x)) == set(range(3, 9))
    counts = np.bincount(x - 3) / N
    for p in counts:
        _close(p, 1 / 6, math.sqrt(1 / 6 * 5 / 6 / N))
    assert random.randint((5,), 0, 10, dtype="int64", seed=1).dtype == np.int64


def test_categorical_frequencies_are_softmax():
    probs = np.array([[0.1, 0.2, 0.7, 0.0], [0.25, 0.25, 0.25, 0.25]])
    with np.errstate(divide="ignore"):
        logits = np.log(probs) + 3.0  # shifted logits: softmax is invariant to the shift
    x = random.categorical(logits, N, seed=1)
    assert x.shape == (2, N) and x.dtype == np.int32
    for row in range(2):
        freq = np.bincount(x[row], minlength=4) / N
        for p, f in zip(probs[row], freq):
            _close(f, p, math.sqrt(max(p * (1 - p), 1e-12) / N))
    assert not (x[0] == 3).any()  # probability 0 (logit -inf) is never drawn


def test_gamma_binomial_beta_moments():
    g = random.gamma((N,), alpha=2.5, seed=1).astype(np.float64)
    _close(g.mean(), 2.5, math.sqrt(2.5 / N))  # Gamma(a, 1): mean a, variance a
    _close(g.var(), 2.5, math.sqrt((6 * 2.5 + 2 * 2.5**2) / N))  # mu4 - var^2 = 6a + 2a^2
    b = random.binomial((N,), counts=10, probabilities=0.3, seed=1)
    assert b.dtype == np.float32 and b.min() >= 0 and b.max() <= 10
    b = b.astype(np.float64)
    _close(b.mean(), 3.0, math.sqrt(2.1 / N))
    # se of a sample variance: sqrt((mu4 - var^2) / N), mu4 = npq(1 + 3(n-2)pq) for a binomial
    mu4 = 2.1 * (1 + 3 * 8 * 0.21)
    _close(b.var(), 2.1, math.sqrt((mu4 - 2.1**2) / N))
    a, c = 2.0, 5.0
    x = random.beta((N,), alpha=a, beta=c, seed=1).astype(np.float64)
    assert x.min() >= 0 and x.max() <= 1
    var = a * c / ((a + c) ** 2 * (a + c + 1))
    _close(x.mean(), a / (a + c), math.sqrt(var / N))
    # Beta(2, 5) has excess kurtosis -0.12: mu4 = 2.88 var^2
    _close(x.var(), var, var * math.sqrt((2.88 - 1) / N))


def test_shuffle_permutes_each_slice_independently_as_keras():
    facts = GOLDEN["shuffle_matrix"]
    x = np.array(facts["x"])
    for out in (np.array(facts["axis0_seed1"]), random.shuffle(x, seed=1)):
        # each column holds its own entries, in an order of its own: rows are not kept together
        np.testing.assert_array_equal(np.sort(out, axis=0), x)
        assert any(not np.array_equal(np.argsort(out[:, 0]), np.argsort(out[:, j]))
                   for j in (1, 2))
    rows = random.shuffle(x, axis=1, seed=1)
    np.testing.assert_array_equal(np.sort(rows, axis=1), x)
    # every one of the 6 orders of a 3-vector is equally likely
    orders = [tuple(random.shuffle(np.arange(3), seed=s)) for s in range(6000)]
    for order in set(orders):
        _close(orders.count(order) / 6000, 1 / 6, math.sqrt(1 / 6 * 5 / 6 / 6000))
    assert len(set(orders)) == 6


def test_dropout_rate_scale_noise_shape_and_gradient():
    x = np.ones((N // 100, 100), np.float32)
    y = random.dropout(x, 0.3, seed=1)
    assert y.dtype == np.float32
    assert set(np.unique(y)) == {np.float32(0.0), np.float32(1 / 0.7)}
    _close((y == 0).mean(), 0.3, math.sqrt(0.3 * 0.7 / N))
    m = random.dropout(x, 0.5, noise_shape=(None, 1), seed=2)
    assert all(len(set(row)) == 1 for row in m[:50])  # one decision per row
    np.testing.assert_array_equal(random.dropout(np.ones(4, np.float32), 1.0, seed=1),
                                  GOLDEN["dropout_rate_1"])
    z = np.arange(4.0, dtype=np.float32)
    assert GOLDEN["dropout_rate_0_is_input"]
    np.testing.assert_array_equal(random.dropout(z, 0.0, seed=1), z)
    assert random.normal((2,), seed=1).numpy().dtype == np.float32  # tf.keras's .numpy()
    # the gradient flows through the kept entries only, scaled like them
    w = np.linspace(1, 2, 12).reshape(3, 4)
    grad = autograd.grad(lambda v: anp.sum(random.dropout(v, 0.5, seed=9) * 3.0))(w)
    kept = random.dropout(np.ones_like(w), 0.5, seed=9)
    np.testing.assert_allclose(grad, 3.0 * kept)


def test_shuffle_keeps_the_gradient():
    w = np.arange(6.0)
    weights = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    order = random.shuffle(np.arange(6), seed=4)
    grad = autograd.grad(lambda v: anp.sum(random.shuffle(v, seed=4) * weights))(w)
    expected = np.empty(6)
    expected[order] = weights  # out[i] = v[order[i]]
    np.testing.assert_allclose(grad, expected)


# ----------------------------------------------------------------------------- in models
class NormalInit(keras.initializers.Initializer):
    """The course's custom initializer: `keras.random.normal(shape, dtype=dtype)`."""

    def __call__(self, shape, dtype=None):
        return keras.random.normal(shape, stddev=0.1, dtype=dtype)


def test_custom_initializer_draws_float32_and_follows_set_random_seed():
    def build():
        model = keras.Sequential([keras.Input((300,)),
                                  keras.layers.Dense(200, kernel_initializer=NormalInit())])
        return model.layers[0].kernel.numpy()

    set_random_seed(5)
    k = build()
    set_random_seed(5)
    np.testing.assert_array_equal(build(), k)
    assert k.dtype == np.float32 and k.shape == (300, 200)
    _close(k.astype(np.float64).std(), 0.1, 0.1 / math.sqrt(2 * k.size))


class SeededDropout(keras.layers.Layer):
    """A layer from Keras 3's `SeedGenerator` docstring."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, x, training=False):
        if training:
            return keras.random.dropout(x, rate=0.5, seed=self.seed_generator)
        return x


def test_seed_generator_advances_once_per_training_step():
    x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    y = x @ np.ones((4, 1), np.float32)

    def train():
        set_random_seed(1)
        drop = SeededDropout()
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), drop,
                                  keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        return drop, model.get_weights()

    drop, weights = train()
    # 4 batches x 2 epochs = 8 training calls, each took one seed; inference takes none
    assert drop.seed_generator.state.numpy().tolist() == [1337, 8]
    drop_again, weights_again = train()
    for a, b in zip(weights, weights_again):
        np.testing.assert_array_equal(a, b)


def test_is_keras_random():
    assert keras.random is random
    assert sorted(random.__all__) == sorted([*CALLS, "SeedGenerator"])
