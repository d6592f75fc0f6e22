"""The training API: `compile`, `fit`, `evaluate`, `predict` and the `*_on_batch` methods.

They are loops over the pure step of `minikeras.trainers.step`: data in batches, the step's
results written back, metrics, progress bar and callbacks.
"""

import inspect
import warnings

import numpy as np

from minikeras import optimizers as optimizers_module
from minikeras import blas, tree
from minikeras.autograd_internals import getval
from minikeras.callbacks import CallbackList
from minikeras.random_seed import global_rng, make_rng
from minikeras.stateless_scope import StatelessScope
from minikeras.trainers import batch_sources
from minikeras.trainers import data as data_utils
from minikeras.trainers.compile_utils import CompiledLoss, CompiledMetrics
from minikeras.trainers.interrupt import StopAtBatchBoundary
from minikeras.trainers.step import TestStep, TrainStep, new_seed, states_kept, step_seeds
from minikeras.trainers.step_methods import StepMethods, step_data, pythonify_logs, is_metric


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"`verbose` must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}")
    return int(verbose)


class Trainer(StepMethods):
    """Mixin of `Model` with Keras's training API (the step methods a subclass may override
    are in `step_methods.py`)."""

    def _init_trainer(self):
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._initial_epoch = None  # set by BackupAndRestore to resume a fit
        self._compiled_loss = None
        self._compiled_metrics = None
        self._outputs_to_check = False  # see _check_outputs_once
        # The epoch `fit` starts from when BackupAndRestore restored a backup (as Keras 3).
        self._initial_epoch = None

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configures the model for training.

        Args:
            optimizer: name or instance (default `'rmsprop'`).
            loss: a loss identifier; for several outputs also a list (one per output, None
                for none) or a dict keyed by output name (default None: only the losses
                layers add).
            loss_weights: weights of the outputs' losses, a list or a dict keyed by output
                name (default None: all 1).
            metrics: list of metrics (names, functions or `Metric` instances) evaluated on
                every batch; `'accuracy'`/`'acc'` pick the right variant from the data
                shapes. For several outputs: a list with one entry (a metric or a list) per
                output, or a dict keyed by output name; see `compile_utils` for the names
                they are logged under.
            weighted_metrics: metrics that receive `sample_weight`/`class_weight`, given as
                `metrics` is.
            run_eagerly, steps_per_execution, jit_compile, auto_scale_loss: accepted for
                compatibility; they change nothing here.
        """
        kwargs.pop("sample_weight_mode", None)
        if kwargs:
            raise TypeError(f"compile() got unexpected keyword arguments: {sorted(kwargs)}")
        self.optimizer = optimizers_module.get(optimizer)
        self._loss_spec, self._loss_weights_spec = loss, loss_weights
        self._metrics_spec, self._weighted_metrics_spec = metrics, weighted_metrics
        self.loss = loss
        self._compiled_loss = None
        self._compiled_metrics = None
        self._outputs_to_check = True
        if self._output_names_or_none() is not None:
            self._build_compiled()
            self._check_outputs_once()
        self.compiled = True

    def _build_compiled(self):
        names = self._output_names_or_none() or ["output"]
        # A dict of outputs logs its losses in the loss dict's order (Keras 3).
        dict_order = (isinstance(getattr(self, "_outputs_struct", None), dict)
                      or self.__dict__.get("_probed_dict_outputs", False))
        # loss=None (Keras 3): the model trains on the losses its layers add (`add_loss`).
        self._compiled_loss = (None if self._loss_spec is None else
                               CompiledLoss(self._loss_spec, self._loss_weights_spec, names,
                                            dict_order))
        self._compiled_metrics = CompiledMetrics(
            self._metrics_spec, self._weighted_metrics_spec, names,
            self._compiled_loss.names if self._compiled_loss is not None else [])

    def _check_outputs_once(self):
        """Warns about outputs that cannot train, once per `compile`: at `compile` when the
        outputs are known, else at the first training step (`fit`, `train_on_batch`)."""
        if getattr(self, "_outputs_to_check", False) and getattr(self, "outputs", None):
            self._outputs_to_check = False
            self._warn_about_untrainable_outputs(stacklevel=4)

    def _warn_about_untrainable_outputs(self, stacklevel):
        """Hook of the model (models/output_checks.py: the shell knows which layer computes
        each output); `stacklevel` counts from this method to the user's call."""

    def _require_compiled(self, method):
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before using the model. `{method}()` was called on "
                f"model '{self.name}' before `compile()`."
            )
        if self._compiled_metrics is None and self._output_names_or_none() is not None:
            self._build_compiled()

    def _know_outputs(self, x, batch_size=None):
        """Builds the compiled loss and metrics once the outputs are known.

        A subclassed model's outputs are learnt, as Keras learns them from `y_pred`, from one
        inference call on the first batch (which also builds an unbuilt model from that
        batch's shapes): a dict of outputs is named by its keys; a list of outputs has no
        names (Keras then names each loss after the loss, `mse_loss`, and does not prefix
        the metrics).
        """
        if not self.compiled or self._compiled_metrics is not None:
            return
        if self._output_names_or_none() is None:
            first = data_utils.take(x, slice(0, batch_size or data_utils.num_samples(x)))
            with states_kept(self), StatelessScope(training=False):
                outputs = self(first, training=False)
            if self._output_names_or_none() is None:  # not a Sequential built by that call
                if isinstance(outputs, dict):
                    names = sorted(outputs)
                elif isinstance(outputs, (list, tuple)) and len(outputs) > 1:
                    names = [None] * len(outputs)
                else:
                    names = ["output"]
                self.__dict__["_probed_output_names"] = names
                self.__dict__["_probed_dict_outputs"] = isinstance(outputs, dict)
        self._build_compiled()

    @property
    def metrics_names(self):
        """The names of `evaluate`'s list, in its order (tf.keras's useful names, where Keras
        3 gives `['loss', 'compile_metrics', ...]`): `loss`, a one-output model's metrics in
        compile order, the per-output losses (`<output>_loss`), then the other metrics by
        name. Metrics appear once the model has seen data."""
        if self._compiled_metrics is None:
            return ["loss"]
        return self._compiled_metrics.ordered_names()

    @property
    def metrics(self):
        """The loss tracker, the per-output loss trackers, the compiled metrics, then the
        metrics the model holds as attributes (`self.loss_tracker = keras.metrics.Mean(...)`
        in a subclass that overrides `train_step`), as Keras 3 tracks them."""
        own = []
        if self._compiled_metrics is not None:
            cm = self._compiled_metrics
            own = [cm.loss_tracker] + list(cm.output_loss_trackers) + [
                m.metric for m in cm.metrics or []]
        for value in self.__dict__.values():
            if is_metric(value) and not any(value is m for m in own):
                own.append(value)
        return own

    # ------------------------------------------------------------------ data
    def _prepare_x(self, x):
        x = data_utils.standardize(x, "x", self._input_names_or_none())
        if x is None:
            raise ValueError("`x` is required: pass the input data as a NumPy array (or a list or "
                             "dict of arrays for a model with several inputs).")
        return x

    def _prepare(self, x, y, sample_weight, class_weight=None, check=True, batch_size=None):
        """Standardized `(x, y, sample_weight, number of samples)`, every check done before
        any step runs: `x` as the model's inputs, `y` and `sample_weight` one entry per
        output (see `data.standardize_targets`). `batch_size`: the first batch, from which
        a model whose outputs are not known yet is built (default: all of `x`)."""
        x = self._prepare_x(x)
        self._check_input_shapes(x)
        self._know_outputs(x, batch_size)
        y, sample_weight = self._prepare_targets(y, sample_weight)
        n = data_utils.check_cardinality(x, y, sample_weight)
        if check:
            for data, what in ((x, "x"), (y, "y"), (sample_weight, "sample_weight")):
                if data is not None:
                    data_utils.check_finite(data, what)
        if class_weight is not None:
            if y is None or isinstance(y, (list, dict)):
                raise ValueError("`class_weight` is only supported for models with a single output "
                                 "and requires `y`.")
            cw = data_utils.class_weight_to_sample_weight(y, class_weight)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        return x, y, sample_weight, n

    def _prepare_targets(self, y, sample_weight):
        names = self._output_names_or_none()
        loss = self._compiled_loss
        fill = loss.outputs_with_loss() if loss is not None else None
        y = data_utils.standardize_targets(y, names, "y", fill)
        sample_weight = data_utils.standardize_targets(sample_weight, names, "sample_weight",
                                                       fill)
        if names is not None and len(names) > 1 and y is not None:
            needed = set(fill or ()) | set(self._compiled_metrics.outputs_with_metrics()
                                          if self._compiled_metrics is not None else ())
            missing = [names[i] for i in sorted(needed) if y[i] is None]
            if missing:
                raise ValueError(
                    f"`y` has no target for the output(s) {missing}, which have a loss or "
                    f"metrics. Expected targets for the outputs "
                    f"{[names[i] for i in sorted(needed)]} (output names {names}).")
        return y, sample_weight

    def _check_input_shapes(self, x):
        expected = self._input_shapes_or_none()
        if expected is not None or getattr(self, "_samples_need_feature_axis", False):
            data_utils.check_feature_axis(x, expected)
        if expected is None:
            return
        given = [np.shape(a) for a in tree.flatten(x)]
        if len(given) != len(expected):
            raise ValueError(f"Model '{self.name}' expects {len(expected)} input(s) "
                             f"{self._input_names_or_none()}, but it received {len(given)} "
                             "input array(s). Pass one array per input, in this order, or a "
                             "dict keyed by input name.")
        for i, (shape, want) in enumerate(zip(given, expected)):
            ok = len(shape) == len(want) and all(w is None or w == s for s, w in zip(shape[1:], want[1:]))
            if not ok:
                raise ValueError(
                    f"Input {i} of model '{self.name}' is incompatible: expected shape="
                    f"{tuple(want)}, found shape={tuple(shape)}. Check `x`: each sample must have "
                    f"shape {tuple(want[1:])}."
                )

    # ------------------------------------------------------------------ steps
    def _ensure_built(self, x, batch_size=None):
        """Builds an unbuilt model by calling it on the first batch (as Keras builds it from
        the first batch's shapes, which a subclassed model's summary shows)."""
        if not self.built:
            self(data_utils.take(x, slice(0, batch_size or data_utils.num_samples(x))))

    def _update_metrics(self, y, sample_weight, loss, logs, batch_size):
        """Feeds one batch's `loss` and step `logs` (`y_pred`, `output_losses`) to the metrics."""
        y_pred = logs["y_pred"]
        k = len(self._compiled_metrics.output_names)
        preds = tree.flatten(y_pred) if k > 1 else [y_pred]
        ys = [None] * k if y is None else list(y) if k > 1 else [y]
        weights = list(sample_weight) if isinstance(sample_weight, list) else [sample_weight] * k
        self._compiled_metrics.update(ys, preds, weights, loss, logs["output_losses"],
                                      batch_size, masks=logs.get("y_pred_masks"))

    def _logs(self):
        logs = self._compiled_metrics.results()
        return {k: logs[k] for k in sorted(logs)}

    # ------------------------------------------------------------------ pipelines
    def _pipeline(self, data, method, steps, shuffle=False, y=None, sample_weight=None,
                  steps_argument="steps"):
        """The `PipelineEpochs` reading a generator, `PyDataset`/`Sequence` or dataset, after
        Keras's checks of the arguments that do not go with one."""
        source = batch_sources.make_source(data)
        for value, name, what in ((y, "y", "the targets"),
                                  (sample_weight, "sample_weight", "the sample weights")):
            if value is not None:
                raise ValueError(f"When providing `x` as a {source.kind}, `{name}` should not "
                                 f"be passed. Instead, {what} should be included as part of "
                                 f"the {source.kind} (each batch `(x, y)` or `(x, y, "
                                 "sample_weight)`).")
        epochs = batch_sources.PipelineEpochs(source, steps, shuffle)
        epochs.check(method, steps_argument)
        return epochs

    def _prepare_batch(self, raw, where, class_weight=None, targets=True):
        """One batch of a pipeline as `_prepare` gives arrays (`x, y, sample_weight`), with
        the checks arrays get; their errors name the batch (`where`)."""
        try:
            x, y, sample_weight = batch_sources.unpack_x_y_sample_weight(raw)
            if x is None:
                raise ValueError("the batch holds no inputs `x`.")
            if not targets:
                x = self._prepare_x(x)
                self._check_input_shapes(x)
                return x, None, None
            if y is None and self._loss_spec is not None:
                raise ValueError(
                    "the batch holds no targets `y`: a model compiled with a loss trains on "
                    "batches `(x, y)` or `(x, y, sample_weight)`; received "
                    f"{_describe_batch(raw)}.")
            x, y, sample_weight, _ = self._prepare(x, y, sample_weight, class_weight)
            return x, y, sample_weight
        except (ValueError, TypeError) as e:
            raise _batch_error(e, where) from e

    def _pipeline_batches(self, epochs, rng=None, class_weight=None, targets=True, label=""):
        """Yields `(x, y, sample_weight, where)` for the batches of the next epoch of
        `epochs`, each prepared by `_prepare_batch`; `where` names the batch for errors."""
        kind = epochs.source.kind
        epoch = epochs.epoch(rng)
        try:
            for step, (index, raw) in enumerate(epoch):
                where = f"Batch {index} of the {kind} (step {step}{label})"
                yield (*self._prepare_batch(raw, where, class_weight, targets), where)
        finally:
            epoch.close()  # an epoch left early still ends (the source's on_epoch_end)

    def _build_from_pipeline(self, epochs, class_weight=None, targets=True):
        """Knows the outputs and builds the model from the pipeline's first batch (kept for
        the first epoch), as Keras builds a model from a peeked batch before training."""
        where = f"Batch 0 of the {epochs.source.kind}"
        x, _, _ = self._prepare_batch(epochs.source.peek(), where, class_weight, targets)
        self._ensure_built(x)

    @staticmethod
    def _array_batches(x, y, sample_weight, slices):
        """Yields `(x, y, sample_weight, None)` for the row slices of arrays."""
        for index in slices:
            yield (data_utils.take(x, index), data_utils.take(y, index),
                   data_utils.take(sample_weight, index), None)

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, **kwargs):
        """Trains the model for `epochs` epochs on arrays or a data pipeline.

        Args:
            x: the inputs: arrays (an array, or a list/dict of arrays for several inputs), or
                a pipeline of batches `(x, y)` / `(x, y, sample_weight)`: a Python generator,
                a `keras.utils.PyDataset` / `Sequence` (such as `ImageDataGenerator.flow()`)
                or an iterable of batches such as a `tf.data.Dataset`.
            y: the targets, for arrays (a pipeline holds its own).
            batch_size: samples per gradient step for arrays (default 32; a pipeline's batches
                are what it gives).
            epochs: epoch index to stop at (default 1).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch, `'auto'` = 1.
            callbacks: list of `Callback`s.
            validation_split: fraction of the arrays, taken from the *end* before shuffling,
                held out for validation (default 0; arrays only).
            validation_data: `(x_val, y_val)`, `(x_val, y_val, sample_weight_val)` or a
                pipeline.
            shuffle: reshuffle arrays every epoch, or the order of a `PyDataset`'s batches
                (default True; generators and datasets are read in their order).
            class_weight: dict `{class: weight}` scaling each sample's loss.
            sample_weight: per-sample weights, for arrays.
            initial_epoch: epoch to start from (default 0).
            steps_per_epoch: batches per epoch (default: one pass over the data; the passes
                are then consumed across epochs, as in Keras 3).
            validation_steps: validation batches per epoch (default: a whole pass).
            validation_batch_size, validation_freq: as in Keras.
            max_queue_size, workers, use_multiprocessing: (tf.keras 2) accepted; minikeras
                reads each batch in the training thread when it is needed.

        Returns:
            A `History` whose `.history` maps each log key to its per-epoch values.
        """
        if "nb_epoch" in kwargs:
            warnings.warn("`nb_epoch` is deprecated (Keras 1); use `epochs`.", DeprecationWarning,
                          stacklevel=2)
            epochs = kwargs.pop("nb_epoch")
        _pop_worker_arguments(kwargs)
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword arguments: {sorted(kwargs)}")
        self._require_compiled("fit")
        verbose = _resolve_verbose(verbose)
        batch_size = self._check_batch_size(batch_size)
        epochs, initial_epoch, steps_per_epoch, validation_freq = data_utils.check_fit_arguments(
            epochs, initial_epoch, steps_per_epoch, validation_freq)
        validation_steps = data_utils.check_integer_argument("validation_steps",
                                                             validation_steps, 1, True)
        pipeline = batch_sources.is_pipeline(x)
        if pipeline:
            train_data = self._pipeline(x, "fit", steps_per_epoch, shuffle, y, sample_weight,
                                        "steps_per_epoch")
            if validation_split:
                raise ValueError(
                    "`validation_split` is only supported for NumPy arrays (and lists or dicts "
                    f"of them); `x` is a {train_data.source.kind}. Pass `validation_data` "
                    "instead.")
            self._build_from_pipeline(train_data, class_weight)
        else:
            x, y, sample_weight, validation_data, n = self._prepare_fit_arrays(
                x, y, sample_weight, class_weight, validation_split, validation_data,
                batch_size)
            train_data = data_utils.EpochBatches(n, batch_size, shuffle, None, steps_per_epoch)
        if batch_sources.is_pipeline(validation_data):
            validation_data = self._pipeline(validation_data, "fit", validation_steps,
                                             steps_argument="validation_steps")
        elif validation_data is not None:
            validation_data = self._unpack_validation(validation_data)
        if self._compiled_metrics is None:
            self._build_compiled()
        self._check_outputs_once()
        train_step = TrainStep(self)
        custom = self._overrides("train_step")
        jax_style = custom and self._jax_style_train_step()
        # Each epoch shuffles and seeds dropout from its own generator, derived from one draw
        # of the global one: a fit resumed at epoch k (BackupAndRestore) with the same seed
        # draws what the uninterrupted fit drew from epoch k on.
        fit_seed = int(global_rng().integers(2**63))
        callback_list = self._callback_list(callbacks, verbose, epochs, train_data.steps, fit=True)
        self.stop_training = False
        # Per-batch logs are only computed for callbacks that read them.
        batch_logs = callback_list.listens("on_train_batch_end")
        training_logs = {}
        finished = False
        callback_list.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        self._initial_epoch = None
        try:
            # minikeras's BLAS thread count while it trains (blas.py), the user's afterwards.
            with blas.computing(), StopAtBatchBoundary() as interrupt:
                for epoch in range(initial_epoch, epochs):
                    if pipeline and not train_data.has_more():  # a generator ran dry
                        if not train_data.warned:
                            warnings.warn(batch_sources.RAN_OUT_MESSAGE, UserWarning,
                                          stacklevel=2)
                        break
                    rng = np.random.default_rng([fit_seed, epoch])
                    steps = train_data.steps
                    # The seeds first, then the shuffle draws from rng; an unknown number of
                    # steps draws each seed when its step comes (the same stream).
                    seeds = step_seeds(rng, steps) if steps else []
                    if pipeline:
                        batches = self._pipeline_batches(train_data, rng, class_weight,
                                                         label=f" of epoch {epoch + 1}")
                    else:
                        train_data.rng = rng
                        batches = self._array_batches(x, y, sample_weight, train_data.epoch())
                    if custom:
                        self.reset_metrics()
                    else:
                        self._compiled_metrics.reset()
                    callback_list.on_epoch_begin(epoch)
                    step, step_logs = 0, {}
                    for xb, yb, swb, where in batches:
                        interrupt.check()
                        callback_list.on_train_batch_begin(step)
                        seed = seeds[step] if step < len(seeds) else new_seed(rng)
                        try:
                            if custom:  # the model's own train_step
                                if step == 0:
                                    self._ensure_metrics_built(xb, yb)
                                step_logs = self._run_train_step(train_step, xb, yb, swb, seed,
                                                                 jax_style)
                            else:
                                loss, logs = train_step.run(xb, yb, swb, seed)
                        except ValueError as e:
                            if where is None:
                                raise
                            raise _batch_error(e, where) from e
                        if not custom:
                            self._update_metrics(yb, swb, loss, logs, len(tree.flatten(xb)[0]))
                        if batch_logs:  # the running means so far, as Keras passes them
                            callback_list.on_train_batch_end(
                                step, dict(step_logs) if custom else self._logs())
                        step += 1
                        if self.stop_training:
                            break
                    batches.close()  # ends the epoch of a pipeline (its on_epoch_end)
                    if custom:  # the logs of the last step, as Keras 3 keeps them
                        epoch_logs = dict(step_logs)
                    else:
                        epoch_logs = self._logs() if step else {}
                    if validation_data is not None and data_utils.should_validate(
                            epoch, validation_freq):
                        callback_list.on_test_begin()
                        val_logs = self._evaluate_batches(
                            self._validation_batches(validation_data, validation_batch_size
                                                     or batch_size, validation_steps),
                            callback_list, interrupt)
                        callback_list.on_test_end(val_logs)
                        if not val_logs:  # a validation generator ran dry
                            warnings.warn(batch_sources.RAN_OUT_MESSAGE, UserWarning,
                                          stacklevel=2)
                        epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                    callback_list.on_epoch_end(epoch, epoch_logs)
                    training_logs = epoch_logs
                    if self.stop_training:
                        break
            finished = True
        except KeyboardInterrupt:
            # Ctrl-C: the Variables hold the last finished step; callbacks still end training
            # (a CSV is closed, a backup kept), then the interrupt goes on to the caller.
            finished = True
            raise
        finally:
            # Keras: with use_ema the weights end as their moving average.
            self.optimizer.finalize_variable_values(train_step.trainable)
            if finished:
                callback_list.on_train_end(training_logs)
        return callback_list.history

    def _prepare_fit_arrays(self, x, y, sample_weight, class_weight, validation_split,
                            validation_data, batch_size):
        """`fit`'s arrays, checked and standardized, with the validation split taken off:
        `(x, y, sample_weight, validation_data, number of samples)`."""
        if y is None and isinstance(x, tuple) and len(x) in (2, 3) and validation_data is None:
            x, y, *rest = x
            sample_weight = rest[0] if rest else sample_weight
        if y is None and self._loss_spec is not None:
            raise ValueError(
                "`y` is required: fit() trains on inputs `x` and targets `y` (only a model "
                "compiled with loss=None, training on its `add_loss` losses, needs no `y`). "
                f"Received x={_describe_batch(x)} and no `y`. To train on a pipeline, pass a "
                "generator, a `keras.utils.PyDataset` / `Sequence` or a dataset of `(x, y)` "
                "batches as `x`." + (" `x` is a generator function: call it, `fit(gen())`."
                                     if inspect.isgeneratorfunction(x) else ""))
        if validation_data is not None and validation_split:
            validation_split = 0.0  # Keras: validation_data takes precedence
        if validation_split:
            (x, y, sample_weight), validation_data = data_utils.train_validation_split(
                (self._prepare_x(x), data_utils.standardize(y, "y"),
                 None if sample_weight is None else data_utils.standardize(sample_weight,
                                                                           "sample_weight")),
                validation_split)
        x, y, sample_weight, n = self._prepare(x, y, sample_weight, class_weight,
                                               batch_size=batch_size)
        self._ensure_built(x, batch_size)
        return x, y, sample_weight, validation_data, n

    def _validation_batches(self, validation_data, batch_size, steps):
        """The batches of one validation run, each run from the start of the data as Keras 3
        runs it (a generator, which has no start, continues where the last run stopped)."""
        if isinstance(validation_data, batch_sources.PipelineEpochs):
            validation_data.restart()
            return self._pipeline_batches(validation_data, label=" of validation")
        xv, yv, swv = validation_data
        slices = data_utils.batch_slices(data_utils.num_samples(xv), batch_size, False, None)
        return self._array_batches(xv, yv, swv, slices[:steps] if steps is not None else slices)

    def _callback_list(self, callbacks, verbose, epochs, steps, fit=False):
        """The `CallbackList` of one fit/evaluate/predict: the user's callbacks, then (fit)
        a History and (verbose) a progress bar, as Keras adds them. A `CallbackList` given
        as `callbacks` is used as it is."""
        if isinstance(callbacks, CallbackList):
            callbacks.set_model(self)
            if not callbacks.params:
                callbacks.set_params({"verbose": verbose, "epochs": epochs, "steps": steps})
            return callbacks
        return CallbackList(callbacks, add_history=fit, add_progbar=verbose != 0, model=self,
                            verbose=verbose, epochs=epochs, steps=steps)

    def _unpack_validation(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(
                "`validation_data` must be a tuple `(x_val, y_val)` or `(x_val, y_val, "
                "val_sample_weight)`, or a pipeline of such batches (a generator, a "
                f"`keras.utils.PyDataset` or a dataset). Received: a "
                f"{type(validation_data).__name__}"
                + (f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else "")
            )
        xv, yv, *swv = validation_data
        try:
            xv, yv, swv, _ = self._prepare(xv, yv, swv[0] if swv else None)
        except ValueError as e:  # the checks name `x`, `y`: say they are the validation arrays
            raise ValueError(f"Invalid `validation_data` (x_val, y_val[, sample_weight_val]): "
                             f"{e}") from None
        return xv, yv, swv

    @staticmethod
    def _check_batch_size(batch_size, default=32):
        if batch_size is None:
            return default
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}")
        return int(batch_size)

    # ------------------------------------------------------------------ evaluate
    def _evaluate_batches(self, batches, callback_list, interrupt=None):
        """The logs of the loss and metrics over `batches` (`(x, y, sample_weight, where)`,
        see `_array_batches` and `_pipeline_batches`)."""
        custom = self._overrides("test_step")
        if custom:
            self.reset_metrics()
        else:
            self._compiled_metrics.reset()
        batch_logs = callback_list.listens("on_test_batch_end")
        test_step, step_logs = None, {}
        i = 0
        for xb, yb, swb, where in batches:
            if interrupt is not None:
                interrupt.check()
            callback_list.on_test_batch_begin(i)
            try:
                if custom:  # the model's own test_step
                    if i == 0:
                        self._ensure_built(xb)
                        self._ensure_metrics_built(xb, yb)
                    step_logs = pythonify_logs(self.test_step(step_data(xb, yb, swb)))
                else:
                    if test_step is None:  # the model is built by now
                        self._ensure_built(xb)
                        test_step = TestStep(self)
                    loss, logs = test_step(xb, yb, swb)
            except ValueError as e:
                if where is None:
                    raise
                raise _batch_error(e, where) from e
            if not custom:
                self._update_metrics(yb, swb, loss, logs, len(tree.flatten(xb)[0]))
            if batch_logs:
                callback_list.on_test_batch_end(i, dict(step_logs) if custom else self._logs())
            i += 1
        if custom:
            return dict(step_logs)
        return self._logs() if i else {}

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Returns the loss and metrics of the model on `x`, `y` (arrays) or on a pipeline
        `x` of `(x, y)` batches (see `fit`).

        Args:
            steps: batches to evaluate (default: all; required for an endless pipeline).
            max_queue_size, workers, use_multiprocessing: (tf.keras 2) accepted; see `fit`.

        Returns:
            A float when the model has no metrics, else the list `[loss, *metrics]` in compile
            order; with `return_dict=True` a dict sorted by name.
        """
        _pop_worker_arguments(kwargs)
        if kwargs:
            raise TypeError(f"evaluate() got unexpected keyword arguments: {sorted(kwargs)}")
        self._require_compiled("evaluate")
        verbose = _resolve_verbose(verbose)
        batch_size = self._check_batch_size(batch_size)
        steps = data_utils.check_integer_argument("steps", steps, 1, allow_none=True)
        if batch_sources.is_pipeline(x):
            data = self._pipeline(x, "evaluate", steps, False, y, sample_weight)
            self._build_from_pipeline(data)
            batches, total_steps = self._pipeline_batches(data), data.steps
        else:
            if y is None and self._loss_spec is not None:
                raise ValueError("`y` is required: evaluate() compares predictions with "
                                 f"targets `y`. Received x={_describe_batch(x)} and no `y`.")
            x, y, sample_weight, n = self._prepare(x, y, sample_weight, batch_size=batch_size)
            self._ensure_built(x, batch_size)
            slices = data_utils.batch_slices(n, batch_size, False, None)[:steps]
            batches, total_steps = self._array_batches(x, y, sample_weight, slices), len(slices)
        if self._compiled_metrics is None:
            self._build_compiled()
        callback_list = self._callback_list(callbacks, verbose, 1, total_steps)
        callback_list.on_test_begin()
        with blas.computing():
            logs = self._evaluate_batches(batches, callback_list)
        callback_list.on_test_end(logs)
        return self._format_results(logs, return_dict)

    def _format_results(self, logs, return_dict):
        if return_dict:
            return logs
        names = self.metrics_names
        # Keys a custom test_step or train_step logged beyond the metrics: after them, sorted.
        names = [n for n in names if n in logs] + sorted(k for k in logs if k not in names)
        values = [logs[name] for name in names]
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ predict
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """Returns the model's outputs for `x`: arrays, computed in batches (default 32), or a
        pipeline (see `fit`) whose batches are `x` alone or tuples whose first element is `x`.

        Args:
            steps: batches to predict (default: all; required for an endless pipeline).
            max_queue_size, workers, use_multiprocessing: (tf.keras 2) accepted; see `fit`.
        """
        _pop_worker_arguments(kwargs)
        if kwargs:
            raise TypeError(f"predict() got unexpected keyword arguments: {sorted(kwargs)}")
        verbose = _resolve_verbose(verbose)
        batch_size = self._check_batch_size(batch_size)
        steps = data_utils.check_integer_argument("steps", steps, 1, allow_none=True)
        if batch_sources.is_pipeline(x):
            data = self._pipeline(x, "predict", steps)
            batches, total_steps = self._pipeline_batches(data, targets=False), data.steps
        else:
            x = self._prepare_x(x)
            self._check_input_shapes(x)
            slices = data_utils.batch_slices(data_utils.num_samples(x), batch_size, False,
                                             None)[:steps]
            batches, total_steps = self._array_batches(x, None, None, slices), len(slices)
        callback_list = self._callback_list(callbacks, verbose, 1, total_steps)
        callback_list.on_predict_begin()
        with blas.computing():
            outputs = self._predict_batches(batches, callback_list)
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("predict() received no data: `x` is empty.")
        if tree.is_nested(outputs[0]):
            return _concat_structures(outputs)
        return np.concatenate(outputs)

    def _predict_batches(self, batches, callback_list):
        """The outputs of each of `batches` (see `_array_batches`, `_pipeline_batches`)."""
        outputs = []
        custom = self._overrides("predict_step")
        for i, (xb, _, _, where) in enumerate(batches):
            callback_list.on_predict_batch_begin(i)
            try:
                outputs.append(_predicted(self.predict_step((xb,))) if custom
                               else self._predict_step(xb))
            except ValueError as e:
                if where is None:
                    raise
                raise _batch_error(e, where) from e
            callback_list.on_predict_batch_end(i, {"outputs": outputs[-1]})
        return outputs

    def _predict_step(self, x):
        with StatelessScope(training=False):
            out = self(x, training=False)
        return tree.map_structure(np.asarray, out) if tree.is_nested(out) else np.asarray(out)

    # ------------------------------------------------------------------ on batch
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """Runs one gradient step on one batch; returns its loss (and metrics)."""
        self._require_compiled("train_on_batch")
        x, y, sample_weight, n = self._prepare(x, y, sample_weight, class_weight)
        self._ensure_built(x)
        if self._compiled_metrics is None:
            self._build_compiled()
        self._check_outputs_once()
        with blas.computing():
            return self._format_results(self._train_batch(x, y, sample_weight, n),
                                        return_dict)

    def _train_batch(self, x, y, sample_weight, n):
        """`train_on_batch`'s step on prepared arrays; returns the logs."""
        if self._overrides("train_step"):  # the model's own step, as Keras 3 calls it
            self.reset_metrics()
            self._ensure_metrics_built(x, y)
            return self._run_train_step(TrainStep(self), x, y, sample_weight,
                                        new_seed(make_rng()), self._jax_style_train_step())
        self._compiled_metrics.reset()
        loss, logs = TrainStep(self).run(x, y, sample_weight, new_seed(make_rng()))
        self._update_metrics(y, sample_weight, loss, logs, n)
        return self._logs()

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Returns the loss (and metrics) of one batch, without training."""
        self._require_compiled("test_on_batch")
        x, y, sample_weight, n = self._prepare(x, y, sample_weight)
        self._ensure_built(x)
        if self._compiled_metrics is None:
            self._build_compiled()
        with blas.computing():
            return self._format_results(self._test_batch(x, y, sample_weight, n), return_dict)

    def _test_batch(self, x, y, sample_weight, n):
        """`test_on_batch`'s step on prepared arrays; returns the logs."""
        if self._overrides("test_step"):
            self.reset_metrics()
            self._ensure_metrics_built(x, y)
            return pythonify_logs(self.test_step(step_data(x, y, sample_weight)))
        self._compiled_metrics.reset()
        loss, logs = TestStep(self)(x, y, sample_weight)
        self._update_metrics(y, sample_weight, loss, logs, n)
        return self._logs()

    def predict_on_batch(self, x):
        """Returns the model's outputs for one batch."""
        x = self._prepare_x(x)
        self._check_input_shapes(x)
        with blas.computing():
            out = _predicted(self.predict_step((x,))) if self._overrides("predict_step") \
                else self._predict_step(x)
        return {k: out[k] for k in sorted(out)} if isinstance(out, dict) else out

    # ------------------------------------------------------------------ Keras 2 leftovers
    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2's removed `predict_classes`: arg-max, or `> 0.5` for one sigmoid unit."""
        warnings.warn("`predict_classes` was removed in Keras 2.6; use "
                      "`np.argmax(model.predict(x), axis=-1)` (or `> 0.5` for binary).",
                      DeprecationWarning, stacklevel=2)
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's `fit_generator` (removed in Keras 3): `fit` on a generator, `Sequence` or
        dataset, with Keras 2's defaults (`verbose=1`)."""
        warnings.warn("`Model.fit_generator` is deprecated (Keras 2) and was removed in Keras "
                      "3; use `Model.fit`, which supports generators.", DeprecationWarning,
                      stacklevel=2)
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's `evaluate_generator` (removed in Keras 3): `evaluate` on a pipeline,
        with Keras 2's default `verbose=0`."""
        warnings.warn("`Model.evaluate_generator` is deprecated (Keras 2) and was removed in "
                      "Keras 3; use `Model.evaluate`, which supports generators.",
                      DeprecationWarning, stacklevel=2)
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's `predict_generator` (removed in Keras 3): `predict` on a pipeline, with
        Keras 2's default `verbose=0`."""
        warnings.warn("`Model.predict_generator` is deprecated (Keras 2) and was removed in "
                      "Keras 3; use `Model.predict`, which supports generators.",
                      DeprecationWarning, stacklevel=2)
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2's removed `predict_proba`: the same as `predict`."""
        warnings.warn("`predict_proba` was removed in Keras 2.6; use `predict`.",
                      DeprecationWarning, stacklevel=2)
        return self.predict(x, batch_size=batch_size, verbose=verbose)


