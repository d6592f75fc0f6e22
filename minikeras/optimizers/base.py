"""`Optimizer`: the Keras-facing optimizer class around a pure update rule.

Each algorithm (one file each: sgd.py, adam.py...) supplies its rule as two pure methods over
lists of arrays, one entry per variable:

- `init_state(values) -> state`: one list of arrays per slot name of `slot_groups`
  (momentums, accumulators...), then one array per name of `optimizer_wide_state` (Nadam's
  `u_product`);
- `update(grads, state, values, step, lr) -> (new_values, new_state)`: one step, where `step`
  counts the updates including this one (`iterations + 1`) and `lr` is a float32 scalar.

This class holds the state in `Variable`s named and ordered as Keras 3's (state.py), and does
everything Keras 3 does around the rule, in Keras's order (gradient_transforms.py). Training
meets it through `build`, `variables`, the pure `stateless_apply` and
`finalize_variable_values`; the eager `apply` / `apply_gradients` are `stateless_apply` on
the current values plus one write-back.
"""

import re
import warnings

import numpy as np

from minikeras.naming import to_snake_case
from minikeras.optimizers import gradient_transforms
from minikeras.optimizers.arguments import check_common_arguments
from minikeras.optimizers.learning_rate import (check_learning_rate, is_schedule_or_callable,
                                                learning_rate_of_step, make_learning_rate,
                                                pop_keras2_arguments)
from minikeras.optimizers.schedules import LearningRateSchedule, deserialize, serialize
from minikeras.optimizers.state import (OptimizerState, ScalarVariable, StateLayout, merge,
                                        reference_name, select, slot_names, state_variable)
from minikeras.variables import Variable, assign_arrays, unwrap


