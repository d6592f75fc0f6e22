"""`Model.summary()`: Keras 3's table of layers, output shapes, parameter counts and, for a
functional model that is not a plain chain, the "Connected to" column.

Keras draws the table with `rich`; this module lays it out the same way without it: the
column widths rich computes from Keras's positions (`table_widths`), rich's word wrapping of
cells (`wrap_cell`), and the totals Keras prints under the table (trainable, non-trainable
and, once the optimizer is built, its own parameters).
"""

import re
import shutil

import numpy as np

from minikeras import tree
from minikeras.layers.base import Layer

# Keras's layouts: (default table width, column positions as fractions of it, headers,
# justification of each column).
_SEQUENTIAL_LAYOUT = (88, [0.45, 0.80, 1.0], ["Layer (type)", "Output Shape", "Param #"],
                      ["left", "left", "right"])
_GRAPH_LAYOUT = (108, [0.3, 0.56, 0.74, 1.0],
                 ["Layer (type)", "Output Shape", "Param #", "Connected to"],
                 ["left", "left", "right", "left"])


# --------------------------------------------------------------------------- layout
def _ratio_reduce(total, ratios, maximums, values):
    """Takes `total` off `values` in proportion to `ratios` (rich's integer rounding)."""
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio, remaining, out = sum(ratios), total, []
    if not total_ratio:
        return list(values)
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def table_widths(line_length, positions):
    """The width of each column (its one-space padding included, its borders not).

    Keras asks for columns `int(position * line_length)` apart in a table `line_length` wide;
    with a space of padding on each side and the borders, that does not fit, so rich takes
    the excess off the columns evenly.
    """
    requested, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        requested.append(width)
        current += width
    available = line_length - (len(requested) + 1)
    widths = [min(w + 2, available) for w in requested]
    if sum(widths) > available:
        widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
    return widths


# --------------------------------------------------------------------------- wrapping
_WORD = re.compile(r"\s*\S+\s*")


def _break_offsets(text, width):
    """Where rich breaks `text` to fit `width` (words are never split; a word longer than
    the width gets a line of its own and is cut with an ellipsis)."""
    breaks, offset = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            if start:
                breaks.append(start)
            offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _truncate(line, width):
    return line[:width - 1] + "…" if len(line) > width else line


