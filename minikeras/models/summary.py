"""`Model.summary()`: Keras 3's table of layers, output shapes and parameter counts."""

import shutil

import numpy as np


def _format_size(n_bytes):
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.2f} {unit}"
    return f"{float(n_bytes):.2f} B"


def _count(weights):
    return int(sum(np.prod(w.shape, dtype=np.int64) for w in weights))


def _bytes(weights):
    return int(sum(np.prod(w.shape, dtype=np.int64) * np.dtype(w.dtype).itemsize for w in weights))


def _output_shape(layer):
    try:
        shape = layer.output_shape
    except AttributeError:
        return "?"
    if isinstance(shape, list):
        return ", ".join(str(tuple(s)) for s in shape)
    return str(tuple(shape))


def _row(cells, widths, edge="│"):
    parts = []
    for i, (cell, width) in enumerate(zip(cells, widths)):
        text = cell.rjust(width - 2) if i == len(cells) - 1 else cell.ljust(width - 2)
        parts.append(f" {text} ")
    return edge + edge.join(parts) + edge


def _rule(widths, left, mid, right, fill):
    return left + mid.join(fill * w for w in widths) + right


def _column_widths(line_length=None):
    """Inner widths of the three columns, as Keras (through rich) draws them.

    The table is `min(88, terminal columns - 4)` wide; Keras's 76-wide table (80 columns) has
    columns 33/24/15 and its 88-wide one 38/29/17: extra width is shared 5:5:2.
    """
    if line_length is None:
        line_length = min(88, shutil.get_terminal_size((80, 24)).columns - 4)
    extra = max(line_length, 40) - 76
    first, second = 33 + round(extra * 5 / 12), 24 + round(extra * 5 / 12)
    return [first, second, max(line_length, 40) - 4 - first - second]


def print_summary(model, line_length=None, print_fn=None, show_trainable=False):
    """Prints (or passes to `print_fn`, line by line) the summary table of `model`."""
    emit = print_fn or (lambda line, **kw: print(line))
    # Keras lists a functional model's InputLayers; a Sequential's input is not one of its layers.
    layers = model.layers
    widths = _column_widths(line_length)
    lines = [f'Model: "{model.name}"',
             _rule(widths, "┏", "┳", "┓", "━"),
             _row(["Layer (type)", "Output Shape", "Param #"], widths, "┃"),
             _rule(widths, "┡", "╇", "┩", "━")]
    for i, layer in enumerate(layers):
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        lines.append(_row([f"{layer.name} ({type(layer).__name__})", _output_shape(layer), params],
                          widths))
        if i < len(layers) - 1:
            lines.append(_rule(widths, "├", "┼", "┤", "─"))
    lines.append(_rule(widths, "└", "┴", "┘", "─"))
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    total = trainable + non_trainable
    lines.append(f" Total params: {_count(total):,} ({_format_size(_bytes(total))})")
    lines.append(f" Trainable params: {_count(trainable):,} ({_format_size(_bytes(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({_format_size(_bytes(non_trainable))})")
    for line in lines:
        emit(line)
