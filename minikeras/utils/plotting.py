"""Pictures course code asks for, drawn with matplotlib: learning curves (`plot_history`), the
per-layer gradient norms a `GradientMonitor` recorded (`plot_gradient_norms`) and a confusion
matrix (`plot_confusion_matrix`); `model_visualization.py` draws models.

matplotlib is optional (`pip install "minikeras[plot]"`): it is imported when a picture is
drawn, and a missing matplotlib is an ImportError that says what to install.

A picture saved to a file is drawn on a figure of its own (`matplotlib.figure.Figure`, no
pyplot): nothing opens a window and pyplot's list of figures is left alone. Without a file,
the figure is made with pyplot and shown (inline in a notebook, a window in a script; nothing
with a non-interactive backend such as Agg). Either way the figure is returned.
"""

import math

import numpy as np

# The History keys of GradientMonitor (minikeras.callbacks), one per monitored layer.
GRAD_NORM = "grad_norm/"
UPDATE_RATIO = "update_ratio/"


def import_matplotlib(what):
    """Returns the `matplotlib` module, or raises an ImportError naming `what` needs it."""
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401  (loaded here so a broken install fails here)
    except ImportError:
        raise ImportError(f"`{what}` draws with matplotlib, which is not installed. Install it "
                          "with `pip install matplotlib` (or `pip install \"minikeras[plot]\"`)."
                          ) from None
    return matplotlib


def new_figure(what, path, figsize):
    """A figure for `what`: a standalone `Figure` when it goes to `path`, else a pyplot one."""
    matplotlib = import_matplotlib(what)
    if path is not None:
        return matplotlib.figure.Figure(figsize=figsize)
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize)


def finish(figure, path, dpi=None, show=True):
    """Saves `figure` to `path` (its format from the extension), or shows it when `path` is
    None and `show` is True; returns the figure."""
    if path is not None:
        figure.savefig(str(path), dpi=dpi or "figure", bbox_inches="tight")
        return figure
    if show:
        import matplotlib
        import matplotlib.pyplot as plt

        if matplotlib.get_backend().lower() not in ("agg", "pdf", "ps", "svg", "cairo",
                                                     "template"):
            plt.show()
    return figure


# --------------------------------------------------------------------------- learning curves
def _history_dict(history, what="plot_history"):
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"{what}: `history` must be what `fit` returns (a History) or its "
                        f"`.history` dict; received {type(history).__name__}.")
    return logs


def plot_history(history, metrics=None, path=None, show=True):
    """Plots the learning curves of a training run: one panel per quantity, each with its
    training curve and, when `fit` had validation data, its validation curve.

    Not a Keras function: what course code writes by hand with matplotlib after `fit`.

    Args:
        history: what `fit` returns (a `History`), or its `.history` dict.
        metrics: the names to plot, e.g. `['loss', 'accuracy']` (default None: every name
            logged, loss first, each `val_` name drawn in its training name's panel;
            `GradientMonitor`'s `grad_norm/...` and `update_ratio/...` entries are left to
            `plot_gradient_norms`).
        path: a file to save the picture to (PNG, PDF, SVG...; default None: shown).
        show: whether to show the figure when `path` is None (default True).

    Returns:
        The matplotlib `Figure`, one axes per panel.

    Raises:
        ValueError: when a name in `metrics` was not logged, or nothing was.
        ImportError: when matplotlib is not installed.
    """
    logs = _history_dict(history)
    # GradientMonitor's per-layer entries have their own picture (plot_gradient_norms).
    names = [k for k in logs if (not k.startswith("val_") or k[4:] not in logs)
             and not k.startswith((GRAD_NORM, UPDATE_RATIO))]
    names = [k for k in names if k == "loss"] + [k for k in names if k != "loss"]
    if metrics is not None:
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        missing = [m for m in metrics if m not in logs]
        if missing:
            raise ValueError(f"plot_history: {missing} not in the history; it holds "
                             f"{sorted(logs)}.")
        names = metrics
    if not names:
        raise ValueError("plot_history: the history is empty (did `fit` run an epoch?).")
    columns = min(len(names), 3)
    rows = math.ceil(len(names) / columns)
    figure = new_figure("plot_history", path, (4.6 * columns, 3.4 * rows))
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(names):]:
        figure.delaxes(ax)
    for ax, name in zip(axes, names):
        train = np.asarray(logs[name], dtype=float)
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, marker="o", markersize=3, label="training")
        if "val_" + name in logs:
            val = np.asarray(logs["val_" + name], dtype=float)
            ax.plot(np.arange(1, len(val) + 1), val, marker="o", markersize=3,
                    label="validation")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
        if len(epochs) <= 20:
            ax.set_xticks(epochs)
    figure.tight_layout()
    return finish(figure, path, show=show)


