"""Writes `benchmarks/reference/keras_trajectories.json`: real Keras 3 optimizer trajectories
on the 2-D test functions, the reference of `optimizers.py`'s "Keras dev" column and of
`tests/benchmarks/test_optimizers_benchmark.py`.

Run with real Keras (never imported by minikeras or its tests):

    KERAS_BACKEND=jax /work/kvenv/bin/python benchmarks/make_keras_reference.py

Each optimizer, built with its default arguments, drives a float32 `keras.Variable` of shape
(2,) with `apply_gradients`; the gradients come from `test_functions.py` in float32 NumPy, the
same code minikeras uses, so the optimizers are the only difference. Output is deterministic.
"""

import argparse
import json
import os
import pathlib

import numpy as np

from test_functions import OPTIMIZERS, PROBLEMS

STEPS = 200
OUT = pathlib.Path(__file__).parent / "reference" / "keras_trajectories.json"


def _f32(v):
    """The shortest decimal that gives back the same float32 (None for inf / NaN)."""
    return float(str(np.float32(v))) if np.isfinite(v) else None


def trajectory(keras, name, problem, steps):
    """Positions after each of `steps` Keras `apply_gradients` calls, shape (steps, 2)."""
    opt = getattr(keras.optimizers, name)()
    var = keras.Variable(np.array(problem.start, np.float32), dtype="float32", name="p")
    path = []
    with np.errstate(all="ignore"):  # a diverging run is recorded as it is (None = inf/NaN)
        for _ in range(steps):
            p = np.asarray(var.numpy(), np.float32)
            opt.apply_gradients([(problem.grad(p), var)])
            path.append(np.asarray(var.numpy(), np.float32))
    return np.array(path), opt.get_config()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args()
    import jax
    import keras

    configs, lines = {}, []
    for name in OPTIMIZERS:
        for problem in PROBLEMS.values():
            path, configs[name] = trajectory(keras, name, problem, args.steps)
            flat = [[_f32(v) for v in row] for row in path]
            lines.append(f'    "{name}/{problem.name}": {json.dumps(flat, separators=(",", ":"))}')
            print(f"{name:10s} {problem.name:10s} final {path[-1]}")
    meta = {
        "keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
        "backend": keras.backend.backend(), "floatx": keras.backend.floatx(),
        "generated_by": "benchmarks/make_keras_reference.py", "steps": args.steps,
        "settings": "default constructor arguments; one float32 keras.Variable of shape (2,); "
                    "opt.apply_gradients([(grad, var)]) with grad from test_functions.py in "
                    "float32 NumPy at the variable's current value; positions after each step "
                    "(the start is not included); floats are shortest float32 decimals, "
                    "null = inf/NaN",
        "starts": {p.name: list(p.start) for p in PROBLEMS.values()},
        "optimizer_configs": configs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as f:
        # One trajectory per line keeps the file small and its diffs readable.
        f.write('{\n  "meta": ' + json.dumps(meta, sort_keys=True) + ',\n  "trajectories": {\n')
        f.write(",\n".join(lines) + "\n  }\n}\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
