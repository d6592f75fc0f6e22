"""Regenerate the functional-API fixtures in tests/golden/ with REAL Keras 3.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_functional_golden.py

The test suite never imports this script (nor Keras); it reads what it writes:

- `functional.json`: models with several inputs and outputs, a layer shared by two inputs,
  a functional model and a Sequential used as layers, compiled with losses, metrics and
  `loss_weights` given as one value, lists and dicts. For each case: the weights' order,
  three `train_on_batch` logs from fixed initial weights (SGD), the weights after them,
  and a `fit` with validation (History keys in order and values), `evaluate` (list and
  dict), `metrics_names` and `predict`.
- `summary_functional_*.txt`, `summary_subclassed_fit.txt`: `model.summary()` of some of
  those models (one with `expand_nested=True, show_trainable=True`) and of a fitted
  subclassed model, stdout sent to a file with `COLUMNS` set (Keras draws a table with a "Connected to" column
  `min(108, COLUMNS - 4)` wide, a sequential-like one `min(88, COLUMNS - 4)` wide).

Inputs and initial weights come from fixed NumPy seeds and `shuffle=False`: two runs write
the same numbers.
"""

import os
import subprocess
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import keras  # noqa: E402
from keras import Input, Model, Sequential, layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_golden  # noqa: E402  (the number format and JSON layout of every fixture)

META = dict(make_golden.META, generated_by="tests/golden/make_functional_golden.py")
warnings.filterwarnings("ignore")
tolist = make_golden.tolist


# ----------------------------------------------------------------------------- models
def two_in_two_out(frozen_shared=False):
    """Two inputs, one Dense shared by both, two outputs (a softmax and a regression)."""
    keras.utils.clear_session()
    a, b = Input((4,), name="in_a"), Input((4,), name="in_b")
    shared = layers.Dense(5, activation="tanh", name="shared")
    ha, hb = shared(a), shared(b)
    hb2 = layers.Dense(4, activation="relu", name="branch_b")(hb)
    out1 = layers.Dense(3, activation="softmax", name="out1")(ha)
    out2 = layers.Dense(1, name="out2")(hb2)
    if frozen_shared:
        shared.trainable = False
    return Model([a, b], [out1, out2], name="two_in_two_out")


def nested():
    """A functional encoder shared by two inputs and a Sequential head, used as layers."""
    keras.utils.clear_session()
    enc_in = Input((4,), name="enc_in")
    encoder = Model(enc_in, layers.Dense(6, activation="relu", name="enc_dense")(enc_in),
                    name="encoder")
    head = Sequential([Input((6,)), layers.Dense(3, activation="softmax", name="head_dense")],
                      name="head")
    a, b = Input((4,), name="in_a"), Input((4,), name="in_b")
    ea, eb = encoder(a), encoder(b)
    out2 = layers.Dense(1, name="out2")(eb)
    return Model([a, b], [head(ea), out2], name="nested")


def sequential_of_functional():
    """A Sequential whose middle layer is a functional model."""
    keras.utils.clear_session()
    inner_in = Input((4,), name="inner_in")
    inner = Model(inner_in, layers.Dense(6, activation="tanh", name="inner_dense")(inner_in),
                  name="inner")
    return Sequential([Input((4,)), inner, layers.Dense(3, activation="softmax", name="top")],
                      name="outer")


def dict_outputs():
    """Outputs given as a dict (keys differ from the layer names), inputs as a dict."""
    keras.utils.clear_session()
    a = Input((4,), name="in_a")
    h = layers.Dense(5, activation="tanh", name="hidden")(a)
    outputs = {"zeta": layers.Dense(3, activation="softmax", name="zz")(h),
               "alpha": layers.Dense(1, name="aa")(h)}
    return Model({"in_a": a}, outputs, name="dict_outputs")


class SubclassedMLP(keras.Model):
    """A subclassed model (its summary lists the layers it tracks)."""

    def __init__(self):
        super().__init__(name="subclassed_mlp")
        self.hidden = layers.Dense(8, activation="relu", name="hidden")
        self.dropout = layers.Dropout(0.5, name="dropout")
        self.out = layers.Dense(3, activation="softmax", name="probabilities")

    def call(self, x, training=None):
        return self.out(self.dropout(self.hidden(x), training=training))


class SubclassedTwoOutputs(keras.Model):
    """A subclassed model returning a list (or, with `as_dict`, a dict) of two outputs."""

    def __init__(self, as_dict=False):
        super().__init__(name="subclassed_two_outputs")
        self.as_dict = as_dict
        self.hidden = layers.Dense(5, activation="tanh", name="hidden")
        self.cls = layers.Dense(3, activation="softmax", name="cls_dense")
        self.reg = layers.Dense(1, name="reg_dense")

    def call(self, x):
        h = self.hidden(x)
        if self.as_dict:
            return {"reg": self.reg(h), "cls": self.cls(h)}
        return [self.cls(h), self.reg(h)]


