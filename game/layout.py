"""Where each part of the window goes for a window size."""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass
class Layout:
    """The track view, the whole-track strip, the three panels and the footer."""

    view: pygame.Rect
    overview: pygame.Rect
    stats: pygame.Rect
    chart: pygame.Rect
    network: pygame.Rect
    footer: pygame.Rect

    @classmethod
    def for_size(cls, width: int, height: int) -> Layout:
        footer_h, panel_h, strip_h, gap = 22, min(210, max(120, height // 3)), 30, 6
        view = pygame.Rect(0, 0, width, height - footer_h - panel_h - strip_h - 2 * gap)
        overview = pygame.Rect(gap, view.bottom + gap, width - 2 * gap, strip_h)
        y = overview.bottom + gap
        stats_w = min(270, width // 4)
        net_w = min(440, width // 3)
        stats = pygame.Rect(gap, y, stats_w, panel_h)
        network = pygame.Rect(width - net_w - gap, y, net_w, panel_h)
        chart = pygame.Rect(stats.right + gap, y, network.left - stats.right - 2 * gap, panel_h)
        footer = pygame.Rect(0, height - footer_h, width, footer_h)
        return cls(view, overview, stats, chart, network, footer)
