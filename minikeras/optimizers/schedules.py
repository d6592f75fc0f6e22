"""Learning-rate schedules (`keras.optimizers.schedules`): `schedule(step) -> learning rate`."""

import math

import numpy as np


class LearningRateSchedule:
    """Base class: `__call__(step)` returns the learning rate for optimizer step `step`."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: float.
        decay_steps: positive int.
        decay_rate: float.
        staircase: if True, `step / decay_steps` is floored (default False).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        p = np.float32(step) / np.float32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return np.float32(self.initial_learning_rate) * np.power(np.float32(self.decay_rate), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`.

    Args:
        initial_learning_rate: float.
        decay_steps: positive number.
        decay_rate: float.
        staircase: if True, `step / decay_steps` is floored (default False).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        p = np.float32(step) / np.float32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return np.float32(self.initial_learning_rate) / (np.float32(1) + np.float32(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


CLASSES = {"ExponentialDecay": ExponentialDecay, "InverseTimeDecay": InverseTimeDecay}


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    cls = CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule: {config.get('class_name')!r}.")
    return cls.from_config(config.get("config", {}))
