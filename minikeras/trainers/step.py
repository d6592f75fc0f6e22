"""The training step as data: the one place that calls autograd.

`TrainStep` is built once per `fit` (or `train_on_batch`). Calling it is pure, as Keras 3's
JAX trainer is: it takes every value it reads and returns every value it computed,

    step(trainable, non_trainable, optimizer_state, x, y, sample_weight, seed)
        -> (loss, logs, new_trainable, new_non_trainable, new_optimizer_state)

and `write_back` puts the new values into the `Variable`s, in one place.
"""

import contextlib

import numpy as np

from minikeras import tree
from minikeras.autograd_internals import value_and_grads
from minikeras.keras_mask import MaskScope, get_keras_mask
from minikeras.stateless_scope import StatelessScope
from minikeras.variables import assign_arrays, read_arrays


def output_masks(y_pred):
    """The mask of each flat output (None where an output has none), as plain arrays: the
    metrics read them after the step (`y_pred` then is no traced value any more)."""
    masks = [get_keras_mask(p) for p in tree.flatten(y_pred)]
    return None if all(m is None for m in masks) else [
        None if m is None else np.asarray(m) for m in masks]


def total_loss(compiled_loss, y, y_pred, sample_weight, variables, values, added_losses):
    """The compiled loss plus the weights' regularization penalties and the losses layers added
    during the call (activity regularizers, `add_loss`), as Keras adds them.

    Returns:
        `(total, [loss of each output])`.
    """
    loss, per_output = (None, []) if compiled_loss is None else compiled_loss(y, y_pred,
                                                                             sample_weight)
    terms = ([] if loss is None else [loss]) + [
        var.regularizer(value) for var, value in zip(variables, values)
        if var.regularizer is not None] + list(added_losses)
    if not terms:
        raise ValueError("The model has no loss to minimize: pass a `loss` to `compile()` or "
                         "add one in a layer with `self.add_loss(...)`.")
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total, per_output


def batch_objective(model, trainable, non_trainable, non_trainable_values, x, y,
                    sample_weight, seed):
    """The loss of one training batch as a pure function of the trainable values: what
    autograd differentiates, for `TrainStep` and for `loss_and_gradients`.

    The model runs with `training=True` on `non_trainable_values` (random layers seeded by
    `seed`); the loss is `total_loss`'s. Nothing is written: updates of non-trainable
    variables (moving statistics) are returned.

    Returns:
        `objective(trainable_values) -> (loss, (y_pred, output_losses,
        new_non_trainable_values, output_masks))`.
    """

    def objective(traced):
        values = list(zip(trainable, traced)) + list(zip(non_trainable, non_trainable_values))
        # The mask scope holds the masks the layers attach (Embedding(mask_zero=True),
        # Masking...) until the loss has read the outputs' ones.
        with StatelessScope(values, training=True, seed=seed) as scope, MaskScope():
            y_pred = model(x, training=True)
            loss, per_output = total_loss(model._compiled_loss, y, y_pred, sample_weight,
                                          trainable, traced, scope.losses)
            masks = output_masks(y_pred)
        new_non_trainable = [scope.updates.get(v, value)
                             for v, value in zip(non_trainable, non_trainable_values)]
        return loss, (y_pred, per_output, new_non_trainable, masks)

    return objective


@contextlib.contextmanager
def states_kept(model):
    """Gives stateful recurrent layers their states back after a call that is not a step of
    the data (learning a model's outputs, a gradient measured by a callback): a stateful
    layer writes its states at once, as TensorFlow's variables are."""
    layers = [layer for layer in (model, *model._sublayers())
              if getattr(layer, "stateful", False) and "states" in layer.__dict__]
    saved = [None if layer.states is None else [np.array(v.value) for v in layer.states]
             for layer in layers]
    try:
        yield
    finally:
        for layer, states in zip(layers, saved):
            if layer.states is not None:
                layer.reset_states(states)  # None: made by this call, so from zeros


def loss_and_gradients(model, x, y, sample_weight=None, seed=0):
    """The loss of one batch and its gradient with respect to each trainable variable, at the
    Variables' current values, computed as a training step computes them
    (`batch_objective`). Nothing changes: no weight, no moving statistic, no optimizer
    state, no recurrent state. `GradientMonitor` reads gradients through this.

    Args:
        model: a compiled, built model.
        x, y, sample_weight: one batch, standardized as `fit` standardizes its batches.
        seed: the seed of random layers such as Dropout (default 0).

    Returns:
        `(loss, grads)`: a float, and one array per `model.trainable_variables`, in order.
    """
    trainable, non_trainable = model.trainable_variables, model.non_trainable_variables
    objective = batch_objective(model, trainable, non_trainable, read_arrays(non_trainable),
                                x, y, sample_weight, seed)
    with states_kept(model):
        (loss, _), grads = value_and_grads(objective, read_arrays(trainable))
    return float(loss), grads


