"""The optimizer's state: what it holds, by role, and Keras 3's order and names for it.

`optimizer.variables` lists the state as Keras 3 does (keras/src/optimizers/base_optimizer.py
and each optimizer's `build`):

1. `iteration`, then `learning_rate` when the learning rate is a float (not a schedule);
2. with `use_ema`, one `<variable>_average` per model variable;
3. with `gradient_accumulation_steps`, one `<variable>_gradient_accumulator` per variable;
4. the rule's slots, in the groups Keras creates them: within a group the slots of one variable
   are adjacent (`a_momentum, a_velocity, b_momentum, b_velocity`), groups follow one another
   (then `a_velocity_hat, b_velocity_hat`);
5. the rule's optimizer-wide state (Nadam's `u_product`).

A `StateLayout` converts between that flat list (of `Variable`s or of arrays) and an
`OptimizerState`, whose `rule_state` is what the algorithm's `update` takes: one list per slot
name (one entry per variable), then the optimizer-wide entries.
"""

from typing import Any, NamedTuple, Optional

from minikeras.variables import Variable, unwrap


class ScalarVariable(Variable):
    """A 0-d `Variable` that also compares and formats as a number (`==`, `%`, f-strings), as
    Keras's variables do: course code writes `float(opt.learning_rate)` and
    `opt.iterations % 100 == 0`."""

    def __bool__(self): return bool(self.value)
    def __eq__(self, o): return self.value == unwrap(o)
    def __ne__(self, o): return self.value != unwrap(o)
    def __mod__(self, o): return self.value % unwrap(o)
    def __floordiv__(self, o): return self.value // unwrap(o)
    def __format__(self, spec): return format(self.value.item(), spec)
    __hash__ = Variable.__hash__


class OptimizerState(NamedTuple):
    """The optimizer's state by role; each entry is a `Variable` or an array.

    Attributes:
        iteration: the number of `apply` calls so far (int64).
        learning_rate: the learning rate, or None when it is a schedule or a callable.
        averages: the moving averages of the variables (`use_ema`), else empty.
        accumulators: the gradients summed so far (`gradient_accumulation_steps`), else empty.
        rule_state: the algorithm's state: one list per slot name, then optimizer-wide entries.
    """

    iteration: Any
    learning_rate: Optional[Any]
    averages: list
    accumulators: list
    rule_state: tuple


def slot_names(slot_groups):
    """The slot names in the order of the rule state: `[('m', 'v'), ('vhat',)]` -> `m, v, vhat`."""
    return [name for group in slot_groups for name in group]


class StateLayout:
    """Where each entry of an `OptimizerState` sits in Keras's flat order (module docstring).

    Computed once for a configuration and number of variables, so that converting the flat
    list of every training step is list indexing, nothing more.

    Args:
        slot_groups: the rule's slot names, grouped as Keras creates them.
        n_variables: the number of model variables.
        has_learning_rate: the learning rate is a state entry (a float, not a schedule).
        has_averages: there is one moving average per variable (`use_ema`).
        has_accumulators: there is one gradient accumulator per variable.
        n_wide: the number of optimizer-wide entries after the slots.
    """

    def __init__(self, slot_groups, n_variables, has_learning_rate=False, has_averages=False,
                 has_accumulators=False, n_wide=0):
        position = 1  # `iteration` comes first
        self.learning_rate = position if has_learning_rate else None
        position += bool(has_learning_rate)
        self.averages = list(range(position, position + n_variables)) if has_averages else []
        position += len(self.averages)
        self.accumulators = (list(range(position, position + n_variables)) if has_accumulators
                             else [])
        position += len(self.accumulators)
        names = slot_names(slot_groups)
        self.slots = [[None] * n_variables for _ in names]
        for group in slot_groups:  # within a group, the slots of one variable are adjacent
            for i in range(n_variables):
                for name in group:
                    self.slots[names.index(name)][i] = position
                    position += 1
        self.wide = list(range(position, position + n_wide))
        self.size = position + n_wide

    def unflatten(self, flat):
        """The `OptimizerState` held by `flat`, a list in Keras's order."""
        return OptimizerState(
            flat[0], None if self.learning_rate is None else flat[self.learning_rate],
            [flat[j] for j in self.averages], [flat[j] for j in self.accumulators],
            tuple([flat[j] for j in slot] for slot in self.slots)
            + tuple(flat[j] for j in self.wide))

    def flatten(self, state):
        """The entries of `state` in Keras's order."""
        flat = [None] * self.size
        flat[0] = state.iteration
        if self.learning_rate is not None:
            flat[self.learning_rate] = state.learning_rate
        entries = [state.averages, state.accumulators, *state.rule_state[:len(self.slots)]]
        for positions, values in zip([self.averages, self.accumulators, *self.slots], entries):
            for j, value in zip(positions, values):
                flat[j] = value
        for j, value in zip(self.wide, state.rule_state[len(self.slots):]):
            flat[j] = value
        return flat


def reference_name(variable):
    """Keras names a variable's slot after the variable's path, `/` replaced by `_`."""
    return str(getattr(variable, "path", None) or variable.name).replace("/", "_").replace(":", "_")


def state_variable(value, optimizer_name, name, cls=Variable):
    """A non-trainable `Variable` of the optimizer's state, named `name`, path
    `<optimizer_name>/<name>`, keeping `value`'s dtype."""
    variable = cls(value, dtype=getattr(value, "dtype", None), trainable=False, name=name)
    variable.path = f"{optimizer_name}/{name}"
    return variable


def select(rule_state, indices, n_slots):
    """The rule state of the variables at `indices` (ascending), with the optimizer-wide
    entries whole; `n_slots` is the number of per-variable slot lists."""
    slots = rule_state[:n_slots]
    if not slots or len(indices) == len(slots[0]):
        return tuple(rule_state)
    return tuple([slot[i] for i in indices] for slot in slots) + tuple(rule_state[n_slots:])


def merge(rule_state, indices, part, n_slots):
    """`rule_state` whose variables at `indices` and optimizer-wide entries come from `part`
    (a `select`ed state after an update)."""
    slots = rule_state[:n_slots]
    if not slots or len(indices) == len(slots[0]):
        return tuple(part)
    merged = [list(slot) for slot in slots]
    for slot, new in zip(merged, part[:n_slots]):
        for i, value in zip(indices, new):
            slot[i] = value
    return tuple(merged) + tuple(part[n_slots:])
