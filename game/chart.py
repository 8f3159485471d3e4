"""The live 'genomes performance' chart: best, mean and median score per generation, growing as it goes."""

from __future__ import annotations

import numpy as np
import pygame

from evolution.history import History

from . import palette
from .assets import font

SERIES = (("best", palette.BEST_LINE), ("median", palette.MEDIAN_LINE), ("mean", palette.MEAN_LINE))


def draw_chart(surface: pygame.Surface, rect: pygame.Rect, history: History) -> None:
    """Each series as the share of its own track finished, so training and test curves compare."""
    pygame.draw.rect(surface, palette.PANEL, rect)
    pygame.draw.rect(surface, palette.PANEL_EDGE, rect, 1)
    title = font(13, bold=True).render("share of the track finished", True, palette.TEXT)
    surface.blit(title, (rect.x + 8, rect.y + 5))
    plot = pygame.Rect(rect.x + 40, rect.y + 26, rect.width - 52, rect.height - 46)
    count = len(history)
    series = list(SERIES)
    if count and history.column("test_best").max() >= 0:
        series.append(("test_best", palette.TEST_LINE))
    small = font(11)
    surface.blit(small.render("100%", True, palette.TEXT_DIM), (rect.x + 6, plot.top - 6))
    surface.blit(small.render("0", True, palette.TEXT_DIM), (rect.x + 28, plot.bottom - 7))
    pygame.draw.line(surface, palette.PANEL_EDGE, plot.bottomleft, plot.bottomright)
    pygame.draw.line(surface, palette.PANEL_EDGE, plot.topleft, plot.bottomleft)
    span = max(count - 1, 10)
    label = small.render(f"generation {max(count - 1, 0)}", True, palette.TEXT_DIM)
    surface.blit(label, (plot.right - label.get_width(), plot.bottom + 3))
    x_legend = rect.x + 8 + title.get_width() + 16
    for name, colour in series:
        text = small.render(name.replace("_", " ") if name != "test_best" else "champion on test", True, colour)
        surface.blit(text, (x_legend, rect.y + 7))
        x_legend += text.get_width() + 12
    if count < 1:
        return
    # one point per pixel column at most, however long the run
    picks = np.unique(np.linspace(0, count - 1, min(count, plot.width)).astype(np.int64))
    xs = plot.left + picks / span * plot.width
    finish = np.maximum(history.column("finish")[picks], 1)
    test_finish = np.maximum(history.column("test_finish")[picks], 1)
    for name, colour in series:
        values = history.column(name)[picks]
        keep = values >= 0
        share = np.clip(values / (test_finish if name == "test_best" else finish), 0, 1)
        ys = plot.bottom - share * plot.height
        points = np.column_stack([xs[keep], ys[keep]])
        if len(points) >= 2:
            pygame.draw.lines(surface, colour, False, points.tolist(), 2 if name in ("best", "test_best") else 1)
        elif len(points) == 1:
            pygame.draw.circle(surface, colour, points[0].tolist(), 2)