def _predicted(out):
    """What an overridden `predict_step` returned, as arrays."""
    return tree.map_structure(lambda o: np.asarray(getval(o)), out) if tree.is_nested(out) \
        else np.asarray(getval(out))


def _pop_worker_arguments(kwargs):
    """Removes tf.keras 2's `max_queue_size`, `workers` and `use_multiprocessing` from
    `kwargs`: accepted, as tf.keras 2 accepted them, and not used (minikeras reads each batch
    in the training thread)."""
    for name in ("max_queue_size", "workers", "use_multiprocessing"):
        kwargs.pop(name, None)


def _describe_batch(data):
    """A short description of data for messages: its type and its arrays' shapes."""
    shapes = [tuple(np.shape(a)) for a in tree.flatten(data)] if tree.is_nested(data) \
        else tuple(np.shape(data)) if hasattr(data, "shape") else None
    return f"a {type(data).__name__}" + (f" of shape {shapes}" if shapes is not None else "")


def _batch_error(error, where):
    """`error` (a ValueError or TypeError) with `where` (the batch) in front of its message."""
    kind = TypeError if isinstance(error, TypeError) else ValueError
    return kind(f"{where}: {error}")


def _concat_structures(parts):
    first = parts[0]
    if isinstance(first, dict):  # Keras's predict returns a dict of outputs in key order
        return {k: np.concatenate([p[k] for p in parts]) for k in sorted(first)}
    return type(first)(np.concatenate([p[i] for p in parts]) for i in range(len(first)))
