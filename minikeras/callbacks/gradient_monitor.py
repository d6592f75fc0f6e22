"""`GradientMonitor`: each layer's gradient norm and weight-update ratio, epoch by epoch.

Not a Keras callback: made for the backpropagation chapter of a course, to *see* vanishing
gradients (a deep sigmoid MLP's first layers get gradients thousands of times smaller than
its last ones) and their absence with ReLU and He initialization or with batch
normalization. `plot_gradient_norms` draws what it recorded.

A callback never sees the training batches, so the gradients are computed on a sample given
to the constructor, with the model's compiled loss through the training engine's own pure
objective (`trainers.step.loss_and_gradients`): the loss a training step minimizes, the same
regularization and layer losses, `training=True`. Nothing is computed during the steps;
once per epoch, one forward and backward pass over the sample.
"""

import numpy as np

from minikeras.callbacks.callback import Callback
from minikeras.callbacks.history import History
from minikeras.trainers.step import loss_and_gradients
from minikeras.utils.plotting import GRAD_NORM, UPDATE_RATIO, plot_gradient_norms


class GradientMonitor(Callback):
    """Records, at the end of every epoch, each layer's gradient norm and weight-update ratio.

    For every layer of `model.layers` that has trainable weights (a nested model counts as
    one layer), two entries are appended to `History.history` (and to `self.history`), one
    value per epoch:

    - `grad_norm/<layer name>`: the L2 norm of the gradient of the loss on the sample with
      respect to all the layer's trainable weights together (kernel and bias as one vector),
      at the end of the epoch.
    - `update_ratio/<layer name>`: `||W_end - W_begin|| / ||W_begin||`, how far the epoch
      moved the layer's trainable weights (again as one vector), relative to where they
      started; NaN when they started at zero.

    They go to `History` directly, not through the epoch logs, so the progress bar stays one
    readable line (other callbacks, such as CSVLogger or EarlyStopping, do not see them);
    `plot_history` leaves them out (draw them with `plot_gradient_norms`). The loss is the
    compiled one, also for a model whose `train_step` override computes another.
    The norms before training are in `initial_grad_norms`.

    Example:

    ```python
    monitor = GradientMonitor(x_train[:512], y_train[:512])
    history = model.fit(x_train, y_train, epochs=5, callbacks=[monitor])
    history.history['grad_norm/dense']       # one value per epoch
    plot_gradient_norms(history)
    ```

    Args:
        x: the inputs of the sample the gradients are computed on (as `fit` takes them).
        y: its targets.
        sample_weight: optional weights of its samples (default None).
        seed: the seed of random layers (Dropout...) in the gradient computation (default 0:
            the same masks every epoch, so the epochs compare).

    Attributes:
        history: `{key: [value per epoch]}` of the last `fit`, the keys above.
        initial_grad_norms: `{layer name: gradient norm}` before the first epoch.
        layer_names: the monitored layers, in model order.
    """

    def __init__(self, x, y, sample_weight=None, seed=0):
        super().__init__()
        if x is None or y is None:
            raise ValueError("GradientMonitor needs a sample of the training data, `x` and `y`, "
                             "to compute the gradients on (a callback does not see the training "
                             f"batches). Received x={type(x).__name__}, y={type(y).__name__}.")
        self.sample = (x, y, sample_weight)
        self.seed = seed
        self.history = {}
        self.initial_grad_norms = {}
        self.layer_names = []
        self._groups = []      # per monitored layer: positions in model.trainable_variables
        self._prepared = None  # the sample as the trainer standardizes it
        self._begin = None     # the trainable values at the start of the epoch

    def on_train_begin(self, logs=None):
        model = self.model
        x, y, sample_weight = self.sample
        # The sample goes through the checks and conversions a batch of `fit` goes through.
        x, y, sample_weight, _ = model._prepare(x, y, sample_weight)
        self._prepared = (x, y, sample_weight)
        position = {id(v): i for i, v in enumerate(model.trainable_variables)}
        self.layer_names, self._groups = [], []
        for layer in model.layers:
            group = [position[id(v)] for v in layer.trainable_variables if id(v) in position]
            if group:
                self.layer_names.append(layer.name)
                self._groups.append(group)
        if not self._groups:
            raise ValueError(f"GradientMonitor: model '{model.name}' has no layer with "
                             "trainable weights to monitor.")
        self.history = {}
        self.initial_grad_norms = dict(zip(self.layer_names, self.gradient_norms()))

    def gradient_norms(self):
        """The gradient norm of each monitored layer on the sample, at the current weights."""
        x, y, sample_weight = self._prepared
        _, grads = loss_and_gradients(self.model, x, y, sample_weight, seed=self.seed)
        return [_norm(grads[i] for i in group) for group in self._groups]

    def on_epoch_begin(self, epoch, logs=None):
        self._begin = [np.array(v.numpy()) for v in self.model.trainable_variables]

    def on_epoch_end(self, epoch, logs=None):
        end = [v.numpy() for v in self.model.trainable_variables]
        records = {}
        for name, norm in zip(self.layer_names, self.gradient_norms()):
            records[GRAD_NORM + name] = norm
        for name, group in zip(self.layer_names, self._groups):
            moved = _norm(end[i].astype(np.float64) - self._begin[i] for i in group)
            start = _norm(self._begin[i] for i in group)
            records[UPDATE_RATIO + name] = moved / start if start > 0 else float("nan")
        history = getattr(self.model, "history", None)
        for key, value in records.items():
            self.history.setdefault(key, []).append(value)
            if isinstance(history, History):
                history.history.setdefault(key, []).append(value)

    def plot(self, layers=None, path=None, show=True):
        """Draws what the last `fit` recorded: `plot_gradient_norms(self.history, ...)`."""
        return plot_gradient_norms(self.history, layers=layers, path=path, show=show)


def _norm(arrays):
    """The L2 norm of several arrays taken as one vector, summed in float64."""
    return float(np.sqrt(sum(float(np.sum(np.square(np.asarray(a, dtype=np.float64))))
                             for a in arrays)))
