"""Text a room can read (issue 21): over a scripted short lesson at four window sizes, every text a frame
draws (game/drawing/text.py keeps each one's rectangle) is at least 1/40 of the window's height, inside its panel,
and covers no other; every text colour has a contrast of at least 4.5:1 against what is behind it."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np
import pygame
import pytest

from app import options as app_options
from app.flag_types import TURBO
from bench.fps import evolved_ghosts
from game.drawing import palette, text
from game.drawing.scale import TEXT_SHARE, USER_STEPS
from game.drawing.track_view import dot_screen_positions
from game.frame_runner import open_window
from tests.helpers import press

SIZES = [(800, 500), (1280, 720), (1920, 1080), (3840, 2160)]


def advance(window, steps: int) -> None:
    """Race `steps` steps (whole generations pass as they close), then draw one paused frame."""
    window.paused = False
    window.view.update(steps, time.perf_counter() + 60)
    window.paused = True
    window.frame([])


def generations(window, count: int) -> None:
    """Race until `count` generations have closed (a condition with a deadline, not a number of frames)."""
    deadline = time.perf_counter() + 60
    while window.view.run_evolving().generation < count:
        assert time.perf_counter() < deadline, "the generations did not close in time"
        advance(window, 400)


def lesson(size: tuple[int, int]) -> Iterator[tuple[str, object]]:
    """A short lesson, frame by frame: evolving, a dot followed, messages, ghosts and the selected generation,
    a replay, a test drive, then runs compared; each with Z at every step. Yields (what, window) after each."""
    window = open_window(app_options.parse(["--seed", "1", "--population", "20"]), size)
    window.paused = True
    generations(window, 3)
    advance(window, 60)
    yield "evolving", window
    layout = window.layout()
    window.view.scene.click(window.view.shown_race, layout.view.center, layout)  # the nearest dot, if any near
    yield "a dot picked", window
    window.say("saved the best 10 genomes to a folder with a rather long name/gen3.json")
    window.say("a warning that something could not be done", error=True)
    window.view.time_machine.ghosts = evolved_ghosts(10)
    advance(window, 200)
    # at a new race's start every dot sits at the start: a click there lists the stack beside it
    first = window.view.evolution.generation
    deadline = time.perf_counter() + 60
    while window.view.evolution.generation == first:  # one race step at a time, not drawn, up to the next race
        assert time.perf_counter() < deadline, "the race did not end in time"
        window.paused = False
        window.view.update(1, time.perf_counter() + 60)
        window.paused = True
    advance(window, 2)
    race, scene = window.view.shown_race, window.view.scene
    xs, ys = dot_screen_positions(scene.camera, race)
    near = (np.hypot(xs[:, None] - xs[None], ys[:, None] - ys[None]) <= 3).sum(axis=1)
    near[[not layout.view.collidepoint(x, y) for x, y in zip(xs, ys)]] = 0
    if near.max() >= 2:
        pile = int(np.argmax(near))
        scene.click(race, (round(xs[pile]), round(ys[pile])), layout)
        window.frame([])
        assert scene._stack.size >= 2
        yield "a stack picked", window
    press(window, pygame.K_LEFTBRACKET)  # a generation selected on the timeline
    advance(window, 1)
    yield "ghosts", window
    for _ in USER_STEPS[1:]:
        press(window, pygame.K_z)
        yield f"ghosts Z x{window.user_scale:g}", window
        if window.user_scale >= 1.5:
            press(window, pygame.K_TAB)
            yield f"ghosts Z x{window.user_scale:g} Tab", window
            press(window, pygame.K_TAB)
    press(window, pygame.K_z)  # back to ×1
    press(window, pygame.K_RETURN)  # replay the selected generation
    advance(window, 120)
    yield "replaying", window
    press(window, pygame.K_HOME)
    press(window, pygame.K_s)  # a save, and the list of saves, under the message that says so
    press(window, pygame.K_l)
    deadline = time.perf_counter() + 30
    while not window.view.scan.done:
        assert time.perf_counter() < deadline, "the saves were not read in time"
        window.frame([])
    yield "saves list", window
    press(window, pygame.K_ESCAPE)
    press(window, pygame.K_t)  # test drive
    advance(window, 150)
    yield "test drive", window
    press(window, pygame.K_z)
    press(window, pygame.K_z)
    yield "test drive Z x1.5", window
    window.view.close()
    compare = open_window(
        app_options.parse(["--seed", "1", "--population", "20", "--compare", "elitist", "classic"]), size
    )
    compare.paused = True
    advance(compare, 300)
    yield "comparing", compare
    compare.speed = TURBO
    press(compare, pygame.K_z)
    yield "comparing Z x1.25", compare
    compare.view.close()


def problems(window) -> list[str]:
    """What is wrong with the texts of the window's last frame: too small, outside its panel, overlapping."""
    screen = window.screen
    height = screen.get_height()
    least = math.ceil(height / TEXT_SHARE - 1e-9)
    found = []
    entries = text.drawn(screen)
    assert len(entries) > 10
    for entry in entries:
        if entry.size < least or entry.rect.height < least:
            found.append(f"{entry.text!r} is {entry.size} px, under {least}")
        if not entry.panel.contains(entry.rect) or not screen.get_rect().contains(entry.rect):
            found.append(f"{entry.text!r} at {entry.rect} leaves its panel {entry.panel}")
        if palette.contrast(entry.colour, entry.background) < 4.5:
            found.append(f"{entry.text!r}: {entry.colour} on {entry.background} is under 4.5:1")
    for index, first in enumerate(entries):
        for second in entries[index + 1 :]:
            if first.rect.colliderect(second.rect):
                found.append(f"{first.text!r} {first.rect} and {second.text!r} {second.rect} overlap")
    return found


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_text_of_a_lesson_is_large_inside_its_panel_and_alone(size, in_tmp):
    seen = []
    for what, window in lesson(size):
        seen.append(what)
        assert not problems(window), (what, problems(window)[:6])
    assert {"a stack picked", "comparing", "test drive", "saves list", "replaying"} <= set(seen)  # each checked


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_help_is_no_smaller_than_the_text_and_alone(size, in_tmp):
    window = open_window(app_options.parse(["--seed", "1", "--population", "20"]), size)
    window.paused = True
    for _ in USER_STEPS:
        window.show_help = True
        window.frame([])
        entries = text.drawn(window.screen)
        keys = [entry for entry in entries if entry.text == "Keys"]
        assert keys, "the help is drawn"
        box = keys[-1].panel
        mine = [entry for entry in entries if entry.panel == box]
        least = math.ceil(size[1] * window.user_scale / TEXT_SHARE - 1e-9)
        assert len(mine) > (20 if window.user_scale == 1 else 10) and all(
            entry.size >= least and box.contains(entry.rect) for entry in mine
        )
        assert not any(a.rect.colliderect(b.rect) for i, a in enumerate(mine) for b in mine[i + 1 :])
        press(window, pygame.K_z)
    window.view.close()


