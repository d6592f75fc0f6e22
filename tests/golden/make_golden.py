"""Regenerate the golden reference fixtures in tests/golden/ with REAL Keras 3.

This script is the only thing in the repository that imports Keras. The test suite
never imports it (nor Keras): it only reads the JSON / text files this script writes.

It needs Keras 3 with the JAX backend, installed in a virtualenv outside the repo:

    python3 -m venv /work/kvenv
    /work/kvenv/bin/pip install keras jax jaxlib
    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_golden.py

Optionally pass fixture names to regenerate only some of them, e.g.
``make_golden.py optimizers losses``. Everything runs float32 on CPU; inputs come
from fixed NumPy seeds, so two runs produce byte-identical JSON (the progress-bar
text files differ only in their timing fields).

Number format: float32 results are written with the shortest decimal that
round-trips to the same float32 (``np.float32(value)`` recovers the exact bits).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
META = {
    "keras": keras.__version__,
    "jax": jax.__version__,
    "numpy": np.__version__,
    "backend": keras.backend.backend(),
    "floatx": keras.config.floatx(),
    "generated_by": "tests/golden/make_golden.py",
}
assert META["backend"] == "jax", "run with KERAS_BACKEND=jax"
warnings.filterwarnings("ignore")


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _num(v, is32):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    if not np.isfinite(v):
        return repr(v)  # "nan" / "inf" / "-inf" as strings (JSON has no NaN)
    if is32:
        return float(str(np.float32(v)))  # shortest round-trip for float32
    return v


def tolist(a):
    """Array-like -> nested lists of plain Python numbers (JSON-ready)."""
    if a is None:
        return None
    a = np.asarray(a)
    is32 = a.dtype in (np.float32, np.float16)
    if a.ndim == 0:
        return _num(a.item(), is32)
    return [tolist(x) if np.ndim(x) else _num(x, is32) for x in a]


def jsonable(obj):
    """Make configs (which may contain numpy scalars, tuples, dtypes) JSON-ready."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") and not isinstance(
        obj, (str, bytes)
    ):
        return tolist(np.asarray(obj))
    if isinstance(obj, (np.floating, float)):
        return _num(obj, isinstance(obj, np.float32))
    if isinstance(obj, (np.integer, np.bool_, int, bool)) or obj is None:
        return _num(obj, False) if obj is not None else None
    if isinstance(obj, str):
        return obj
    return repr(obj)


def kconfig(obj):
    """obj.get_config() without "name" (auto-generated names like sgd_3 vary)."""
    return jsonable({k: v for k, v in obj.get_config().items() if k != "name"})


def f32(a):
    return np.asarray(a, dtype="float32")


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def write_json(name, payload):
    payload = {"meta": META, **payload}
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        f.write(_dumps(payload))
        f.write("\n")
    print(f"wrote {name}: {os.path.getsize(path)} bytes")


