"""Restoring an optimizer's state from the list of weights a Keras `.h5` file holds.

`optimizer.variables` is Keras 3's list (state.py of the optimizers): `iteration`,
`learning_rate`, then the slots. Files name and order the state in four ways:

- Keras 3 (and minikeras): the same list, `adam/iteration`, `adam/learning_rate`,
  `adam/sequential_dense_kernel_momentum`, ...: read in order.
- tf.keras 2.11+: `iteration:0`, `Adam/m/dense/kernel:0`, `Adam/v/dense/kernel:0`, ...: no
  learning rate (it is in the config), slots named by the Keras 2 short names (`m`, `v`, `vhat`).
- tf.keras 2 legacy optimizers (`optimizers.legacy`, tf.keras < 2.11): `Adam/iter:0`,
  `Adam/dense/kernel/m:0`, ..., one group per slot name.
- Keras 2.2 (and earlier): `Adam/iterations:0`, `training/Adam/Variable:0`, ...: the slots are
  unnamed, one group after another in the order of each optimizer's `get_updates`.

Each entry of both lists gets a *role* (`('iteration',)`, `('slot', 'momentum', 3)`, ...): a
role of the optimizer that the file lacks keeps its value (the learning rate comes from the
config) or is recomputed (Nadam's `u_product`); any other gap means the state cannot be
restored, and, as Keras does, training starts from a fresh optimizer state, with a warning.
"""

import re
import warnings

import numpy as np

from minikeras.optimizers.state import OptimizerState, StateLayout, slot_names

# Keras 2 short slot names -> Keras 3's, for the optimizers whose names differ.
_TF2_SLOTS = {
    "Adam": {"m": "momentum", "v": "velocity", "vhat": "velocity_hat"},
    "AdamW": {"m": "momentum", "v": "velocity", "vhat": "velocity_hat"},
    "Nadam": {"m": "momentum", "v": "velocity"},
    "Adamax": {"m": "momentum", "u": "norm"},
    "SGD": {"m": "momentum"},
    "Lion": {"m": "momentum"},
    "Adafactor": {"v": "velocity"},
}
_LEGACY_SLOTS = {
    "Adam": {"m": "momentum", "v": "velocity", "vhat": "velocity_hat"},
    "Nadam": {"m": "momentum", "v": "velocity"},
    "Adamax": {"m": "momentum", "v": "norm"},
    "RMSprop": {"rms": "velocity", "mg": "average_gradient"},
    "Adadelta": {"accum_grad": "accumulated_grad", "accum_var": "accumulated_delta_var"},
}
# Keras 2.2.4 (keras/optimizers.py): `self.weights` of each optimizer, slot groups in order.
_KERAS22_LAYOUTS = {
    "SGD": (True, ["momentum"]),
    "RMSprop": (False, ["velocity"]),
    "Adagrad": (False, ["accumulator"]),
    "Adadelta": (False, ["accumulated_grad", "accumulated_delta_var"]),
    "Adam": (True, ["momentum", "velocity", "velocity_hat"]),
    "Adamax": (True, ["momentum", "norm"]),
    "Nadam": (True, ["momentum", "velocity"]),
}
# Nadam's u_product is recomputed step by step: more steps than this means a damaged count.
_MAX_RECOMPUTED_STEPS = 10**7


def optimizer_roles(optimizer):
    """The role of each entry of `optimizer.variables`, or None if it cannot be told."""
    variables = optimizer.variables
    has_lr = len(variables) > 1 and variables[1].name == "learning_rate"
    names = slot_names(optimizer.slot_groups)
    wide = list(optimizer.optimizer_wide_state)
    per_variable = (len(names) + bool(optimizer.use_ema)
                    + bool(optimizer.gradient_accumulation_steps))
    rest = len(variables) - 1 - has_lr  # 0 before `build`, which also creates `wide`
    wide = wide if rest else []
    rest -= len(wide)
    if rest < 0 or (rest and not per_variable) or (per_variable and rest % per_variable):
        return None
    n = rest // per_variable if per_variable else 0
    state = OptimizerState(
        ("iteration",), ("learning_rate",) if has_lr else None,
        [("average", i) for i in range(n)] if optimizer.use_ema else [],
        [("accumulator", i) for i in range(n)] if optimizer.gradient_accumulation_steps else [],
        tuple([("slot", name, i) for i in range(n)] for name in names)
        + tuple(("wide", name) for name in wide))
    roles = StateLayout(optimizer.slot_groups, n, has_lr, optimizer.use_ema,
                        bool(optimizer.gradient_accumulation_steps), len(wide)).flatten(state)
    return roles if len(roles) == len(variables) else None


def _is_placeholder(variable):
    """Adafactor's unused `r`/`c` slots of vectors: int32 scalars, which tf.keras 2 does not
    create."""
    return variable.shape == () and str(variable.dtype).startswith("int")


