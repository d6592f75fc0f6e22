"""Optimizer benchmark: every minikeras optimizer on 2-D test functions and an MNIST MLP.

Run: `python benchmarks/optimizers.py [--out DIR] [--quick] [--no-plots]` (about a minute on
a 2-core CPU; `--quick` is a smoke run of a few seconds). Prints Markdown tables and writes
them to `DIR/optimizers.md` (default `benchmarks/out/`), with PNGs of the paths over the
contours and of the MNIST curves when matplotlib is installed.

For each 2-D function and optimizer, at the Keras defaults and at the best learning rate of a
small grid: steps until `f < 1e-4` for good (for the saddle: `f < -1`, escaped), the final
distance to the optimum (saddle: from the saddle point) and the final `f`. "Keras dev"
is the largest difference of the positions from real Keras 3's over the trajectory of
`reference/keras_trajectories.json` (defaults; see `make_keras_reference.py`).
"""

import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # for test_functions

from mnist_mlp_epoch import EpochTimer  # noqa: E402
from test_functions import OPTIMIZERS, PROBLEMS  # noqa: E402

import minikeras  # noqa: E402
from minikeras import layers, optimizers  # noqa: E402
from minikeras.backend import Variable, set_random_seed  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
REFERENCE = HERE / "reference" / "keras_trajectories.json"
BLOWUP = 1e6               # a run stops once |p| passes this (or turns inf / NaN)
LR_GRID = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)
FULL = dict(grid=LR_GRID, steps=None, n_train=6000, n_test=2000, epochs=3)
QUICK = dict(grid=(1e-3, 1e-1), steps=40, n_train=600, n_test=200, epochs=1)


# ---------------------------------------------------------------------- 2-D test functions
def make_optimizer(name, lr=None):
    """A minikeras optimizer with its Keras defaults, or with learning rate `lr`."""
    cls = optimizers.CLASSES[name]
    return cls() if lr is None else cls(learning_rate=lr)


def trajectory(name, lr, problem, steps):
    """Positions from the start through `steps` optimizer steps, shape (<= steps + 1, 2).

    Stops early once the position is non-finite or beyond `BLOWUP`.
    """
    return run_optimizer(make_optimizer(name, lr), problem, steps)


def run_optimizer(opt, problem, steps):
    """`trajectory` for a given optimizer: its pure `stateless_apply`, as the engine calls it."""
    var = Variable(np.array(problem.start, np.float32), name="p")
    opt.build([var])
    path, state = [var.numpy()], [v.value for v in opt.variables]
    with np.errstate(all="ignore"):  # diverging runs are part of the results
        for _ in range(steps):
            (p,), state = opt.stateless_apply(state, [problem.grad(path[-1])], [path[-1]])
            path.append(p)
            if not np.all(np.abs(p) <= BLOWUP):  # also catches NaN
                break
    return np.array(path)


def summarize(problem, path):
    """Steps until `f < f_goal` for good (None if not at the end), final distance and f, and
    whether the run blew up."""
    blown = not np.all(np.abs(path[-1]) <= BLOWUP)
    with np.errstate(all="ignore"):
        fs = problem.f(path)
        ok = fs < problem.f_goal
        if problem.optimum is None:  # the saddle: blowing up is escaping; distance from (0, 0)
            ok |= ~np.all(np.abs(path) <= BLOWUP, axis=-1)
            dist = np.linalg.norm(path, axis=-1)
        else:
            dist = np.linalg.norm(path - np.array(problem.optimum, np.float32), axis=-1)
    # "For good", not the first hit: an oscillating run (Lion, large rates) may cross the goal
    # and leave it again.
    misses = np.flatnonzero(~ok)
    steps = None if not ok[-1] else int(misses[-1]) + 1 if misses.size else 0
    return dict(steps=steps, dist=float(dist[-1]), f=float(fs[-1]), blown=blown)


