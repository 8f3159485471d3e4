"""Helpers the test modules share (fixtures are in conftest.py): the project's folders and golden data, the program
run as a user runs it, a log's rows, waiting for a condition, refusals, and a window driven key by key.

A test module imports from here, never from another test module or from conftest.py. pygame and pygame_gui are
imported by the window's helpers only when called, so a module that never opens a window does not load them.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from game.window import Window

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


# ---- the program as a user runs it ----------------------------------------------------------------------------


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """main.py in a fresh interpreter, as a user runs it."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )


def start_cli(*args: str, cwd: Path, **env: str) -> subprocess.Popen:
    """main.py in a fresh interpreter in `cwd`, left running (its output piped, as text); `env` adds variables."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **env),
    )


def refusal(capsys, *argv: str) -> str:
    """The one line main() prints for a refused command line (exit code 2)."""
    import main

    with pytest.raises(SystemExit) as exit_:
        main.main(list(argv))
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("main.py: error: "), lines
    return lines[0]


def wait_for(condition, seconds: float = 60.0, what: str = "the condition") -> None:
    """Poll condition() until it holds; fail after `seconds` (a deadline, not a guess of how long it takes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.02)


def full_disk(path, data, replace=True):
    """A stand-in for evolution.files.write_atomic on a disk with no space left."""
    from evolution.errors import InputError

    raise InputError(f"{path}: could not be written (No space left on device)")


# ---- logs and histories -----------------------------------------------------------------------------------------


def log_rows(path) -> list[tuple[str, ...]]:
    """A log's rows without the wall-clock seconds column (comment lines skipped)."""
    with open(path, newline="") as stream:
        lines = [line for line in stream if not line.startswith("#")]
    return [tuple(v for k, v in row.items() if k != "seconds") for row in csv.DictReader(lines)]


def log_has_rows(runs: Path, count: int) -> bool:
    """The log of the (first) run folder under `runs` holds `count` generations' rows: a running program's progress."""
    logs = list(runs.glob("*/log.csv"))
    return bool(logs) and sum(1 for line in logs[0].read_text().splitlines() if line[:1].isdigit()) >= count


def without_seconds(row) -> tuple:
    """A history row's values but the wall-clock seconds."""
    from evolution.run.history import COLUMNS

    return tuple(getattr(row, name) for name in COLUMNS if name != "seconds")


def assert_same_rows(run, other) -> None:
    """Two runs' histories agree in every column but the wall-clock seconds (their test drives finished first)."""
    from evolution.run.history import COLUMNS

    run.finish_test_drives_now()
    other.finish_test_drives_now()
    columns = [COLUMNS.index(name) for name in ("generation", "best", "mean", "median", "finished", "test_best")]
    assert np.array_equal(run.history.to_arrays()[columns], other.history.to_arrays()[columns])


# ---- the blog's golden data (see tests/data/README.md) ------------------------------------------------------------


def assert_blog_equal(actual: np.ndarray, expected: tuple[np.ndarray, bool]) -> None:
    """actual equals the blog's outputs: bit for bit when computed here, else within 1e-15 (see blog_outputs)."""
    outputs, exact = expected
    if exact:
        assert np.array_equal(actual, outputs)
    else:
        np.testing.assert_allclose(actual, outputs, rtol=0, atol=1e-15)


def reference_rows(seed: int) -> list[dict[str, str]]:
    """The blog code's per-generation rows for a seed: generation, best, mean, finished."""
    lines = (DATA / f"reference_seed_{seed}.csv").read_text().splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def reference_test_scores(seed: int) -> list[int]:
    """The blog code's top-20 scores on the test track after 120 generations."""
    last = (DATA / f"reference_seed_{seed}.csv").read_text().splitlines()[-1]
    return [int(x) for x in last.split("[")[1].rstrip("]").split(",")]


