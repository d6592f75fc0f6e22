"""What `compile` builds: the total loss over the model's outputs and the compiled metrics."""

import numpy as np

from minikeras import losses as losses_module
from minikeras import metrics as metrics_module
from minikeras import tree
from minikeras.metrics.base import Mean, MeanMetricWrapper, Metric


def _per_output(spec, output_names, what):
    """Spreads a loss/metric spec over the outputs: one entry per output (None where absent)."""
    k = len(output_names)
    if isinstance(spec, dict):
        unknown = set(spec) - set(output_names)
        if unknown:
            raise ValueError(f"`{what}` has keys {sorted(unknown)} that are not output names of the "
                             f"model. Output names: {output_names}")
        return [spec.get(name) for name in output_names]
    if what == "loss":
        if isinstance(spec, (list, tuple)):
            if len(spec) != k:
                raise ValueError(f"`loss` is a list of {len(spec)} losses but the model has {k} "
                                 f"outputs {output_names}.")
            return list(spec)
        return [spec] * k
    # Metrics: a flat list applies to every output; a list of lists gives one list per output.
    spec = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    if k > 1 and len(spec) == k and all(isinstance(s, (list, tuple)) or s is None for s in spec):
        return [list(s or []) for s in spec]
    return [spec] * k


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
    """The training objective: `sum_i loss_weight_i * loss_i(y_i, y_pred_i, sample_weight)`.

    Args:
        loss: a loss identifier, or a list/dict of them (one per output).
        loss_weights: None, a list or a dict of floats (one per output).
        output_names: the names of the model's outputs.
    """

    def __init__(self, loss, loss_weights, output_names):
        self.output_names = list(output_names)
        # 'crossentropy'/'ce' pick their variant from the data shapes on the first batch.
        self.losses = [l if _is_generic_crossentropy(l) else losses_module.as_loss_object(l)
                       for l in _per_output(loss, output_names, "loss")]
        if all(l is None for l in self.losses):
            raise ValueError("No loss to compute. Pass a `loss` to `compile()`.")
        if loss_weights is None:
            self.weights = [1.0] * len(self.losses)
        elif isinstance(loss_weights, dict):
            self.weights = [float(loss_weights.get(n, 1.0)) for n in output_names]
        else:
            loss_weights = list(np.atleast_1d(loss_weights))
            if len(loss_weights) != len(self.losses):
                raise ValueError(f"`loss_weights` has {len(loss_weights)} entries but the model has "
                                 f"{len(self.losses)} outputs.")
            self.weights = [float(w) for w in loss_weights]
        self._checked = False

    def check_shapes(self, ys, preds):
        """Fails early, naming the loss, when y cannot match the model's output."""
        self.losses = [losses_module.as_loss_object(_CROSSENTROPY[_accuracy_variant(y, p)])
                       if _is_generic_crossentropy(loss) else loss
                       for loss, y, p in zip(self.losses, ys, preds)]
        for loss, y, p, name in zip(self.losses, ys, preds, self.output_names):
            if loss is None:
                continue
            fn = getattr(loss, "fn", None)
            ys_, ps_ = tuple(np.shape(y)), tuple(np.shape(p))
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
        """Returns `(total_loss, [loss per output])`."""
        ys = tree.flatten(y_true) if len(self.losses) > 1 else [y_true]
        preds = tree.flatten(y_pred) if len(self.losses) > 1 else [y_pred]
        if len(ys) != len(self.losses):
            raise ValueError(f"The model has {len(self.losses)} outputs but `y` holds {len(ys)} arrays.")
        if not self._checked:
            self.check_shapes(ys, preds)
        total, per_output = None, []
        for loss, w, y, p in zip(self.losses, self.weights, ys, preds):
            if loss is None:
                per_output.append(None)
                continue
            value = loss(y, p, sample_weight)
            per_output.append(value)
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        return total, per_output


class CompiledMetrics:
    """The loss trackers and the compiled metrics, resolved on the first batch from the shapes."""

    def __init__(self, metrics, weighted_metrics, output_names):
        self.output_names = list(output_names)
        self._specs = (_per_output(metrics or [], output_names, "metrics"),
                       _per_output(weighted_metrics or [], output_names, "weighted_metrics"))
        self.loss_tracker = Mean(name="loss")
        self.output_loss_trackers = [Mean(name=f"{n}_loss") for n in output_names] if len(
            output_names) > 1 else []
        self.metrics = None  # [(metric, output index, weighted)] after build

    def build(self, ys, preds):
        self.metrics = []
        names = set()
        for weighted, spec in enumerate(self._specs):
            for i, entries in enumerate(spec):
                for entry in entries:
                    if entry is None:
                        continue
                    m = resolve_metric(entry, ys[i], preds[i])
                    if len(self.output_names) > 1:
                        m.name = f"{self.output_names[i]}_{m.name}"
                    base, k = m.name, 1
                    while m.name in names or m.name == "loss":
                        m.name, k = f"{base}_{k}", k + 1
                    names.add(m.name)
                    self.metrics.append((m, i, bool(weighted)))

    @property
    def names(self):
        return [m.name for m, _, _ in self.metrics or []]

    def reset(self):
        self.loss_tracker.reset_state()
        for t in self.output_loss_trackers:
            t.reset_state()
        for m, _, _ in self.metrics or []:
            m.reset_state()

    def update(self, ys, preds, sample_weight, loss, output_losses, batch_size):
        if self.metrics is None:
            self.build(ys, preds)
        self.loss_tracker.update_state(loss, sample_weight=batch_size)
        for tracker, value in zip(self.output_loss_trackers, output_losses):
            if value is not None:
                tracker.update_state(value, sample_weight=batch_size)
        for m, i, weighted in self.metrics:
            m.update_state(ys[i], preds[i], sample_weight if weighted else None)

    def results(self):
        """Logs: `loss`, per-output losses, then metrics in compile order."""
        logs = {"loss": float(self.loss_tracker.result())}
        for t in self.output_loss_trackers:
            logs[t.name] = float(t.result())
        for m, _, _ in self.metrics or []:
            logs[m.name] = _as_log_value(m.result())
        return logs


def _as_log_value(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value
