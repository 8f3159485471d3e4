"""Drawing changes no state: every view of the window, set up as the program sets it up, drawn twice.

A frame has three phases: the events, the update (the race stepped, then `Window.arrange`: what follows the
race, the caption's choice, the panels' layout), and the drawing. Each test below brings the window to one
view by the program's own keys, runs the update phase, takes a snapshot of everything the window reaches (the
window's fields, the view and the views behind it, their panels, the runs: `RunState` arrays, generators,
history, config, races), draws twice and asserts the snapshot is unchanged after each drawing.

Left out of the snapshot, by name (MEMO below): the surface drawn on, and caches that only memoise pure
rendering, whose picture is a function of their key (the overview's track strip, the network panel's
weights, frame and neurons' places, the window's note of which gaps between the panels it has painted); what
clicks and the pointer read is computed in the update phase (the chart's time axis) or by a function of the
layout (the network's neurons, the editor's plot), never kept by drawing. Text rendered and the
places texts took on the screen are kept by game/drawing/text.py per surface, in module dictionaries, outside any
object: they are the drawing's own bookkeeping and are not in the snapshot either.

Then: a click lands where the drawing put things (the list of saves), and a panel of a test's own, added to a
view with one line, is updated, drawn in its slot and clicked (panels as parts, game/panels/panel.py).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
from collections import deque
from collections.abc import Callable

import numpy as np
import pygame
import pytest

from app import options as app_options
from app.flag_types import TURBO
from game.frame_runner import key_event, open_window, run_frames
from game.views.compare_view import CompareView
from game.views.drive_view import DriveView
from game.views.editor_view import EditorView
from game.views.evolving_view import EvolvingView
from game.views.lessons import LessonMenu
from game.views.replay_view import ReplayView
from game.views.saves_view import SavesView
from game.views.then_and_now import ThenAndNow
from game.window import Window
from tests.helpers import marker_panel

SIZE = (960, 540)
OURS = ("game", "evolution", "app")  # objects of these packages are followed into their fields
MEMO = {
    ("Window", "screen"),  # the surface drawn on
    ("Window", "_background_key"),  # which gaps between the panels were painted, for which layout
    ("Window", "_overlay_shown"),
    ("Overview", "_key"),  # the strip's picture of the whole track: a function of (track, size)
    ("Overview", "_picture"),
    ("Overview", "_to_y"),
    # the network panel's frame, title, weights and legend, and where its neurons go: a function of its key (the
    # pointer reads where the neurons are from NetworkView.node_centres, not from these)
    *(("NetworkView", name) for name in ("_key", "_static_key", "_static", "_weights", "_nodes", "_area")),
}


def snapshot(value, seen: set[int] | None = None):
    """A comparable copy of value: arrays and generators by content, our objects field by field (each once),
    other objects (pygame_gui's, fonts, threads, files) by identity."""
    seen = set() if seen is None else seen
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return value
    if isinstance(value, float):
        return ("float", repr(value))  # NaN equals itself here
    if isinstance(value, enum.Enum):
        return ("enum", repr(value))
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return ("objects", value.shape, [snapshot(item, seen) for item in value.ravel()])
        return ("array", str(value.dtype), value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return snapshot(value.item(), seen)
    if isinstance(value, (pygame.Rect, pygame.FRect)):
        return ("rect", tuple(value))
    if isinstance(value, pygame.Surface):
        return ("surface", id(value), value.get_size())
    if isinstance(value, np.random.Generator):
        return ("generator", snapshot(value.bit_generator.state, seen))
    if isinstance(value, np.random.RandomState):
        return ("random state", snapshot(value.get_state(legacy=False), seen))
    if isinstance(value, (list, tuple, deque)):
        return (type(value).__name__, [snapshot(item, seen) for item in value])
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(snapshot(item, seen)) for item in value))
    if isinstance(value, dict):
        return ("dict", [(repr(key), snapshot(item, seen)) for key, item in value.items()])
    if isinstance(value, (types.FunctionType, types.MethodType, types.BuiltinFunctionType, functools.partial)):
        return ("callable", getattr(value, "__qualname__", type(value).__name__))
    kind = type(value)
    if kind.__module__.split(".")[0] in OURS:
        if id(value) in seen:
            return ("seen", kind.__name__, id(value))
        seen.add(id(value))
        if dataclasses.is_dataclass(value) and not hasattr(value, "__dict__"):
            fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        else:
            fields = vars(value)
        return (
            kind.__name__,
            {
                name: snapshot(item, seen)
                for name, item in fields.items()
                if (kind.__name__, name) not in MEMO and not any((base.__name__, name) in MEMO for base in kind.__mro__)
            },
        )
    return ("object", kind.__qualname__, id(value))


def differences(before, after, path: str = "window") -> list[str]:
    """The paths at which two snapshots differ (the first few)."""
    if before == after:
        return []
    if isinstance(before, tuple) and isinstance(after, tuple) and len(before) == len(after) == 2:
        (kind_a, body_a), (kind_b, body_b) = before, after
        if kind_a == kind_b and isinstance(body_a, dict) and isinstance(body_b, dict):
            found = []
            for name in dict.fromkeys([*body_a, *body_b]):
                found += differences(body_a.get(name), body_b.get(name), f"{path}.{name}")
            return found or [path]
        if kind_a == kind_b and isinstance(body_a, list) and isinstance(body_b, list) and len(body_a) == len(body_b):
            found = []
            for index, (a, b) in enumerate(zip(body_a, body_b)):
                found += differences(a, b, f"{path}[{index}]")
            return found or [path]
    return [path]


