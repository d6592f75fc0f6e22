"""The Keras 3 progress bar: `3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 5ms/step - loss: 0.1234`."""

import math
import os
import sys
import time

import numpy as np

# ANSI styles Keras wraps around parts of the verbose=1 line.
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class Progbar:
    """Displays a progress bar, in the format of Keras 3.

    Metrics not listed in `stateful_metrics` are averaged over the steps seen
    so far, each value weighted by how many steps it covers; stateful ones are
    shown as given.

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Number of cells of the bar. Keras default: 20.
        verbose: 0 (silent), 1 (bar redrawn in place) or 2 (one line when the
            target is reached). Keras default: 1.
        interval: Minimum number of seconds between two redraws. Keras
            default: 0.05.
        stateful_metrics: Names of metrics displayed as-is, not averaged.
        unit_name: Name of a step in the time-per-step field. Keras default:
            `"step"`.
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        unit_name="step",
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        # Keras also counts `"posix" in sys.modules`, which is true on every
        # Linux and macOS, so it redraws with \b and colour codes even into a
        # log file; we redraw only where a person watches the output.
        self._dynamic_display = (
            (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
            or "ipykernel" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight]
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: Index of the current step (steps done so far).
            values: List of `(name, value_for_last_step)` tuples.
            finalize: Whether this is the last update; `None` means
                `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target

        for name, value in values or ():
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics or finalize:
                # Keras shows the value given with the final update as-is:
                # the trainer passes the epoch's aggregated logs there.
                self._values[name] = [value, 1]
            else:
                # Weight by the steps this value covers (at least 1, in case
                # the same `current` is reported twice).
                weight = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0, 0])
                total[0] += value * weight
                total[1] += weight
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)

        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._dynamic_display:
                line, width = self._line_v1(
                    current, now, time_per_unit, finalize, styled=True
                )
                # Rub out the previous line, then pad over any leftover tail.
                message = "\b" * self._prev_total_width + "\r" + line
                message += " " * max(self._prev_total_width - width, 0)
                self._prev_total_width = width
                _write(message + ("\n" if finalize else ""))
            elif finalize:
                # Not a terminal: intermediate redraws would only be noise.
                line, _ = self._line_v1(
                    current, now, time_per_unit, finalize, styled=False
                )
                _write(line + "\n")
        elif self.verbose == 2:
            if finalize and self.target is not None and self.target > 0:
                count = self._count(current)
                line = f"{count} - {now - self._start:.0f}s -"
                line += _format_time(time_per_unit, self.unit_name)
                _write(line + self._metrics() + "\n")

        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` steps; see `update`."""
        self.update(self._seen_so_far + n, values)

    def _count(self, current):
        # Right-align `current` to the width of `target`, as Keras does.
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _line_v1(self, current, now, time_per_unit, finalize, styled):
        """Returns the verbose=1 line and its visible width."""

        def style(code, text):
            return f"{code}{text}{_RESET}" if styled else text

        if self.target is not None and self.target > 0:
            count = self._count(current)
            done = int(self.width * float(current) / self.target)
            bar = style(_BOLD, count) + " "
            if done > 0:
                bar += style(_GREEN, "━" * done)
            bar += style(_GREY, "━" * (self.width - done))
            cells = max(done, 0) + max(self.width - done, 0)
            plain = f"{count} " + "━" * cells
        else:
            bar = plain = "%7d/Unknown" % current

        if self.target is not None and self.target > 0 and not finalize:
            clock = _format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"  # elapsed time
        tail = _format_time(time_per_unit, self.unit_name) + self._metrics()
        width = len(plain) + len(f" {clock}") + len(tail)
        return bar + " " + style(_BOLD, clock) + tail, width

    def _metrics(self):
        text = ""
        for name in self._values_order:
            total, weight = self._values[name]
            if not isinstance(total, float):
                total = np.mean(total)
            text += f" - {name}: {_format_value(total / max(1, weight))}"
        return text

    def _estimate_step_duration(self, current, now):
        """Seconds per step, ignoring the (slow, warm-up) first step if possible."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit


def _format_value(value):
    # Keras uses `avg > 1e-3` in verbose=2 (so negatives print as %.4e there)
    # and `abs(avg) > 1e-3` in verbose=1; we use the latter for both.
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_time(time_per_unit, unit_name):
    """Formats seconds per step as ` 2s/step`, ` 25ms/step` or ` 80us/step`."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1e6:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


def _write(message):
    # Look sys.stdout up at every call so redirection (and pytest's capsys)
    # set up after the bar was created is honoured.
    stream = sys.stdout
    try:
        stream.write(message)
    except UnicodeEncodeError:
        # A console that cannot show "━" gets Keras 2's "=" instead.
        encoding = getattr(stream, "encoding", None) or "utf-8"
        message = message.replace("━", "=")
        stream.write(message.encode(encoding, errors="ignore").decode(encoding))
    stream.flush()
