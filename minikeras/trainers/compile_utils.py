"""What `compile` builds: the objective summed over the model's outputs and the metrics in logs.

Keras 3's rules for a model with several outputs (named after the layers that produce them,
or after the keys of a dict of outputs):

- `loss`: one loss for every output, a list with one entry per output (None: no loss), or a
  dict keyed by output name. Each output's loss is logged unweighted as `<output>_loss` when
  more than one output has a loss; `loss` is the sum of the losses times `loss_weights`
  (a list, or a dict whose missing outputs weigh 1).
- `metrics` / `weighted_metrics`: a list with one entry (a metric or a list of them) per
  output, or a dict keyed by output name; logged as `<output>_<metric name>`. A flat list of
  another length applies every metric to every output, as tf.keras 2 did (Keras 3 raises).
  A weighted metric whose name is taken is logged as `<output>_weighted_<name>`.
- A dict key that is no output name is an error, naming the expected and received keys.

A loss dict may leave outputs out (they get no loss, as in tf.keras 2); Keras 3 requires every
output of a list-output model in it.
"""

import copy

import numpy as np

from minikeras import losses as losses_module
from minikeras import metrics as metrics_module
from minikeras import tree
from minikeras.keras_mask import with_keras_mask
from minikeras.metrics.base import Mean, MeanMetricWrapper, Metric


def check_output_keys(spec, output_names, what):
    """Raises a ValueError when the dict `spec` has a key that is no output name."""
    unknown = [key for key in spec if key not in output_names]
    if unknown:
        raise ValueError(
            f"`{what}` has the key(s) {unknown}, which are not names of the model's outputs. "
            f"Expected keys among the output names {list(output_names)}; received keys "
            f"{list(spec)}.")


def _is_sequence(x):
    return isinstance(x, (list, tuple))


def spread_losses(loss, output_names, dict_order=False):
    """`[(output index, loss identifier)]` for the outputs that have a loss, in the order
    Keras logs them: the output order, or for a dict-output model the loss dict's order."""
    k = len(output_names)
    if isinstance(loss, dict):
        check_output_keys(loss, output_names, "loss")
        keys = list(loss) if dict_order else [n for n in output_names if n in loss]
        pairs = [(output_names.index(key), loss[key]) for key in keys]
    elif _is_sequence(loss):
        if len(loss) != k:
            raise ValueError(
                f"`loss` is a list of {len(loss)} losses, but the model has {k} output(s) "
                f"{list(output_names)}: pass one loss per output (None for an output without "
                "a loss), a dict keyed by output name, or a single loss for every output.")
        pairs = list(enumerate(loss))
    else:
        pairs = [(i, loss) for i in range(k)]
    return [(i, identifier) for i, identifier in pairs if identifier is not None]


def spread_loss_weights(loss_weights, output_names):
    """One weight per output (None: the loss is not multiplied)."""
    k = len(output_names)
    if loss_weights is None:
        return [None] * k
    if isinstance(loss_weights, dict):
        check_output_keys(loss_weights, output_names, "loss_weights")
        return [None if loss_weights.get(n) is None else float(loss_weights[n])
                for n in output_names]
    if _is_sequence(loss_weights) or isinstance(loss_weights, np.ndarray):
        weights = list(np.ravel(loss_weights)) if isinstance(loss_weights, np.ndarray) else \
            list(loss_weights)
        if len(weights) != k:
            raise ValueError(
                f"`loss_weights` has {len(weights)} entries, but the model has {k} output(s) "
                f"{list(output_names)}: pass one weight per output or a dict keyed by output "
                "name.")
        return [None if w is None else float(w) for w in weights]
    if k != 1:
        raise ValueError(
            f"`loss_weights` is the single number {loss_weights!r}, but the model has {k} "
            f"outputs {list(output_names)}: pass a list with one weight per output or a dict "
            "keyed by output name.")
    return [float(loss_weights)]


def spread_metrics(metrics, output_names, what):
    """A list per output of the metric identifiers that apply to it."""
    k = len(output_names)
    if not metrics:
        return [[] for _ in range(k)]
    if k == 1:
        if isinstance(metrics, dict):
            check_output_keys(metrics, output_names, what)
        return [[m for m in tree.flatten(metrics) if m is not None]]
    if isinstance(metrics, dict):
        check_output_keys(metrics, output_names, what)
        return [_as_list(metrics.get(n)) for n in output_names]
    if _is_sequence(metrics) and len(metrics) == k:
        return [_as_list(entry) for entry in metrics]
    flat = [m for m in tree.flatten(metrics) if m is not None]
    return [list(flat) for _ in range(k)]


def _as_list(entry):
    if entry is None:
        return []
    return [m for m in tree.flatten(entry) if m is not None] if _is_sequence(entry) else [entry]