def rank_key(problem, s):
    """Sort key of a run (smaller is better): steps to the goal, then the final f."""
    if s["blown"]:  # escaping the saddle is the goal; elsewhere blowing up is the worst
        return (s["steps"], -np.inf) if problem.optimum is None else (np.inf, np.inf)
    reached = s["steps"] if s["steps"] is not None else np.inf
    return (reached, s["f"] if np.isfinite(s["f"]) else np.inf)


def tune(name, problem, grid, steps):
    """Runs the grid; returns (best lr, its path, its summary)."""
    runs = []
    for lr in grid:
        path = trajectory(name, lr, problem, steps)
        runs.append((rank_key(problem, s := summarize(problem, path)), lr, path, s))
    _, lr, path, s = min(runs, key=lambda r: r[0])
    return lr, path, s


def load_reference():
    """The Keras trajectories, `{'Adam/rosenbrock': array (steps, 2)}`, and their meta (or
    `({}, None)` when the file is missing)."""
    if not REFERENCE.exists():
        return {}, None
    with open(REFERENCE) as f:
        data = json.load(f)
    trajs = {k: np.array([[np.nan if v is None else v for v in row] for row in rows], np.float32)
             for k, rows in data["trajectories"].items()}
    return trajs, data["meta"]


def keras_deviation(path, ref):
    """Max |ours - Keras| over the steps both have, stopping at the first inf / NaN / blow-up
    of either; returns (deviation, number of steps compared)."""
    ours = path[1:]  # the reference holds the positions after each step
    n = min(len(ours), len(ref))
    ok = np.all(np.abs(ours[:n]) <= BLOWUP, axis=1) & np.all(np.abs(ref[:n]) <= BLOWUP, axis=1)
    n = int(np.argmin(ok)) if not ok.all() else n
    if n == 0:
        return float("nan"), 0
    return float(np.max(np.abs(ours[:n].astype(np.float64) - ref[:n]))), n


def _num(v):
    return "0" if v == 0 else f"{v:.2g}"


def _cell(problem, s):
    """`steps · dist · f` of one run, compact enough for one table over all problems."""
    steps = "—" if s["steps"] is None else str(s["steps"])
    if s["blown"]:
        return f"{steps} · >1e6 · —" if problem.optimum is None else f"{steps} · diverged"
    return f"{steps} · {_num(s['dist'])} · {_num(s['f'])}"


def bench_functions(grid, steps_override, reference):
    """Runs every optimizer on every problem, at its defaults and tuned.

    Returns:
        `(default_rows, tuned_rows, paths)`: the rows of the two tables, one per optimizer,
        and `{problem: {optimizer: (tuned lr, tuned path)}}` for the plots.
    """
    default_rows, tuned_rows, paths = [], [], {p: {} for p in PROBLEMS}
    for name in OPTIMIZERS:
        default_lr = float(make_optimizer(name).learning_rate)
        default_row, devs, tuned_row = [name, f"{default_lr:g}"], [], [name]
        for problem in PROBLEMS.values():
            steps = steps_override or problem.steps
            default = trajectory(name, None, problem, steps)
            default_row.append(_cell(problem, summarize(problem, default)))
            ref = reference.get(f"{name}/{problem.name}")
            if ref is None:
                devs.append("n/a")
            else:
                d, n = keras_deviation(default, ref)
                devs.append(_num(d) + ("" if n == min(len(ref), steps) else f" (first {n})"))
            lr, path, s_tuned = tune(name, problem, grid, steps)
            paths[problem.name][name] = (lr, path)
            tuned_row.append(f"{lr:g}: {_cell(problem, s_tuned)}")
        default_rows.append(default_row + [" / ".join(devs)])
        tuned_rows.append(tuned_row)
    return default_rows, tuned_rows, paths


