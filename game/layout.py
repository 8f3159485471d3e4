"""Where each part of the window goes for a window size and a UI scale (app.py's Layout, with the scale applied)."""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from .scale import Scale, as_scale


@dataclass
class Layout:
    """Where each part of the window goes: the track view, the whole-track strip, the three panels, the footer."""

    view: pygame.Rect
    overview: pygame.Rect
    stats: pygame.Rect
    chart: pygame.Rect
    network: pygame.Rect
    footer: pygame.Rect
    scale: Scale

    @classmethod
    def for_size(cls, width: int, height: int, scale: Scale | float | None = None) -> Layout:
        """The layout of a width×height window; scale defaults to Scale.for_window(width, height).

        At 1280×720 and scale 1.0 it is exactly app.py's layout. The panels are 210 pixels high at scale 1,
        scaled, but at most 42% of the height (and at least 120 scaled pixels, never more than half);
        the stats panel is 270 scaled pixels wide but at most 30% of the width, the network view 440 and 1/3.
        """
        s = Scale.for_window(width, height) if scale is None else as_scale(scale)
        footer_h, strip_h, gap = s.px(22), s.px(30), s.px(6)
        panel_h = min(s.px(210), max(s.px(120), int(height * 0.42)), height // 2)
        view = pygame.Rect(0, 0, width, max(height - footer_h - panel_h - strip_h - 2 * gap, 0))
        overview = pygame.Rect(gap, view.bottom + gap, width - 2 * gap, strip_h)
        y = overview.bottom + gap
        stats_w = min(s.px(270), int(width * 0.3))
        net_w = min(s.px(440), width // 3)
        stats = pygame.Rect(gap, y, stats_w, panel_h)
        network = pygame.Rect(width - net_w - gap, y, net_w, panel_h)
        chart = pygame.Rect(stats.right + gap, y, network.left - stats.right - 2 * gap, panel_h)
        footer = pygame.Rect(0, height - footer_h, width, footer_h)
        return cls(view, overview, stats, chart, network, footer, s)