class TrainStep:
    """One pure gradient step of `model` with its compiled loss and optimizer.

    Args:
        model: a compiled, built `Model`.

    Attributes:
        trainable, non_trainable: the model's variables, in the order of the values the step
            takes and returns.
    """

    def __init__(self, model):
        self.model = model
        self.trainable = model.trainable_variables
        self.non_trainable = model.non_trainable_variables
        model.optimizer.build(self.trainable)

    @property
    def optimizer_variables(self):
        """The optimizer's state variables, in the order of the state the step takes and
        returns. Read at every step, never kept: a callback that replaces a float learning
        rate by a schedule (or the reverse) changes the list during `fit`."""
        return self.model.optimizer.variables

    def state(self):
        """The current `(trainable, non_trainable, optimizer_state)` values of the Variables."""
        return (read_arrays(self.trainable), read_arrays(self.non_trainable),
                read_arrays(self.optimizer_variables))

    def __call__(self, trainable, non_trainable, optimizer_state, x, y, sample_weight, seed):
        """Returns `(loss, logs, new_trainable, new_non_trainable, new_optimizer_state)`.

        `logs` holds what the metrics need from this batch: `y_pred`, `output_losses` (the
        loss of each output, None where an output has no loss) and `y_pred_masks` (the mask
        of each flat output, or None when no output has one). Nothing is mutated.
        """
        objective = batch_objective(self.model, self.trainable, self.non_trainable,
                                    non_trainable, x, y, sample_weight, seed)
        (loss, (y_pred, per_output, new_non_trainable, masks)), grads = value_and_grads(
            objective, trainable)
        new_trainable, new_optimizer_state = self.model.optimizer.stateless_apply(
            optimizer_state, grads, trainable)
        logs = {"y_pred": y_pred, "output_losses": per_output, "y_pred_masks": masks}
        return float(loss), logs, new_trainable, new_non_trainable, new_optimizer_state

    def write_back(self, trainable, non_trainable, optimizer_state):
        """Makes the Variables hold the values a step returned."""
        optimizer_variables = self.optimizer_variables
        if len(optimizer_state) != len(optimizer_variables):
            raise ValueError(f"The optimizer state returned by the step has {len(optimizer_state)} "
                             f"arrays but optimizer '{self.model.optimizer.name}' now has "
                             f"{len(optimizer_variables)} state variables: its learning rate was "
                             "replaced by one of another kind (a float by a schedule or a "
                             "callable, or the reverse) between the step and its write-back.")
        assign_arrays(self.trainable, trainable)
        assign_arrays(self.non_trainable, non_trainable)
        assign_arrays(optimizer_variables, optimizer_state)

    def run(self, x, y, sample_weight, seed):
        """One step on the Variables' current values, written back; returns `(loss, logs)`."""
        loss, logs, *new_state = self(*self.state(), x, y, sample_weight, seed)
        self.write_back(*new_state)
        return loss, logs


class TestStep:
    """The loss of one batch without training, built once per `evaluate` (or validation).

    Calling it returns `(loss, logs)` as `TrainStep.run` does; nothing is written.

    Args:
        model: a compiled, built `Model`.
    """

    def __init__(self, model):
        self.model = model
        # Only regularized weights add to the loss: found once, not on every batch.
        self.regularized = [v for v in model.trainable_variables if v.regularizer is not None]

    def __call__(self, x, y, sample_weight):
        with StatelessScope(training=False) as scope, MaskScope():
            y_pred = self.model(x, training=False)
            loss, per_output = total_loss(self.model._compiled_loss, y, y_pred, sample_weight,
                                          self.regularized, [v.value for v in self.regularized],
                                          scope.losses)
            masks = output_masks(y_pred)
        return float(loss), {"y_pred": y_pred, "output_losses": per_output,
                             "y_pred_masks": masks}


_SEED_BOUND = 2**63 - 1  # np.iinfo(np.int64).max


def new_seed(rng):
    """A seed for one step's random layers, drawn from `rng`."""
    return int(rng.integers(_SEED_BOUND))


def step_seeds(rng, steps):
    """The seeds of an epoch's `steps` steps, drawn from the epoch's generator in one call."""
    return rng.integers(_SEED_BOUND, size=steps).tolist()
