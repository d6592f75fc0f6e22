"""`Optimizer`: the Keras-facing class around a pure update rule.

A subclass supplies two pure functions of NumPy arrays:

- `init_slots(x) -> tuple` — the per-variable state (momentums, accumulators...), and
- `update_rule(g, slots, x, t, lr) -> (new_x, new_slots)` — one step, `t = iterations + 1`.

This class does everything Keras does around them, in Keras's order: drop missing gradients,
unscale, clip (`clipnorm`, `global_clipnorm` or `clipvalue`), decoupled weight decay, the rule,
the moving average of the weights (`use_ema`), variable constraints, `iterations += 1`.
"""

import math
import warnings

import numpy as np

from minikeras.backend.variables import Variable


def _float32(x):
    return np.float32(x)


class Optimizer:
    """Base optimizer, as `keras.optimizers.Optimizer`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` or a zero-argument callable.
        weight_decay: decoupled weight decay `x -= x * weight_decay * lr` (default None).
        clipnorm: clip each gradient to this norm (default None).
        clipvalue: clip each gradient element to `[-clipvalue, clipvalue]` (default None).
        global_clipnorm: clip all gradients together to this global norm (default None).
        use_ema: keep an exponential moving average of the weights (default False).
        ema_momentum: the moving average's momentum (default 0.99).
        ema_overwrite_frequency: every how many steps the weights are overwritten by their moving
            average (default None: only by `finalize_variable_values`).
        loss_scale_factor: gradients are divided by it (default None).
        gradient_accumulation_steps: apply the mean gradient every this many steps (default None).
        name: the optimizer's name.
        lr: Keras 2 spelling of `learning_rate`; honoured, with a DeprecationWarning.
        decay: Keras 2 time decay `lr / (1 + decay * iterations)`; honoured, with a
            DeprecationWarning.
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        if self.decay:
            warnings.warn("The `decay` argument is deprecated (Keras 2); use "
                          "`keras.optimizers.schedules.InverseTimeDecay` instead.",
                          DeprecationWarning, stacklevel=3)
        for legacy in ("jit_compile", "mesh", "is_legacy_optimizer"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm), ("weight_decay", weight_decay)):
            if value is not None and not value >= 0:
                raise ValueError(f"Argument `{arg}` must be a non-negative float. Received: {arg}={value}")
        if gradient_accumulation_steps is not None and (
                int(gradient_accumulation_steps) != gradient_accumulation_steps
                or gradient_accumulation_steps < 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        self.name = name or type(self).__name__.lower()
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.iterations = 0
        self._learning_rate = self._build_learning_rate(learning_rate)
        self._slots = {}  # id(variable) -> tuple of arrays
        self._variables = []
        self._exclude_names = ()
        self._exclude_ids = set()

    # ------------------------------------------------------------------ learning rate
    def _build_learning_rate(self, learning_rate):
        from minikeras.optimizers.schedules import LearningRateSchedule

        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        if isinstance(learning_rate, Variable):
            return learning_rate
        if isinstance(learning_rate, (bool, str)) or not np.isscalar(np.asarray(learning_rate).item()):
            raise TypeError(f"Expected `learning_rate` to be a float, a schedule or a callable. "
                            f"Received: learning_rate={learning_rate!r}")
        value = float(learning_rate)
        if not value >= 0 or math.isinf(value):
            raise ValueError(f"Argument `learning_rate` must be a non-negative finite float. "
                             f"Received: learning_rate={learning_rate}")
        return Variable(value, dtype="float32", trainable=False, name="learning_rate")

    def _current_learning_rate(self):
        """The learning rate of the next step, as float32."""
        from minikeras.optimizers.schedules import LearningRateSchedule

        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            value = lr(self.iterations)
        elif isinstance(lr, Variable):
            value = lr.value
        else:
            value = lr()
        value = _float32(np.asarray(value))
        if self.decay:
            value = _float32(value / (1.0 + self.decay * self.iterations))
        return value

    @property
    def learning_rate(self):
        """The learning rate: a float32 `Variable`, or the schedule's value for the next step."""
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        from minikeras.optimizers.schedules import LearningRateSchedule

        if isinstance(value, LearningRateSchedule) or callable(value) or not isinstance(
                self._learning_rate, Variable):
            self._learning_rate = self._build_learning_rate(value)
        else:
            self._build_learning_rate(value)  # validates
            self._learning_rate.assign(float(np.asarray(getattr(value, "value", value))))

    lr = learning_rate  # Keras 2 spelling

    # ------------------------------------------------------------------ state
    def build(self, variables):
        """Creates the slots of each variable (called automatically on the first step)."""
        for var in variables:
            if id(var) not in self._slots:
                self._slots[id(var)] = tuple(self.init_slots(np.asarray(var.numpy())))
                self._variables.append(var)
                if self.use_ema:
                    self._ema = getattr(self, "_ema", {})
                    self._ema[id(var)] = var.numpy()
                if self.gradient_accumulation_steps:
                    self._accumulators = getattr(self, "_accumulators", {})
                    self._accumulators[id(var)] = np.zeros(var.shape, dtype=var.dtype)

    @property
    def variables(self):
        """The optimizer's state as a list of arrays: iterations, then each variable's slots."""
        out = [np.asarray(self.iterations, dtype=np.int64)]
        for var in self._variables:
            out.extend(self._slots[id(var)])
        return out

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables (or those whose name contains one of `var_names`) from weight decay."""
        self._exclude_ids |= {id(v) for v in var_list or ()}
        self._exclude_names = tuple(var_names or ())

    def _decays(self, var):
        if not self.weight_decay or id(var) in self._exclude_ids:
            return False
        return not any(n in var.path for n in self._exclude_names)

    # ------------------------------------------------------------------ the step
    def apply_gradients(self, grads_and_vars):
        """Applies one step from `(gradient, variable)` pairs; returns `iterations`."""
        grads_and_vars = list(grads_and_vars)
        return self.apply([g for g, _ in grads_and_vars], [v for _, v in grads_and_vars])

    def apply(self, grads, trainable_variables=None):
        """Applies one step of `grads` to `trainable_variables` (in place); returns `iterations`."""
        if trainable_variables is None:
            trainable_variables = self._variables
        pairs = [(np.asarray(getattr(g, "value", g)), v)
                 for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            return self.iterations
        variables = [v for _, v in pairs]
        new_values = self.step([g for g, _ in pairs], [v.value for v in variables], variables)
        for var, value in zip(variables, new_values):
            var._value = value
        return self.iterations

    def step(self, grads, values, variables):
        """One optimizer step on arrays: returns the new values (the engine's entry point).

        Args:
            grads: list of gradient arrays.
            values: list of the variables' current arrays.
            variables: the `Variable`s, which identify the slots and carry constraints.
        """
        self.build(variables)
        dtype = values[0].dtype
        grads = [np.asarray(g, dtype=v.dtype) for g, v in zip(grads, values)]
        if self.loss_scale_factor is not None:
            grads = [g / _float32(self.loss_scale_factor) for g in grads]
        if self.gradient_accumulation_steps:
            grads, ready = self._accumulate(grads, variables)
            if not ready:
                self.iterations += 1
                return values
        grads = self._clip(grads)
        lr = self._current_learning_rate().astype(dtype)
        t = self.iterations + 1
        new_values = []
        for g, x, var in zip(grads, values, variables):
            if self._decays(var):
                x = x - x * _float32(self.weight_decay) * lr
            x, slots = self.update_rule(g, self._slots[id(var)], x, t, lr)
            self._slots[id(var)] = slots
            new_values.append(x)
        if self.use_ema:
            self._update_ema(new_values, variables)
            if self.ema_overwrite_frequency and t % self.ema_overwrite_frequency == 0:
                new_values = [self._ema[id(v)].copy() for v in variables]
        new_values = [var.constraint(x) if var.constraint is not None else x
                      for x, var in zip(new_values, variables)]
        self.iterations += 1
        return new_values

    def _clip(self, grads):
        if self.clipnorm is not None:
            c = _float32(self.clipnorm)
            return [g * c / np.maximum(np.sqrt(np.sum(g * g)), c) for g in grads]
        if self.global_clipnorm is not None:
            c = _float32(self.global_clipnorm)
            norm = np.sqrt(sum(np.sum(g * g) for g in grads))
            return [g * c / np.maximum(norm, c) for g in grads]
        if self.clipvalue is not None:
            c = _float32(self.clipvalue)
            return [np.clip(g, -c, c) for g in grads]
        return grads

    def _accumulate(self, grads, variables):
        n = self.gradient_accumulation_steps
        acc = [self._accumulators[id(v)] + g for g, v in zip(grads, variables)]
        ready = (self.iterations + 1) % n == 0
        for a, v in zip(acc, variables):
            self._accumulators[id(v)] = np.zeros_like(a) if ready else a
        return [a / _float32(n) for a in acc], ready

    def _update_ema(self, values, variables):
        m = _float32(self.ema_momentum)
        for x, var in zip(values, variables):
            ema = self._ema[id(var)]
            self._ema[id(var)] = x.copy() if self.iterations == 0 else m * ema + (1 - m) * x

    def finalize_variable_values(self, var_list=None):
        """Overwrites the variables with their moving averages when `use_ema=True`."""
        if self.use_ema:
            for var in var_list or self._variables:
                var._value = self._ema[id(var)].copy()

    # ------------------------------------------------------------------ rule (subclasses)
    def init_slots(self, x):
        return ()

    def update_rule(self, g, slots, x, t, lr):
        raise NotImplementedError

    # ------------------------------------------------------------------ config
    def get_config(self):
        from minikeras.optimizers.schedules import LearningRateSchedule, serialize as ser

        lr = self._learning_rate
        if isinstance(lr, Variable):
            lr = float(lr.numpy())
        elif isinstance(lr, LearningRateSchedule):
            lr = ser(lr)
        config = {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "lr" in config:  # files written by Keras 2
            config.setdefault("learning_rate", config.pop("lr"))
        if isinstance(config.get("learning_rate"), dict):
            from minikeras.optimizers.schedules import deserialize

            config["learning_rate"] = deserialize(config["learning_rate"])
        for legacy in ("is_legacy_optimizer", "jit_compile"):
            config.pop(legacy, None)
        return cls(**config)
