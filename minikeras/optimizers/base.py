"""`Optimizer`: the Keras-facing class around a pure update rule.

A subclass supplies pure functions of NumPy arrays:

- `init_slots(x) -> tuple` — the per-variable state (momentums, accumulators...), and
- `update_rule(g, slots, x, t, lr) -> (new_x, new_slots)` — one step, `t = iterations + 1`;
  it may update the slot arrays in place (the optimizer owns them and hands out copies only)
  but changes `x` only when called with `out=x` (rules with `in_place = True`),
- `slot_groups` — the Keras names of the slots, grouped as Keras creates them (for `variables`).

This class does everything Keras 3 does around them, in Keras's order (keras/src/optimizers/
base_optimizer.py and backend/jax/optimizer.py, which produced the golden fixtures): drop missing
gradients, divide by `loss_scale_factor`, gradient accumulation, clipping, decoupled weight decay,
the rule, the moving average of the weights (`use_ema`), variable constraints, one more iteration.
"""

import math
import re
import warnings

import numpy as np

from minikeras.variables import Variable, unwrap


# Variables of at most this many float32 entries are updated together by an elementwise rule.
GROUP_SIZE = 1 << 14


def _f32(x):
    return np.float32(x)


def snake_case(name):
    """`'RMSprop'` -> `'rm_sprop'`, as Keras names its optimizers."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class ScalarVariable(Variable):
    """A 0-d `Variable` that also compares and formats as a number (`==`, `%`, f-strings), as
    Keras's variables do: course code writes `float(opt.learning_rate)` and `opt.iterations % 100 == 0`."""

    def __bool__(self): return bool(self._value)
    def __eq__(self, o): return self._value == unwrap(o)
    def __ne__(self, o): return self._value != unwrap(o)
    def __mod__(self, o): return self._value % unwrap(o)
    def __floordiv__(self, o): return self._value // unwrap(o)
    def __format__(self, spec): return format(self._value.item(), spec)
    __hash__ = Variable.__hash__


