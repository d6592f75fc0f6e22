"""Golden facts about Keras 3's public API, read from REAL Keras (see tests/golden/README.md).

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_api_golden.py            # all
    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_api_golden.py random     # one

Fixtures:

- `random`: tests/golden/random_api.json: the signatures and defaults of `keras.random`'s
  functions, the dtypes they return, their errors, `SeedGenerator`'s state and config, and how
  `shuffle` permutes a matrix (values from JAX's generator are not comparable; behaviour is).
- `names`: minikeras/keras_names.json (inside the package: minikeras reads it at run time): the
  public names of Keras's modules, so that a Keras name minikeras lacks gets an error saying so.
- `backend_ops`: tests/golden/backend_ops.json: what `keras.ops` returns for the inputs on which
  minikeras's `K.*` and `ops.*` used to disagree (booleans, integers, axes, keepdims).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import inspect  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import _dumps, err_str, jsonable, tolist  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "..", "..", "minikeras")
META = {
    "keras": keras.__version__,
    "jax": jax.__version__,
    "numpy": np.__version__,
    "backend": keras.backend.backend(),
    "floatx": keras.config.floatx(),
    "generated_by": "tests/golden/make_api_golden.py",
}
assert META["backend"] == "jax", "run with KERAS_BACKEND=jax"
warnings.filterwarnings("ignore")


def write_json(path, payload):
    payload = {"meta": META, **payload}
    with open(path, "w") as f:
        f.write(_dumps(payload))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)}: {os.path.getsize(path)} bytes")


def _signature(fn):
    params = {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        params[p.name] = "<required>" if p.default is p.empty else jsonable(p.default)
    return params


# ----------------------------------------------------------------------------
# random_api.json
# ----------------------------------------------------------------------------
RANDOM_CALLS = {  # the arguments each function is called with to read its output dtype
    "normal": lambda r: r.normal((2, 3), seed=1),
    "uniform": lambda r: r.uniform((2, 3), seed=1),
    "truncated_normal": lambda r: r.truncated_normal((2, 3), seed=1),
    "randint": lambda r: r.randint((2, 3), 0, 5, seed=1),
    "categorical": lambda r: r.categorical(np.zeros((2, 4), "float32"), 5, seed=1),
    "gamma": lambda r: r.gamma((2, 3), 2.0, seed=1),
    "binomial": lambda r: r.binomial((2, 3), 5, 0.5, seed=1),
    "beta": lambda r: r.beta((2, 3), 2.0, 3.0, seed=1),
    "dropout": lambda r: r.dropout(np.ones((2, 3), "float32"), 0.5, seed=1),
    "shuffle": lambda r: r.shuffle(np.arange(6, dtype="float32"), seed=1),
}
RANDOM_ERRORS = {
    "randint_float_dtype": lambda r: r.randint((2,), 0, 5, dtype="float32"),
    "uniform_int_dtype": lambda r: r.uniform((2,), dtype="int32"),
    "seed_float": lambda r: r.normal((2,), seed=1.5),
    "seed_generator_float_seed": lambda r: r.SeedGenerator(1.5),
    "categorical_1d_logits": lambda r: r.categorical(np.zeros((4,), "float32"), 2),
}


def make_random():
    r = keras.random
    signatures = {name: _signature(getattr(r, name)) for name in RANDOM_CALLS}
    signatures["SeedGenerator"] = _signature(r.SeedGenerator.__init__)
    dtypes = {name: str(np.asarray(call(r)).dtype) for name, call in RANDOM_CALLS.items()}
    errors = {}
    for name, call in RANDOM_ERRORS.items():
        try:
            call(r)
            errors[name] = None
        except Exception as e:  # noqa: BLE001 (the error is the fact recorded)
            errors[name] = err_str(e)
    gen = r.SeedGenerator(42, name="gen")
    state_before = np.asarray(gen.state.value)
    first = np.asarray(r.normal((3,), seed=gen))
    state_after_one = np.asarray(gen.state.value)
    r.normal((3,), seed=gen)
    x = np.arange(12).reshape(4, 3)
    write_json(os.path.join(HERE, "random_api.json"), {
        "signatures": signatures,
        "dtypes": dtypes,
        "errors": errors,
        "seed_generator": {
            "state_dtype": str(state_before.dtype),
            "state_before": tolist(state_before),
            "state_after_one_draw": tolist(state_after_one),
            "state_after_two_draws": tolist(np.asarray(gen.state.value)),
            "config": jsonable(gen.get_config()),
            "int_seed_equals_first_draw": bool(
                np.array_equal(first, np.asarray(r.normal((3,), seed=42)))),
        },
        "same_int_seed_same_values": bool(np.array_equal(
            np.asarray(r.uniform((5,), seed=7)), np.asarray(r.uniform((5,), seed=7)))),
        "shuffle_matrix": {"x": tolist(x), "axis0_seed1": tolist(r.shuffle(x, seed=1))},
        "dropout_rate_1": tolist(r.dropout(np.ones((4,), "float32"), 1.0, seed=1)),
        "dropout_rate_0_is_input": bool(np.array_equal(
            np.asarray(r.dropout(np.arange(4.0, dtype="float32"), 0.0, seed=1)),
            np.arange(4.0, dtype="float32"))),
    })


# ----------------------------------------------------------------------------
# minikeras/keras_names.json
# ----------------------------------------------------------------------------
def _public_modules(module, name, found):
    """`{module name: sorted public names}` of `module` and of the public modules under it."""
    names = sorted(n for n in dir(module) if not n.startswith("_") and n != "src")
    found[name] = names
    for n in names:
        value = getattr(module, n)
        if (isinstance(value, types.ModuleType) and value.__name__.startswith("keras")
                and ".src" not in value.__name__ and f"{name}.{n}" not in found):
            _public_modules(value, f"{name}.{n}", found)
    return found


def make_names():
    modules = _public_modules(keras, "keras", {})
    write_json(os.path.join(PACKAGE, "keras_names.json"), {
        "notes": "The public names of each module of Keras 3's API (`dir(module)` without "
                 "private names), read by minikeras.keras_names: a Keras name that minikeras "
                 "lacks raises an error saying it is not implemented.",
        "modules": dict(sorted(modules.items())),
    })


# ----------------------------------------------------------------------------
# backend_ops.json
# ----------------------------------------------------------------------------
def A(values, dtype):
    """An array argument, as the fixture writes it: `{"array": values, "dtype": dtype}`."""
    return {"array": values, "dtype": dtype}


B = A([[True, False, True], [False, False, True]], "bool")
I = A([[1, 2, 3], [4, 5, 7]], "int32")
F = A([[0.5, -1.5, 2.0], [3.25, -0.75, 1.0]], "float32")
NEG = A([-4.0, 0.0, 9.0], "float32")
# keras.ops calls on the inputs where minikeras's K.* and ops.* used to disagree: booleans,
# integers, Python lists and numbers, list axes, default axes. (No float64 inputs: JAX runs
# with 64-bit types off and would return float32, which says nothing about Keras.)
BACKEND_OPS_CASES = []
for _fn in ("sum", "prod", "mean", "std", "var", "max", "min", "any", "all"):
    BACKEND_OPS_CASES += [
        [_fn, [B], {}], [_fn, [I], {}], [_fn, [I], {"axis": 0}], [_fn, [F], {"axis": [0, 1]}],
        [_fn, [I], {"axis": -1, "keepdims": True}], [_fn, [[1.0, 2.0, 4.0]], {}],
        [_fn, [[1, 2, 4]], {}]]
for _fn in ("abs", "exp", "log", "sin", "cos", "tanh", "sqrt", "square", "round", "sign"):
    BACKEND_OPS_CASES += [[_fn, [I], {}], [_fn, [F], {}], [_fn, [[-1.0, 4.0]], {}], [_fn, [3], {}]]
for _fn in ("exp", "sin", "cos", "tanh", "sqrt", "square", "abs"):
    BACKEND_OPS_CASES.append([_fn, [B], {}])
BACKEND_OPS_CASES += [
    ["sqrt", [NEG], {}],
    ["round", [A([0.5, 1.5, 2.5, -0.5], "float32")], {}],
    ["argmax", [F], {}], ["argmax", [F], {"axis": -1}], ["argmin", [I], {}],
    ["argmin", [F], {"axis": 0}],
    ["cumsum", [I], {}], ["cumsum", [I], {"axis": 0}], ["cumsum", [B], {"axis": 1}],
    ["clip", [F, -1.0, 1.0], {}], ["clip", [F, None, 1.0], {}], ["clip", [F, 1.0, 0.0], {}],
    ["clip", [I, 2, 4], {}], ["clip", [B, 0, 1], {}],
    ["maximum", [I, 2.5], {}], ["maximum", [F, 0], {}], ["maximum", [[1, 5], [3, 2]], {}],
    ["minimum", [B, 0.5], {}], ["minimum", [I, F], {}],
    ["equal", [I, 2], {}], ["not_equal", [F, 2.0], {}], ["greater", [I, 2.5], {}],
    ["greater_equal", [[1.0, 2.0], [2.0, 1.0]], {}], ["less", [F, I], {}],
    ["less_equal", [B, 0], {}],
    ["dot", [F, A([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "float32")], {}],
    ["dot", [I, A([[1, 0], [0, 1], [1, 1]], "int32")], {}],
    ["dot", [A([[[1.0, 2.0], [3.0, 4.0]]], "float32"),
             A([[[1.0], [2.0]], [[0.5], [-1.0]], [[2.0], [0.0]]], "float32")], {}],
    ["ones", [[2, 3]], {}], ["zeros", [[2]], {}], ["ones", [[2]], {"dtype": "int32"}],
    ["eye", [2], {}], ["eye", [2, 3], {}],
    ["arange", [4], {}], ["arange", [0, 1, 0.25], {}], ["arange", [1, 6, 2], {}],
    ["zeros_like", [I], {}], ["ones_like", [B], {}], ["ones_like", [F], {"dtype": "int32"}],
    ["cast", [F, "int32"], {}], ["cast", [[1.5, 2.5], "float16"], {}],
    ["concatenate", [[I, F]], {}], ["concatenate", [[I, I]], {"axis": -1}],
    ["stack", [[I, I]], {}], ["stack", [[[1.0, 2.0], [3.0, 4.0]]], {}],
    ["expand_dims", [I, -1], {}], ["squeeze", [A([[[1.0], [2.0]]], "float32")], {"axis": 0}],
    ["reshape", [I, [3, 2]], {}], ["reshape", [[1.0, 2.0, 3.0, 4.0], [2, 2]], {}],
    ["tile", [I, 2], {}], ["tile", [I, [2, 1]], {}], ["transpose", [I], {}],
    ["shape", [I], {}],
    ["relu", [F], {}], ["relu", [I], {}], ["relu", [[-1.0, 2.0]], {}],
    ["softmax", [F], {}], ["softmax", [F], {"axis": 0}], ["softmax", [I], {}],
]


def _argument(value):
    """An argument as the fixture writes it -> what Keras is called with."""
    if isinstance(value, dict):
        return np.array(value["array"], dtype=value["dtype"])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_argument(v) for v in value]
    return value


def make_backend_ops():
    cases = []
    for fn, args, kwargs in BACKEND_OPS_CASES:
        case = {"fn": fn, "args": args, "kwargs": kwargs}
        call_args = [_argument(a) for a in args]
        if fn in ("ones", "zeros", "reshape", "tile") and isinstance(args[-1], list):
            call_args[-1] = tuple(args[-1])  # shapes and repeats as Keras takes them
        try:
            out = getattr(keras.ops, fn)(*call_args, **kwargs)
            if isinstance(out, tuple):
                case["value"] = list(out)
                case["dtype"] = "tuple"
            else:
                out = np.asarray(out)
                case["value"], case["dtype"] = tolist(out), str(out.dtype)
        except Exception as e:  # noqa: BLE001 (the error is the fact recorded)
            case["error"] = err_str(e)
        cases.append(case)
    write_json(os.path.join(HERE, "backend_ops.json"), {
        "notes": "keras.ops.<fn>(*args, **kwargs): arrays are written {'array', 'dtype'}, "
                 "other arguments as given (shapes as lists, given to Keras as tuples). "
                 "value and dtype of the result, or the error Keras raised.",
        "cases": cases,
    })


FIXTURES = {
    "random": make_random,
    "names": make_names,
    "backend_ops": make_backend_ops,
}

if __name__ == "__main__":
    wanted = sys.argv[1:] or list(FIXTURES)
    for name in wanted:
        FIXTURES[name]()
