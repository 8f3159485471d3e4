"""The test drive's panel: each saved genome's progress as a bar while it races, its score with ✓ or ✗ once out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pygame

from evolution.racing.race import Race
from game.drawing import palette
from game.drawing.frame import draw_panel
from game.drawing.scale import Scale, as_scale
from game.drawing.text import draw, fit
from game.panels.panel import Panel

TITLE = "scores as they go"
ROW = 17  # pixels at 1280×720 per genome
MIN_COLUMN = 150  # pixels at 1280×720: narrower columns of bars would not be readable
RACING = palette.SELECTED


class DriveScoresPanel(Panel):
    """The drive's scores in the chart's slot: race(), followed() and title() are read when drawn; names and
    tints as draw_drive_scores takes them."""

    slot = "chart"

    def __init__(
        self,
        race: Callable[[], Race],
        followed: Callable[[], int | None],
        title: Callable[[], str],
        names: Sequence[str] | None = None,
        tints: Sequence[tuple[int, int, int]] | None = None,
    ) -> None:
        self.race, self.followed, self.title = race, followed, title
        self.names, self.tints = names, tints

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale: Scale) -> None:
        draw_drive_scores(surface, rect, self.race(), scale, self.followed(), self.title(), self.names, self.tints)


def drive_order(race: Race) -> np.ndarray:
    """(P,) genome indices best first: by how far each has got, then by index (the saved order)."""
    return np.lexsort((np.arange(race.count), -race.current_scores))


def draw_drive_scores(
    surface: pygame.Surface,
    rect: pygame.Rect,
    race: Race,
    scale: Scale | float = 1.0,
    followed: int | None = None,
    title: str = TITLE,
    names: Sequence[str] | None = None,
    name_colours: Sequence[tuple[int, int, int]] | None = None,
) -> None:
    """Each genome of a test drive as a row, best first: "#3" and a bar of the share of the track it has
    driven; once it is out, its score with a ✓ (finished) or ✗ (crashed). followed: the genome the view follows,
    outlined. names, name_colours: each genome's label and its colour instead of "#3" (the genomes of several
    runs: "elitist #3" in the run's colour). Rows that do not fit are counted in a "+N more" line. Draws only
    inside rect."""
    s = as_scale(scale)
    inner = draw_panel(surface, rect, title, s)
    small, bold = s.font(12), s.font(12, bold=True)
    row_h = max(s.px(ROW), small.get_linesize())
    rows = max(1, inner.height // row_h)
    columns = max(1, min(inner.width // s.px(MIN_COLUMN), -(-race.count // rows)))
    column_w = (inner.width - (columns - 1) * s.px(12)) // columns
    shown = min(race.count, rows * columns)
    if shown < race.count:  # the last row says how many are left out
        shown = max(0, rows * columns - 1)
    finish = race.track.finish
    scores = race.current_scores
    racing = race.alive & (not race.done)
    labels = list(names) if names is not None else [f"#{index + 1}" for index in range(race.count)]
    label_w = min(max(bold.size(text)[0] for text in labels), column_w // 2) + s.px(6)
    score_w = small.size(f"{finish} ✓")[0] + s.px(6)
    for place, index in enumerate(drive_order(race)[:shown]):
        x = inner.x + (place // rows) * (column_w + s.px(12))
        y = inner.y + (place % rows) * row_h
        score = int(scores[index])
        if racing[index]:
            colour, mark = RACING, ""
        elif score >= finish:
            colour, mark = palette.GOOD, " ✓"
        else:
            colour, mark = palette.WARNING, " ✗"
        tint = name_colours[index] if name_colours is not None else palette.TEXT
        draw(
            surface,
            bold,
            fit(bold, labels[index], label_w - s.px(6)),
            tint,
            rect,
            palette.PANEL,
            midleft=(x, y + row_h // 2),
        )
        bar = pygame.Rect(x + label_w, y + row_h // 4, max(column_w - label_w - score_w, 0), max(row_h // 2, 2))
        if bar.width > s.px(10):
            pygame.draw.rect(surface, palette.BACKGROUND, bar)
            done = bar.copy()
            done.width = round(bar.width * min(score / max(finish, 1), 1.0))
            pygame.draw.rect(surface, colour if racing[index] else palette.fade(np.array([colour]), 0.35)[0], done)
            pygame.draw.rect(surface, palette.PANEL_EDGE, bar, 1)
        if not racing[index]:  # while racing the bar says it: twenty equal numbers would say nothing
            at = (x + column_w, y + row_h // 2)
            draw(surface, small, fit(small, f"{score}{mark}", score_w), colour, rect, palette.PANEL, midright=at)
        if index == followed:
            pygame.draw.rect(surface, palette.SELECTED, (x - s.px(3), y, column_w + s.px(6), row_h), max(1, s.px(2)))
    if shown < race.count:
        place = shown
        x = inner.x + (place // rows) * (column_w + s.px(12))
        y = inner.y + (place % rows) * row_h
        more = fit(small, f"+{race.count - shown} more", column_w)
        draw(surface, small, more, palette.TEXT_DIM, rect, palette.PANEL, midleft=(x, y + row_h // 2))