def _dumps(obj, indent=0):
    """JSON with dicts indented and lists without dicts kept on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad} {json.dumps(k)}: {_dumps(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) and _has_dict(v)
                                     for v in obj):
        items = [f"{pad} {_dumps(v, indent + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False)


def _has_dict(obj):
    if isinstance(obj, dict):
        return True
    return isinstance(obj, list) and any(_has_dict(v) for v in obj)


def err_str(e):
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


# ----------------------------------------------------------------------------
# optimizers.json
# ----------------------------------------------------------------------------
N_STEPS = 6


def _opt_data(shapes, seed):
    rng = np.random.RandomState(seed)
    init = [f32(rng.normal(size=s)) for s in shapes]
    grads = []
    for step in range(N_STEPS):
        gs = []
        for i, s in enumerate(shapes):
            g = f32(rng.normal(size=s))
            flat = g.reshape(-1)
            flat[0] = 0.0  # first element always has a zero gradient
            if step == 2:
                flat[-1] = 0.0  # and the last one at step 3
            if step == 4 and i == 0:
                flat[:] = -np.abs(flat)  # an all-non-positive gradient
            gs.append(flat.reshape(s))
        grads.append(gs)
    return init, grads


def _run_optimizer(cls_name, config, shapes, seed, schedule=None):
    init, grads = _opt_data(shapes, seed)
    kwargs = dict(config)
    if schedule is not None:
        sched_cls = getattr(keras.optimizers.schedules, schedule["class"])
        kwargs["learning_rate"] = sched_cls(**schedule["config"])
    opt = getattr(keras.optimizers, cls_name)(**kwargs)
    variables = [
        keras.Variable(v.copy(), dtype="float32", name=f"v{i}")
        for i, v in enumerate(init)
    ]
    traj, ema_traj, lr_traj = [], [], []
    for gs in grads:
        lr_traj.append(float(np_(opt.learning_rate)))
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in gs], variables))
        traj.append([tolist(np_(v)) for v in variables])
        if getattr(opt, "use_ema", False):
            ema_traj.append(
                [tolist(np_(v)) for v in opt._model_variables_moving_average]
            )
    case = {
        "class": cls_name,
        "config": jsonable(config),
        "shapes": [list(s) for s in shapes],
        "init": [tolist(v) for v in init],
        "grads": [[tolist(g) for g in gs] for gs in grads],
        "traj": traj,
        "iterations": int(np_(opt.iterations)),
        "learning_rate_before_each_step": tolist(f32(lr_traj)),
        "keras_full_config": kconfig(opt),
    }
    if schedule is not None:
        case["schedule"] = schedule
    if ema_traj:
        case["ema_traj"] = ema_traj
    return case


def make_optimizers():
    S2 = [[3, 4], [4]]
    S3 = [[3, 4], [4], [2, 3, 4]]
    expo = {
        "class": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5},
    }
    specs = [
        # name, class, config, shapes, schedule
        ("sgd_default", "SGD", {}, S2, None),
        ("sgd_lr0.1", "SGD", {"learning_rate": 0.1}, S2, None),
        ("sgd_momentum", "SGD", {"momentum": 0.9}, S2, None),
        ("sgd_nesterov", "SGD", {"momentum": 0.9, "nesterov": True}, S2, None),
        ("rmsprop_default", "RMSprop", {}, S2, None),
        ("rmsprop_momentum", "RMSprop", {"momentum": 0.9}, S2, None),
        ("rmsprop_centered", "RMSprop", {"centered": True}, S2, None),
        ("rmsprop_centered_momentum", "RMSprop", {"centered": True, "momentum": 0.5}, S2, None),
        ("adagrad_default", "Adagrad", {}, S2, None),
        ("adagrad_acc0", "Adagrad", {"initial_accumulator_value": 0.0}, S2, None),
        ("adagrad_eps1e-3", "Adagrad", {"epsilon": 1e-3}, S2, None),
        ("adadelta_default", "Adadelta", {}, S2, None),
        ("adadelta_lr1", "Adadelta", {"learning_rate": 1.0}, S2, None),
        ("adam_default", "Adam", {}, S2, None),
        ("adam_amsgrad", "Adam", {"amsgrad": True}, S2, None),
        ("adam_custom", "Adam",
         {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5}, S2, None),
        ("adamw_default", "AdamW", {}, S2, None),
        ("adamw_wd0.1_lr0.01", "AdamW", {"weight_decay": 0.1, "learning_rate": 0.01}, S2, None),
        ("adamw_amsgrad", "AdamW", {"amsgrad": True}, S2, None),
        ("adamax_default", "Adamax", {}, S2, None),
        ("nadam_default", "Nadam", {}, S2, None),
        ("nadam_lr0.01", "Nadam", {"learning_rate": 0.01}, S2, None),
        ("ftrl_default", "Ftrl", {}, S2, None),
        ("ftrl_custom", "Ftrl",
         {"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
          "l2_shrinkage_regularization_strength": 0.01, "beta": 0.1,
          "learning_rate": 0.1}, S2, None),
        ("lion_default", "Lion", {}, S2, None),
        ("lion_lr0.01", "Lion", {"learning_rate": 0.01}, S2, None),
        ("adafactor_default", "Adafactor", {}, S3, None),
        ("adafactor_no_relative_step", "Adafactor", {"relative_step": False}, S3, None),
    ]
    for cls in ("Adam", "SGD"):
        p = cls.lower()
        specs += [
            (f"{p}_clipnorm0.5", cls, {"clipnorm": 0.5}, S2, None),
            (f"{p}_clipvalue0.1", cls, {"clipvalue": 0.1}, S2, None),
            (f"{p}_global_clipnorm0.5", cls, {"global_clipnorm": 0.5}, S2, None),
            (f"{p}_weight_decay0.01", cls, {"weight_decay": 0.01}, S2, None),
            (f"{p}_ema0.9", cls,
             {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": None}, S2, None),
            (f"{p}_exponential_decay", cls, {}, S2, expo),
        ]
    specs += [  # appended last, so the cases above keep their seeds (100 + index)
        ("lamb_default", "Lamb", {}, S2, None),
        ("lamb_custom", "Lamb",
         {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5}, S2, None),
        ("lamb_weight_decay0.01", "Lamb", {"weight_decay": 0.01}, S2, None),
        ("lamb_clipnorm0.5_exponential_decay", "Lamb", {"clipnorm": 0.5}, S2, expo),
    ]
    cases = []
    for k, (name, cls, config, shapes, sched) in enumerate(specs):
        case = {"name": name}
        case.update(_run_optimizer(cls, config, shapes, seed=100 + k, schedule=sched))
        cases.append(case)
    write_json(
        "optimizers.json",
        {
            "notes": "Each step: opt.apply_gradients(zip(grads[t], vars)) on "
            "keras.Variable(float32). traj[t] = variable values after step t+1. "
            "learning_rate_before_each_step = float(opt.learning_rate) read before "
            "that step. ema_traj = opt._model_variables_moving_average after each "
            "step (use_ema cases only). keras_full_config = opt.get_config() "
            "without 'name'.",
            "cases": cases,
        },
    )


# ----------------------------------------------------------------------------
# schedules.json
# ----------------------------------------------------------------------------
def make_schedules():
    S = keras.optimizers.schedules
    specs = [
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}),
        ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5,
                              "staircase": True}),
        ("PiecewiseConstantDecay", {"boundaries": [5, 10, 20], "values": [1.0, 0.5, 0.1, 0.01]}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "end_learning_rate": 0.01, "power": 1.0}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "end_learning_rate": 0.01, "power": 2.0}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "end_learning_rate": 0.01, "power": 1.0, "cycle": True}),
        ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                             "end_learning_rate": 0.01, "power": 2.0, "cycle": True}),
        ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}),
        ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5,
                              "staircase": True}),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 20}),
        ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 20, "alpha": 0.1}),
        ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 20,
                         "warmup_target": 0.1, "warmup_steps": 5}),
        ("CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 15, "alpha": 0.1,
                         "warmup_target": 0.1, "warmup_steps": 5}),
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 5}),
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 5,
                                 "t_mul": 1.0, "m_mul": 0.5}),
        ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 4,
                                 "t_mul": 1.5, "m_mul": 0.8, "alpha": 0.1}),
    ]
    steps = list(range(31))
    cases = []
    for cls, config in specs:
        sched = getattr(S, cls)(**config)
        values = [float(np_(sched(step))) for step in steps]
        cases.append({
            "class": cls,
            "config": jsonable(config),
            "keras_full_config": kconfig(sched),
            "steps": steps,
            "values": tolist(f32(values)),
        })
    write_json("schedules.json", {
        "notes": "values[i] = float(schedule(steps[i])) with a Python int step.",
        "cases": cases,
    })


# ----------------------------------------------------------------------------
# losses.json
# ----------------------------------------------------------------------------
def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def make_losses():
    rng = np.random.RandomState(7)
    N, C = 5, 4
    logits = f32(rng.normal(size=(N, C)) * 2)
    probs = f32(_softmax(logits))
    labels = np.array([0, 2, 1, 3, 2])
    onehot = f32(np.eye(C)[labels])
    probs_extreme = probs.copy()
    probs_extreme[1] = f32([0.5, 0.3, 1e-9, 0.2 - 1e-9])  # true class has ~0 prob
    probs_extreme[3] = f32([1e-9, 1e-9, 1e-9, 1.0])
    reg_true = f32(rng.normal(size=(N, C)))
    reg_pred = f32(rng.normal(size=(N, C)))
    pos_true = f32(rng.uniform(0.1, 3.0, size=(N, C)))
    pos_pred = f32(rng.uniform(0.1, 3.0, size=(N, C)))
    pos_pred[0, 0] = 0.0  # exercise the epsilon clip in MSLE / Poisson
    bin_true = f32(rng.randint(0, 2, size=(N, 3)))
    bin_logits = f32(rng.normal(size=(N, 3)) * 2)
    bin_probs = f32(1 / (1 + np.exp(-bin_logits)))
    bin_probs[0, 0] = 1e-9
    bin_probs[1, 1] = 1.0  # saturated probabilities: clipping matters
    pm1_true = f32(2 * bin_true - 1)
    logits3 = f32(rng.normal(size=(N, 2, C)))
    probs3 = f32(_softmax(logits3))
    onehot3 = f32(np.eye(C)[rng.randint(0, C, size=(N, 2))])
    sw = f32([1.0, 0.5, 2.0, 0.0, 2.5])  # sum 6 != N, so sum(w*l)/N and /sum(w) differ

    L = []  # (name, fn, kwargs, class, class_kwargs, y_true, y_pred)
    for fn, cls in [("mean_squared_error", "MeanSquaredError"),
                    ("mean_absolute_error", "MeanAbsoluteError"),
                    ("log_cosh", "LogCosh")]:
        L.append((fn, fn, {}, cls, {}, reg_true, reg_pred))
    L.append(("mean_absolute_percentage_error", "mean_absolute_percentage_error", {},
              "MeanAbsolutePercentageError", {}, reg_true, reg_pred))
    L.append(("mean_squared_logarithmic_error", "mean_squared_logarithmic_error", {},
              "MeanSquaredLogarithmicError", {}, pos_true, pos_pred))
    L.append(("squared_hinge_01", "squared_hinge", {}, "SquaredHinge", {}, bin_true, bin_logits))
    L.append(("squared_hinge_pm1", "squared_hinge", {}, "SquaredHinge", {}, pm1_true, bin_logits))
    L.append(("hinge_01", "hinge", {}, "Hinge", {}, bin_true, bin_logits))
    L.append(("hinge_pm1", "hinge", {}, "Hinge", {}, pm1_true, bin_logits))
    L.append(("categorical_hinge", "categorical_hinge", {}, "CategoricalHinge", {}, onehot, logits))
    L.append(("huber_delta1", "huber", {}, "Huber", {}, reg_true, reg_pred * 2))
    L.append(("huber_delta0.5", "huber", {"delta": 0.5}, "Huber", {"delta": 0.5},
              reg_true, reg_pred * 2))
    L.append(("cce_probs", "categorical_crossentropy", {}, "CategoricalCrossentropy", {},
              onehot, probs))
    L.append(("cce_probs_extreme", "categorical_crossentropy", {}, "CategoricalCrossentropy",
              {}, onehot, probs_extreme))
    L.append(("cce_unnormalized_probs", "categorical_crossentropy", {},
              "CategoricalCrossentropy", {}, onehot, f32(probs * 3.0)))
    L.append(("cce_logits", "categorical_crossentropy", {"from_logits": True},
              "CategoricalCrossentropy", {"from_logits": True}, onehot, logits))
    L.append(("cce_label_smoothing0.1", "categorical_crossentropy", {"label_smoothing": 0.1},
              "CategoricalCrossentropy", {"label_smoothing": 0.1}, onehot, probs))
    L.append(("cce_axis-1", "categorical_crossentropy", {"axis": -1},
              "CategoricalCrossentropy", {"axis": -1}, onehot, probs))
    L.append(("cce_3d", "categorical_crossentropy", {}, "CategoricalCrossentropy", {},
              onehot3, probs3))
    L.append(("scce_probs_N", "sparse_categorical_crossentropy", {},
              "SparseCategoricalCrossentropy", {}, labels.astype("int32"), probs))
    L.append(("scce_probs_N1", "sparse_categorical_crossentropy", {},
              "SparseCategoricalCrossentropy", {}, labels.reshape(N, 1).astype("int32"), probs))
    L.append(("scce_logits_N", "sparse_categorical_crossentropy", {"from_logits": True},
              "SparseCategoricalCrossentropy", {"from_logits": True},
              labels.astype("int32"), logits))
    L.append(("scce_logits_N1", "sparse_categorical_crossentropy", {"from_logits": True},
              "SparseCategoricalCrossentropy", {"from_logits": True},
              labels.reshape(N, 1).astype("int32"), logits))
    L.append(("scce_probs_extreme", "sparse_categorical_crossentropy", {},
              "SparseCategoricalCrossentropy", {}, labels.astype("int32"), probs_extreme))
    L.append(("bce_probs", "binary_crossentropy", {}, "BinaryCrossentropy", {},
              bin_true, bin_probs))
    L.append(("bce_logits", "binary_crossentropy", {"from_logits": True},
              "BinaryCrossentropy", {"from_logits": True}, bin_true, bin_logits))
    L.append(("bce_label_smoothing0.2", "binary_crossentropy", {"label_smoothing": 0.2},
              "BinaryCrossentropy", {"label_smoothing": 0.2}, bin_true, bin_probs))
    L.append(("bfce_default", "binary_focal_crossentropy", {}, "BinaryFocalCrossentropy", {},
              bin_true, bin_probs))
    bal = {"apply_class_balancing": True, "alpha": 0.3, "gamma": 3.0}
    L.append(("bfce_balanced", "binary_focal_crossentropy", bal, "BinaryFocalCrossentropy",
              bal, bin_true, bin_probs))
    L.append(("bfce_logits", "binary_focal_crossentropy", {"from_logits": True},
              "BinaryFocalCrossentropy", {"from_logits": True}, bin_true, bin_logits))
    L.append(("cfce_default", "categorical_focal_crossentropy", {},
              "CategoricalFocalCrossentropy", {}, onehot, probs))
    L.append(("cfce_logits", "categorical_focal_crossentropy", {"from_logits": True},
              "CategoricalFocalCrossentropy", {"from_logits": True}, onehot, logits))
    L.append(("kl_divergence", "kl_divergence", {}, "KLDivergence", {},
              f32(_softmax(reg_true)), probs))
    L.append(("poisson", "poisson", {}, "Poisson", {}, pos_true, pos_pred))
    L.append(("cosine_similarity", "cosine_similarity", {"axis": -1}, "CosineSimilarity",
              {"axis": -1}, reg_true, reg_pred))

    cases = []
    for name, fn, kwargs, cls, ckw, yt, yp in L:
        fnobj = getattr(keras.losses, fn)
        C_ = getattr(keras.losses, cls)
        case = {
            "name": name,
            "fn": f"keras.losses.{fn}",
            "kwargs": kwargs,
            "y_true": tolist(yt),
            "y_true_dtype": str(np.asarray(yt).dtype),
            "y_pred": tolist(yp),
            "per_sample": tolist(np_(fnobj(yt, yp, **kwargs))),
            "class": cls,
            "class_kwargs": ckw,
            "keras_class_config": kconfig(C_(**ckw)),
            "sample_weight": tolist(sw),
        }
        def attempt(key, fn):
            try:
                case[key] = tolist(np_(fn()))
            except Exception as e:  # record what real Keras does, don't hide it
                case[key] = None
                case[key + "_error"] = err_str(e)

        attempt("reduced", lambda: C_(**ckw)(yt, yp))
        attempt("reduced_weighted", lambda: C_(**ckw)(yt, yp, sample_weight=sw))
        attempt("reduced_sum", lambda: C_(**ckw, reduction="sum")(yt, yp))
        attempt("reduced_none", lambda: C_(**ckw, reduction=None)(yt, yp))
        attempt("reduced_none_weighted",
                lambda: C_(**ckw, reduction=None)(yt, yp, sample_weight=sw))
        attempt("reduced_mean_weighted",
                lambda: C_(**ckw, reduction="mean")(yt, yp, sample_weight=sw))
        attempt("reduced_mean_with_sample_weight_weighted",
                lambda: C_(**ckw, reduction="mean_with_sample_weight")(
                    yt, yp, sample_weight=sw))
        if np.ndim(case["per_sample"]) > 1:
            # a (N, 1) sample_weight broadcasts against a (N, d) per-sample loss
            sw1 = sw.reshape(-1, 1)
            case["sample_weight_N1"] = tolist(sw1)
            attempt("reduced_weighted_sw_N1", lambda: C_(**ckw)(yt, yp, sample_weight=sw1))
            attempt("reduced_sum_weighted_sw_N1",
                    lambda: C_(**ckw, reduction="sum")(yt, yp, sample_weight=sw1))
        cases.append(case)
    write_json("losses.json", {
        "notes": "per_sample = keras.losses.<fn>(y_true, y_pred, **kwargs). "
        "reduced = Class(**class_kwargs)(y_true, y_pred) (default reduction "
        "'sum_over_batch_size'); reduced_weighted = same with sample_weight; "
        "reduced_sum: reduction='sum'; reduced_none: reduction=None; "
        "reduced_mean_weighted: reduction='mean' (in Keras 3 also sum(w*l)/N); "
        "reduced_mean_with_sample_weight_weighted: reduction="
        "'mean_with_sample_weight' (sum(w*l)/sum(w)). A *_error key holds the "
        "exception real Keras raised for that call. "
        "y_pred of *_extreme cases contains 1e-9 / 1.0 probabilities.",
        "cases": cases,
    })


# ----------------------------------------------------------------------------
# metrics.json
# ----------------------------------------------------------------------------
def make_metrics():
    rng = np.random.RandomState(11)
    M = keras.metrics

    def cat_batch(n, c=4):
        lab = rng.randint(0, c, size=n)
        return f32(np.eye(c)[lab]), f32(_softmax(rng.normal(size=(n, c)) * 2)), lab

    def bin_batch(n, c=3):
        # predictions correlated with the labels, so AUC / precision are informative
        yt = rng.randint(0, 2, size=(n, c))
        yp = np.clip(0.3 * yt + rng.uniform(0, 0.7, size=(n, c)), 0, 1)
        return f32(yt), f32(np.round(yp, 3))

    def reg_batch(n, c=3):
        return f32(rng.normal(size=(n, c))), f32(rng.normal(size=(n, c)))

    # fixed data sets: two batches each, second one weighted
    w6 = f32([1.0, 0.0, 2.0, 0.5, 1.0, 3.0])
    cat = [cat_batch(6), cat_batch(6)]
    binb = [bin_batch(6), bin_batch(6)]
    binb[0][1][0, 0] = 0.5  # exactly at the threshold
    binb[0][1][1, 1] = 0.7
    binb[0][1][2, 2] = 0.3
    reg = [reg_batch(6), reg_batch(6)]
    reg[0][0][0, 0] = 0.0  # MAPE with a zero target

    def batches_from(pairs):
        return [
            {"y_true": pairs[0][0], "y_pred": pairs[0][1], "sample_weight": None},
            {"y_true": pairs[1][0], "y_pred": pairs[1][1], "sample_weight": w6},
        ]

    cat_b = batches_from([(c[0], c[1]) for c in cat])
    cat_sparse_N = batches_from([(c[2].astype("int32"), c[1]) for c in cat])
    cat_sparse_N1 = batches_from([(c[2].reshape(-1, 1).astype("int32"), c[1]) for c in cat])
    bin_b = batches_from(binb)
    reg_b = batches_from(reg)
    pos_b = batches_from([(np.abs(r[0]) + f32(0.1), np.abs(r[1])) for r in reg])
    acc_b = batches_from([
        (np.array([1, 2, 3, 4, 0, 2], "int32"), np.array([1, 2, 0, 4, 0, 1], "int32")),
        (np.array([0, 1, 1, 3, 2, 2], "int32"), np.array([0, 1, 2, 3, 2, 0], "int32")),
    ])

    specs = [
        ("Accuracy", {}, acc_b),
        ("BinaryAccuracy", {}, bin_b),
        ("BinaryAccuracy", {"threshold": 0.7}, bin_b),
        ("CategoricalAccuracy", {}, cat_b),
        ("SparseCategoricalAccuracy", {}, cat_sparse_N),
        ("SparseCategoricalAccuracy", {}, cat_sparse_N1),
        ("TopKCategoricalAccuracy", {"k": 2}, cat_b),
        ("SparseTopKCategoricalAccuracy", {"k": 2}, cat_sparse_N),
        ("MeanSquaredError", {}, reg_b),
        ("MeanAbsoluteError", {}, reg_b),
        ("MeanAbsolutePercentageError", {}, reg_b),  # has a zero target
        ("MeanAbsolutePercentageError", {}, pos_b),
        ("MeanSquaredLogarithmicError", {}, pos_b),
        ("RootMeanSquaredError", {}, reg_b),
        ("CosineSimilarity", {}, reg_b),
    ]
    for cls in ("Precision", "Recall"):
        specs += [(cls, {}, bin_b), (cls, {"thresholds": 0.3}, bin_b),
                  (cls, {"top_k": 1}, bin_b), (cls, {"class_id": 1}, bin_b)]
    specs += [
        ("AUC", {}, bin_b),
        ("AUC", {"curve": "PR"}, bin_b),
        ("AUC", {"num_thresholds": 50}, bin_b),
        ("AUC", {"summation_method": "minoring"}, bin_b),
        ("AUC", {"summation_method": "majoring"}, bin_b),
        ("AUC", {"num_thresholds": 5}, bin_b),
        ("AUC", {"num_thresholds": 5, "summation_method": "minoring"}, bin_b),
        ("AUC", {"num_thresholds": 5, "summation_method": "majoring"}, bin_b),
        ("AUC", {"num_thresholds": 5, "curve": "PR"}, bin_b),
        ("AUC", {"curve": "PR", "summation_method": "minoring"}, bin_b),
        ("F1Score", {}, bin_b),
        ("F1Score", {"average": "micro"}, bin_b),
        ("F1Score", {"average": "macro"}, bin_b),
        ("F1Score", {"average": "weighted"}, bin_b),
        ("F1Score", {"threshold": 0.5}, bin_b),
        ("F1Score", {"average": "macro", "threshold": 0.5}, bin_b),
        ("FBetaScore", {"beta": 2.0}, bin_b),
        ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.5}, bin_b),
    ]
    for cls in ("TruePositives", "TrueNegatives", "FalsePositives", "FalseNegatives"):
        specs += [(cls, {}, bin_b), (cls, {"thresholds": [0.3, 0.7]}, bin_b)]

    cases = []
    for cls, config, batches in specs:
        m = getattr(M, cls)(**config)
        results, err = [], None
        try:
            for b in batches:
                m.update_state(b["y_true"], b["y_pred"], sample_weight=b["sample_weight"])
                results.append(tolist(np_(m.result())))
        except Exception as e:  # record, don't hide
            err = err_str(e)
        case = {
            "class": cls,
            "config": config,
            "keras_full_config": kconfig(m),
            "batches": [{k: tolist(v) for k, v in b.items()} for b in batches],
            "result_after_each_batch": results,
        }
        if err:
            case["error"] = err
        cases.append(case)

    # Mean / Sum
    vals = [f32(rng.normal(size=5)), f32(rng.normal(size=5))]
    wts = [None, f32([1.0, 0.0, 2.0, 0.5, 3.0])]
    for cls in ("Mean", "Sum"):
        m = getattr(M, cls)()
        res = []
        for v, w in zip(vals, wts):
            m.update_state(v, sample_weight=w)
            res.append(tolist(np_(m.result())))
        cases.append({
            "class": cls, "config": {},
            "keras_full_config": kconfig(m),
            "batches": [{"values": tolist(v), "sample_weight": tolist(w)}
                        for v, w in zip(vals, wts)],
            "result_after_each_batch": res,
        })

    # stateless functions, per-sample output on one batch
    fcases = []
    y_t, y_p = binb[0]
    fspecs = [
        ("binary_accuracy", {}, y_t, y_p),
        ("binary_accuracy", {"threshold": 0.7}, y_t, y_p),
        ("categorical_accuracy", {}, cat[0][0], cat[0][1]),
        ("sparse_categorical_accuracy", {}, cat[0][2].astype("int32"), cat[0][1]),
        ("sparse_categorical_accuracy", {}, cat[0][2].reshape(-1, 1).astype("int32"), cat[0][1]),
        ("top_k_categorical_accuracy", {"k": 2}, cat[0][0], cat[0][1]),
        ("sparse_top_k_categorical_accuracy", {"k": 2}, cat[0][2].astype("int32"), cat[0][1]),
        ("sparse_top_k_categorical_accuracy", {"k": 2},
         cat[0][2].reshape(-1, 1).astype("int32"), cat[0][1]),
    ]
    for fn, kw, yt, yp in fspecs:
        out = np_(getattr(M, fn)(yt, yp, **kw))
        fcases.append({"fn": f"keras.metrics.{fn}", "kwargs": kw, "y_true": tolist(yt),
                       "y_pred": tolist(yp), "per_sample": tolist(out),
                       "per_sample_shape": list(out.shape)})
    write_json("metrics.json", {
        "notes": "For each case: m = keras.metrics.<class>(**config); for each batch "
        "m.update_state(y_true, y_pred, sample_weight=...) then record m.result(). "
        "Mean/Sum use update_state(values, sample_weight). functions: stateless "
        "keras.metrics.<fn>(y_true, y_pred, **kwargs) on one batch. "
        "keras.metrics.accuracy (a function) does not exist in Keras 3.",
        "cases": cases,
        "functions": fcases,
    })


# ----------------------------------------------------------------------------
# activations.json
# ----------------------------------------------------------------------------
def make_activations():
    x = f32(np.concatenate([np.linspace(-6, 6, 25), [-0.1, 0.05, 0.3, 2.2, -2.7]]))
    x2 = f32(np.random.RandomState(3).uniform(-6, 6, size=(4, 5)))
    x2[0, :] = [0.0, 1.0, -1.0, 3.0, -3.0]
    A = keras.activations
    fspecs = [
        ("softmax", {}, x2), ("softmax", {"axis": -1}, x2), ("softmax", {"axis": 0}, x2),
        ("log_softmax", {}, x2), ("log_softmax", {"axis": -1}, x2),
        ("elu", {}, x), ("elu", {"alpha": 0.5}, x), ("selu", {}, x),
        ("softplus", {}, x), ("softsign", {}, x),
        ("relu", {}, x), ("relu", {"negative_slope": 0.1}, x), ("relu", {"max_value": 2.0}, x),
        ("relu", {"threshold": 0.5}, x),
        ("relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}, x),
        ("tanh", {}, x), ("sigmoid", {}, x), ("hard_sigmoid", {}, x),
        ("exponential", {}, x), ("linear", {}, x),
        ("gelu", {}, x), ("gelu", {"approximate": False}, x), ("gelu", {"approximate": True}, x),
        ("swish", {}, x), ("silu", {}, x),
        ("leaky_relu", {}, x), ("leaky_relu", {"negative_slope": 0.1}, x),
        ("relu6", {}, x), ("mish", {}, x), ("hard_swish", {}, x), ("hard_silu", {}, x),
        # extras present in this Keras version
        ("celu", {}, x), ("hard_tanh", {}, x), ("hard_shrink", {}, x), ("soft_shrink", {}, x),
        ("log_sigmoid", {}, x), ("tanh_shrink", {}, x), ("squareplus", {}, x),
        ("sparse_plus", {}, x), ("sparse_sigmoid", {}, x), ("softmax", {}, x),
    ]
    cases = []
    for name, kw, inp in fspecs:
        if not hasattr(A, name):
            cases.append({"kind": "function", "name": name, "kwargs": kw,
                          "error": "missing in this Keras"})
            continue
        y = np_(getattr(A, name)(keras.ops.convert_to_tensor(inp), **kw))
        cases.append({"kind": "function", "name": name, "kwargs": kw,
                      "x": tolist(inp), "y": tolist(y)})
    L = keras.layers
    lspecs = [
        ("ReLU", {}, x), ("ReLU", {"max_value": 2.0}, x), ("ReLU", {"negative_slope": 0.1}, x),
        ("ReLU", {"threshold": 0.5}, x),
        ("ReLU", {"max_value": 2.0, "negative_slope": 0.1, "threshold": 0.5}, x),
        ("LeakyReLU", {}, x), ("LeakyReLU", {"negative_slope": 0.1}, x),
        ("PReLU", {}, x), ("ELU", {}, x), ("ELU", {"alpha": 0.5}, x),
        ("Softmax", {}, x2), ("Softmax", {"axis": 0}, x2),
    ]
    for name, kw, inp in lspecs:
        layer = getattr(L, name)(**kw)
        y = np_(layer(keras.ops.convert_to_tensor(inp)))
        cfg = {k: v for k, v in layer.get_config().items()
               if k not in ("name", "dtype", "trainable")}
        cases.append({"kind": "layer", "name": name, "kwargs": kw,
                      "keras_config": jsonable(cfg),
                      "weights": [tolist(np_(w)) for w in layer.weights],
                      "x": tolist(inp), "y": tolist(y)})
    write_json("activations.json", {
        "notes": "kind=function: y = keras.activations.<name>(x, **kwargs); "
        "kind=layer: y = keras.layers.<name>(**kwargs)(x).",
        "cases": cases,
    })


# ----------------------------------------------------------------------------
# initializers.json
# ----------------------------------------------------------------------------
def _fans(shape):
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[:-2]))
    return shape[-2] * rf, shape[-1] * rf


def _vs_theory(scale, mode, distribution, shape):
    fi, fo = _fans(shape)
    n = {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    n = max(1.0, n)
    if distribution == "truncated_normal":
        sd = np.sqrt(scale / n) / 0.87962566103423978
        return {"abs_max_bound": 2 * sd, "theory_std": np.sqrt(scale / n),
                "normal_stddev_param": sd}
    if distribution == "untruncated_normal":
        return {"abs_max_bound": None, "theory_std": np.sqrt(scale / n)}
    lim = np.sqrt(3 * scale / n)
    return {"abs_max_bound": lim, "theory_std": lim / np.sqrt(3)}


def make_initializers():
    I = keras.initializers
    specs = [
        ("Zeros", {}), ("Ones", {}), ("Constant", {"value": 0.3}),
        ("RandomNormal", {}), ("RandomNormal", {"mean": 1.0, "stddev": 0.2}),
        ("RandomUniform", {}), ("RandomUniform", {"minval": -1.0, "maxval": 2.0}),
        ("TruncatedNormal", {}), ("TruncatedNormal", {"stddev": 1.0}),
    ]
    for mode in ("fan_in", "fan_out", "fan_avg"):
        for dist in ("truncated_normal", "untruncated_normal", "uniform"):
            specs.append(("VarianceScaling", {"scale": 2.0, "mode": mode, "distribution": dist}))
    specs += [("VarianceScaling", {})]
    specs += [("Orthogonal", {}), ("Orthogonal", {"gain": 2.0})]
    for n in ("LecunUniform", "LecunNormal", "GlorotUniform", "GlorotNormal",
              "HeUniform", "HeNormal"):
        specs.append((n, {}))
    vs_equiv = {"LecunUniform": (1.0, "fan_in", "uniform"),
                "LecunNormal": (1.0, "fan_in", "truncated_normal"),
                "GlorotUniform": (1.0, "fan_avg", "uniform"),
                "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
                "HeUniform": (2.0, "fan_in", "uniform"),
                "HeNormal": (2.0, "fan_in", "truncated_normal")}
    shapes = [(300, 200), (3, 3, 16, 32)]
    cases = []
    for cls, cfg in specs:
        for shape in shapes:
            seeded = cls not in ("Zeros", "Ones", "Constant")
            init = getattr(I, cls)(**cfg, **({"seed": 1} if seeded else {}))
            full = init.get_config()
            case = {"class": cls, "config": cfg, "seed": 1 if seeded else None,
                    "keras_full_config": jsonable(full), "shape": list(shape)}
            try:
                w = np_(init(shape, dtype="float32")).astype(np.float64)
            except Exception as e:
                case["error"] = err_str(e)
                cases.append(case)
                continue
            case.update({"dtype": "float32", "mean": w.mean(), "std": w.std(),
                         "min": w.min(), "max": w.max()})
            bound, theory_std = None, None
            if cls in ("Zeros", "Ones", "Constant"):
                bound = abs(full.get("value", 1.0 if cls == "Ones" else 0.0))
                theory_std = 0.0
            elif cls == "RandomUniform":
                bound = max(abs(full["minval"]), abs(full["maxval"]))
                theory_std = (full["maxval"] - full["minval"]) / np.sqrt(12)
            elif cls == "TruncatedNormal":
                bound = abs(full["mean"]) + 2 * full["stddev"]
                theory_std = full["stddev"] * 0.87962566103423978  # after truncation
            elif cls == "RandomNormal":
                theory_std = full["stddev"]
            elif cls == "VarianceScaling" or cls in vs_equiv:
                s, m, d = ((full["scale"], full["mode"], full["distribution"])
                           if cls == "VarianceScaling" else vs_equiv[cls])
                if d == "normal":
                    d = "truncated_normal"
                th = _vs_theory(s, m, d, shape)
                bound, theory_std = th["abs_max_bound"], th["theory_std"]
            case["abs_max_bound"] = bound
            case["theory_std"] = theory_std
            case["abs_max_observed"] = float(np.abs(w).max())
            case = {k: (float(v) if isinstance(v, (np.floating,)) else v)
                    for k, v in case.items()}
            cases.append(case)

    # Identity: full small matrices
    exact = []
    for gain in (1.0, 2.0):
        for shape in ((3, 4), (4, 3), (3, 3)):
            w = np_(I.Identity(gain=gain)(shape, dtype="float32"))
            exact.append({"class": "Identity", "config": {"gain": gain}, "shape": list(shape),
                          "value": tolist(w)})
    try:
        I.Identity()((3, 3, 2, 2), dtype="float32")
        exact.append({"class": "Identity", "config": {}, "shape": [3, 3, 2, 2],
                      "error": None})
    except Exception as e:
        exact.append({"class": "Identity", "config": {}, "shape": [3, 3, 2, 2],
                      "error": err_str(e)})
    for gain in (1.0, 2.0):
        for shape in ((6, 4), (4, 6)):
            w = np_(I.Orthogonal(gain=gain, seed=1)(shape, dtype="float32")).astype(np.float64)
            exact.append({"class": "Orthogonal", "config": {"gain": gain, "seed": 1},
                          "shape": list(shape), "WT_W": tolist(w.T @ w),
                          "W_WT": tolist(w @ w.T)})
    for v in (0.3, 2):
        w = np_(I.Constant(v)((2, 3), dtype="float32"))
        exact.append({"class": "Constant", "config": {"value": v}, "shape": [2, 3],
                      "value": tolist(w)})

    # string aliases accepted by keras.initializers.get
    names = ["uniform", "normal", "random_uniform", "random_normal", "RandomUniform",
             "RandomNormal", "truncated_normal", "TruncatedNormal", "zeros", "zero", "Zeros",
             "ones", "one", "Ones", "constant", "Constant", "glorot_uniform", "GlorotUniform",
             "glorot_normal", "GlorotNormal", "he_normal", "HeNormal", "he_uniform",
             "HeUniform", "lecun_normal", "LecunNormal", "lecun_uniform", "LecunUniform",
             "orthogonal", "Orthogonal", "identity", "Identity", "variance_scaling",
             "VarianceScaling", "xavier_uniform", "Xavier", "glorot", "he", "null", "None"]
    aliases = []
    for n in names:
        try:
            obj = I.get(n)
            cfg = obj.get_config() if hasattr(obj, "get_config") else None
            aliases.append({"name": n, "class": type(obj).__name__,
                            "config": jsonable(cfg)})
        except Exception as e:
            aliases.append({"name": n, "class": None, "error": err_str(e)})
    aliases.append({"name": None, "class": type(I.get(None)).__name__ if I.get(None) else None,
                    "note": "keras.initializers.get(None)"})
    write_json("initializers.json", {
        "notes": "Statistics of a Keras-generated sample (float32, seed=1) cast to float64. "
        "abs_max_bound: theoretical max |w| (None = unbounded); theory_std: the "
        "distribution's std (before truncation for truncated normals it is "
        "normal_stddev; after truncation it equals sqrt(scale/n)). "
        "Exact values are Keras/JAX-RNG specific: compare statistics, not samples.",
        "cases": cases,
        "exact": exact,
        "aliases": aliases,
    })


# ----------------------------------------------------------------------------
# fit_mlp.json
# ----------------------------------------------------------------------------
def _mlp_data():
    rng = np.random.RandomState(2024)
    x = f32(rng.normal(size=(20, 4)))
    labels = rng.randint(0, 3, size=20)
    y = f32(np.eye(3)[labels])
    weights = [f32(rng.normal(size=(4, 5)) * 0.5), f32(rng.normal(size=(5,)) * 0.1),
               f32(rng.normal(size=(5, 3)) * 0.5), f32(rng.normal(size=(3,)) * 0.1)]
    sample_weight = f32(rng.uniform(0.2, 2.0, size=20))
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5}
    return x, y, labels, weights, sample_weight, class_weight


def _mlp(weights, out_act="softmax"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(5, activation="relu"),
        keras.layers.Dense(3, activation=out_act),
    ])
    model.set_weights(weights)
    return model


def make_fit_mlp():
    x, y, labels, weights, sw, cw = _mlp_data()
    cases_spec = [
        ("sgd_cce_accuracy", lambda: keras.optimizers.SGD(0.1), "categorical_crossentropy",
         ["accuracy"], {}),
        ("adam_cce_accuracy_sample_weight", lambda: keras.optimizers.Adam(0.01),
         "categorical_crossentropy", ["accuracy"], {"sample_weight": sw}),
        ("sgd_cce_accuracy_class_weight", lambda: keras.optimizers.SGD(0.1),
         "categorical_crossentropy", ["accuracy"], {"class_weight": cw}),
        ("sgd_mse_mae", lambda: keras.optimizers.SGD(0.1), "mse", ["mae"], {}),
        ("sgd_mse_no_metrics", lambda: keras.optimizers.SGD(0.1), "mse", None, {}),
    ]
    cases = []
    for name, mk_opt, loss, metrics, extra in cases_spec:
        model = _mlp(weights)
        compile_kw = {"optimizer": mk_opt(), "loss": loss}
        if metrics is not None:
            compile_kw["metrics"] = metrics
        model.compile(**compile_kw)
        fit_kw = dict(batch_size=6, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
        hist = model.fit(x, y, **fit_kw, **extra)
        ev_list = model.evaluate(x, y, verbose=0)
        ev_dict = model.evaluate(x, y, verbose=0, return_dict=True)
        pred = model.predict(x, verbose=0)
        case = {
            "name": name,
            "compile": {"optimizer": kconfig(compile_kw["optimizer"]),
                        "optimizer_class": type(compile_kw["optimizer"]).__name__,
                        "loss": loss, "metrics": metrics},
            "fit_kwargs": fit_kw,
            "history_keys_in_order": list(hist.history.keys()),
            "history": {k: tolist(f32(v)) for k, v in hist.history.items()},
            "final_weights": [tolist(w) for w in model.get_weights()],
            "evaluate": tolist(f32(ev_list)) if isinstance(ev_list, list) else _num(ev_list, True),
            "evaluate_type": type(ev_list).__name__,
            "evaluate_dict": {k: _num(v, True) for k, v in ev_dict.items()},
            "evaluate_dict_keys_in_order": list(ev_dict.keys()),
            "metrics_names": list(model.metrics_names),
            "predict": tolist(pred),
            "optimizer_iterations": int(np_(model.optimizer.iterations)),
        }
        if "sample_weight" in extra:
            case["sample_weight"] = tolist(sw)
        if "class_weight" in extra:
            case["class_weight"] = {str(k): v for k, v in cw.items()}
        cases.append(case)
    write_json("fit_mlp.json", {
        "notes": "Sequential([Input((4,)), Dense(5, relu), Dense(3, softmax)]) with "
        "init_weights set via set_weights ([kernel1, bias1, kernel2, bias2]); "
        "compile(optimizer, loss, metrics) then fit(x, y, **fit_kwargs plus "
        "sample_weight/class_weight when given). validation_split=0.25 uses the last "
        "5 samples for validation. evaluate/predict are on the full 20-sample x/y "
        "(no sample weights).",
        "x": tolist(x), "y": tolist(y), "labels": tolist(labels),
        "init_weights": [tolist(w) for w in weights],
        "cases": cases,
    })


# ----------------------------------------------------------------------------
# progbar_*.txt and summary_mlp*.txt (run in child processes: stdout -> file)
# ----------------------------------------------------------------------------
PROGBAR_RUNS = {
    "progbar_v1.txt": "fit(x, y, epochs=2, batch_size=6, verbose=1)",
    "progbar_v2.txt": "fit(x, y, epochs=2, batch_size=6, verbose=2)",
    "progbar_v1_val.txt": "fit(x, y, epochs=2, batch_size=6, verbose=1, validation_split=0.25)",
    "progbar_v2_val.txt": "fit(x, y, epochs=2, batch_size=6, verbose=2, validation_split=0.25)",
    "progbar_evaluate_v1.txt": "evaluate(x, y, batch_size=6, verbose=1)",
    "progbar_predict_v1.txt": "predict(x, batch_size=6, verbose=1)",
}
SUMMARY_RUNS = {"summary_mlp.txt": "80", "summary_mlp_cols200.txt": "200"}


def _child(kind, arg):
    """Runs in a subprocess whose stdout is the fixture file."""
    if kind == "progbar":
        x, y, labels, weights, sw, cw = _mlp_data()
        model = _mlp(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        call = PROGBAR_RUNS[arg]
        eval("model." + call, {"model": model, "x": x, "y": y})
    else:
        model = keras.Sequential([
            keras.Input((28, 28)), keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
        model.summary()
    sys.stdout.flush()


def make_progbar():
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", PYTHONIOENCODING="utf-8")
    env.pop("TERM", None)
    jobs = [("progbar", f, {}) for f in PROGBAR_RUNS]
    jobs += [("summary", f, {"COLUMNS": c}) for f, c in SUMMARY_RUNS.items()]
    for kind, fname, extra_env in jobs:
        path = os.path.join(HERE, fname)
        with open(path, "wb") as out:
            subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind, fname],
                           stdout=out, stderr=subprocess.DEVNULL, env={**env, **extra_env},
                           check=True, stdin=subprocess.DEVNULL)
        print(f"wrote {fname}: {os.path.getsize(path)} bytes")


FIXTURES = {
    "optimizers": make_optimizers,
    "schedules": make_schedules,
    "losses": make_losses,
    "metrics": make_metrics,
    "activations": make_activations,
    "initializers": make_initializers,
    "fit_mlp": make_fit_mlp,
    "progbar": make_progbar,
}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        sys.exit(0)
    wanted = sys.argv[1:] or list(FIXTURES)
    for name in wanted:
        FIXTURES[name]()