def test_every_text_and_mark_colour_reads_on_what_it_is_drawn_on():
    texts = ["TEXT", "TEXT_DIM", "ACCENT", "ACCENT_TEXT", "SELECTED", "GOOD", "WARNING", "GHOST", "DOT_EDGE"]
    curves = ["BEST_LINE", "MEAN_LINE", "MEDIAN_LINE", "TEST_LINE", "POSITIVE", "NEGATIVE"]
    for name in texts + curves:
        for where in ("panel", "background", "corridor"):
            ratio = palette.contrast(getattr(palette, name), palette.BACKGROUNDS[where])
            assert ratio >= 4.5, (name, where, round(ratio, 2))
    # the track view's marks also sit on the grey outside the corridor
    for name in ("TEXT", "TEXT_DIM", "GHOST", "DOT_EDGE", "SELECTED", "WARNING"):
        assert palette.contrast(getattr(palette, name), palette.OUTSIDE) >= 4.5, name
    assert palette.contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)


def test_the_projector_layout_enlarges_at_every_size_and_says_so(in_tmp):
    for width, height in SIZES:
        window = open_window(app_options.parse(["--seed", "1", "--population", "20"]), (width, height))
        window.paused = True
        window.frame([])
        sizes = [max(entry.size for entry in text.drawn(window.screen))]
        floors = [window.layout().scale.floor]
        for _ in USER_STEPS[1:]:
            press(window, pygame.K_z)
            floors.append(window.layout().scale.floor)
            sizes.append(max(entry.size for entry in text.drawn(window.screen)))
        assert floors == sorted(floors) and len(set(floors)) == len(floors), (width, height, floors)
        assert sizes[-1] >= 1.9 * sizes[0], (width, height, sizes)
        layout = window.layout()
        assert layout.projector and layout.stats.width == 0 and layout.chart.width > width * 0.9
        assert any("Tab" in entry.text for entry in text.drawn(window.screen))  # the footer says how
        press(window, pygame.K_z)  # Z again returns
        assert not window.layout().projector and window.layout().stats.width > 0
        window.view.close()


def test_dots_crash_marks_and_ghosts_stay_inside_the_track_view(in_tmp):
    """Every mark of the track view (dots, the followed dot's ✗, rings, ghosts) is drawn inside it: the pixels
    around it (the strip, the panels) are untouched."""
    window = open_window(app_options.parse(["--seed", "1", "--population", "20"]), (1280, 720))
    window.paused = True
    window.view.time_machine.ghosts = evolved_ghosts(10)
    generations(window, 2)
    advance(window, 30)
    layout = window.layout()
    window.view.scene.selected = 0  # followed, and crashed or not, marked
    screen = window.screen
    sentinel = (1, 2, 3)
    screen.fill(sentinel)
    window.view.scene.draw(screen, layout, window.view.shown_race)
    window.view.draw_time_machine(screen, layout)
    outside = [
        pygame.Rect(0, layout.view.bottom, layout.view.width, layout.overview.top - layout.view.bottom),
        pygame.Rect(0, layout.overview.bottom, layout.view.width, layout.stats.top - layout.overview.bottom),
    ]
    for rect in outside:
        if rect.height > 0:
            picture = screen.subsurface(rect)
            colours = {tuple(picture.get_at((x, y)))[:3] for x in range(0, rect.width, 3) for y in range(rect.height)}
            assert colours == {sentinel}, (rect, colours - {sentinel})
    window.view.close()


def test_with_the_chart_folded_away_nothing_of_it_is_drawn_over_the_track(in_tmp):
    """In the projector layout with the numbers and the network shown (Tab), the chart's timeline (its ticks,
    the selected generation's line) is not drawn at the folded chart's place, over the track view."""
    window = open_window(app_options.parse(["--seed", "1", "--population", "20"]), (1280, 720))
    window.paused = True
    generations(window, 3)
    press(window, pygame.K_LEFTBRACKET)  # a generation selected: its line and label on the timeline
    window.user_scale = 1.5
    press(window, pygame.K_TAB)
    layout = window.layout()
    assert layout.chart.width == 0 and layout.stats.width > 0
    screen = window.screen
    screen.fill((1, 2, 3))
    window.view.chart.draw(screen, layout.slot("chart"), layout.scale)  # the chart's panel, with its timeline
    window.view.draw_time_machine(screen, layout)
    assert {tuple(screen.get_at((x, y)))[:3] for x in range(0, 1280, 7) for y in range(0, 720, 7)} == {(1, 2, 3)}
    window.view.close()
