"""Views and panels as parts (issue 27, item 4): each panel is a Panel in a slot of the layout, with its own update,
drawing and clicks; a view hidden behind another lets go of what it holds; a new panel is one module and a line."""

from __future__ import annotations

import pygame
import pytest

from game.frame_runner import run_frames
from game.panels.netview import NetworkPanel
from game.panels.panel import Panel
from game.views.drive_view import DriveView
from game.views.evolving_view import EvolvingView
from game.views.replay_view import ReplayView
from tests.helpers import app_for, press, run_until

BLANK = (1, 2, 3)


def evolving(*extra: str, generations: int = 2):
    """A small run's window, some generations raced."""
    window = app_for("--seed", "3", "--population", "16", "--speed", "64", *extra)
    run_until(window, lambda: len(window.view.evolution.history) >= generations)
    return window


@pytest.mark.parametrize("key, kind", [(None, EvolvingView), (pygame.K_t, DriveView), (pygame.K_RETURN, ReplayView)])
def test_the_network_is_a_panel_in_its_slot_and_the_race_scene_leaves_it_alone(in_tmp, key, kind):
    window = evolving()
    if key is pygame.K_RETURN:
        press(window, pygame.K_LEFTBRACKET)
    if key is not None:
        press(window, key, frames=2)
    view = window.view
    assert type(view) is kind
    panels = [panel for panel in view.panels if isinstance(panel, NetworkPanel)]
    assert len(panels) == 1 and panels[0].slot == "network"
    run_frames(window, 1)
    layout = window.layout()
    rect = layout.slot("network")
    surface = pygame.Surface(window.screen.get_size())
    surface.fill(BLANK)
    race = view.replay.race if isinstance(view, ReplayView) else view.race
    view.scene.draw(surface, layout, race)  # the track view and the strip only
    assert all(surface.get_at(point)[:3] == BLANK for point in (rect.center, rect.topleft, rect.midbottom))
    panels[0].draw(surface, rect, layout.scale)  # the panel draws the network there
    assert surface.get_at((rect.x + 2, rect.y + 2))[:3] != BLANK


def test_the_settings_panel_is_a_panel_in_its_slot_and_only_its_update_works_pygame_gui(in_tmp):
    window = evolving()
    window.paused = True
    view = window.view
    assert not view.panel_open and all(panel.slot != "settings" for panel in view.panels)
    press(window, pygame.K_p, unicode="p", frames=2)
    panel = view.panel
    assert isinstance(panel, Panel) and panel in view.panels and panel.slot == "settings"
    layout = window.layout()
    assert panel.rect == layout.slot("settings") and layout.slot("settings").right == window.screen.get_width()
    calls = []
    manager = panel.manager
    for name in ("update", "process_events", "clear_and_reset", "set_window_resolution"):
        work = getattr(manager, name)
        setattr(manager, name, lambda *args, work=work, name=name: (calls.append(name), work(*args))[1])
    window.draw()
    window.draw()
    assert calls == []  # drawing shows what the update left
    window.arrange()
    assert calls == ["update"]
    press(window, pygame.K_p, unicode="p")
    assert not view.panel_open and panel not in view.panels
