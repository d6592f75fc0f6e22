"""Learning-rate schedules (`keras.optimizers.schedules`): `schedule(step) -> learning rate`.

An optimizer calls its schedule with the number of steps already done (0 for the first step).
Everything is computed in float32, as Keras does, so the values match Keras bit for bit or
within an ulp.
"""

import math

import numpy as np

from minikeras import object_registration, serialization
from minikeras.variables import unwrap

f32 = np.float32


def _step(step):
    return f32(np.asarray(unwrap(step)))


def _check_steps(name, value):
    if not value > 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """Base class: `__call__(step)` returns the learning rate for optimizer step `step`.

    Subclass it, implement `__call__` and `get_config`, and pass an instance as any optimizer's
    `learning_rate`.
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """A schedule of `initial_learning_rate`, `decay_steps`, `decay_rate` and `staircase`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps, self.decay_rate = decay_steps, decay_rate
        self.staircase, self.name = staircase, name or type(self).__name__

    def _progress(self, step):
        """`step / decay_steps`, floored when `staircase`."""
        p = _step(step) / f32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)`.

    Args:
        initial_learning_rate: float.
        decay_steps: number > 0.
        decay_rate: float.
        staircase: if True, `step / decay_steps` is floored (default False).
        name: default `'ExponentialDecay'`.
    """

    def __call__(self, step):
        return f32(self.initial_learning_rate) * f32(self.decay_rate) ** self._progress(step)

class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[1]` while `step <= boundaries[1]`, ...,
    `values[-1]` after the last boundary (a boundary belongs to the interval it closes).

    Args:
        boundaries: increasing step numbers.
        values: one more value than boundaries.
        name: default `'PiecewiseConstant'`.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        if any(b >= a for b, a in zip(boundaries, boundaries[1:])):
            raise ValueError("`boundaries` must be strictly increasing. "
                             f"Received: boundaries={boundaries}")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        step = np.asarray(unwrap(step))
        index = int(np.searchsorted(np.asarray(self.boundaries), step, side="left"))
        value = np.asarray(self.values[index])
        # Keras keeps the values' type: Python floats give float32, ints int32.
        return value.astype(np.float32 if value.dtype.kind == "f" else np.int32)[()]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step/decay_steps) ** power + end`, with `step` capped at
    `decay_steps`; with `cycle=True`, `decay_steps` grows to the first multiple above `step`.

    Args:
        initial_learning_rate: float.
        decay_steps: number > 0.
        end_learning_rate: the final rate (default 0.0001).
        power: the polynomial's power (default 1.0).
        cycle: restart the decay after `decay_steps` (default False).
        name: default `'PolynomialDecay'`.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power = end_learning_rate, power
        self.cycle, self.name = cycle, name

    def __call__(self, step):
        step, decay_steps = _step(step), f32(self.decay_steps)
        if self.cycle:
            multiplier = f32(1) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        initial, end = f32(self.initial_learning_rate), f32(self.end_learning_rate)
        return (initial - end) * (f32(1) - p) ** f32(self.power) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(_RateDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`; Keras 2's `decay=d` is
    `InverseTimeDecay(lr, decay_steps=1, decay_rate=d)`.

    Args:
        initial_learning_rate: float.
        decay_steps: number > 0.
        decay_rate: float.
        staircase: if True, `step / decay_steps` is floored (default False).
        name: default `'InverseTimeDecay'`.
    """

    def __call__(self, step):
        return f32(self.initial_learning_rate) / (f32(1) + f32(self.decay_rate)
                                                  * self._progress(step))


def _cosine(fraction):
    return f32(0.5) * (f32(1) + np.cos(f32(math.pi) * fraction))


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, 2016, https://arxiv.org/abs/1608.03983), with an
    optional linear warmup (Goyal et al., 2017, https://arxiv.org/abs/1706.02677).

    Without warmup: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
    decay_steps)) + alpha)`. With `warmup_target`: a line from `initial_learning_rate` to
    `warmup_target` over `warmup_steps`, then the cosine decay from `warmup_target`.

    Args:
        initial_learning_rate: float.
        decay_steps: number > 0 of decay steps.
        alpha: the final rate as a fraction of the decay's starting rate (default 0.0).
        name: default `'CosineDecay'`.
        warmup_target: the rate reached by the warmup (default None: no warmup).
        warmup_steps: the warmup's length (default 0).
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        _check_steps("decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps, self.alpha = (
            initial_learning_rate, decay_steps, alpha)
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps

    def _decay(self, step, decay_from):
        decayed = f32(1 - self.alpha) * _cosine(step / f32(self.decay_steps)) + f32(self.alpha)
        return decay_from * decayed

    def __call__(self, step):
        initial, step, decay_steps = (f32(self.initial_learning_rate), _step(step),
                                      f32(self.decay_steps))
        if self.warmup_target is None:
            return self._decay(np.minimum(step, decay_steps), initial)
        target, warmup_steps = f32(self.warmup_target), f32(self.warmup_steps)
        step = np.minimum(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return (target - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts, SGDR (Loshchilov & Hutter, 2016,
    https://arxiv.org/abs/1608.03983): the multiplier decays from 1 to `alpha` over
    `first_decay_steps`, then restarts; period `i` lasts `t_mul**i` times longer and starts at
    `m_mul**i` times the initial rate.

    Args:
        initial_learning_rate: float.
        first_decay_steps: number > 0, the first period's length.
        t_mul: growth of the period (default 2.0).
        m_mul: decay of the rate at each restart (default 1.0).
        alpha: the minimum as a fraction of `initial_learning_rate` (default 0.0).
        name: default `'SGDRDecay'`.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        _check_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        t_mul, alpha = f32(self.t_mul), f32(self.alpha)
        fraction = _step(step) / f32(self.first_decay_steps)
        if t_mul == 1:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:  # periods 1, t, t², ...: invert their geometric sum to find the current one
            restart = np.floor(np.log(f32(1) - fraction * (f32(1) - t_mul)) / np.log(t_mul))
            done = (f32(1) - t_mul ** restart) / (f32(1) - t_mul)
            fraction = (fraction - done) / t_mul ** restart
        decayed = f32(0.5) * f32(self.m_mul) ** restart * (
            f32(1) + np.cos(f32(math.pi) * fraction))
        return f32(self.initial_learning_rate) * ((f32(1) - alpha) * decayed + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


CLASSES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
    CosineDecayRestarts)}


def serialize(schedule):
    """The Keras 3 config of a schedule: `{'module', 'class_name', 'config', 'registered_name'}`."""
    return serialization.serialize(schedule, module="keras.optimizers.schedules")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def deserialize(config, custom_objects=None):
    """Rebuilds a schedule from `serialize()`'s output (or a Keras 2 `{'class_name', 'config'}`).
    User-defined schedules are found in `custom_objects` or among `LearningRateSchedule`'s
    subclasses."""
    name = config.get("class_name")
    with object_registration.CustomObjectScope(custom_objects):
        registered = serialization.find_registered(config)
    cls = registered if isinstance(registered, type) else CLASSES.get(name)
    if cls is None:
        cls = next((c for c in _subclasses(LearningRateSchedule) if c.__name__ == name), None)
    if cls is None:
        raise ValueError(f"Unknown learning rate schedule: {name!r}. Expected one of "
                         f"{sorted(CLASSES)} or a class passed in `custom_objects`.")
    return cls.from_config(dict(config.get("config", {})))


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
