"""`plot_model`: a picture of a model's layer graph, drawn with matplotlib alone.

Keras draws it with pydot and Graphviz, which must be installed apart from Python; this module
lays the graph out itself. What is drawn follows Keras 3's `model_to_dot`:

- a `Sequential` model is its layers in a chain (no box for its input); a functional model is
  every layer of its graph, `Input`s included, with an arrow for each tensor a layer reads
  (branches, merges, several inputs and outputs); a subclassed model is one box;
- a box is headed by the layer's class (`name (Class)` with `show_layer_names=True`), then
  optional rows: the activation, the input and output shapes (`?` when unknown, e.g. for a
  layer called more than once), the output dtype, whether it is trainable;
- `expand_nested=True` draws the layers of nested models inside a dashed frame named after
  the model, instead of one box for it.

The layout is layered: each layer one rank below the deepest layer it reads from, the layers
of a rank ordered by where their inputs are (fewer crossings) and centred under them. The
figure is sized to the graph (boxes in a monospaced font, measured from their text) and saved
at `dpi`.

Models are told apart by what they expose, not by class (this module sits below the models):
a functional model has its graph of nodes (`_nodes`), a Sequential has Keras's `add` and
`pop`, anything else with `layers` is subclassed.
"""

import numpy as np

from minikeras import tree
from minikeras.utils.plotting import import_matplotlib

_FONT_SIZE = 9.0          # points
_CHAR_WIDTH = 0.602       # of the font size: DejaVu Sans Mono's advance
_LINE_HEIGHT = 1.45       # of the font size
_PAD = 0.08               # inches around a box's text
_RANK_GAP = 0.45          # inches between ranks
_SIBLING_GAP = 0.3        # inches between boxes of a rank


# --------------------------------------------------------------------------- the graph
def _kind(model):
    if getattr(model, "_nodes", None) is not None:
        return "functional"
    if callable(getattr(model, "add", None)) and callable(getattr(model, "pop", None)) \
            and hasattr(model, "layers"):
        return "sequential"
    return "layer"  # a layer, or a subclassed model: one box


class _Graph:
    """Boxes (layers), arrows between them and the frames of expanded nested models."""

    def __init__(self):
        self.boxes, self.arrows, self.frames = [], [], []
        self._ids = set()

    def add_box(self, layer):
        if id(layer) not in self._ids:
            self._ids.add(id(layer))
            self.boxes.append(layer)

    def add_arrow(self, source, destination):
        if not any(a is source and b is destination for a, b in self.arrows):
            self.arrows.append((source, destination))


def _producer(tensor):
    layer, node_index, tensor_index = tensor._keras_history
    return layer, node_index, tensor_index


def _add_model(graph, model, expand):
    """Adds `model`'s boxes and inner arrows; returns `(entries, exits, first)`: for each of
    its inputs the box an arrow into it must reach, for each output the box arrows leave
    from, and the index in `graph.boxes` of its first box."""
    kind = _kind(model)
    if kind == "sequential":
        layers = list(model.layers)
        members_before = len(graph.boxes)
        previous_exits, first_entries = None, None
        for layer in layers:
            entries, exits = _add_layer(graph, layer, expand)
            if previous_exits is not None:
                for source in previous_exits[:1]:
                    for destination in entries[:1]:
                        graph.add_arrow(source, destination)
            first_entries = entries if first_entries is None else first_entries
            previous_exits = exits
        return first_entries or [], previous_exits or [], members_before
    if kind == "functional":
        members_before = len(graph.boxes)
        ends = {}  # id(layer) -> (entries, exits) of its box or expanded model
        for layer in model.layers:
            ends[id(layer)] = _add_layer(graph, layer, expand)
        own_nodes = {id(node) for node in model._nodes}
        for layer in model.layers:
            for node in layer._inbound_nodes:
                if id(node) not in own_nodes:
                    continue  # a call of the layer in another model
                for input_index, tensor in enumerate(tree.flatten(node.inputs)):
                    source, _, output_index = _producer(tensor)
                    source_exits = ends[id(source)][1]
                    destination_entries = ends[id(layer)][0]
                    graph.add_arrow(source_exits[min(output_index, len(source_exits) - 1)],
                                    destination_entries[min(input_index,
                                                            len(destination_entries) - 1)])
        entries = [ends[id(_producer(t)[0])][0][0] for t in model.inputs]
        exits = []
        for t in model.outputs:
            layer, _, index = _producer(t)
            layer_exits = ends[id(layer)][1]
            exits.append(layer_exits[min(index, len(layer_exits) - 1)])
        return entries, exits, members_before
    graph.add_box(model)
    return [model], [model], len(graph.boxes) - 1