def _accuracy_variant(y_true, y_pred):
    """Keras's choice of accuracy from the shapes of the labels and predictions."""
    t_rank, p_rank = np.ndim(y_true), np.ndim(y_pred)
    t_last = np.shape(y_true)[-1] if t_rank else 1
    p_last = np.shape(y_pred)[-1] if p_rank else 1
    if p_last == 1:
        return "binary"
    if t_rank < p_rank or (t_last == 1 and p_last > 1):
        return "sparse"
    return "categorical"


_CROSSENTROPY = {"binary": "binary_crossentropy", "sparse": "sparse_categorical_crossentropy",
                 "categorical": "categorical_crossentropy"}


def _is_generic_crossentropy(identifier):
    return isinstance(identifier, str) and identifier in ("crossentropy", "ce")


def resolve_metric(identifier, y_true, y_pred):
    """Returns a `Metric` for one compile entry, named as Keras names it."""
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        variant = _accuracy_variant(y_true, y_pred)
        fn = {"binary": metrics_module.binary_accuracy, "sparse":
              metrics_module.sparse_categorical_accuracy,
              "categorical": metrics_module.categorical_accuracy}[variant]
        return MeanMetricWrapper(fn, name=identifier)
    if _is_generic_crossentropy(identifier):
        fn = losses_module.get(_CROSSENTROPY[_accuracy_variant(y_true, y_pred)])
        return MeanMetricWrapper(fn, name=identifier)
    metric = metrics_module.get(identifier)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=getattr(metric, "__name__", "metric"))
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


