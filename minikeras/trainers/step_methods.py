"""Keras 3's step methods, which a subclassed model overrides to customize `fit`:
`train_step`, `test_step`, `predict_step`, and what an override calls: `compute_loss`,
`compute_metrics`, `get_metrics_result`, `reset_metrics`, `stateless_call`,
`compute_loss_and_updates`, and tf.keras 2's `compiled_loss` / `compiled_metrics`.

`fit` calls `train_step` for every batch when the model's class overrides it (otherwise it
runs the engine's pure step directly, which is what the default `train_step` does too). An
override gets its gradient in one of two ways, since minikeras differentiates with autograd:

- TensorFlow style, `train_step(self, data)`: record the forward pass in a `tf.GradientTape`
  (minikeras's `tensorflow` stand-in), `tape.gradient(loss, self.trainable_variables)`, then
  `self.optimizer.apply(grads, self.trainable_variables)` (or `apply_gradients`); update the
  metrics and return the logs.
- JAX style, `train_step(self, state, data)` with `state = (trainable_variables,
  non_trainable_variables, optimizer_variables, metrics_variables)` (arrays): differentiate
  `compute_loss_and_updates` (built on `stateless_call`) with `keras.value_and_grad` (JAX's
  contract), step with `self.optimizer.stateless_apply`, and return `(logs, new_state)`;
  `fit` writes the new state into the variables. minikeras's built-in metrics keep their
  state in Python numbers, not variables, so `metrics_variables` holds only the variables of
  metrics that make some (`add_variable`); update the others with `update_state`.
"""

import inspect
import warnings

import numpy as np

from minikeras import tree
from minikeras.autograd_internals import getval
from minikeras.metrics.base import Metric
from minikeras.random_seed import make_rng
from minikeras.stateless_scope import StatelessScope, current_scope
from minikeras.trainers.step import TestStep, TrainStep, new_seed
from minikeras.utils.batch_tuples import unpack_x_y_sample_weight
from minikeras.variables import assign_arrays, read_arrays