def _add_layer(graph, layer, expand):
    if expand and _kind(layer) in ("functional", "sequential"):
        entries, exits, first = _add_model(graph, layer, expand)
        graph.frames.append((layer, graph.boxes[first:]))
        return entries, exits
    graph.add_box(layer)
    return [layer], [layer]


# --------------------------------------------------------------------------- the labels
def _format_shape(shape):
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {v}" for k, v in shape.items())
    return str(shape)


def _shapes(layer):
    """`(input shape, output shape)` as Keras prints them, None where unknown."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if len(nodes) == 1:  # as Keras's `layer.input`: unknown for a layer called twice
        node = nodes[0]
        shape = lambda t: tuple(t.shape)  # noqa: E731
        inputs = tree.map_structure(shape, node.inputs) if tree.flatten(node.inputs) else None
        if isinstance(inputs, list) and len(inputs) == 1:
            inputs = inputs[0]
        return inputs, tree.map_structure(shape, node.outputs)
    if nodes:
        return None, None
    built_from = layer.__dict__.get("_build_shapes")
    if built_from is None:
        return None, None
    try:
        return built_from, layer.compute_output_shape(built_from)
    except (NotImplementedError, TypeError, ValueError):
        return built_from, None


def _activation_name(layer):
    activation = layer.activation
    return getattr(activation, "name", None) or getattr(activation, "__name__", None) \
        or str(activation)


def _label(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    """`(header, [rows])` of a box."""
    class_name = type(layer).__name__
    header = f"{layer.name} ({class_name})" if show_layer_names else class_name
    rows = []
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append(f"Activation: {_activation_name(layer)}")
    cells = []
    if show_shapes:
        inputs, outputs = _shapes(layer)
        if class_name != "InputLayer":
            cells.append(f"Input shape: {_format_shape(inputs)}")
        cells.append(f"Output shape: {_format_shape(outputs)}")
    if show_dtype:
        nodes = getattr(layer, "_inbound_nodes", [])
        dtype = None
        if len(nodes) == 1:
            dtypes = [getattr(t, "dtype", None) for t in tree.flatten(nodes[0].outputs)]
            dtype = dtypes[0] if len(dtypes) == 1 else dtypes
        cells.append(f"Output dtype: {dtype or '?'}")
    if show_trainable and getattr(layer, "weights", None):
        cells.append("Trainable" if layer.trainable else "Non-trainable")
    rows += cells
    return header, rows


# --------------------------------------------------------------------------- the layout
def _ranks(graph):
    parents = {id(b): [] for b in graph.boxes}
    for source, destination in graph.arrows:
        parents[id(destination)].append(source)
    rank = {}

    def rank_of(box, seen=()):
        if id(box) not in rank:
            if id(box) in seen:
                raise ValueError(f"plot_model: the graph has a cycle through '{box.name}'.")
            rank[id(box)] = 1 + max((rank_of(p, seen + (id(box),)) for p in parents[id(box)]),
                                    default=-1)
        return rank[id(box)]

    for box in graph.boxes:
        rank_of(box)
    return rank, parents


class _Waypoint:
    """Where an arrow crosses a rank it skips: laid out like a thin box, so the arrow goes
    around the boxes of that rank instead of through them."""

    width = 0.12


def _layout(graph, sizes, rankdir):
    """Centres `{id(box): (x, y)}` in inches (y up), and the waypoints of each arrow that
    skips ranks, `{(id(source), id(destination)): [(x, y), ...]}`.

    Positions are found along two axes, `breadth` (across a rank) and `depth` (from rank to
    rank), then mapped to x and y for `rankdir`.
    """
    rank, _ = _ranks(graph)
    parents = {id(b): [] for b in graph.boxes}
    by_rank, waypoints = {}, {}
    for box in graph.boxes:  # model order within a rank, before reordering
        by_rank.setdefault(rank[id(box)], []).append(box)
    for source, destination in graph.arrows:
        previous, points = source, []
        for r in range(rank[id(source)] + 1, rank[id(destination)]):
            point = _Waypoint()
            parents[id(point)] = [previous]
            by_rank[r].append(point)
            points.append(point)
            previous = point
        parents[id(destination)].append(previous)
        waypoints[(id(source), id(destination))] = points
    vertical = rankdir.upper() in ("TB", "BT")

    def across(item):
        return item.width if isinstance(item, _Waypoint) else sizes[id(item)][0 if vertical
                                                                               else 1]

    breadth, depth, next_depth = {}, {}, 0.0
    for r in sorted(by_rank):
        items = by_rank[r]
        wanted = {}
        for i, item in enumerate(items):
            placed = [breadth[id(p)] for p in parents[id(item)]]
            wanted[id(item)] = float(np.mean(placed)) if placed else float(i)
        items.sort(key=lambda item: wanted[id(item)])
        # Along the rank, each item as near its wish (under its inputs) as the item before it
        # allows; then the rank is shifted so that on average it sits where it wished.
        positions, edge = [], -np.inf
        for item in items:
            half = across(item) / 2
            positions.append(max(wanted[id(item)], edge + _SIBLING_GAP + half))
            edge = positions[-1] + half
        shift = float(np.mean([wanted[id(item)] - x for item, x in zip(items, positions)]))
        thickness = max([sizes[id(item)][1 if vertical else 0] for item in items
                         if not isinstance(item, _Waypoint)] or [0.0])
        for item, x in zip(items, positions):
            breadth[id(item)] = x + shift
            depth[id(item)] = next_depth + thickness / 2
        next_depth += thickness + _RANK_GAP
    mapping = {"TB": lambda b, d: (b, -d), "BT": lambda b, d: (b, d),
               "LR": lambda b, d: (d, -b), "RL": lambda b, d: (-d, -b)}[rankdir.upper()]
    centres = {id(box): mapping(breadth[id(box)], depth[id(box)]) for box in graph.boxes}
    routes = {key: [mapping(breadth[id(p)], depth[id(p)]) for p in points]
              for key, points in waypoints.items()}
    return centres, routes


# --------------------------------------------------------------------------- drawing
def model_to_figure(model, show_shapes=False, show_dtype=False, show_layer_names=False,
                    rankdir="TB", expand_nested=False, show_layer_activations=False,
                    show_trainable=False):
    """Draws `model`'s layer graph on a new matplotlib `Figure` (see the module doc); the
    arguments are `plot_model`'s. Each box is a patch whose gid is `'layer:<name>'`, each
    arrow one whose gid is `'arrow:<from>-><to>'`, each frame `'model:<name>'`."""
    matplotlib = import_matplotlib("plot_model")
    from matplotlib.patches import FancyArrowPatch, Rectangle
    from matplotlib.path import Path

    if not getattr(model, "built", True):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    if rankdir.upper() not in ("TB", "BT", "LR", "RL"):
        raise ValueError(f"plot_model: `rankdir` must be 'TB', 'LR', 'BT' or 'RL'; received "
                         f"{rankdir!r}.")
    graph = _Graph()
    _add_model(graph, model, expand_nested)
    font = _FONT_SIZE / 72.0
    line = font * _LINE_HEIGHT
    labels, sizes = {}, {}
    for box in graph.boxes:
        header, rows = _label(box, show_shapes, show_dtype, show_layer_names,
                              show_layer_activations, show_trainable)
        labels[id(box)] = (header, rows)
        longest = max(len(text) for text in [header] + rows)
        sizes[id(box)] = (longest * font * _CHAR_WIDTH + 2 * _PAD,
                          (1 + len(rows)) * line + 2 * _PAD * (1 + bool(rows)))
    centres, routes = _layout(graph, sizes, rankdir)
    left = min(centres[id(b)][0] - sizes[id(b)][0] / 2 for b in graph.boxes)
    right = max(centres[id(b)][0] + sizes[id(b)][0] / 2 for b in graph.boxes)
    bottom = min(centres[id(b)][1] - sizes[id(b)][1] / 2 for b in graph.boxes)
    top = max(centres[id(b)][1] + sizes[id(b)][1] / 2 for b in graph.boxes)
    margin = 0.3 + 0.25 * bool(graph.frames)
    width, height = right - left + 2 * margin, top - bottom + 2 * margin
    figure = matplotlib.figure.Figure(figsize=(width, height))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(left - margin, right + margin)
    ax.set_ylim(bottom - margin, top + margin)
    ax.set_axis_off()
    text_style = dict(family="monospace", fontsize=_FONT_SIZE, ha="center", va="center")
    for box in graph.boxes:
        (cx, cy), (w, h) = centres[id(box)], sizes[id(box)]
        header, rows = labels[id(box)]
        header_height = line + 2 * _PAD
        x0, y_top = cx - w / 2, cy + h / 2
        frame = Rectangle((x0, cy - h / 2), w, h, facecolor="white", edgecolor="black",
                          linewidth=1.0, zorder=2, gid=f"layer:{box.name}")
        ax.add_patch(frame)
        ax.add_patch(Rectangle((x0, y_top - header_height), w, header_height,
                               facecolor="black", edgecolor="black", linewidth=1.0, zorder=2))
        ax.text(cx, y_top - header_height / 2, header, color="white", fontweight="bold",
                zorder=3, **text_style)
        for i, row in enumerate(rows):
            ax.text(cx, y_top - header_height - _PAD - (i + 0.5) * line, row, color="black",
                    zorder=3, **text_style)
    vertical = rankdir.upper() in ("TB", "BT")
    for source, destination in graph.arrows:
        (sx, sy), (sw, sh) = centres[id(source)], sizes[id(source)]
        (dx, dy), (dw, dh) = centres[id(destination)], sizes[id(destination)]
        if vertical:
            sign = 1 if dy < sy else -1
            start, end = (sx, sy - sign * sh / 2), (dx, dy + sign * dh / 2)
        else:
            sign = 1 if dx > sx else -1
            start, end = (sx + sign * sw / 2, sy), (dx - sign * dw / 2, dy)
        points = [start] + routes[(id(source), id(destination))] + [end]
        path = Path(points, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
        ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=10,
                                     linewidth=1.2, color="black", zorder=1,
                                     gid=f"arrow:{source.name}->{destination.name}"))
    for nested, members in graph.frames:
        if not members:
            continue
        fl = min(centres[id(b)][0] - sizes[id(b)][0] / 2 for b in members) - 0.15
        fr = max(centres[id(b)][0] + sizes[id(b)][0] / 2 for b in members) + 0.15
        fb = min(centres[id(b)][1] - sizes[id(b)][1] / 2 for b in members) - 0.15
        ft = max(centres[id(b)][1] + sizes[id(b)][1] / 2 for b in members) + 0.3
        ax.add_patch(Rectangle((fl, fb), fr - fl, ft - fb, facecolor="none", edgecolor="gray",
                               linestyle="--", linewidth=1.0, gid=f"model:{nested.name}"))
        ax.text(fl + 0.05, ft - 0.05, nested.name, ha="left", va="top", color="gray",
                fontsize=_FONT_SIZE, family="monospace")
    return figure


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho",
               **kwargs):
    """Draws the model's layer graph to an image file, as `keras.utils.plot_model` (with
    matplotlib: no pydot or Graphviz needed).

    Args:
        model: a built model (or layer).
        to_file: the image file; its extension picks the format (default `'model.png'`;
            PNG, PDF, SVG, JPG...; no extension means PNG).
        show_shapes: whether to show each layer's input and output shapes (default False).
        show_dtype: whether to show each layer's output dtype (default False).
        show_layer_names: whether to head each box with the layer's name as well as its class
            (default False, as Keras 3; tf.keras 2 defaulted to True).
        rankdir: `'TB'` (default, top to bottom), `'LR'` (left to right), `'BT'` or `'RL'`.
        expand_nested: whether to draw the layers of nested models (default False).
        dpi: the image's resolution in dots per inch (default 200, as Keras 3).
        show_layer_activations: whether to show the activation of layers that have one
            (default False).
        show_trainable: whether to show whether each layer with weights is trainable
            (default False).
        splines: accepted for compatibility: arrows are drawn straight.
        **kwargs: tf.keras 2's `layer_range` is refused as Keras 3 refuses it.

    Returns:
        An `IPython.display.Image` (`SVG` for an .svg file) of the file when IPython is
        installed, shown inline in a notebook as Keras's; None for other formats or without
        IPython.

    Raises:
        ValueError: when the model is not built, or for an unknown argument.
        ImportError: when matplotlib is not installed.
    """
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    figure = model_to_figure(model, show_shapes=show_shapes, show_dtype=show_dtype,
                             show_layer_names=show_layer_names, rankdir=rankdir,
                             expand_nested=expand_nested,
                             show_layer_activations=show_layer_activations,
                             show_trainable=show_trainable)
    to_file = str(to_file)
    extension = to_file.rsplit(".", 1)[-1].lower() if "." in to_file.rsplit("/", 1)[-1] \
        else None
    figure.savefig(to_file, dpi=dpi, format=extension or "png")
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == "svg":
        return display.SVG(filename=to_file)
    if extension in (None, "png", "jpg", "jpeg", "gif"):
        return display.Image(filename=to_file)
    return None