def wrap_cell(text, width, justify="left"):
    """The lines of a table cell, each exactly `width` characters, as rich renders them."""
    lines = []
    for paragraph in text.split("\n"):
        cuts = [0] + _break_offsets(paragraph, width) + [len(paragraph)]
        for start, end in zip(cuts, cuts[1:]):
            line = paragraph[start:end]
            if len(line) > width:  # trailing spaces past the width go first
                excess = len(line) - width
                trailing = len(line) - len(line.rstrip())
                line = line[:len(line) - min(trailing, excess)]
            if justify == "left":
                line = _truncate(line, width).ljust(width)
            elif justify == "right":
                line = _truncate(line.rstrip(), width).rjust(width)
            else:  # center
                line = _truncate(line.rstrip(), width)
                line = (" " * ((width - len(line)) // 2) + line).ljust(width)
            lines.append(line)
    return lines


def _render_table(headers, justify, rows, widths):
    """The table's lines: heavy header borders, a light rule between rows."""

    def rule(left, mid, right, fill):
        return left + mid.join(fill * w for w in widths) + right

    def row_lines(cells, edge):
        wrapped = [wrap_cell(cell, w - 2, j) for cell, w, j in zip(cells, widths, justify)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = [f" {c[i] if i < len(c) else ' ' * (w - 2)} "
                     for c, w in zip(wrapped, widths)]
            out.append(edge + edge.join(parts) + edge)
        return out

    lines = [rule("┏", "┳", "┓", "━")] + row_lines(headers, "┃") + [rule("┡", "╇", "┩", "━")]
    for i, cells in enumerate(rows):
        if i:
            lines.append(rule("├", "┼", "┤", "─"))
        lines += row_lines(cells, "│")
    lines.append(rule("└", "┴", "┘", "─"))
    return lines


# --------------------------------------------------------------------------- cells
def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _is_shape(x):
    return isinstance(x, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in x)


def _map_shapes(fn, shapes):
    if _is_shape(shapes):
        return fn(shapes)
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(fn, s) for s in shapes)


def output_shape_cell(layer):
    """The output shape of the layer's last call ("?" when it was never called on symbolic
    inputs nor built by a call that recorded its input shape), as Keras prints it."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        shapes = tree.map_structure(lambda t: _format_shape(t.shape), nodes[-1].outputs)
    else:
        built_from = layer.__dict__.get("_build_shapes")
        if built_from is None or type(layer).build is Layer.build:
            return "?"
        try:
            shapes = _map_shapes(_format_shape, layer.compute_output_shape(built_from))
        except (NotImplementedError, TypeError, ValueError):
            return "?"
    flat = tree.flatten(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _params_cell(layer):
    if not hasattr(layer, "built"):
        return "0"
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _connections_cell(layer, model_nodes):
    parts = []
    for node in layer._inbound_nodes:
        if model_nodes and id(node) not in model_nodes:
            continue  # a call of the layer in another model
        for t in tree.flatten(node.inputs):
            inbound, node_index, tensor_index = t._keras_history
            parts.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) or "-"


# --------------------------------------------------------------------------- model
def is_sequential_like(model):
    """Whether Keras prints `model` without the "Connected to" column: not a functional
    graph, or a graph that is a plain chain (one node per depth, each with one input, no
    layer called twice)."""
    nodes = getattr(model, "_nodes", None)
    if nodes is None:
        return True
    by_depth = {}
    for node in nodes:
        by_depth.setdefault(model._node_depths[id(node)], []).append(node)
    for same_depth in by_depth.values():
        if len(same_depth) > 1 or len(tree.flatten(same_depth[0].inputs)) > 1:
            return False
    called = [id(node.layer) for node in nodes]
    return len(called) == len(set(called))


def _count(weights):
    return int(sum(np.prod(w.shape, dtype=np.int64) for w in weights))


def _memory(weights):
    unique = {id(w): w for w in weights}.values()
    return int(sum(np.prod(w.shape, dtype=np.int64) * np.dtype(w.dtype).itemsize
                   for w in unique))


def _readable_size(size):
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _optimizer_variables(model):
    """The optimizer's state once it is built (Keras adds an "Optimizer params" line)."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None:
        return None
    # The state exists once `build` has run on the model's variables (the first step).
    if not getattr(optimizer, "_trainable_variables", None):
        return None
    return optimizer.variables


def _layer_bounds(layers, layer_range):
    """Keras's `layer_range`: the first layer matching `layer_range[0]` (a regex) to the last
    matching `layer_range[1]`, both included."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError("layer_range should contain string type only. Received: "
                         f"{layer_range}")
    first = [i for i, l in enumerate(layers) if re.match(layer_range[0], l.name)]
    last = [i for i, l in enumerate(layers) if re.match(layer_range[1], l.name)]
    if not first or not last:
        raise ValueError(f"Passed layer_range does not match to model layers. Received: "
                         f"layer_range={layer_range}. Model layers: {[l.name for l in layers]}")
    return first[0], last[-1] + 1


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Prints (or passes to `print_fn`, line by line) the summary table of `model`.

    Args:
        model: a built or unbuilt model.
        line_length: the table's width (default `min(88, columns - 4)`, or 108 for a table
            with the "Connected to" column; 12 more with `show_trainable`).
        positions: the columns' right edges as fractions of the width (Keras's defaults).
        print_fn: called with each line (default `print`).
        expand_nested: also list the layers of nested models, indented.
        show_trainable: add a "Trainable" column (Y / N, `-` for a layer without weights).
        layer_range: two regexes naming the first and last layer to list.
    """
    emit = print_fn or (lambda line, **kw: print(line))
    sequential_like = is_sequential_like(model)
    default_length, default_positions, headers, justify = (
        _SEQUENTIAL_LAYOUT if sequential_like else _GRAPH_LAYOUT)
    headers, justify = list(headers), list(justify)
    positions = list(positions or default_positions)
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        headers.append("Trainable")
        justify.append("center")
    if line_length is None:
        line_length = min(default_length, shutil.get_terminal_size((80, 24)).columns - 4)
    if positions[-1] > 1:  # tf.keras's absolute positions
        positions = [p / positions[-1] for p in positions]
    model_nodes = ({id(node) for node in model._nodes}
                   if not sequential_like else None)

    def fields(layer, prefix, trainable):
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", output_shape_cell(layer),
               _params_cell(layer)]
        if not sequential_like:
            row.append(_connections_cell(layer, model_nodes))
        if show_trainable:
            row.append(("Y" if trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer, level=0, outer_trainable=True):
        # A layer inside a frozen model is frozen too (Keras sets the flag all the way down).
        trainable = outer_trainable and layer.trainable
        rows = [fields(layer, "   " * level + "└ " if level else "", trainable)]
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                rows += rows_of(inner, level + 1, trainable)
        return rows

    layers = model.layers
    start, stop = _layer_bounds(layers, layer_range)
    rows = [row for layer in layers[start:stop] for row in rows_of(layer)]
    lines = [f'Model: "{model.name}"']
    lines += _render_table(headers, justify, rows, table_widths(line_length, positions))

    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer_variables = _optimizer_variables(model)
    counts = [_count(trainable), _count(non_trainable), _count(optimizer_variables or [])]
    sizes = [_memory(trainable), _memory(non_trainable), _memory(optimizer_variables or [])]
    lines.append(f" Total params: {sum(counts):,} ({_readable_size(sum(sizes))})")
    lines.append(f" Trainable params: {counts[0]:,} ({_readable_size(sizes[0])})")
    lines.append(f" Non-trainable params: {counts[1]:,} ({_readable_size(sizes[1])})")
    if optimizer_variables is not None:
        lines.append(f" Optimizer params: {counts[2]:,} ({_readable_size(sizes[2])})")
    for line in lines:
        emit(line)