def subclassed_list():
    keras.utils.clear_session()
    model = SubclassedTwoOutputs()
    model(data()[0][:2])  # built, so its weights can be set
    return model


def subclassed_dict():
    keras.utils.clear_session()
    model = SubclassedTwoOutputs(as_dict=True)
    model(data()[0][:2])
    return model


def resnet_concat():
    """Two inputs concatenated, a residual block (`layers.add`), two outputs."""
    keras.utils.clear_session()
    a, b = Input((4,), name="in_a"), Input((4,), name="in_b")
    c = layers.Concatenate(name="concat")([a, b])
    h = layers.Dense(8, activation="relu", name="res_dense")(c)
    s = layers.add([c, h])
    out1 = layers.Dense(3, activation="softmax", name="out1")(s)
    out2 = layers.Dense(1, name="out2")(s)
    return Model([a, b], [out1, out2], name="resnet_concat")


class SubclassedBN(keras.Model):
    """Dense, BatchNormalization, relu, softmax: `training` passed to the BatchNormalization
    by hand (`explicit`) or left to the call context."""

    def __init__(self, explicit=True):
        super().__init__(name="subclassed_bn")
        self.explicit = explicit
        self.dense = layers.Dense(6, name="dense_in")
        self.bn = layers.BatchNormalization(name="bn")
        self.out = layers.Dense(3, activation="softmax", name="probabilities")

    def call(self, x, training=None):
        h = self.dense(x)
        h = self.bn(h, training=training) if self.explicit else self.bn(h)
        return self.out(keras.ops.relu(h))


def subclassed_bn(explicit=True):
    keras.utils.clear_session()
    model = SubclassedBN(explicit)
    model(data()[0][:2])
    return model


MODELS = {"two_in_two_out": two_in_two_out, "nested": nested,
          "sequential_of_functional": sequential_of_functional, "dict_outputs": dict_outputs,
          "subclassed_list": subclassed_list, "subclassed_dict": subclassed_dict,
          "resnet_concat": resnet_concat, "subclassed_bn": subclassed_bn}


# ----------------------------------------------------------------------------- data
def data():
    rng = np.random.default_rng(14)
    n = 16
    xa = rng.normal(size=(n, 4)).astype("float32")
    xb = rng.normal(size=(n, 4)).astype("float32")
    y1 = np.eye(3, dtype="float32")[rng.integers(0, 3, n)]
    y2 = rng.normal(size=(n, 1)).astype("float32")
    sw = np.linspace(0.5, 1.5, n).astype("float32")
    return xa, xb, y1, y2, sw


def init_weights(model, seed):
    """Normal draws (std 0.5) for every weight; a moving variance gets 0.5 + |draw|."""
    rng = np.random.default_rng(seed)
    weights = [(rng.normal(size=w.shape) * 0.5).astype("float32") for w in model.weights]
    return [0.5 + np.abs(v) if w.path.endswith("moving_variance") else v
            for w, v in zip(model.weights, weights)]