class CompiledLoss:
    """The training objective: `sum_i loss_weight_i * loss_i(y_i, y_pred_i, sample_weight_i)`.

    Args:
        loss: a loss identifier, or a list/dict of them (one per output).
        loss_weights: None, a number (one output), a list or a dict of numbers.
        output_names: the names of the model's outputs, in the order of its flat outputs.
        dict_order: the outputs are a dict: per-output losses are logged in the loss
            dict's order, as Keras 3 does.

    Attributes:
        entries: `[(output index, Loss, weight or None)]` of the outputs that have a loss.
        names: the log names of the per-output losses (`<output>_loss`), empty when only
            one output has a loss.
    """

    def __init__(self, loss, loss_weights, output_names, dict_order=False):
        self.output_names = list(output_names)
        weights = spread_loss_weights(loss_weights, self.output_names)
        # 'crossentropy'/'ce' pick their variant from the data shapes on the first batch.
        self.entries = [(i, l if _is_generic_crossentropy(l) else losses_module.as_loss_object(l),
                         weights[i])
                        for i, l in spread_losses(loss, self.output_names, dict_order)]
        if not self.entries:
            raise ValueError("No loss to compute. Pass a `loss` to `compile()`.")
        # An unnamed output (a subclassed model's list of outputs) is logged after its loss.
        self.names = ([f"{self.output_names[i] or _loss_name(loss)}_loss"
                       for i, loss, _ in self.entries] if len(self.entries) > 1 else [])
        self._checked = False

    @property
    def losses(self):
        """The loss of each output (None where an output has none)."""
        by_output = {i: loss for i, loss, _ in self.entries}
        return [by_output.get(i) for i in range(len(self.output_names))]

    def outputs_with_loss(self):
        """Indices of the outputs that have a loss, in output order."""
        return sorted(i for i, _, _ in self.entries)

    def check_shapes(self, ys, preds):
        """Fails early, naming the loss and output, when a `y` cannot match its output."""
        entries = []
        for i, loss, w in self.entries:
            if _is_generic_crossentropy(loss):
                loss = losses_module.as_loss_object(
                    _CROSSENTROPY[_accuracy_variant(ys[i], preds[i])])
            entries.append((i, loss, w))
        self.entries = entries
        for i, loss, _ in self.entries:
            name = self.output_names[i]
            fn = getattr(loss, "fn", None)
            ys_, ps_ = tuple(np.shape(ys[i])), tuple(np.shape(preds[i]))
            if fn is losses_module.sparse_categorical_crossentropy:
                ok = ys_ == ps_[:-1] or ys_ == ps_[:-1] + (1,)
                expected = f"{ps_[:-1]} (integer class indices)"
            else:
                ok = ys_ == ps_ or ys_ + (1,) == ps_ or ys_ == ps_ + (1,)
                expected = f"{ps_}"
            if not ok:
                hint = ""
                if fn is losses_module.categorical_crossentropy and len(ys_) == len(ps_) - 1:
                    hint = (" Your labels look like integer class indices: use "
                            "loss='sparse_categorical_crossentropy' or one-hot encode them with "
                            "keras.utils.to_categorical.")
                raise ValueError(
                    f"The loss '{loss.name}' of output '{name}' expects `y` of shape {expected} "
                    f"to match the model output of shape {ps_}, but received `y` with shape "
                    f"{ys_}.{hint}"
                )
        self._checked = True

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns `(total_loss, [unweighted loss of each entry])`.

        `y_true` (and a per-output `sample_weight`) is an array for a one-output model, else a
        list with one entry per output (None where an output has no target).
        """
        k = len(self.output_names)
        preds = tree.flatten(y_pred)
        if k == 1:
            ys, weights = [y_true], [sample_weight]
        else:
            ys = list(y_true)
            weights = (list(sample_weight) if isinstance(sample_weight, list)
                       else [sample_weight] * k)
        if len(preds) != k:
            raise ValueError(f"The model returned {len(preds)} output(s) but was compiled for "
                             f"{k}: {self.output_names}.")
        if not self._checked:
            self.check_shapes(ys, preds)
        total, per_output = None, []
        for i, loss, w in self.entries:
            value = loss(ys[i], preds[i], weights[i])
            per_output.append(value)
            if w is not None:
                value = value * w
            total = value if total is None else total + value
        return total, per_output


def _loss_name(loss):
    return loss if isinstance(loss, str) else getattr(loss, "name", "loss")


class _CompiledMetric:
    """One metric of `compile`: which output it reads, whether it takes the sample weights,
    and its name in logs."""

    def __init__(self, metric, output, weighted, log_name):
        self.metric, self.output, self.weighted, self.log_name = metric, output, weighted, log_name


class CompiledMetrics:
    """The loss trackers and the compiled metrics, resolved on the first batch from the shapes.

    Args:
        metrics, weighted_metrics: what `compile` was given.
        output_names: the names of the model's outputs.
        loss_names: the log names of the per-output losses (`CompiledLoss.names`).
    """

    def __init__(self, metrics, weighted_metrics, output_names, loss_names=()):
        self.output_names = list(output_names)
        self._specs = (spread_metrics(metrics, self.output_names, "metrics"),
                       spread_metrics(weighted_metrics, self.output_names, "weighted_metrics"))
        self.loss_tracker = Mean(name="loss")
        self.output_loss_trackers = [Mean(name=n) for n in loss_names]
        self.metrics = None  # [_CompiledMetric] once built

    def outputs_with_metrics(self):
        return sorted({i for spec in self._specs for i, ids in enumerate(spec) if ids})

    def build(self, ys, preds):
        """Resolves the metrics from the first batch and names them as Keras 3 does."""
        multi = len(self.output_names) > 1
        compiled, taken, used = [], {}, set()
        for weighted, spec in enumerate(self._specs):
            for i, identifiers in enumerate(spec):
                name_i = self.output_names[i]
                prefix = f"{name_i}_" if multi and name_i is not None else ""
                for identifier in identifiers:
                    metric = resolve_metric(identifier, ys[i], preds[i])
                    if id(metric) in used:  # one instance given for several outputs
                        metric = copy.deepcopy(metric)
                        metric.reset_state()
                    used.add(id(metric))
                    name = prefix + metric.name
                    if name in taken and weighted:
                        name = f"{prefix}weighted_{metric.name}"
                    if name in taken:
                        taken[name] += 1
                        name = f"{name}_{taken[name] - 1}"
                    else:
                        taken[name] = 1
                    compiled.append(_CompiledMetric(metric, i, bool(weighted), name))
        self.metrics = compiled

    @property
    def names(self):
        """The log names of the compiled metrics, in compile order."""
        return [m.log_name for m in self.metrics or []]

    def ordered_names(self):
        """The names of `evaluate`'s list, in Keras 3's order: `loss`, the compiled metrics
        whose log name is their own name (one-output models, unnamed outputs), the
        per-output losses, then the other metrics by name. As in Keras, a name given twice
        (two outputs with the same loss, or the same metric unprefixed) is listed twice."""
        logged = set(self.names)
        first = ["loss"] + [m.metric.name for m in self.metrics or []
                            if m.metric.name in logged]
        first += [t.name for t in self.output_loss_trackers]
        return first + sorted(logged - set(first))

    def reset(self):
        self.loss_tracker.reset_state()
        for t in self.output_loss_trackers:
            t.reset_state()
        for m in self.metrics or []:
            m.metric.reset_state()

    def update(self, ys, preds, sample_weights, loss, output_losses, batch_size, masks=None):
        """Feeds one batch: `ys`, `preds` and `sample_weights` have one entry per output;
        `masks` (None, or one mask or None per output) are the outputs' masks, handed to
        the metrics on `y_pred` as Keras does (`y_pred._keras_mask`)."""
        if self.metrics is None:
            self.build(ys, preds)
        if masks is not None:
            preds = [with_keras_mask(p, m) for p, m in zip(preds, masks)]
        self.loss_tracker.update_state(loss, sample_weight=batch_size)
        for tracker, value in zip(self.output_loss_trackers, output_losses):
            tracker.update_state(value, sample_weight=batch_size)
        for m in self.metrics:
            i = m.output
            m.metric.update_state(ys[i], preds[i], sample_weights[i] if m.weighted else None)

    def results(self):
        """Logs: `loss`, the compiled metrics, then the per-output losses."""
        logs = {"loss": float(self.loss_tracker.result())}
        for m in self.metrics or []:
            logs[m.log_name] = _as_log_value(m.metric.result())
        for t in self.output_loss_trackers:
            logs[t.name] = float(t.result())
        return logs


def _as_log_value(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value
