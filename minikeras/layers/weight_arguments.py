"""A weight's Keras arguments (`{name}_initializer`, `{name}_regularizer`, `{name}_constraint`):
stored on the layer under Keras's attribute names, used to create the weight, and written to
the layer's config in Keras's order."""

from minikeras import constraints, initializers, regularizers


def store(layer, name, initializer, regularizer, constraint):
    """Sets `layer.{name}_initializer`, `_regularizer` and `_constraint` from their Keras
    identifiers (strings, configs, instances or None)."""
    setattr(layer, f"{name}_initializer", initializers.get(initializer))
    setattr(layer, f"{name}_regularizer", regularizers.get(regularizer))
    setattr(layer, f"{name}_constraint", constraints.get(constraint))


def add_weight(layer, name, shape, arguments=None, initializer=None):
    """`layer.add_weight` with the arguments stored under `arguments` (default: `name`);
    `initializer` replaces the stored one (LSTM's forget-gate bias)."""
    arguments = arguments or name
    return layer.add_weight(
        name=name, shape=shape,
        initializer=initializer or getattr(layer, f"{arguments}_initializer"),
        regularizer=getattr(layer, f"{arguments}_regularizer"),
        constraint=getattr(layer, f"{arguments}_constraint"))


def config(layer, *names, activity=False):
    """The arguments of the weights `names` in Keras's config order: their initializers, then
    their regularizers (then the layer's `activity_regularizer` if `activity`), then their
    constraints."""
    entries = {}
    for kind, module, extra in (("initializer", initializers, ()),
                                ("regularizer", regularizers, ("activity",) * activity),
                                ("constraint", constraints, ())):
        for name in (*names, *extra):
            entries[f"{name}_{kind}"] = module.serialize(getattr(layer, f"{name}_{kind}"))
    return entries