class Optimizer:
    """Base optimizer, as `keras.optimizers.Optimizer`.

    Subclasses whose rule updates each entry from that entry alone set `elementwise = True`,
    which lets small variables be updated together.

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

    # Keras's names of the slots, grouped as Keras creates them: the names in one group are
    # interleaved per variable; groups follow one another. Subclasses override.
    slot_groups = ()
    elementwise = False
    # Subclasses whose `update_rule` accepts `out=` (an array to write the new value into) set
    # `in_place = True`: a large kernel then keeps one array instead of a new one each step.
    in_place = False

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:
            warnings.warn("The `lr` argument is deprecated (Keras 2), use `learning_rate` instead.",
                          DeprecationWarning, stacklevel=3)
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", None) or 0.0)
        if self.decay:
            warnings.warn("The `decay` argument is deprecated (Keras 2) and ignored by Keras 3; "
                          "minikeras honours it. Use `keras.optimizers.schedules.InverseTimeDecay("
                          "lr, decay_steps=1, decay_rate=decay)` instead.",
                          DeprecationWarning, stacklevel=3)
            if self.decay < 0:
                raise ValueError(f"Argument `decay` must be >= 0. Received: decay={self.decay}")
        for legacy in ("jit_compile", "mesh", "is_legacy_optimizer"):  # found in saved configs
            kwargs.pop(legacy, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm), ("weight_decay", weight_decay)):
            if value is not None and not value >= 0:
                raise ValueError(f"Argument `{arg}` must be a float >= 0. Received: {arg}={value}")
        if gradient_accumulation_steps is not None and (
                int(gradient_accumulation_steps) != gradient_accumulation_steps
                or gradient_accumulation_steps < 2):
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if not 0 <= ema_momentum <= 1:
            raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                             f"Received: ema_momentum={ema_momentum}")
        if ema_overwrite_frequency is not None and (
                int(ema_overwrite_frequency) != ema_overwrite_frequency
                or ema_overwrite_frequency < 1):
            raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                             f"ema_overwrite_frequency={ema_overwrite_frequency}")
        self.name = name or snake_case(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        # Every call to `apply` counts, accumulating or not; `iterations` is the number of updates.
        self._iterations = ScalarVariable(0, dtype="int64", trainable=False, name="iteration")
        self._iterations.path = f"{self.name}/iteration"
        self._learning_rate = self._build_learning_rate(learning_rate)
        self._variables = []       # the model variables, in build order
        self._slots = {}           # id(variable) -> tuple of arrays (the rule's state)
        self._ema = {}             # id(variable) -> moving average
        self._accumulators = {}    # id(variable) -> sum of the gradients not yet applied
        self._exclude_ids, self._exclude_pattern = set(), None
        self._scratch_buffers = {}  # dtype -> flat work array shared by every variable's update
        self._group_slots = {}      # ids of the small variables -> their flat slots
        self._owned = {}            # id(variable) -> the array this optimizer last gave it

    # ------------------------------------------------------------------ learning rate
    def _build_learning_rate(self, learning_rate):
        from minikeras.optimizers.schedules import LearningRateSchedule

        if isinstance(learning_rate, (LearningRateSchedule, Variable)) or callable(learning_rate):
            return learning_rate
        if isinstance(learning_rate, (bool, str)) or np.ndim(learning_rate) != 0:
            raise TypeError("Argument `learning_rate` should be a float, a LearningRateSchedule "
                            f"or a callable. Received: learning_rate={learning_rate!r}")
        value = float(learning_rate)
        if not value >= 0 or math.isinf(value):
            raise ValueError("Argument `learning_rate` must be a finite float >= 0. "
                             f"Received: learning_rate={learning_rate}")
        var = ScalarVariable(value, dtype="float32", trainable=False, name="learning_rate")
        var.path = f"{self.name}/learning_rate"
        return var

    def _current_learning_rate(self):
        """The learning rate of the next step, as a float32 scalar."""
        lr = self._learning_rate
        if isinstance(lr, Variable):
            value = lr._value
        else:
            from minikeras.optimizers.schedules import LearningRateSchedule

            value = lr(int(self._iterations)) if isinstance(lr, LearningRateSchedule) else lr()
            # schedules see every call, as in Keras
        value = _f32(np.asarray(unwrap(value)))
        if self.decay:  # Keras 2: lr / (1 + decay * iterations), iterations = steps done
            value = value / (_f32(1) + _f32(self.decay) * _f32(int(self._iterations)))
        return value

    @property
    def learning_rate(self):
        """The learning rate: a float32 `Variable`, or a schedule's value for the next step."""
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        from minikeras.optimizers.schedules import LearningRateSchedule

        if isinstance(value, LearningRateSchedule) or callable(value):
            self._learning_rate = value
        elif isinstance(self._learning_rate, LearningRateSchedule):
            # As Keras: silently dropping the schedule would change training behind the user's back.
            raise TypeError("This optimizer was created with a `LearningRateSchedule` as its "
                            "`learning_rate`, hence its learning rate is not settable. Create the "
                            "optimizer with a float `learning_rate` to set it.")
        elif isinstance(self._learning_rate, Variable):
            self._build_learning_rate(unwrap(value))  # validates
            self._learning_rate.assign(float(np.asarray(unwrap(value))))
        else:
            self._learning_rate = self._build_learning_rate(unwrap(value))

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
        """Creates the state of each new variable (done automatically on the first step)."""
        for var in variables:
            if id(var) in self._slots:
                continue
            x = np.asarray(var.numpy())
            self._slots[id(var)] = tuple(self.init_slots(x))
            self._variables.append(var)
            if self.use_ema:
                self._ema[id(var)] = np.zeros_like(x)  # the first step copies the weights in
            if self.gradient_accumulation_steps:
                self._accumulators[id(var)] = np.zeros_like(x)

    def _scratch(self, x, count):
        """`count` work arrays of `x`'s shape and dtype, overwritten by the next call.

        One buffer serves every variable and step: reusing memory that is already in cache is
        faster than allocating temporaries the size of the largest kernel on every step.
        """
        size = x.size
        buffer = self._scratch_buffers.get(x.dtype)
        if buffer is None or buffer.size < count * size:
            buffer = self._scratch_buffers[x.dtype] = np.empty(count * size, dtype=x.dtype)
        return [buffer[i * size:(i + 1) * size].reshape(x.shape) for i in range(count)]

    def _state(self):
        """`(path, getter, setter)` of every state array, in Keras's order."""
        entries = [(self._iterations.path, lambda: self._iterations._value,
                    lambda v: self._iterations.assign(v))]
        if isinstance(self._learning_rate, Variable):
            lr = self._learning_rate
            entries.append((lr.path, lambda: lr._value, lambda v: lr.assign(v)))

        def per_var(store, suffix):
            for var in self._variables:
                key = id(var)
                entries.append((f"{self.name}/{_ref_name(var)}_{suffix}", lambda k=key: store[k],
                                lambda v, k=key: store.__setitem__(k, np.asarray(v))))

        if self.use_ema:
            per_var(self._ema, "average")
        if self.gradient_accumulation_steps:
            per_var(self._accumulators, "gradient_accumulator")
        names = [n for group in self.slot_groups for n in group]
        for group in self.slot_groups:
            for var in self._variables:
                for slot_name in group:
                    entries.append(self._slot_entry(var, names.index(slot_name), slot_name))
        entries.extend(self._extra_state())
        return entries

    def _slot_entry(self, var, index, slot_name):
        key = id(var)

        def set_slot(value):
            # Written into the slot (a copy): the caller keeps its array, and the slot may be a
            # view of the flat state of small variables updated together.
            slot = self._slots[key][index]
            slot[...] = np.asarray(value, dtype=slot.dtype).reshape(slot.shape)

        return (f"{self.name}/{_ref_name(var)}_{slot_name}", lambda: self._slots[key][index],
                set_slot)

    def _extra_state(self):
        """Optimizer-wide state beyond the per-variable slots (Nadam's `u_product`)."""
        return []

    @property
    def variables(self):
        """The optimizer's state as `Variable`s in Keras's order (copies: to change the state, use
        `set_weights` or `load_own_variables`)."""
        out = []
        for path, get, _ in self._state():
            var = Variable(np.array(get()), trainable=False, name=path.rsplit("/", 1)[-1])
            var.path = path
            out.append(var)
        return out

    def get_weights(self):
        """The state arrays, in the order of `variables`."""
        return [np.array(get()) for _, get, _ in self._state()]

    def set_weights(self, weights):
        """Sets the state from arrays in the order of `variables` (build the optimizer first)."""
        state = self._state()
        if len(weights) != len(state):
            raise ValueError(f"Optimizer '{self.name}' has {len(state)} state arrays, received "
                             f"{len(weights)} weights. Build it on the model's trainable "
                             "variables first (`optimizer.build(model.trainable_variables)`).")
        for (path, get, set_), w in zip(state, weights):
            if np.shape(w) != np.shape(get()):
                raise ValueError(f"Optimizer variable {path} has shape {np.shape(get())}, "
                                 f"received a weight of shape {np.shape(w)}.")
            set_(np.asarray(w))

    def save_own_variables(self, store):
        """Writes the state into `store['0']`, `store['1']`, ... (the `.keras` layout)."""
        for i, w in enumerate(self.get_weights()):
            store[str(i)] = w

    def load_own_variables(self, store):
        """Reads the state written by `save_own_variables` (or by Keras)."""
        n = len(self._state())
        if len(store.keys()) != n:
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has "
                          f"{n} variables whereas the saved optimizer has {len(store.keys())}.",
                          stacklevel=2)
            return
        self.set_weights([np.asarray(store[str(i)]) for i in range(n)])

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables from weight decay: those in `var_list`, and those whose name
        contains (as a regular expression) one of `var_names`."""
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(var_names)) if var_names else None

    def _decays(self, var):
        if self.weight_decay is None or id(var) in self._exclude_ids:
            return False
        return not (self._exclude_pattern and self._exclude_pattern.search(var.name))

    # ------------------------------------------------------------------ the step
    def apply_gradients(self, grads_and_vars):
        """Applies one step from `(gradient, variable)` pairs; returns `iterations`."""
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Applies one step of `grads` to `trainable_variables` (in place)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self._variables:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built: call `optimizer.build(trainable_variables)`.")
            trainable_variables = self._variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"Received {len(grads)} gradients for {len(trainable_variables)} "
                             "variables.")
        self.build(trainable_variables)
        missing = [v.path for g, v in zip(grads, trainable_variables) if g is None]
        pairs = [(np.asarray(unwrap(g)), v) for g, v in zip(grads, trainable_variables)
                 if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          "loss. If using `model.compile()`, did you forget to provide a `loss` "
                          "argument?", stacklevel=2)
        variables = [v for _, v in pairs]
        new_values = self.step([g for g, _ in pairs], [v._value for v in variables], variables)
        for var, value in zip(variables, new_values):
            var._value = value

    def step(self, grads, values, variables):
        """One optimizer step on arrays: returns the new values (the engine's entry point).

        Args:
            grads: list of gradient arrays (no None).
            values: list of the variables' current arrays.
            variables: the `Variable`s, which identify the state and carry constraints.

        Returns:
            The list of new values, one per variable.
        """
        self.build(variables)
        grads = [np.asarray(g, dtype=x.dtype) for g, x in zip(grads, values)]
        if self.loss_scale_factor is not None:
            grads = [g / _f32(self.loss_scale_factor) for g in grads]
        ready = True
        if self.gradient_accumulation_steps:
            grads, ready = self._accumulate(grads, variables)
        new_values = list(values)
        if ready:
            new_values = self._update(grads, values, variables)
        if self.use_ema:
            new_values = self._update_ema(new_values, variables)
        new_values = [var.constraint(x) if var.constraint is not None else x
                      for x, var in zip(new_values, variables)]
        self._iterations._value = self._iterations._value + 1
        return [np.asarray(x, dtype=v.dtype) for x, v in zip(new_values, values)]

    def _update(self, grads, values, variables):
        """Clipping, weight decay and the rule: one real update."""
        grads = self._clip(grads)
        lr = self._current_learning_rate()
        t = int(self.iterations) + 1
        self._before_update(t)
        new_values = list(values)
        small = []
        for i, (g, x, var) in enumerate(zip(grads, values, variables)):
            lr_x = lr.astype(x.dtype)
            if self.weight_decay is not None and self._decays(var):
                x = x - x * _f32(self.weight_decay) * lr_x
            if self.elementwise and x.size <= GROUP_SIZE and x.dtype == np.float32:
                small.append((i, g, x, var))
                continue
            # The value is overwritten only if this optimizer made it and it was never handed
            # out (`Variable.value`): otherwise whoever holds it would see it change.
            if self.in_place and x is self._owned.get(id(var)) and x is not var._exposed:
                x, slots = self.update_rule(g, self._slots[id(var)], x, t, lr_x, out=x)
            else:
                x, slots = self.update_rule(g, self._slots[id(var)], x, t, lr_x)
            self._slots[id(var)] = tuple(slots)
            self._owned[id(var)] = new_values[i] = x
        if small:
            self._update_group(small, new_values, t, lr)
        return new_values

    def _update_group(self, small, new_values, t, lr):
        """The rule applied once to the small float32 variables laid end to end.

        Each call of a rule costs a dozen NumPy calls whatever the size; a model's biases and
        small kernels are updated together, and their slots live in flat arrays of which each
        variable's slots are views.
        """
        key = tuple(id(var) for *_, var in small)
        flat_slots = self._group_slots.get(key)
        rebuilt = flat_slots is None
        if rebuilt:  # a new set of variables: their current slots, laid end to end
            flat_slots = tuple(np.concatenate([self._slots[id(var)][k].ravel() for *_, var in small])
                               for k in range(len(self._slots[key[0]])))
        flat_x = np.concatenate([x.ravel() for _, _, x, _ in small])
        flat_g = np.concatenate([g.ravel() for _, g, _, _ in small])
        flat_x, new_slots = self.update_rule(flat_g, flat_slots, flat_x, t, lr)
        new_slots = tuple(new_slots)
        self._group_slots = {key: new_slots}  # one group: the variables trained together
        fresh = rebuilt or any(a is not b for a, b in zip(new_slots, flat_slots))
        start = 0
        for i, _, x, var in small:
            end = start + x.size
            new_values[i] = flat_x[start:end].reshape(x.shape)
            if fresh:  # rules that return new slot arrays: point the variables' slots at them
                self._slots[id(var)] = tuple(s[start:end].reshape(x.shape) for s in new_slots)
            start = end

    def _before_update(self, t):
        """Hook for optimizer-wide state updated once per step, before the rule."""

    def _clip(self, grads):
        # Keras tests truthiness: a clip value of 0 means no clipping.
        if self.clipnorm:
            c = _f32(self.clipnorm)
            return [g * c / np.maximum(np.sqrt(np.sum(g * g)), c) for g in grads]
        if self.global_clipnorm:
            c = _f32(self.global_clipnorm)
            norm = np.sqrt(np.sum([np.sum(g * g) for g in grads]).astype(np.float32))
            with np.errstate(divide="ignore"):
                # Keras's form: a NaN or infinite norm makes every gradient NaN.
                scale = c * np.minimum(_f32(1) / norm, _f32(1) / c) + (norm - norm)
            return [g * scale.astype(g.dtype) for g in grads]
        if self.clipvalue:
            c = _f32(self.clipvalue)
            return [np.clip(g, -c, c) for g in grads]
        return grads

    def _accumulate(self, grads, variables):
        """Keras: `ready` every `gradient_accumulation_steps` calls, then the mean gradient."""
        n = self.gradient_accumulation_steps
        ready = (int(self._iterations) + 1) % n == 0
        out = []
        for g, var in zip(grads, variables):
            total = self._accumulators[id(var)] + g
            self._accumulators[id(var)] = np.zeros_like(total) if ready else total
            out.append(total / g.dtype.type(n))
        return out, ready

    def _update_ema(self, new_values, variables):
        """Keras: every call, `avg = m*avg + (1-m)*x` with m = 0 on the first update (so the
        average starts at the weights); every `ema_overwrite_frequency` steps, x = avg."""
        new = {id(v): x for v, x in zip(variables, new_values)}
        m = _f32(self.ema_momentum) if int(self.iterations) != 0 else _f32(0)
        for var in self._variables:  # all built variables, as Keras, not only those stepped
            x = new.get(id(var), var._value)
            self._ema[id(var)] = m * self._ema[id(var)] + (_f32(1) - m) * x
        freq = self.ema_overwrite_frequency
        if freq and (int(self.iterations) + 1) % freq == 0:
            for var in self._variables:
                if id(var) in new:
                    new[id(var)] = self._ema[id(var)].copy()
                else:
                    var._value = self._ema[id(var)].astype(var.dtype)
        return [new[id(v)] for v in variables]

    def finalize_variable_values(self, var_list=None):
        """Overwrites the variables with their moving averages when `use_ema=True` (`fit` does
        it at the end of training)."""
        if self.use_ema:
            for var in var_list if var_list is not None else self._variables:
                if id(var) in self._ema:
                    var._value = self._ema[id(var)].astype(var.dtype)

    # ------------------------------------------------------------------ rule (subclasses)
    def init_slots(self, x):
        return ()

    def update_rule(self, g, slots, x, t, lr):
        raise NotImplementedError

    # ------------------------------------------------------------------ config
    def get_config(self):
        from minikeras.optimizers.schedules import LearningRateSchedule, serialize

        lr = self._learning_rate
        if isinstance(lr, Variable):
            lr = float(lr._value)
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
            from minikeras.optimizers.schedules import deserialize

            config["learning_rate"] = deserialize(config["learning_rate"], custom_objects)
        if not config.get("decay"):
            config.pop("decay", None)  # Keras 2 wrote `decay: 0.0`; nothing to warn about
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _ref_name(var):
    """Keras names a slot after its variable's path, `/` replaced by `_`."""
    return str(getattr(var, "path", None) or var.name).replace("/", "_").replace(":", "_")


def check_unit_interval(name, value, closed=False):
    """Raises a ValueError unless `0 <= value < 1` (`<= 1` when `closed`)."""
    if not (0 <= value <= 1 if closed else 0 <= value < 1):
        interval = "[0, 1]" if closed else "[0, 1)"
        raise ValueError(f"Argument `{name}` must be in {interval}. Received: {name}={value}")


def check_non_negative(name, value):
    """Raises a ValueError unless `value >= 0`."""
    if not value >= 0:
        raise ValueError(f"Argument `{name}` must be >= 0. Received: {name}={value}")
