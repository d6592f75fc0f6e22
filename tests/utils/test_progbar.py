import io
import sys

import pytest

from minikeras.utils import Progbar
from minikeras.utils import progbar as progbar_module

BAR = "━" * 20


class FakeClock:
    """Stands in for the `time` module inside progbar.py."""

    def __init__(self, now=100.0):
        self.now = now

    def time(self):
        return self.now


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "time", fake)
    monkeypatch.delenv("PYCHARM_HOSTED", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    return fake


def run_epoch(bar, clock, losses, dt=0.25):
    for step, loss in enumerate(losses, start=1):
        clock.now += dt
        bar.update(step, [("loss", loss)])


def test_verbose_2_line(clock, capsys):
    bar = Progbar(3, verbose=2)
    run_epoch(bar, clock, [0.5, 0.3, 0.1])
    # The value given with the final update is shown as-is (Keras 3).
    assert capsys.readouterr().out == "3/3 - 1s - 250ms/step - loss: 0.1000\n"


def test_verbose_1_not_a_tty_writes_only_the_final_line(clock, capsys):
    bar = Progbar(3)
    clock.now += 0.25
    bar.update(1, [("loss", 0.5)])
    clock.now += 0.25
    bar.update(2, [("loss", 0.3)])
    assert capsys.readouterr().out == ""
    clock.now += 0.25
    bar.update(3, [("loss", 0.1), ("acc", 0.75)])
    expected = f"3/3 {BAR} 1s 250ms/step - loss: 0.1000 - acc: 0.7500\n"
    assert capsys.readouterr().out == expected


def test_count_is_right_aligned_to_the_target_width(clock, capsys):
    bar = Progbar(100, verbose=2)
    clock.now += 2.0
    bar.update(7, finalize=True)
    assert capsys.readouterr().out == "  7/100 - 2s - 286ms/step\n"


def test_stateless_values_are_averaged_by_steps_stateful_shown_as_given(clock, capsys):
    bar = Progbar(5, verbose=2, stateful_metrics=["acc"])
    clock.now += 0.5
    bar.update(1, [("loss", 1.0), ("acc", 0.1)])
    clock.now += 0.5
    bar.add(3, [("loss", 0.5), ("acc", 0.9)])  # covers steps 2-4: weight 3
    clock.now += 0.3
    bar.update(5)  # (1.0 * 1 + 0.5 * 3) / 4
    expected = "5/5 - 1s - 200ms/step - loss: 0.6250 - acc: 0.9000\n"
    assert capsys.readouterr().out == expected


def test_small_values_use_exponent_format(clock, capsys):
    bar = Progbar(1, verbose=2)
    clock.now += 0.5
    bar.update(1, [("loss", 5e-4), ("zero", 0.0), ("neg", -0.5), ("edge", 1e-3)])
    out = capsys.readouterr().out
    assert out == (
        "1/1 - 0s - 500ms/step - loss: 5.0000e-04 - zero: 0.0000e+00"
        " - neg: -0.5000 - edge: 1.0000e-03\n"
    )


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, " 0s/step"),
        (2.4, " 2s/step"),
        (1.0, " 1s/step"),
        (0.025, " 25ms/step"),
        (0.001, " 1ms/step"),
        (0.00008, " 80us/step"),
    ],
)
def test_time_per_step_units(seconds, text):
    assert progbar_module._format_time(seconds, "step") == text


def test_step_time_in_microseconds_in_a_line(clock, capsys):
    bar = Progbar(1000, verbose=2, unit_name="sample")
    clock.now += 0.05
    bar.update(1000)
    assert capsys.readouterr().out == "1000/1000 - 0s - 50us/sample\n"


def test_first_step_is_left_out_of_the_step_time(clock, capsys):
    bar = Progbar(3, verbose=2)
    for dt, step in [(5.0, 1), (0.02, 2), (0.02, 3)]:  # slow first step
        clock.now += dt
        bar.update(step)
    assert capsys.readouterr().out == "3/3 - 5s - 20ms/step\n"


def test_verbose_0_is_silent(clock, capsys):
    bar = Progbar(2, verbose=0)
    run_epoch(bar, clock, [1.0, 2.0])
    assert capsys.readouterr().out == ""


def test_unknown_target_verbose_1_final_line(clock, capsys):
    bar = Progbar(None)
    run_epoch(bar, clock, [0.5, 0.5], dt=0.3)
    assert capsys.readouterr().out == ""
    bar.update(2, finalize=True)
    expected = "      2/Unknown 1s 300ms/step - loss: 0.5000\n"
    assert capsys.readouterr().out == expected


def test_tty_redraws_in_place_with_keras_colours(clock, monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(3)
    clock.now += 0.25
    bar.update(1, [("loss", 1.0)])
    first = (
        "\r\x1b[1m1/3\x1b[0m \x1b[32m" + "━" * 6 + "\x1b[0m\x1b[37m" + "━" * 14
        + "\x1b[0m \x1b[1m0s\x1b[0m 250ms/step - loss: 1.0000"
    )
    assert tty.getvalue() == first
    width = len(f"1/3 {BAR} 0s 250ms/step - loss: 1.0000")

    clock.now += 0.01  # within `interval`: no redraw
    bar.update(2, [("loss", 1.0)])
    assert tty.getvalue() == first

    clock.now += 0.49
    bar.update(3, [("loss", 0.5)])
    final = (
        "\b" * width + "\r\x1b[1m3/3\x1b[0m \x1b[32m" + BAR + "\x1b[0m\x1b[37m\x1b[0m"
        " \x1b[1m1s\x1b[0m 250ms/step - loss: 0.5000\n"
    )
    assert tty.getvalue() == first + final


def test_tty_pads_over_a_longer_previous_line(clock, monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    bar = Progbar(2, stateful_metrics=["note"])
    clock.now += 0.25
    bar.update(1, [("note", 123456.0)])
    clock.now += 0.25
    bar.update(2, [("note", 1.0)])
    last = tty.getvalue().split("\r")[-1]
    assert last.endswith("note: 1.0000" + " " * 5 + "\n")


def test_stdout_is_looked_up_at_write_time(clock, capsys, monkeypatch):
    bar = Progbar(1, verbose=2)
    late = io.StringIO()
    monkeypatch.setattr(sys, "stdout", late)
    clock.now += 1.0
    bar.update(1)
    assert late.getvalue() == "1/1 - 1s - 1s/step\n"
