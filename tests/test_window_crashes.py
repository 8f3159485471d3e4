"""Crashes of the window found by using it (issue 20), each driven through the window's own event handling under
the SDL dummy driver: turbo just after a network change, a pending strategy's knobs, turbo toggled while the
champions' drives are half done, lanes on tracks of different lengths, absurd weights in the network view, the
settings panel's drop-downs, and the limits that keep the window answering."""

from __future__ import annotations

import pygame

from evolution.flag_types import SPEEDS, TURBO
from game.frame_runner import key_event
from game.window import Window
from tests.test_app import app_for, press, run_until


def steps_until(app: Window, condition, steps: int = 2000) -> None:
    """Press → (one column while paused) until condition() holds; fail after `steps` columns."""
    for _ in range(steps):
        if condition():
            return
        press(app, pygame.K_RIGHT)
    raise AssertionError("the run did not get there")


def to_turbo_while_paused(app: Window) -> None:
    while app.speed != TURBO:
        press(app, pygame.K_f, unicode="f")
    assert app.paused and SPEEDS[app.speed_index] == TURBO


# ---- 1. turbo just after a network change -----------------------------------------------------------------
def test_turbo_just_after_a_network_change_shows_the_live_race(in_tmp):
    app = app_for("--seed", "4", "--set", "1:layers=7,8,1")
    press(app, pygame.K_SPACE)
    evolution = app.view.evolution
    steps_until(app, lambda: evolution.network.layers == (7, 8, 1))  # generation 1 asked for, of the new shape
    assert evolution.state.ranked_genomes is None and len(evolution.history) == 1
    to_turbo_while_paused(app)
    # Space, then a frame whose race work got no time (a busy machine): the track view is drawn in turbo
    # before any genome of the new shape has raced
    app.handle(key_event(pygame.K_SPACE))
    assert app.turbo
    app.draw()
    assert app.view.replay is None  # nothing of the new shape to replay yet: the live race is shown
    run_until(app, lambda: evolution.generation >= 4)
    assert app.view.shown_race.network.layers == (7, 8, 1)