# --------------------------------------------------------------------------- gradient norms
def plot_gradient_norms(history, layers=None, path=None, show=True):
    """Plots what `GradientMonitor` recorded: the gradient norm of each layer over the epochs
    (left) and its weight-update ratio (right), on logarithmic scales, one line per layer
    coloured from the first layer (dark) to the last (light).

    Not a Keras function (see `minikeras.callbacks.GradientMonitor`).

    Args:
        history: what `fit` returns (a `History`), its `.history` dict, or a monitor's
            `.history`.
        layers: the layer names to draw (default None: every monitored layer).
        path: a file to save the picture to (PNG, PDF, SVG...; default None: shown).
        show: whether to show the figure when `path` is None (default True).

    Returns:
        The matplotlib `Figure`: one axes per quantity recorded.

    Raises:
        ValueError: when the history holds no `grad_norm/` entries (no GradientMonitor ran)
            or a name in `layers` was not monitored.
        ImportError: when matplotlib is not installed.
    """
    logs = _history_dict(history, "plot_gradient_norms")
    monitored = [k[len(GRAD_NORM):] for k in logs if k.startswith(GRAD_NORM)]
    if not monitored:
        raise ValueError("plot_gradient_norms: the history holds no `grad_norm/...` entries; "
                         "pass a `GradientMonitor` to `fit(callbacks=[...])` first.")
    if layers is not None:
        layers = [layers] if isinstance(layers, str) else list(layers)
        missing = [name for name in layers if name not in monitored]
        if missing:
            raise ValueError(f"plot_gradient_norms: layers {missing} were not monitored; the "
                             f"history has {monitored}.")
        monitored = layers
    panels = [(prefix, title) for prefix, title in (
        (GRAD_NORM, "gradient norm per layer"),
        (UPDATE_RATIO, "weight-update ratio per layer"))
        if any(prefix + name in logs for name in monitored)]
    figure = new_figure("plot_gradient_norms", path, (5.6 * len(panels), 4.0))
    axes = figure.subplots(1, len(panels), squeeze=False).ravel()
    colormap = import_matplotlib("plot_gradient_norms").colormaps["viridis"]
    colours = colormap(np.linspace(0.0, 0.85, len(monitored)))
    for ax, (prefix, title) in zip(axes, panels):
        epochs = 0
        for colour, name in zip(colours, monitored):
            values = np.asarray(logs.get(prefix + name, []), dtype=float)
            if values.size:
                ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3,
                        color=colour, label=name)
                epochs = max(epochs, len(values))
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
        if epochs <= 20:
            ax.set_xticks(range(1, epochs + 1))
    # One legend for both panels, beside them: the lines of a deep network fill the axes.
    axes[-1].legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.tight_layout()
    return finish(figure, path, show=show)


# --------------------------------------------------------------------------- confusion matrix
def plot_confusion_matrix(matrix, class_names=None, normalize=False, path=None, show=True,
                          title="Confusion matrix", cmap="Blues"):
    """Draws a confusion matrix as a grid of shaded cells holding their counts.

    Args:
        matrix: what `confusion_matrix` returns (or any square array: rows true classes,
            columns predicted classes).
        class_names: the names written along the axes (default: the matrix's labels, else
            0, 1, ...).
        normalize: whether to show each row as fractions of its true class (default False:
            counts).
        path: a file to save the picture to (default None: shown).
        show: whether to show the figure when `path` is None (default True).
        title: the title (default "Confusion matrix").
        cmap: the matplotlib colour map (default "Blues").

    Returns:
        The matplotlib `Figure`.
    """
    values = np.asarray(matrix)
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise ValueError(f"plot_confusion_matrix: `matrix` must be square; received shape "
                         f"{values.shape}.")
    n = values.shape[0]
    if class_names is None:
        class_names = getattr(matrix, "labels", None) or list(range(n))
    if len(class_names) != n:
        raise ValueError(f"plot_confusion_matrix: {len(class_names)} class names for a "
                         f"{n}x{n} matrix.")
    shown = values.astype(float)
    if normalize:
        totals = shown.sum(axis=1, keepdims=True)
        shown = np.divide(shown, totals, out=np.zeros_like(shown), where=totals != 0)
    size = max(4.0, 0.6 * n + 2.0)
    figure = new_figure("plot_confusion_matrix", path, (size + 1.0, size))
    ax = figure.subplots()
    image = ax.imshow(shown, cmap=cmap, vmin=0)
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = shown.max() / 2 if shown.size else 0
    for i in range(n):
        for j in range(n):
            text = f"{shown[i, j]:.2f}" if normalize else f"{values[i, j]}"
            ax.text(j, i, text, ha="center", va="center",
                    color="white" if shown[i, j] > threshold else "black")
    ax.set_xticks(range(n), [str(c) for c in class_names], rotation=45 if n > 6 else 0)
    ax.set_yticks(range(n), [str(c) for c in class_names])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    figure.tight_layout()
    return finish(figure, path, show=show)