def file_roles(names, class_name, optimizer_roles_):
    """The role of each weight name of a file's `optimizer_weights`, or None for a layout this
    module does not know. `optimizer_roles_` (the optimizer's) decide the Keras 3 layout."""
    if not names:
        return []
    first = names[0]
    if first.endswith("/iteration") and ":" not in first:  # Keras 3, or minikeras
        return list(optimizer_roles_) if len(names) == len(optimizer_roles_) else None
    if first == "iteration:0":  # tf.keras 2.11+
        return _named_roles(names, r"[^/]+/(?P<slot>[^/]+)/(?P<var>.+):\d+$",
                            _TF2_SLOTS.get(class_name, {}))
    if re.fullmatch(r"[^/]+/iter:\d+", first):  # tf.keras 2 legacy optimizers
        return _named_roles(names, r"[^/]+/(?P<var>.+)/(?P<slot>[^/]+):\d+$",
                            _LEGACY_SLOTS.get(class_name, {}))
    return _keras22_roles(names, class_name)


# The optimizers tf.keras 2.11+ has. Their `build` creates the slots in the loops that Keras
# 3's (and minikeras's) `slot_groups` describe, except that tf.keras 2's SGD always creates
# `m`, its Adafactor creates `r` and `c` only for variables of 2 or more dimensions, and its
# Nadam's `u_product` is not one of `optimizer.variables`.
_TF2_CLASSES = frozenset({"Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                          "Nadam", "Ftrl", "Lion", "Adafactor"})
# The legacy optimizers (`OptimizerV2`) tf.keras 2 builds from an `.h5` whose optimizer config
# lacks `is_legacy_optimizer: False` (minikeras's and Keras 3's lack it: Keras 3 rejects the
# key). Their weights are `iter`, then one loop over the variables per slot (Ftrl: one loop
# for both), and `set_weights` takes exactly that many. Legacy Nadam is left out: its scalar
# `momentum_cache` comes second, where Keras 3 reading the file by position puts its learning
# rate.
_LEGACY_CLASSES = frozenset({"Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                             "Ftrl"})


def tf_keras_2_names(optimizer, trainable_variables, legacy=False):
    """The names tf.keras 2 gives its optimizer's weights once built on `trainable_variables`,
    in its order: `iteration:0`, `Adam/m/dense/kernel:0`, ... (tf.keras 2.11+'s optimizers:
    the `optimizer_weights` of its `.h5`; its `.keras` stores the same values without names,
    `optimizer/vars/0`, ...), or with `legacy` `Adam/iter:0`, `Adam/dense/kernel/m:0`, ... (its
    legacy optimizers).

    None for a state whose tf.keras 2 layout is not known here (another optimizer, EMA,
    gradient accumulation, variables of the same path).
    """
    class_name = type(optimizer).__name__
    keys = [v.path for v in trainable_variables]
    if class_name not in (_LEGACY_CLASSES if legacy else _TF2_CLASSES) or optimizer.use_ema or \
            optimizer.gradient_accumulation_steps or len(set(keys)) != len(keys):
        return None
    if legacy:
        short = {name: short for short, name in _LEGACY_SLOTS.get(class_name, {}).items()}
        groups = optimizer.slot_groups if class_name == "Ftrl" else [
            (name,) for name in slot_names(optimizer.slot_groups)]
        names = [f"{class_name}/iter:0"]
    else:
        short = {name: short for short, name in _TF2_SLOTS.get(class_name, {}).items()}
        groups = optimizer.slot_groups if class_name != "SGD" else [("momentum",)]
        names = ["iteration:0"]
    for group in groups:
        for key, variable in zip(keys, trainable_variables):
            for slot in group:
                if class_name == "Adafactor" and slot in ("r", "c") and len(variable.shape) < 2:
                    continue
                slot = short.get(slot, slot)
                names.append(f"{class_name}/{key}/{slot}:0" if legacy else
                             f"{class_name}/{slot}/{key}:0")
    return names


def tf_keras_2_legacy_state(optimizer):
    """`(names, arrays)`: a built optimizer's state as tf.keras 2's legacy optimizer of its
    class keeps it (see `tf_keras_2_names`; no learning rate, which the config holds), or None
    when it has none, or when its first slot is a scalar (Keras 3, reading the file by
    position, would take it for the learning rate)."""
    trainable = list(optimizer._trainable_variables)
    names = tf_keras_2_names(optimizer, trainable, legacy=True)
    roles = optimizer_roles(optimizer)
    if names is None or roles is None:
        return None
    found = file_roles(names, type(optimizer).__name__, roles)
    if found is None or any(role not in roles for role in found):
        return None
    variables = optimizer.variables
    arrays = [variables[roles.index(role)].numpy() for role in found]
    if len(arrays) > 1 and arrays[1].shape == ():
        return None
    return names, arrays


def _named_roles(names, pattern, slot_map):
    roles, variables = [], {}
    for name in names:
        if name in ("iteration:0",) or re.fullmatch(r"[^/]+/iter:\d+", name):
            roles.append(("iteration",))
            continue
        if re.fullmatch(r"[^/]+/momentum_cache:\d+", name):  # legacy Nadam's u_product
            roles.append(("wide", "u_product"))
            continue
        match = re.fullmatch(pattern, name)
        if match is None:
            roles.append(("unknown", name))
            continue
        index = variables.setdefault(match["var"], len(variables))
        roles.append(("slot", slot_map.get(match["slot"], match["slot"]), index))
    return roles


def _keras22_roles(names, class_name):
    layout = _KERAS22_LAYOUTS.get(class_name)
    if layout is None:
        return None
    has_iterations, groups = layout
    if has_iterations != names[0].endswith("iterations:0"):
        return None
    count = len(names) - has_iterations
    if count % len(groups):
        return None
    n = count // len(groups)
    return ([("iteration",)] if has_iterations else []) + [
        ("slot", group, i) for group in groups for i in range(n)]


def restore(optimizer, trainable_variables, names, read, source, class_name=None, strict=False):
    """Sets `optimizer`'s state from a file's optimizer weights; warns and changes nothing when
    they do not fit.

    Args:
        optimizer: the compiled model's optimizer (built here on `trainable_variables`, as
            `fit` would build it, unless the file holds an unbuilt optimizer's state).
        trainable_variables: the model's trainable variables.
        names: the file's weight names, in order.
        read: `read(index, shape)`: the file's array number `index`, or a mismatch marker when
            its shape is not `shape` (see `h5_io.H5Reader.array`).
        source: the file, for messages.
        class_name: the optimizer's class name in the file's config (`'Adam'`), which tells
            older layouts apart.
        strict: the file was written by minikeras, with this optimizer: a state that does not
            fit means a damaged file, an error rather than a warning.

    Returns:
        Whether the state was restored.

    Raises:
        ValueError: naming `source`, with `strict`, when the state does not fit.
    """
    def fail(reason):
        if strict:
            raise ValueError(f"Cannot load model from {source}: its optimizer state does not fit "
                             f"its optimizer ({reason}): the file is damaged.")
        return _fresh(source, reason)

    if strict and not (names and (names[0].endswith("/iteration")
                                  or re.fullmatch(r"[^/]+/iter:0", names[0]))):
        return fail(f"found {len(names)} weights, not minikeras's layout")
    class_name = (class_name or type(optimizer).__name__).rsplit(">", 1)[-1].rsplit(".", 1)[-1]
    found = file_roles(names, class_name, optimizer_roles(optimizer) or [])
    if found is None or any(role[0] != "iteration" and role[0] != "learning_rate"
                            for role in found):
        optimizer.build(trainable_variables)  # else: a never-built optimizer was saved
    roles = optimizer_roles(optimizer)
    if roles is None:
        return fail("minikeras cannot tell the roles of this optimizer's variables")
    found = file_roles(names, class_name, roles)
    if found is None:
        return fail(f"the layout of its {len(names)} optimizer weights is not one minikeras "
                    f"knows for {class_name}")
    where = {}
    for index, role in enumerate(found):
        where.setdefault(role, index)
    variables = optimizer.variables
    values = [var.numpy() for var in variables]
    for position, (role, var) in enumerate(zip(roles, variables)):
        if role not in where:
            if (role[0] in ("learning_rate", "iteration") or role == ("wide", "u_product")
                    or (role[0] == "slot" and _is_placeholder(var))):
                continue  # from the config, 0, recomputed below, or unused
            return fail(f"the file has no value for the optimizer's '{var.name}' "
                        f"({len(names)} weights for {len(roles)} variables)")
        array = read(where[role], var.shape)
        if not isinstance(array, np.ndarray):
            return fail(f"the optimizer's '{var.name}' has shape {var.shape}, the file's "
                        f"'{names[where[role]]}' {array.shape}")
        values[position] = array.astype(var.dtype)
    if ("wide", "u_product") in roles and ("wide", "u_product") not in where:
        iterations = int(values[roles.index(("iteration",))])
        if not 0 <= iterations <= _MAX_RECOMPUTED_STEPS:
            return fail(f"its iteration count {iterations} is out of range")
        values[roles.index(("wide", "u_product"))] = _u_product(
            optimizer, iterations, values[roles.index(("wide", "u_product"))].dtype)
    optimizer.set_weights(values)
    return True


def _u_product(optimizer, iterations, dtype):
    """Nadam's `u_1 * ... * u_t` after `iterations` steps, for files that do not store it: the
    optimizer's own rule replayed on no variables, so the product is the one training made,
    bit for bit."""
    u_product = np.ones((), dtype)
    lr = np.float32(0.0)
    for step in range(1, iterations + 1):
        _, (_, _, u_product) = optimizer.update([], ([], [], u_product), [], step, lr)
    return np.asarray(u_product, dtype=dtype)


def _fresh(source, reason):
    warnings.warn(f"Could not restore the optimizer state saved in {source}: {reason}. The "
                  "model's weights are loaded; training will start from a freshly initialized "
                  "optimizer.", stacklevel=4)
    return False