# Each case: model, compile arguments, how x / y are passed (`lists` or `dicts`), whether
# the fit and the steps use sample weights. (Keras 3.15's `fit` fails with a KeyError when
# `y` is a dict and `sample_weight` an array, so the dict case has no sample weights.)
CASES = [
    ("lists", "two_in_two_out",
     dict(loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
          metrics=[["accuracy"], ["mae"]]), "lists", False),
    ("dicts", "two_in_two_out",
     dict(loss={"out2": "mse", "out1": "categorical_crossentropy"},
          loss_weights={"out1": 0.3, "out2": 2.0},
          metrics={"out1": ["accuracy", "mse"], "out2": "mae"}), "dicts", False),
    ("one_loss_one_metric_per_output", "two_in_two_out",
     dict(loss="mse", metrics=["mae", "mse"]), "lists", False),
    ("loss_for_one_output", "two_in_two_out",
     dict(loss=["categorical_crossentropy", None], metrics=[["accuracy"], ["mae"]]),
     "lists", False),
    ("weighted_metrics", "two_in_two_out",
     dict(loss=["categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]],
          weighted_metrics=[["accuracy"], ["mae"]]), "lists", True),
    ("nested_models", "nested",
     dict(loss={"head": "categorical_crossentropy", "out2": "mse"},
          metrics={"head": ["accuracy"]}), "lists", False),
    ("sequential_of_functional", "sequential_of_functional",
     dict(loss="categorical_crossentropy", metrics=["accuracy"]), "single", False),
    ("dict_outputs", "dict_outputs",
     dict(loss={"zeta": "categorical_crossentropy", "alpha": "mse"},
          metrics={"zeta": ["accuracy"]}), "dicts", False),
    # Keras names a subclassed model's list outputs after their losses and does not prefix
    # their metrics; a dict of outputs is named by its keys.
    ("subclassed_list_outputs", "subclassed_list",
     dict(loss=["categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]]),
     "lists", False),
    ("subclassed_same_loss_twice", "subclassed_list",
     dict(loss="mse", metrics=[["mae"], ["mae"]]), "lists", False),
    ("subclassed_dict_outputs", "subclassed_dict",
     dict(loss={"reg": "mse", "cls": "categorical_crossentropy"}, metrics={"cls": ["accuracy"]}),
     "dicts", False),
    ("resnet_concat", "resnet_concat",
     dict(loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.2],
          metrics=[["accuracy"], ["mae"]]), "lists", False),
    ("subclassed_bn", "subclassed_bn",
     dict(loss="categorical_crossentropy", metrics=["accuracy"]), "single", False),
    # No case leaves `training` to the call context inside a subclassed model: Keras's JAX
    # trainer runs the model through `stateless_call`, which calls `call` directly and opens
    # no call context, so a BatchNormalization called without `training` normalizes with its
    # moving statistics during fit (its TensorFlow and torch trainers call `model(x,
    # training=True)` and it trains). The minikeras test checks that implicit call against
    # the explicit case's numbers instead.
]


def arrays(model_name, how, xa, xb, y1, y2):
    if model_name in ("sequential_of_functional", "subclassed_bn"):
        return xa, y1
    if model_name == "dict_outputs":
        return {"in_a": xa}, {"zeta": y1, "alpha": y2}
    if model_name == "subclassed_list":
        return xa, [y1, y2]
    if model_name == "subclassed_dict":
        return xa, {"cls": y1, "reg": y2}
    names = ["head", "out2"] if model_name == "nested" else ["out1", "out2"]
    if how == "dicts":
        return {"in_a": xa, "in_b": xb}, dict(zip(names, [y1, y2]))
    return [xa, xb], [y1, y2]


def plain_logs(logs):
    return {k: make_golden._num(v, True) for k, v in logs.items()}


def structure(pred):
    if isinstance(pred, dict):
        return {k: tolist(v) for k, v in pred.items()}
    if isinstance(pred, (list, tuple)):
        return [tolist(v) for v in pred]
    return tolist(pred)


def make_cases():
    xa, xb, y1, y2, sw = data()
    cases = []
    for name, model_name, compile_kw, how, weighted in CASES:
        model = MODELS[model_name]()
        weights = init_weights(model, seed=len(cases))
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1), **compile_kw)
        x, y = arrays(model_name, how, xa, xb, y1, y2)
        batch = slice(0, 6)
        xs = keras.tree.map_structure(lambda v: v[batch], x)
        ys = keras.tree.map_structure(lambda v: v[batch], y)
        step_kw = {"sample_weight": sw[batch]} if weighted else {}
        steps = [plain_logs(model.train_on_batch(xs, ys, return_dict=True, **step_kw))
                 for _ in range(3)]
        step_list = model.train_on_batch(xs, ys, **step_kw)
        weights_after_steps = [tolist(w) for w in model.get_weights()]

        model = MODELS[model_name]()
        model.set_weights(weights)
        model.compile(optimizer=keras.optimizers.SGD(0.1), **compile_kw)
        fit_kw = dict(batch_size=6, epochs=2, shuffle=False, verbose=0, validation_split=0.25)
        hist = model.fit(x, y, **fit_kw, **({"sample_weight": sw} if weighted else {}))
        ev_list = model.evaluate(x, y, verbose=0)
        ev_dict = model.evaluate(x, y, verbose=0, return_dict=True)
        cases.append({
            "name": name,
            "model": model_name,
            "compile": make_golden.jsonable(compile_kw),
            "data_as": how,
            "sample_weight": weighted,
            "output_names": list(getattr(model, "output_names", []) or []),
            "layers": [layer.name for layer in model.layers],
            "weight_paths": [w.path for w in model.weights],
            "trainable_weight_paths": [w.path for w in model.trainable_weights],
            "init_weights": [tolist(w) for w in weights],
            "train_on_batch_logs": steps,
            "train_on_batch_list_after_3_steps": tolist(np.float32(step_list)),
            "weights_after_4_steps": weights_after_steps,
            "fit_kwargs": fit_kw,
            "history_keys_in_order": list(hist.history),
            "history": {k: tolist(np.float32(v)) for k, v in hist.history.items()},
            "final_weights": [tolist(w) for w in model.get_weights()],
            "evaluate": tolist(np.float32(ev_list)),
            "evaluate_dict": plain_logs(ev_dict),
            "evaluate_dict_keys_in_order": list(ev_dict),
            "metrics_names": list(model.metrics_names),
            "predict": structure(model.predict(x, verbose=0)),
        })
    with open(os.path.join(HERE, "functional.json"), "w") as f:
        f.write(make_golden._dumps({
            "meta": META,
            "notes": "Models are built by the functions of make_functional_golden.py. Inputs "
                     "xa, xb (16, 4), one-hot y1 (16, 3), y2 (16, 1), sample_weight sw (16,). "
                     "init_weights (rng.normal * 0.5, in model.weights order) are set with "
                     "set_weights; optimizer SGD(0.1). train_on_batch_logs: three calls on "
                     "the first 6 samples (each call resets the metrics: the logs are that "
                     "batch's, before its update); a fourth call's list return value; the "
                     "weights after the four steps. Then a fresh model from init_weights is "
                     "fitted with fit_kwargs (validation_split takes the last 4 samples); "
                     "evaluate and predict use all 16 samples without sample weights.",
            "xa": tolist(xa), "xb": tolist(xb), "y1": tolist(y1), "y2": tolist(y2),
            "sw": tolist(sw),
            "cases": cases,
        }))
        f.write("\n")
    print("wrote functional.json")