class StepMethods:
    """Mixin of `Trainer`: the step methods and what overrides of them call."""

    # ------------------------------------------------------------------ overrides
    def _overrides(self, name):
        """Whether the model's class overrides the step method `name`."""
        return getattr(type(self), name) is not getattr(StepMethods, name)

    def _jax_style_train_step(self):
        """Whether `train_step` takes `(state, data)` (Keras 3's JAX form)."""
        parameters = [p for p in inspect.signature(self.train_step).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return len(parameters) == 2

    # ------------------------------------------------------------------ default steps
    def train_step(self, data):
        """One training step on a batch `data` (`(x, y)`, `(x, y, sample_weight)` or `x`):
        the engine's gradient step, then the metrics. Returns the logs (metric results).

        Override it to customize `fit` (see the module docstring); `fit` then calls it for
        each batch with the batch's arrays.
        """
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        x, y, sample_weight, n = self._prepare(x, y, sample_weight)
        self._ensure_built(x)
        if self._compiled_metrics is None:
            self._build_compiled()
        runner = self.__dict__.get("_train_step_runner") or TrainStep(self)
        seed = self.__dict__.get("_step_seed")
        loss, logs = runner.run(x, y, sample_weight,
                                new_seed(make_rng()) if seed is None else seed)
        self._update_metrics(y, sample_weight, loss, logs, n)
        return self.get_metrics_result()

    def test_step(self, data):
        """The loss and metrics of a batch `data`, without training; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        x, y, sample_weight, n = self._prepare(x, y, sample_weight)
        self._ensure_built(x)
        if self._compiled_metrics is None:
            self._build_compiled()
        loss, logs = TestStep(self)(x, y, sample_weight)
        self._update_metrics(y, sample_weight, loss, logs, n)
        return self.get_metrics_result()

    def predict_step(self, data):
        """The model's outputs for a batch `data` (`(x,)`, or a tuple whose first element
        is `x`, or `x`)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self._predict_step(x)

    # ------------------------------------------------------------------ running overrides
    def _run_train_step(self, runner, x, y, sample_weight, seed, jax_style):
        """Calls the overridden `train_step` on one prepared batch; returns its logs."""
        data = step_data(x, y, sample_weight)
        self.__dict__["_step_seed"] = seed
        self.__dict__["_train_step_runner"] = runner
        try:
            if not jax_style:
                return pythonify_logs(self.train_step(data))
            metrics_variables = self.metrics_variables
            state = (*runner.state(), read_arrays(metrics_variables))
            result = self.train_step(state, data)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ValueError("A `train_step(self, state, data)` override must return "
                                 "`(logs, state)`, state being `(trainable_variables, "
                                 "non_trainable_variables, optimizer_variables, "
                                 f"metrics_variables)`. It returned {type(result).__name__}.")
            logs, new_state = result
            if len(new_state) != 4:
                raise ValueError("The state a `train_step(self, state, data)` override returns "
                                 "must hold 4 lists (trainable, non-trainable, optimizer and "
                                 f"metrics variables); it holds {len(new_state)}.")
            runner.write_back(*[[np.asarray(getval(v)) for v in part]
                                for part in new_state[:3]])
            assign_arrays(metrics_variables, [np.asarray(getval(v)) for v in new_state[3]])
            return pythonify_logs(logs)
        finally:
            self.__dict__.pop("_step_seed", None)
            self.__dict__.pop("_train_step_runner", None)

    def _ensure_metrics_built(self, x, y):
        """Resolves the compiled metrics from a batch (an inference call gives the output
        shapes), so that an overridden step finds them in `self.metrics` from the start."""
        if self._compiled_metrics is None:
            self._build_compiled()
        if self._compiled_metrics.metrics is None:
            preds, ys = self._per_output(self._predict_step(x), y)
            self._compiled_metrics.build(ys, preds)

    def _per_output(self, y_pred, y, sample_weight=None):
        """`(predictions, targets, sample weights)` as lists with one entry per output."""
        k = len(self._compiled_metrics.output_names)
        preds = tree.flatten(y_pred) if k > 1 else [y_pred]
        ys = [None] * k if y is None else list(y) if k > 1 else [y]
        if sample_weight is None:
            return preds, ys
        weights = list(sample_weight) if isinstance(sample_weight, list) else \
            [sample_weight] * k
        return preds, ys, weights

    # ------------------------------------------------------------------ what overrides call
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch, as Keras 3's: the compiled loss of `y` and `y_pred`
        plus the model's losses (the penalties its layers added during the latest call and
        the weights' regularization penalties).

        Traced when computed inside a `tf.GradientTape` or a stateless call (the gradient
        flows through it); a float32 scalar otherwise.
        """
        if self._compiled_metrics is None and self.compiled:
            self._build_compiled()
        terms = []
        if self._compiled_loss is not None:
            y, sample_weight = self._prepare_targets(y, sample_weight)
            loss, _ = self._compiled_loss(y, y_pred, sample_weight)
            if loss is not None:
                terms.append(loss)
        scope = current_scope()
        terms += (list(scope.losses) if scope is not None else []) + list(self.losses)
        if not terms:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics (not the loss tracker) with a batch and returns
        `get_metrics_result()`, as Keras 3's."""
        x = self._prepare_x(x) if x is not None else None
        y, sample_weight = self._prepare_targets(y, sample_weight)
        if x is not None:
            self._ensure_metrics_built(x, y)
        y_pred = tree.map_structure(lambda a: np.asarray(getval(a)), y_pred)
        preds, ys, weights = self._per_output(y_pred, y, sample_weight if sample_weight
                                              is not None else [None] * len(
                                                  self._compiled_metrics.output_names))
        if self._compiled_metrics.metrics is None:
            self._compiled_metrics.build(ys, preds)
        for m in self._compiled_metrics.metrics:
            m.metric.update_state(ys[m.output], preds[m.output],
                                  weights[m.output] if m.weighted else None)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """The results of `self.metrics` as a dict of floats (a metric whose result is a dict
        adds its entries), as Keras 3's."""
        logs = {}
        compiled = set()
        if self._compiled_metrics is not None:
            cm = self._compiled_metrics
            compiled = {id(cm.loss_tracker)} | {id(t) for t in cm.output_loss_trackers} | {
                id(m.metric) for m in cm.metrics or []}
            logs.update(self._logs())
        for metric in self.metrics:
            if id(metric) not in compiled:
                logs.update(pythonify_logs({metric.name: metric.result()}))
        return logs

    def reset_metrics(self):
        """Resets every metric of `self.metrics` (and the compiled ones)."""
        if self._compiled_metrics is not None:
            self._compiled_metrics.reset()
        for metric in self.metrics:
            metric.reset_state()

    @property
    def metrics_variables(self):
        """The state variables of the model's metrics (of those that make some)."""
        return [v for metric in self.metrics for v in metric.variables]

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses=False, **kwargs):
        """Calls the model on `*args` with the given variable values instead of its own, as
        Keras 3's `stateless_call`; nothing is changed.

        Args:
            trainable_variables, non_trainable_variables: values (arrays, traced or not) in
                the order of `self.trainable_variables` / `self.non_trainable_variables`.
            *args, **kwargs: the call's inputs and arguments (`training=`...).
            return_losses: also return the losses layers added during the call.

        Returns:
            `(outputs, non_trainable_variables)` (the new values, e.g. moving statistics
            updated by BatchNormalization in training mode), plus the list of losses with
            `return_losses=True`.
        """
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        for given, own, what in ((trainable_variables, trainable, "trainable"),
                                 (non_trainable_variables, non_trainable, "non-trainable")):
            if len(given) != len(own):
                raise ValueError(f"stateless_call: model '{self.name}' has {len(own)} {what} "
                                 f"variables; received {len(given)} values.")
        values = list(zip(trainable, trainable_variables)) + list(
            zip(non_trainable, non_trainable_variables))
        with StatelessScope(values, training=kwargs.get("training")) as scope:
            outputs = self(*args, **kwargs)
        new_non_trainable = [scope.updates.get(v, value)
                             for v, value in zip(non_trainable, non_trainable_variables)]
        if return_losses:
            return outputs, new_non_trainable, list(scope.losses)
        return outputs, new_non_trainable

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables,
                                 metrics_variables, x, y, sample_weight=None, training=False,
                                 optimizer_variables=None):
        """The loss of a batch from the given variable values, as Keras 3's JAX trainer's:
        a pure function to differentiate (with `keras.value_and_grad`).

        Returns:
            `(loss, (y_pred, non_trainable_variables, metrics_variables))`.
        """
        trainable, non_trainable = self.trainable_variables, self.non_trainable_variables
        values = list(zip(trainable, trainable_variables)) + list(
            zip(non_trainable, non_trainable_variables))
        with StatelessScope(values, training=training) as scope:
            y_pred = self(x, training=training)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=training)
        new_non_trainable = [scope.updates.get(v, value)
                             for v, value in zip(non_trainable, non_trainable_variables)]
        return loss, (y_pred, new_non_trainable, metrics_variables)

    # ------------------------------------------------------------------ tf.keras 2 spellings
    def compiled_loss(self, y, y_pred, sample_weight=None, regularization_losses=None):
        """tf.keras 2's `self.compiled_loss(y, y_pred, regularization_losses=self.losses)`
        of a `train_step` override: the compiled loss plus `regularization_losses`, also fed
        to the `loss` metric (batch-size weighted) as tf.keras 2 did. Deprecated in Keras 3
        (use `compute_loss`)."""
        warnings.warn("`model.compiled_loss()` is deprecated (tf.keras 2). Instead, use "
                      "`model.compute_loss(x, y, y_pred, sample_weight, training)`.",
                      DeprecationWarning, stacklevel=2)
        if self._compiled_metrics is None:
            self._build_compiled()
        if self._compiled_loss is None:
            raise ValueError("`compiled_loss` needs a `loss` in `compile()`.")
        y, sample_weight = self._prepare_targets(y, sample_weight)
        total, _ = self._compiled_loss(y, y_pred, sample_weight)
        for term in regularization_losses or ():
            total = total + term
        batch = np.shape(tree.flatten(y_pred)[0])[0]
        self._compiled_metrics.loss_tracker.update_state(np.asarray(getval(total)),
                                                         sample_weight=batch)
        return total

    @property
    def compiled_metrics(self):
        """tf.keras 2's `self.compiled_metrics.update_state(y, y_pred, sample_weight)` of a
        `train_step` override: updates the compiled metrics (not the loss). Deprecated in
        Keras 3 (update `self.metrics` or call `compute_metrics`)."""
        return _CompiledMetricsShim(self)