class MemoryPeak:
    """`with MemoryPeak() as memory:` then memory.bytes: the most memory the block took (tracemalloc), to say that
    something was refused before it was allocated (a bound on memory, where a bound on time would depend on the
    machine and on what else runs)."""

    bytes: int = 0

    def __enter__(self) -> MemoryPeak:
        tracemalloc.start()
        return self

    def __exit__(self, *exc) -> None:
        _, self.bytes = tracemalloc.get_traced_memory()
        tracemalloc.stop()


def refused_with_peak(load, path, match: str | None = None) -> tuple[pytest.ExceptionInfo, int]:
    """`load(path)` raises InputError (matching `match`, a regex, if given): its ExceptionInfo, and the most
    memory in bytes (tracemalloc) the refusal took."""
    from evolution.errors import InputError

    with MemoryPeak() as memory, pytest.raises(InputError, match=match) as error:
        load(path)
    return error, memory.bytes


# ---- a window driven frame by frame -------------------------------------------------------------------------------


def app_for(*argv: str) -> Window:
    """The window `python main.py ARGV` opens (SDL's dummy driver), before its first frame."""
    from app import options as app_options
    from game.frame_runner import open_window

    return open_window(app_options.parse(list(argv)))


def run_until(app: Window, condition, frames: int = 5000) -> None:
    """Run frames until condition() holds; fail after `frames` (a frame does less work on a busy machine)."""
    from game.frame_runner import run_frames

    for _ in range(frames):
        if condition():
            return
        run_frames(app, 1)
    raise AssertionError("the window did not get there")


def press(window: Window, *keys: int, frames: int = 1, unicode: str = "") -> None:
    """The keys pressed together in one frame (typed as `unicode`), then `frames - 1` frames more."""
    from game.frame_runner import key_event, run_frames

    run_frames(window, frames, lambda frame: [key_event(key, unicode) for key in keys] if frame == 0 else [])


# ---- the settings panel (P) ---------------------------------------------------------------------------------------


def paused_app(*argv: str) -> Window:
    """A window whose race stands still: on a slow machine a frame at x1 can be long enough to end
    generation 0 of ten random dots, and a change scheduled for generation 1 would already apply."""
    app = app_for(*argv)
    app.paused = True
    return app


def open_panel(app: Window):
    """The settings panel, opened with P if it is not open, laid out by a frame."""
    import pygame

    from game.frame_runner import run_frames

    view = app.view
    if not view.panel_open:
        press(app, pygame.K_p, unicode="p")
    assert view.panel_open
    run_frames(app, 1)  # the panel is laid out when drawn
    return view.panel


def gui(app: Window, kind: int, element, **fields) -> None:
    """Post the event pygame_gui posts when a control is used, and let the window handle it in a frame."""
    import pygame

    from game.frame_runner import run_frames

    event = pygame.event.Event(kind, ui_element=element, ui_object_id="", **fields)
    run_frames(app, 1, lambda frame: [event] if frame == 0 else [])


def press_plus(app: Window, name: str) -> None:
    """The panel's + button of a setting."""
    import pygame_gui

    gui(app, pygame_gui.UI_BUTTON_PRESSED, open_panel(app).controls[name][2])


def choose(app: Window, name: str, option: str) -> None:
    """Pick `option` in the settings panel's drop-down for `name`, as pygame_gui reports it."""
    import pygame_gui

    gui(app, pygame_gui.UI_DROP_DOWN_MENU_CHANGED, open_panel(app).controls[name][0], text=option)


def marker_panel(slot: str) -> type:
    """A Panel class for `slot` that fills it with one colour, counts its updates and keeps its clicks (made by a
    view's registry with the view, or alone)."""
    import pygame

    from game.panels.panel import Panel

    class Marker(Panel):
        colour = (250, 0, 200)

        def __init__(self, view=None) -> None:
            self.view = view
            self.updates = 0
            self.clicks: list[tuple[int, int]] = []

        def update(self, rect: pygame.Rect, scale) -> None:
            self.updates += 1

        def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale) -> None:
            surface.fill(self.colour, rect)

        def click(self, position: tuple[int, int], rect: pygame.Rect) -> bool:
            self.clicks.append(position)
            return True

    Marker.slot = slot
    return Marker
