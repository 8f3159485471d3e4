"""Where each part of the window goes for a window size and a UI scale (app.py's Layout, with the scale applied)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import pygame

from game.drawing.frame import header_height
from game.drawing.scale import Scale, as_scale

SETTINGS_WIDTH = 400  # the settings panel's width at 1280×720 (grown with text above its size); at most SETTINGS_SHARE
SETTINGS_SHARE = 0.45
SETTINGS_FONT = 12


@dataclass
class Layout:
    """Where each part of the window goes: the track view, the whole-track strip, the three panels, the footer,
    and the settings panel (P), over the right of the window above the footer."""

    view: pygame.Rect
    overview: pygame.Rect
    stats: pygame.Rect
    chart: pygame.Rect
    network: pygame.Rect
    footer: pygame.Rect
    scale: Scale
    projector: bool = False  # Z at ×1.5 or more: the track view and one row of panels, large
    note: str = ""  # what the projector layout folded away and how to see it, for the footer's line
    settings: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))

    SLOTS = ("view", "overview", "stats", "chart", "network", "footer", "settings")
    PLACES: ClassVar[dict[str, Callable[[Layout], pygame.Rect]]] = {}  # slots added for a new panel (add_slot)

    def slot(self, name: str) -> pygame.Rect:
        """The rect of the slot `name` (one of SLOTS or of the slots added; a zero rect where the projector layout
        folded it away)."""
        if name in self.PLACES:
            return self.PLACES[name](self)
        if name not in self.SLOTS:
            raise ValueError(f"the layout has no slot {name!r}: {', '.join([*self.SLOTS, *self.PLACES])}")
        return getattr(self, name)

    @classmethod
    def add_slot(cls, name: str, place: Callable[[Layout], pygame.Rect]) -> None:
        """A slot of a new panel (game/panels/registry.py): place(layout) is its rect in a layout."""
        if name in cls.SLOTS:
            raise ValueError(f"the layout has a slot {name!r} already")
        cls.PLACES[name] = place

    @classmethod
    def remove_slot(cls, name: str) -> None:
        """Undo add_slot(name), if it was added."""
        cls.PLACES.pop(name, None)

    @classmethod
    def for_size(
        cls, width: int, height: int, scale: Scale | float | None = None, projector: bool = False, tab: int = 0
    ) -> Layout:
        """The layout of a width×height window; scale defaults to Scale.for_window(width, height).

        At 1280×720 and scale 1.0 it is exactly app.py's layout. The panels are 210 pixels high at scale 1,
        scaled, but at most 42% of the height (and at least 120 scaled pixels, never more than half);
        the stats panel is 270 scaled pixels wide but at most 30% of the width, the network view 440 and 1/3.
        """
        s = Scale.for_window(width, height) if scale is None else as_scale(scale)
        # the footer holds a line of text, whatever its size (text has a floor: scale.text_floor)
        footer_h, strip_h, gap = max(s.px(22), s.line(12) + 1), s.px(30), s.px(6)
        if projector:
            return cls.projector_layout(width, height, s, footer_h, strip_h, gap, tab)
        panel_h = min(
            max(s.px(210), header_height(s) + 6 * s.line(12, at_least=16)),
            max(s.px(120), int(height * 0.42)),
            height // 2,
        )
        view = pygame.Rect(0, 0, width, max(height - footer_h - panel_h - strip_h - 2 * gap, 0))
        overview = pygame.Rect(gap, view.bottom + gap, width - 2 * gap, strip_h)
        y = overview.bottom + gap
        grown = s.font(12).point_size / max(12 * s.factor, 1e-9)  # text above its designed size (the floor)
        stats_w = min(round(s.px(270) * grown), int(width * 0.3))
        net_w = min(s.px(440), width // 3)
        stats = pygame.Rect(gap, y, stats_w, panel_h)
        network = pygame.Rect(width - net_w - gap, y, net_w, panel_h)
        chart = pygame.Rect(stats.right + gap, y, network.left - stats.right - 2 * gap, panel_h)
        footer = pygame.Rect(0, height - footer_h, width, footer_h)
        return cls(view, overview, stats, chart, network, footer, s, settings=settings_rect(width, footer.top, s))

    @classmethod
    def projector_layout(
        cls, width: int, height: int, s: Scale, footer_h: int, strip_h: int, gap: int, tab: int
    ) -> Layout:
        """Z at ×1.5 or more: the track view and, under it, the chart across the whole width (tab 0), or the
        numbers and the network side by side (tab 1); the strip stays. What is folded away gets a zero rect."""
        panel_h = min(max(s.px(210), header_height(s) + 6 * s.line(12, at_least=16)), int(height * 0.45))
        view = pygame.Rect(0, 0, width, max(height - footer_h - panel_h - strip_h - 2 * gap, 0))
        overview = pygame.Rect(gap, view.bottom + gap, width - 2 * gap, strip_h)
        y = overview.bottom + gap
        folded = pygame.Rect(0, 0, 0, 0)
        if tab % 2 == 0:
            chart = pygame.Rect(gap, y, width - 2 * gap, panel_h)
            stats, network = folded, folded.copy()
            note = "projector: Tab shows the numbers and the network"
        else:
            stats = pygame.Rect(gap, y, (width - 3 * gap) * 2 // 5, panel_h)
            network = pygame.Rect(stats.right + gap, y, width - stats.right - 2 * gap, panel_h)
            chart = folded
            note = "projector: Tab shows the chart"
        footer = pygame.Rect(0, height - footer_h, width, footer_h)
        return cls(view, overview, stats, chart, network, footer, s, True, note, settings_rect(width, footer.top, s))


def settings_rect(width: int, footer_top: int, s: Scale) -> pygame.Rect:
    """The settings panel's slot: SETTINGS_WIDTH scaled (wider with text above its designed size), at most
    SETTINGS_SHARE of the window, at its right edge from the top to the footer."""
    grown = s.font_size(SETTINGS_FONT) / (SETTINGS_FONT * s.factor)
    panel_w = min(round(s.px(SETTINGS_WIDTH) * grown), int(width * SETTINGS_SHARE))
    return pygame.Rect(width - panel_w, 0, panel_w, footer_top)