def prepared(window: Window) -> None:
    """A frame's update phase: the race stepped, then what the view arranges before drawing."""
    window.update()
    window.arrange()


def assert_drawing_changes_nothing(window: Window) -> None:
    prepared(window)
    before = snapshot(window)
    for time in ("first", "second"):
        window.draw()
        changed = differences(before, snapshot(window))
        assert not changed, f"the {time} drawing of the {window.view.title} view changed: {changed[:8]}"


def press(window: Window, key: int, frames: int = 1) -> None:
    run_frames(window, frames, lambda frame: [key_event(key)] if frame == 0 else [])


def run_until(window: Window, condition: Callable[[], bool], frames: int = 3000) -> None:
    for _ in range(frames):
        if condition():
            return
        run_frames(window, 1)
    raise AssertionError("the window did not get there")


def evolving(*extra: str, generations: int = 3) -> Window:
    """The evolving view of a small run, some generations raced."""
    window = open_window(app_options.parse(["--seed", "3", "--population", "16", "--speed", "64", *extra]), SIZE)
    run_until(window, lambda: len(window.view.evolution.history) >= generations)
    return window


def test_the_evolving_view_draws_without_changing_anything(in_tmp):
    window = evolving()
    window.speed = 8
    run_frames(window, 3)  # mid-race
    assert isinstance(window.view, EvolvingView)
    assert_drawing_changes_nothing(window)


def test_the_evolving_view_in_turbo_with_a_ghost_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_o)  # the latest champion races as a ghost
    window.speed = TURBO  # the latest race is replayed for the eye
    run_frames(window, 40)
    assert window.view.time_machine.ghosts
    assert_drawing_changes_nothing(window)
    window.paused = True  # paused: the same
    assert_drawing_changes_nothing(window)


def test_the_settings_panel_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_p, frames=3)
    assert window.view.panel_open
    assert_drawing_changes_nothing(window)


def test_the_help_and_a_selected_generation_draw_without_changing_anything(in_tmp):
    window = evolving()
    window.paused = True
    press(window, pygame.K_LEFTBRACKET)
    press(window, pygame.K_h)
    assert window.show_help
    assert_drawing_changes_nothing(window)


def test_the_replay_view_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_LEFTBRACKET)
    press(window, pygame.K_RETURN, frames=5)
    assert isinstance(window.view, ReplayView)
    assert_drawing_changes_nothing(window)


def test_then_and_now_draws_without_changing_anything(in_tmp):
    window = evolving(generations=4)
    press(window, pygame.K_y, frames=5)
    assert isinstance(window.view, ThenAndNow)
    assert_drawing_changes_nothing(window)


def test_the_test_drive_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_t, frames=5)
    assert isinstance(window.view, DriveView)
    assert_drawing_changes_nothing(window)


def test_the_list_of_saves_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_s)
    press(window, pygame.K_l)
    view = window.view
    assert isinstance(view, SavesView)
    run_until(window, lambda: view.scan.done)
    assert_drawing_changes_nothing(window)


def test_the_track_editor_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_k, frames=2)
    assert isinstance(window.view, EditorView)
    assert_drawing_changes_nothing(window)


def test_the_lesson_menu_draws_without_changing_anything(in_tmp):
    window = evolving()
    press(window, pygame.K_F2, frames=2)
    assert isinstance(window.view, LessonMenu)
    assert_drawing_changes_nothing(window)


@pytest.mark.parametrize("lanes", [False, True])
def test_runs_side_by_side_draw_without_changing_anything(in_tmp, lanes):
    argv = ["--seed", "2", "--population", "12", "--speed", "64", "--compare", "classic", "elitist"]
    window = open_window(app_options.parse(argv), SIZE)
    assert isinstance(window.view, CompareView)
    run_until(window, lambda: min(len(run.evolution.history) for run in window.view.runs) >= 2)
    if lanes:
        press(window, pygame.K_v)
    assert_drawing_changes_nothing(window)


def test_a_click_on_a_listed_save_picks_the_save_drawn_there(in_tmp):
    # the list's rows were kept by drawing and read by clicks; now arrange places them and drawing reads them
    from game.drawing.text import drawn

    window = evolving()
    window.paused = True
    press(window, pygame.K_s)
    press(window, pygame.K_s)  # a second save of the generation, under a name of its own
    press(window, pygame.K_l)
    view = window.view
    assert isinstance(view, SavesView) and len(view.entries) == 2
    run_until(window, lambda: view.scan.done)
    run_frames(window, 1)
    second = view.entries[1].path
    where = next(entry.rect for entry in drawn(window.screen) if entry.text == f"{second.parent.name}/{second.name}")
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=where.center)
    run_frames(window, 1, lambda frame: [click] if frame == 0 else [])
    assert isinstance(window.view, DriveView) and window.view.drive.path == second


# ---- panels as parts -----------------------------------------------------------------------------------------
Marker = marker_panel("stats")  # a panel of this test module: one colour, its updates and clicks counted


@pytest.mark.parametrize("key", [None, pygame.K_t, pygame.K_RETURN])
def test_a_new_panel_is_a_class_and_a_line_in_a_views_panels(in_tmp, key):
    window = evolving()
    if key is not None:  # the test drive, the replay
        press(window, key, frames=2)
    view = window.view
    marker = Marker()
    view.panels.append(marker)  # the one line
    run_frames(window, 3)
    layout = window.layout()
    stats = layout.slot("stats")
    assert marker.updates >= 3 and window.screen.get_at(stats.center)[:3] == Marker.colour
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=stats.center)
    run_frames(window, 1, lambda frame: [click] if frame == 0 else [])
    assert marker.clicks == [stats.center] and window.view is view
