"""The models of `tests/golden/make_functional_golden.py`, built with minikeras (same names,
same layers), and the data of `functional.json`."""

import numpy as np

from minikeras import Input, Model, Sequential, layers, ops
from minikeras.backend import clear_session
from tests.conftest import load_golden


def two_in_two_out(frozen_shared=False):
    """Two inputs, one Dense shared by both, two outputs (a softmax and a regression)."""
    clear_session()
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
    clear_session()
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
    clear_session()
    inner_in = Input((4,), name="inner_in")
    inner = Model(inner_in, layers.Dense(6, activation="tanh", name="inner_dense")(inner_in),
                  name="inner")
    return Sequential([Input((4,)), inner, layers.Dense(3, activation="softmax", name="top")],
                      name="outer")


def dict_outputs():
    """Outputs given as a dict (keys differ from the layer names), inputs as a dict."""
    clear_session()
    a = Input((4,), name="in_a")
    h = layers.Dense(5, activation="tanh", name="hidden")(a)
    outputs = {"zeta": layers.Dense(3, activation="softmax", name="zz")(h),
               "alpha": layers.Dense(1, name="aa")(h)}
    return Model({"in_a": a}, outputs, name="dict_outputs")


class SubclassedTwoOutputs(Model):
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
    clear_session()
    model = SubclassedTwoOutputs()
    model(golden_data()[0][:2])  # built, so its weights can be set
    return model


def subclassed_dict():
    clear_session()
    model = SubclassedTwoOutputs(as_dict=True)
    model(golden_data()[0][:2])
    return model


def resnet_concat():
    """Two inputs concatenated, a residual block (`layers.add`), two outputs."""
    clear_session()
    a, b = Input((4,), name="in_a"), Input((4,), name="in_b")
    c = layers.Concatenate(name="concat")([a, b])
    h = layers.Dense(8, activation="relu", name="res_dense")(c)
    s = layers.add([c, h])
    out1 = layers.Dense(3, activation="softmax", name="out1")(s)
    out2 = layers.Dense(1, name="out2")(s)
    return Model([a, b], [out1, out2], name="resnet_concat")


class SubclassedBN(Model):
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
        return self.out(ops.relu(h))


def subclassed_bn(explicit=True):
    clear_session()
    model = SubclassedBN(explicit)
    model(golden_data()[0][:2])
    return model


MODELS = {"two_in_two_out": two_in_two_out, "nested": nested,
          "sequential_of_functional": sequential_of_functional, "dict_outputs": dict_outputs,
          "subclassed_list": subclassed_list, "subclassed_dict": subclassed_dict,
          "resnet_concat": resnet_concat, "subclassed_bn": subclassed_bn,
          "subclassed_bn_implicit": lambda: subclassed_bn(explicit=False)}

GOLDEN = load_golden("functional.json")


def golden_data():
    """`xa, xb, y1, y2, sw` of the fixture, as float32 arrays."""
    return [np.asarray(GOLDEN[k], dtype=np.float32) for k in ("xa", "xb", "y1", "y2", "sw")]


def arrays(model_name, how):
    """`(x, y)` as the golden script passes them to the model."""
    xa, xb, y1, y2, _ = golden_data()
    if model_name in ("sequential_of_functional", "subclassed_bn", "subclassed_bn_implicit"):
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