# ----------------------------------------------------------------------------- summaries
SUMMARIES = {
    "summary_functional_two_in_two_out.txt": ("two_in_two_out", "80"),
    "summary_functional_two_in_two_out_cols200.txt": ("two_in_two_out", "200"),
    "summary_functional_nested_cols200.txt": ("nested", "200"),
    "summary_functional_nested.txt": ("nested", "80"),
    "summary_functional_sequential_of_functional.txt": ("sequential_of_functional", "80"),
    "summary_functional_dict_outputs_cols200.txt": ("dict_outputs", "200"),
    "summary_functional_frozen_trained_cols200.txt": ("frozen_trained", "200"),
    "summary_subclassed_fit.txt": ("subclassed_fit", "80"),
    "summary_functional_expand_nested_trainable_cols200.txt": ("expand_nested", "200"),
    "summary_functional_resnet_concat.txt": ("resnet_concat", "80"),
    "summary_functional_resnet_concat_cols200.txt": ("resnet_concat", "200"),
    "summary_subclassed_bn_fit.txt": ("subclassed_bn_fit", "80"),
}


def _summary_child(fname):
    model_name, _ = SUMMARIES[fname]
    if model_name == "frozen_trained":
        # A frozen shared layer (non-trainable params) and a built optimizer (its params
        # line): compiled and trained for one step.
        model = two_in_two_out(frozen_shared=True)
        xa, xb, y1, y2, _ = data()
        model.compile(keras.optimizers.SGD(0.1, momentum=0.9), ["categorical_crossentropy", "mse"])
        model.train_on_batch([xa, xb], [y1, y2])
    elif model_name == "subclassed_fit":
        # Fitted with Adam on batches of 5: the layers were built from the data's shapes.
        model = SubclassedMLP()
        xa, _, y1, _, _ = data()
        model.compile(keras.optimizers.Adam(), "categorical_crossentropy")
        model.fit(xa[:10], y1[:10], batch_size=5, verbose=0)
    elif model_name == "subclassed_bn_fit":
        # BatchNormalization's moving statistics are non-trainable parameters.
        model = SubclassedBN()
        xa, _, y1, _, _ = data()
        model.compile(keras.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"])
        model.fit(xa, y1, batch_size=8, verbose=0)
    elif model_name == "expand_nested":
        model = nested()
        model.get_layer("encoder").trainable = False
        model.summary(expand_nested=True, show_trainable=True)
        sys.stdout.flush()
        return
    else:
        model = MODELS[model_name]()
    model.summary()
    sys.stdout.flush()


def make_summaries():
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", PYTHONIOENCODING="utf-8")
    env.pop("TERM", None)
    for fname, (_, columns) in SUMMARIES.items():
        path = os.path.join(HERE, fname)
        with open(path, "wb") as out:
            subprocess.run([sys.executable, os.path.abspath(__file__), "--child", fname],
                           stdout=out, stderr=subprocess.DEVNULL,
                           env={**env, "COLUMNS": columns}, check=True,
                           stdin=subprocess.DEVNULL)
        print(f"wrote {fname}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _summary_child(sys.argv[2])
        sys.exit(0)
    # `summaries` alone rebuilds only the summary texts.
    if sys.argv[1:] != ["summaries"]:
        make_cases()
    make_summaries()
