"""`get`, `serialize`, `deserialize`, config round trips and argument validation."""

import numpy as np
import pytest

from minikeras import optimizers
from minikeras.optimizers import schedules

ALL = sorted(optimizers.CLASSES.items())


@pytest.mark.parametrize("name,cls", ALL)
def test_every_spelling_resolves(name, cls):
    for identifier in (name, name.lower(), name.upper(), cls):
        opt = optimizers.get(identifier)
        assert type(opt) is cls
    instance = cls()
    assert optimizers.get(instance) is instance
    assert type(optimizers.get({"class_name": name, "config": {}})) is cls
    assert type(optimizers.get({"class_name": name.lower(), "config": {}})) is cls


def test_legacy_class_names_in_saved_files():
    assert type(optimizers.get({"class_name": "Custom>Adam", "config": {}})) is optimizers.Adam
    assert type(optimizers.get({"module": "keras.optimizers", "class_name": "RMSprop",
                                "config": {}, "registered_name": None})) is optimizers.RMSprop


def test_get_none_and_unknown():
    assert optimizers.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(3)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.deserialize({"class_name": "Nope", "config": {}})


@pytest.mark.parametrize("name,cls", ALL)
def test_config_round_trip(name, cls):
    opt = cls(learning_rate=0.05, clipnorm=1.5, use_ema=True, ema_momentum=0.9)
    config = opt.get_config()
    again = cls.from_config(config)
    assert again.get_config() == config
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config() == config
    assert config["name"] == opt.name


def test_serialize_has_keras3_layout():
    out = optimizers.serialize(optimizers.Adam())
    assert out["module"] == "keras.optimizers" and out["class_name"] == "Adam"
    assert out["registered_name"] is None


def test_schedule_in_config_round_trips():
    sched = schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10)
    opt = optimizers.Adam(learning_rate=sched)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    again = optimizers.Adam.from_config(config)
    assert isinstance(again._learning_rate, schedules.CosineDecay)
    assert again.get_config() == config


@pytest.mark.parametrize("name", sorted(schedules.CLASSES))
def test_schedule_serialize_round_trip(name):
    examples = {
        "ExponentialDecay": dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.9),
        "PiecewiseConstantDecay": dict(boundaries=[2, 4], values=[0.3, 0.2, 0.1]),
        "PolynomialDecay": dict(initial_learning_rate=0.1, decay_steps=5, cycle=True),
        "InverseTimeDecay": dict(initial_learning_rate=0.1, decay_steps=2, decay_rate=0.5),
        "CosineDecay": dict(initial_learning_rate=0.1, decay_steps=7, alpha=0.2),
        "CosineDecayRestarts": dict(initial_learning_rate=0.1, first_decay_steps=3, t_mul=1.5),
    }
    sched = schedules.CLASSES[name](**examples[name])
    again = schedules.deserialize(schedules.serialize(sched))
    assert type(again) is type(sched) and again.get_config() == sched.get_config()
    assert [float(again(s)) for s in range(12)] == [float(sched(s)) for s in range(12)]


def test_custom_schedule_deserializes():
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, step):
            return self.rate / 2 ** step

        def get_config(self):
            return {"rate": self.rate}

    opt = optimizers.SGD(learning_rate=Halving(0.4))
    again = optimizers.SGD.from_config(opt.get_config())
    assert float(again.learning_rate) == pytest.approx(0.4)


@pytest.mark.parametrize("cls,kwargs,match", [
    (optimizers.Adam, dict(beta_1=1.0), "beta_1"),
    (optimizers.Adam, dict(beta_2=-0.1), "beta_2"),
    (optimizers.Adam, dict(epsilon=-1e-7), "epsilon"),
    (optimizers.AdamW, dict(beta_1=1.5), "beta_1"),
    (optimizers.Adamax, dict(beta_2=1.0), "beta_2"),
    (optimizers.Nadam, dict(beta_1=-0.5), "beta_1"),
    (optimizers.RMSprop, dict(rho=1.0), "rho"),
    (optimizers.RMSprop, dict(momentum=-0.1), "momentum"),
    (optimizers.Adadelta, dict(rho=-0.1), "rho"),
    (optimizers.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (optimizers.SGD, dict(momentum=1.5), "momentum"),
    (optimizers.SGD, dict(momentum="high"), "momentum"),
    (optimizers.Lion, dict(beta_1=0.0), "beta_1"),
    (optimizers.Ftrl, dict(learning_rate_power=0.5), "learning_rate_power"),
    (optimizers.Ftrl, dict(l1_regularization_strength=-1.0), "l1_regularization_strength"),
    (optimizers.Adafactor, dict(clip_threshold=0.0), "clip_threshold"),
    (optimizers.Adafactor, dict(beta_2_decay=0.5), "beta_2_decay"),
    (optimizers.SGD, dict(learning_rate=-0.01), "learning_rate"),
    (optimizers.Adam, dict(weight_decay=-1.0), "weight_decay"),
    (optimizers.Adam, dict(clipnorm=-1.0), "clipnorm"),
    (optimizers.Adam, dict(use_ema=True, ema_momentum=1.5), "ema_momentum"),
])
def test_invalid_arguments_raise_clear_errors(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


@pytest.mark.parametrize("cls,kwargs,match", [
    (schedules.ExponentialDecay, dict(initial_learning_rate=0.1, decay_steps=0, decay_rate=0.5),
     "decay_steps"),
    (schedules.PiecewiseConstantDecay, dict(boundaries=[1, 2], values=[1.0, 2.0]), "length"),
    (schedules.PiecewiseConstantDecay, dict(boundaries=[2, 1], values=[1.0, 2.0, 3.0]),
     "increasing"),
    (schedules.CosineDecayRestarts, dict(initial_learning_rate=0.1, first_decay_steps=-1),
     "first_decay_steps"),
])
def test_invalid_schedule_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_default_names_and_defaults_are_keras3():
    assert optimizers.RMSprop().name == "rm_sprop" and optimizers.SGD().name == "sgd"
    defaults = {"SGD": 0.01, "Adadelta": 0.001, "Adagrad": 0.001, "Nadam": 0.001}
    for name, lr in defaults.items():
        assert float(optimizers.get(name).learning_rate) == np.float32(lr)


def test_tf_keras_legacy_namespace():
    from minikeras.optimizers import legacy

    with pytest.warns(DeprecationWarning):
        opt = legacy.Adam(lr=0.01, decay=1e-4)
    assert isinstance(opt, optimizers.Adam) and float(opt.learning_rate) == np.float32(0.01)