class Optimizer:
    """Base optimizer, as `keras.optimizers.Optimizer`.

    Args:
        learning_rate: a float, a `LearningRateSchedule` (called with the number of steps done)
            or a zero-argument callable.
        weight_decay: decoupled weight decay `x -= x * weight_decay * lr` (default None).
        clipnorm: clip each gradient to this L2 norm (default None).
        clipvalue: clip each gradient element to `[-clipvalue, clipvalue]` (default None).
        global_clipnorm: clip all gradients together to this global norm (default None).
        use_ema: keep an exponential moving average of the weights (default False).
        ema_momentum: the moving average's momentum (default 0.99).
        ema_overwrite_frequency: every how many steps the weights are overwritten by their moving
            average (default None: only by `finalize_variable_values`).
        loss_scale_factor: gradients are divided by it (default None).
        gradient_accumulation_steps: apply the mean gradient every this many calls (default None).
        name: the optimizer's name (default: the class name in snake case).
        lr: Keras 2 spelling of `learning_rate`; honoured (it wins), with a DeprecationWarning.
        decay: Keras 2 time decay `lr / (1 + decay * iterations)`; honoured, with a
            DeprecationWarning (Keras 3 ignores it).
    """

    # Keras's names of the per-variable slots, grouped as Keras creates them (see state.py).
    slot_groups = ()
    # Keras's names of the rule's optimizer-wide state arrays, after the slots in the state.
    optimizer_wide_state = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        learning_rate, self.decay = pop_keras2_arguments(learning_rate, kwargs)
        for legacy in ("jit_compile", "mesh", "is_legacy_optimizer"):  # found in saved configs
            kwargs.pop(legacy, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        check_common_arguments(clipnorm, clipvalue, global_clipnorm, weight_decay,
                               gradient_accumulation_steps, ema_momentum, ema_overwrite_frequency)
        self.name = name or to_snake_case(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        # Every call to `apply` counts, accumulating or not; `iterations` is the number of updates.
        self._iterations = state_variable(np.array(0, np.int64), self.name, "iteration",
                                          ScalarVariable)
        self._learning_rate = make_learning_rate(learning_rate, self.name)
        self._trainable_variables = []  # the model variables the state is built for, in order
        self._positions = {}            # model variable -> its index in that list
        self._averages, self._accumulators = [], []  # state Variables, one per model variable
        self._slots = None              # one list of state Variables per slot name
        self._optimizer_wide = []       # state Variables named in `optimizer_wide_state`
        self._excluded, self._exclude_pattern = set(), None  # see exclude_from_weight_decay
        self._layout_cache = None       # see _layout
        self._variables_cache = None    # the list `variables` returns, computed with the layout
        self.built = False              # `build` was called (on no variables, possibly)

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        """The learning rate: a float32 `Variable`, or a schedule's value for the next step."""
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return learning_rate_of_step(self._learning_rate, int(self._iterations), self.decay)

    @learning_rate.setter
    def learning_rate(self, value):
        if is_schedule_or_callable(value):
            self._learning_rate = value
        elif isinstance(self._learning_rate, LearningRateSchedule):
            # As Keras: silently dropping the schedule would change training behind the user's back.
            raise TypeError("This optimizer was created with a `LearningRateSchedule` as its "
                            "`learning_rate`, hence its learning rate is not settable. Create the "
                            "optimizer with a float `learning_rate` to set it.")
        elif isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(check_learning_rate(value))
        else:
            self._learning_rate = make_learning_rate(unwrap(value), self.name)
        self._layout_cache = None  # the learning rate may have entered or left the state

    @property
    def lr(self):
        """Keras 2 spelling of `learning_rate` (deprecated)."""
        warnings.warn("`optimizer.lr` is deprecated (Keras 2), use `optimizer.learning_rate`.",
                      DeprecationWarning, stacklevel=2)
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        warnings.warn("`optimizer.lr` is deprecated (Keras 2), use `optimizer.learning_rate`.",
                      DeprecationWarning, stacklevel=2)
        self.learning_rate = value

    @property
    def iterations(self):
        """The number of updates applied: a Variable (with gradient accumulation, the number of
        calls // steps)."""
        if self.gradient_accumulation_steps:
            return np.int64(int(self._iterations) // self.gradient_accumulation_steps)
        return self._iterations

    # ------------------------------------------------------------------ state
    def build(self, variables):
        """Creates the state of the variables not seen before (`apply` does it on first use).

        Variables built earlier keep their state, so one optimizer may serve several models
        (Keras 2 allowed it; Keras 3 raises).
        """
        self.built = True
        new = list(dict.fromkeys(v for v in variables if v not in self._positions))
        if not new:
            return
        values = [var.numpy() for var in new]
        state = self.init_state(values)
        names = slot_names(self.slot_groups)
        if self._slots is None:
            self._slots = [[] for _ in names]
            self._optimizer_wide = [state_variable(np.asarray(value), self.name, name)
                                    for name, value in zip(self.optimizer_wide_state,
                                                           state[len(names):])]
        for var, x in zip(new, values):
            ref = reference_name(var)
            if self.use_ema:  # the first update copies the weights in
                self._averages.append(state_variable(np.zeros_like(x), self.name, f"{ref}_average"))
            if self.gradient_accumulation_steps:
                self._accumulators.append(
                    state_variable(np.zeros_like(x), self.name, f"{ref}_gradient_accumulator"))
        for slots, name, values_of_slot in zip(self._slots, names, state):
            slots.extend(state_variable(np.asarray(value), self.name,
                                        self.slot_variable_name(var, name))
                         for var, value in zip(new, values_of_slot))
        for var in new:
            self._positions[var] = len(self._trainable_variables)
            self._trainable_variables.append(var)
        self._layout_cache = None

    def slot_variable_name(self, variable, slot_name):
        """The name of `variable`'s slot `slot_name`, as Keras names it."""
        return f"{reference_name(variable)}_{slot_name}"

    def _layout(self):
        """The `StateLayout` of the state (cached: it is read on every step; `build` and
        replacing a float learning rate by a schedule or a callable, or the reverse, change
        it)."""
        if self._layout_cache is None:
            layout = StateLayout(
                self.slot_groups, len(self._trainable_variables),
                isinstance(self._learning_rate, Variable), self.use_ema,
                bool(self.gradient_accumulation_steps), len(self.optimizer_wide_state))
            lr = self._learning_rate if isinstance(self._learning_rate, Variable) else None
            self._variables_cache = layout.flatten(OptimizerState(
                self._iterations, lr, self._averages, self._accumulators,
                tuple(self._slots or ()) + tuple(self._optimizer_wide)))
            self._layout_cache = layout
        return self._layout_cache

    @property
    def variables(self):
        """The `Variable`s holding the optimizer's whole state, in Keras's order (state.py).

        The list follows the state of the moment: a callback that replaces a float learning
        rate by a schedule (or the reverse) during `fit` removes (adds) `learning_rate`, and
        the training step reads this list again at every step.
        """
        self._layout()
        return list(self._variables_cache)

    def get_weights(self):
        """Copies of the state arrays, in the order of `variables`."""
        return [var.numpy() for var in self.variables]

    def set_weights(self, weights):
        """Sets the state from arrays in the order of `variables` (build the optimizer first)."""
        variables = self.variables
        if len(weights) != len(variables):
            raise ValueError(f"Optimizer '{self.name}' has {len(variables)} state arrays, "
                             f"received {len(weights)} weights. Build it on the model's "
                             "trainable variables first (`optimizer.build(model."
                             "trainable_variables)`).")
        for var, w in zip(variables, weights):
            if np.shape(w) != var.shape:
                raise ValueError(f"Optimizer variable {var.path} has shape {var.shape}, "
                                 f"received a weight of shape {np.shape(w)}.")
        for var, w in zip(variables, weights):
            var.assign(w)

    def save_own_variables(self, store):
        """Writes the state into `store['0']`, `store['1']`, ... (the `.keras` layout)."""
        for i, w in enumerate(self.get_weights()):
            store[str(i)] = w

    def load_own_variables(self, store):
        """Reads the state written by `save_own_variables` (or by Keras)."""
        n = len(self.variables)
        if len(store.keys()) != n:
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has "
                          f"{n} variables whereas the saved optimizer has {len(store.keys())}.",
                          stacklevel=2)
            return
        self.set_weights([np.asarray(store[str(i)]) for i in range(n)])

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables from weight decay: those in `var_list`, and those whose name
        contains (as a regular expression) one of `var_names`."""
        self._excluded = set(var_list or ())
        self._exclude_pattern = re.compile("|".join(var_names)) if var_names else None

    def _decays(self, var):
        if self.weight_decay is None or var in self._excluded:
            return False
        return not (self._exclude_pattern and self._exclude_pattern.search(var.name))

    # ------------------------------------------------------------------ the step
    def stateless_apply(self, optimizer_values, grads, trainable_values):
        """One optimizer step on arrays: the engine's entry point. Pure: it changes no argument,
        no `Variable` and not the optimizer, and returns only new arrays.

        Args:
            optimizer_values: the state arrays, in the order of `variables`.
            grads: one gradient per built variable, in build order (None: not updated, with
                Keras's warning).
            trainable_values: the current values of the built variables, in build order.

        Returns:
            `(new_trainable_values, new_optimizer_values)`, in the same orders.
        """
        n = len(self._trainable_variables)
        if not n:
            if not self.built:
                raise ValueError(f"To call `stateless_apply`, {type(self).__name__} must be "
                                 "built: call `optimizer.build(trainable_variables)` first.")
            if grads or trainable_values:
                raise ValueError(f"Optimizer '{self.name}' was built for no variables; "
                                 f"received {len(trainable_values)} values and {len(grads)} "
                                 "gradients.")
            # A model with nothing to train (every layer frozen): as in Keras, the step
            # changes nothing, not even `iterations`.
            return [], [np.array(value) for value in optimizer_values]
        expected = self._layout().size
        if len(optimizer_values) != expected:
            raise ValueError(f"`optimizer_values` must hold one array per entry of "
                             f"`{type(self).__name__}.variables` ({expected}); received "
                             f"{len(optimizer_values)}.")
        if len(trainable_values) != n or len(grads) != n:
            raise ValueError(f"Optimizer '{self.name}' was built for {n} variables; received "
                             f"{len(trainable_values)} values and {len(grads)} gradients. An "
                             "optimizer instance trains one set of variables: give each model "
                             "its own.")
        grads = list(grads)
        self._check_missing(grads, self._trainable_variables)
        return self._step(optimizer_values, grads, trainable_values)

    def _step(self, optimizer_values, grads, trainable_values):
        """`stateless_apply` without its checks: Keras's step, in Keras's order."""
        variables, layout = self._trainable_variables, self._layout()
        state = layout.unflatten(optimizer_values)
        calls, accumulation = int(state.iteration), self.gradient_accumulation_steps
        updates = calls // accumulation if accumulation else calls  # what `iterations` reads
        stepped = [i for i, g in enumerate(grads) if g is not None]
        values = [np.asarray(trainable_values[i]) for i in stepped]
        step_grads = [np.asarray(unwrap(grads[i]), dtype=x.dtype) for i, x in zip(stepped, values)]
        step_grads = gradient_transforms.unscale(step_grads, self.loss_scale_factor)
        ready, accumulators = True, list(state.accumulators)
        if accumulation:
            ready, step_grads, sums = gradient_transforms.accumulate(
                step_grads, [accumulators[i] for i in stepped], calls, accumulation)
            for i, total in zip(stepped, sums):
                accumulators[i] = total
        new_values, rule_state = list(trainable_values), state.rule_state
        if ready:
            lr = learning_rate_of_step(self._learning_rate, calls, self.decay,
                                       state.learning_rate)
            step_grads = gradient_transforms.clip(step_grads, self.clipnorm, self.global_clipnorm,
                                                  self.clipvalue)
            if self.weight_decay is not None:
                values = gradient_transforms.decay_weights(
                    values, [self._decays(variables[i]) for i in stepped], self.weight_decay, lr)
            n_slots = len(layout.slots)
            values, stepped_state = self.update(step_grads, select(rule_state, stepped, n_slots),
                                                values, updates + 1, lr)
            rule_state = merge(rule_state, stepped, stepped_state, n_slots)
            for i, x in zip(stepped, values):
                new_values[i] = x
        averages = state.averages
        if self.use_ema:  # over all built variables, as Keras, not only those stepped
            averages = gradient_transforms.moving_average(averages, new_values, self.ema_momentum,
                                                          first=updates == 0)
            freq = self.ema_overwrite_frequency
            if freq and (updates + 1) % freq == 0:
                new_values = [np.array(avg) for avg in averages]  # one array per Variable
        for i in stepped:
            if variables[i].constraint is not None:
                new_values[i] = unwrap(variables[i].constraint(new_values[i]))
        iteration = np.array(calls + 1, dtype=np.asarray(state.iteration).dtype)
        new_state = layout.flatten(OptimizerState(iteration, state.learning_rate, averages,
                                                  accumulators, tuple(rule_state)))
        return ([_fresh(np.asarray(x, dtype=var.dtype), old)
                 for x, var, old in zip(new_values, variables, trainable_values)],
                [_fresh(np.asarray(x), old) for x, old in zip(new_state, optimizer_values)])

    def apply(self, grads, trainable_variables=None):
        """Applies one step of `grads` to `trainable_variables` (default: the built ones): the
        optimizer's state and the variables are updated."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self._trainable_variables:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built: call `optimizer.build(trainable_variables)`.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Received {len(grads)} gradients for {len(trainable_variables)} "
                             "variables.")
        self.build(trainable_variables)
        self._check_missing(grads, trainable_variables)
        all_grads = [None] * len(self._trainable_variables)  # variables not given: not stepped
        for g, var in zip(grads, trainable_variables):
            all_grads[self._positions[var]] = g
        state_variables = self.variables
        new_values, new_state = self._step([v.value for v in state_variables], all_grads,
                                           [v.value for v in self._trainable_variables])
        assign_arrays(self._trainable_variables, new_values)
        assign_arrays(state_variables, new_state)

    def apply_gradients(self, grads_and_vars):
        """Applies one step from `(gradient, variable)` pairs; returns `iterations`."""
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    @staticmethod
    def _check_missing(grads, variables):
        """Keras: None gradients are skipped with a warning; all None is an error."""
        missing = [v.path for g, v in zip(grads, variables) if g is None]
        if len(missing) == len(grads):
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?", stacklevel=3)

    def finalize_variable_values(self, var_list=None):
        """Overwrites the variables with their moving averages when `use_ema=True` (`fit` does
        it at the end of training)."""
        if not self.use_ema:
            return
        known = [v for v in (self._trainable_variables if var_list is None else var_list)
                 if v in self._positions]
        assign_arrays(known, [self._averages[self._positions[v]].value.astype(v.dtype)
                              for v in known])

    # ------------------------------------------------------------------ rule (subclasses)
    def init_state(self, values):
        """The rule's initial state for variables of these values (see the module docstring)."""
        return ()

    def update(self, grads, state, values, step, lr):
        """One step of the rule: `(new_values, new_state)` (see the module docstring)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update`.")

    # ------------------------------------------------------------------ config
    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, Variable):
            lr = float(lr.value)
        elif isinstance(lr, LearningRateSchedule):
            lr = serialize(lr)
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
        """Creates the optimizer from `get_config()`, also a Keras 2 / tf.keras config."""
        config = dict(config)
        if "lr" in config:  # files written by Keras 2
            lr = config.pop("lr")
            config.setdefault("learning_rate", lr)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize(config["learning_rate"], custom_objects)
        if not config.get("decay"):
            config.pop("decay", None)  # Keras 2 wrote `decay: 0.0`; nothing to warn about
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _fresh(new, old):
    """`new`, copied if it is the argument `old` itself (a value that was not updated): what
    `stateless_apply` returns is always a new array."""
    return np.array(new) if new is old else new
