"""The numbers panel: a title and label/value rows (hud.draw_panel_lines) of what a view shows."""

from __future__ import annotations

from collections.abc import Callable

import pygame

from game.drawing.scale import Scale
from game.panels import hud
from game.panels.panel import Panel


class StatsPanel(Panel):
    """The view's numbers: title() and lines() are read when drawn (they only read the view's state)."""

    slot = "stats"

    def __init__(self, title: Callable[[], str], lines: Callable[[], list[tuple[str, str]]]) -> None:
        self.title = title
        self.lines = lines

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale: Scale) -> None:
        hud.draw_panel_lines(surface, rect, self.title(), self.lines(), scale)