def plot_paths(paths, out_dir):
    """One PNG per problem: the tuned paths of all optimizers over the contours of f."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    colors = [plt.get_cmap("tab10")(i) for i in range(10)] + ["black"]
    for problem in PROBLEMS.values():
        (x0, x1), (y0, y1) = problem.box
        gx, gy = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
        z = problem.f(np.stack([gx, gy], axis=-1))
        fig, ax = plt.subplots(figsize=(7, 6))
        if problem.optimum is None:
            ax.contour(gx, gy, z, levels=21, colors="0.75", linewidths=0.6)
        else:  # log-spaced levels show both the valley floor and the walls
            ax.contour(gx, gy, z + 1e-3,
                       levels=np.logspace(-3, np.log10(z.max()), 25), colors="0.75",
                       linewidths=0.6)
            ax.plot(*problem.optimum, "*", ms=14, color="gold", mec="k", zorder=5)
        ax.plot(*problem.start, "o", color="k", zorder=5)
        for color, (name, (lr, path)) in zip(colors, paths[problem.name].items()):
            ax.plot(path[:, 0], path[:, 1], "-", lw=1.2, alpha=0.8, color=color,
                    label=f"{name} ({lr:g})")
            ax.plot(*path[-1], "o", ms=4, color=color)  # where the run ended
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y",
               title=f"{problem.name}: paths at the tuned learning rates")
        ax.legend(fontsize=7, loc="best")
        files.append(out_dir / f"paths_{problem.name}.png")
        fig.savefig(files[-1], dpi=110, bbox_inches="tight")
        plt.close(fig)
    return files


# ---------------------------------------------------------------------- MNIST MLP
def load_mnist(n_train, n_test):
    """The first `n_train` / `n_test` MNIST images, scaled to [0, 1], and a note on the data.

    Falls back to synthetic, learnable data (noisy copies of 10 random prototypes) when
    mnist.npz is not in the Keras cache: this benchmark never downloads anything.
    """
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    if os.path.exists(os.path.join(home, "datasets", "mnist.npz")):
        from minikeras.datasets import mnist

        (x, y), (xt, yt) = mnist.load_data()
        note = f"MNIST, first {n_train} training and {n_test} test images"
        return (x[:n_train] / 255.0, y[:n_train]), (xt[:n_test] / 255.0, yt[:n_test]), note
    rng = np.random.default_rng(0)
    protos = rng.random((10, 28, 28))
    y = rng.integers(0, 10, n_train + n_test)
    x = np.clip(0.5 * protos[y] + 0.5 * rng.random((len(y), 28, 28)), 0, 1)
    note = (f"**SYNTHETIC data** ({n_train} / {n_test} noisy copies of 10 random prototypes): "
            f"mnist.npz is not in {home}/datasets")
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:]), note


def mlp():
    return minikeras.Sequential([layers.Input((28, 28)), layers.Flatten(),
                                 layers.Dense(128, activation="relu"),
                                 layers.Dense(10, activation="softmax")])


def bench_mnist(train, test, epochs):
    """Trains the MLP with every optimizer (defaults) from the same initial weights and the
    same shuffling; returns `{name: history dict with an epoch-0 entry}` and table rows."""
    set_random_seed(0)
    init = mlp().get_weights()
    curves, rows = {}, []
    for name in OPTIMIZERS:
        set_random_seed(0)  # the same shuffling order for every optimizer
        model = mlp()
        model.set_weights(init)
        model.compile(optimizer=make_optimizer(name), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        # Epoch 0: the untrained model, so every curve starts from the same point.
        start = dict(zip(["loss", "accuracy"], model.evaluate(*train, verbose=0)))
        start.update({"val_" + k: v for k, v in
                      zip(["loss", "accuracy"], model.evaluate(*test, verbose=0))})
        timer = EpochTimer()
        with np.errstate(all="ignore"):  # a nan (see the note in main) is reported, not warned
            history = model.fit(*train, batch_size=32, epochs=epochs, validation_data=test,
                                verbose=0, callbacks=[timer]).history
        curves[name] = {k: [start[k], *v] for k, v in history.items()}
        h = {k: v[-1] for k, v in history.items()}
        rows.append([name, f"{float(model.optimizer.learning_rate):g}", f"{h['loss']:.4f}",
                     f"{h['accuracy']:.4f}", f"{h['val_loss']:.4f}", f"{h['val_accuracy']:.4f}",
                     f"{np.mean(timer.times):.2f}"])
    return curves, rows


def plot_mnist(curves, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["loss", "val_loss", "accuracy", "val_accuracy"]
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.5))
    colors = [plt.get_cmap("tab10")(i) for i in range(10)] + ["black"]
    for color, (name, c) in zip(colors, curves.items()):
        for ax, key in zip(axes, keys):
            ax.plot(range(len(c[key])), c[key], "o-", ms=3, color=color, label=name)
    for ax, key in zip(axes, keys):
        ax.set(xlabel="epoch", title=key)
    axes[0].legend(fontsize=7)
    path = out_dir / "mnist_mlp.png"
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


# ---------------------------------------------------------------------- report
def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "out")
    parser.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run")
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    plots = not args.no_plots
    if plots:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("matplotlib is not installed: no plots.")
            plots = False
    t0 = time.perf_counter()

    reference, meta = load_reference()
    default_rows, tuned_rows, paths = bench_functions(cfg["grid"], cfg["steps"], reference)
    compared = min(meta["steps"], cfg["steps"] or meta["steps"]) if meta else 0
    ref_note = (f"Keras dev: max |position - Keras {meta['keras']} ({meta['backend']}, jax "
                f"{meta['jax']})| over the first {compared} steps, per function in column "
                "order; \"(first n)\" when a run blew up sooner" if meta else
                f"Keras dev: n/a, {REFERENCE.name} is missing")
    grid = ", ".join(f"{lr:g}" for lr in cfg["grid"])
    problems = "; ".join(
        f"{p.name} from {p.start} to " + (f"{p.optimum}" if p.optimum else "escape (0, 0)")
        + f", {cfg['steps'] or p.steps} steps" for p in PROBLEMS.values())
    md = [f"# Optimizer benchmark{' (--quick)' if args.quick else ''}", "",
          f"float32. {problems}. Cells: steps · dist · f, where steps = steps until f < 1e-4 for "
          "good (saddle: f < -1, escaped), \"—\" = not there at the end; dist = final distance "
          "to the optimum (saddle: from (0, 0)); f = final f. Tuned: the best lr of "
          f"{{{grid}}} (fewest steps, then lowest final f). {ref_note}.", "",
          "## 2-D functions, Keras defaults", "",
          markdown_table(["optimizer", "lr", *PROBLEMS, "Keras dev"], default_rows), "",
          "## 2-D functions, tuned learning rate (lr: steps · dist · f)", "",
          markdown_table(["optimizer", *PROBLEMS], tuned_rows)]
    if plots:
        files = plot_paths(paths, args.out)
        md += ["", "Paths: " + ", ".join(f.name for f in files)]

    train, test, note = load_mnist(cfg["n_train"], cfg["n_test"])
    curves, rows = bench_mnist(train, test, cfg["epochs"])
    md += ["", f"## MNIST MLP (Flatten, Dense(128, relu), Dense(10, softmax)), defaults, "
           f"{cfg['epochs']} epochs, batch 32", "", f"{note}; same initial weights and shuffling "
           "for every optimizer; values after the last epoch; s/epoch includes validation.", "",
           markdown_table(["optimizer", "lr", "loss", "accuracy", "val_loss", "val_accuracy",
                           "s/epoch"], rows)]
    if any(r[2] == "nan" for r in rows):
        md += ["", "nan: real Keras 3 gives nan there too. Adafactor: for a kernel entry whose "
               "input pixel is 0 and whose unit is dead in the batch, row and column means are "
               "~epsilon_1 = 1e-30, so v = r/mean(r)*c underflows to 0 and u = 0/sqrt(0)."]
    if plots:
        md += ["", f"Curves: {plot_mnist(curves, args.out).name}"]
    md += ["", f"Wall time: {time.perf_counter() - t0:.0f} s"]
    text = "\n".join(md) + "\n"
    print(text)
    (args.out / "optimizers.md").write_text(text)
    return default_rows, tuned_rows, rows


if __name__ == "__main__":
    main()