class _CompiledMetricsShim:
    """What tf.keras 2's `model.compiled_metrics` offered to `train_step` overrides."""

    def __init__(self, model):
        self._model = model

    def update_state(self, y, y_pred, sample_weight=None):
        warnings.warn("`model.compiled_metrics` is deprecated (tf.keras 2). Instead, update "
                      "the metrics of `self.metrics` or call `self.compute_metrics(x, y, "
                      "y_pred, sample_weight)`.", DeprecationWarning, stacklevel=2)
        self._model.compute_metrics(None, y, y_pred, sample_weight)

    def reset_state(self):
        if self._model._compiled_metrics is not None:
            for m in self._model._compiled_metrics.metrics or []:
                m.metric.reset_state()

    @property
    def metrics(self):
        cm = self._model._compiled_metrics
        return [m.metric for m in (cm.metrics or [])] if cm is not None else []


def step_data(x, y, sample_weight):
    """The batch tuple a step override receives: `(x,)`, `(x, y)` or `(x, y, sample_weight)`."""
    if y is None and sample_weight is None:
        return (x,)
    if sample_weight is None:
        return x, y
    return x, y, sample_weight


def pythonify_logs(logs):
    """A step's logs as Keras passes them on: nested dicts flattened, scalars as floats."""
    if logs is None:
        return {}
    if not isinstance(logs, dict):
        raise TypeError(f"A step override must return its logs as a dict (metric name -> "
                        f"value); it returned {type(logs).__name__}.")
    out = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
            continue
        value = np.asarray(getval(value.numpy() if hasattr(value, "numpy") and not isinstance(
            value, np.ndarray) else value))
        out[key] = float(value) if value.size == 1 else value
    return out


def is_metric(value):
    """Whether `value` is a metric a model tracks when it is one of its attributes."""
    return isinstance(value, Metric)
