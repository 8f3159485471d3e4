"""The timeline: the chart's time axis as a way back. Marks where whole populations are kept, where ghosts
come from, and the generation selected (by a click on the chart, or the keys [ and ])."""

from __future__ import annotations

import pygame

from evolution.run.archive import Archive
from game.drawing import palette
from game.drawing.ghosts import GHOST_COLOUR
from game.drawing.scale import Scale, as_scale
from game.drawing.text import draw


def _plot(chart: pygame.Rect, time_axis: tuple[pygame.Rect, int]) -> tuple[pygame.Rect, int]:
    plot, last = time_axis
    return plot.move(chart.topleft), last


def x_of(chart: pygame.Rect, time_axis: tuple[pygame.Rect, int], generation: int) -> float:
    """The window x of a generation on the chart's time axis."""
    plot, last = _plot(chart, time_axis)
    return plot.left + generation / max(last, 1) * (plot.width - 1)


def generation_at(
    chart: pygame.Rect, time_axis: tuple[pygame.Rect, int] | None, position: tuple[int, int], raced: int
) -> int | None:
    """The generation under a click on the chart (0..raced-1), or None if the click is not on the plot."""
    if time_axis is None or raced <= 0 or not chart.width:  # no chart (folded away by the projector layout)
        return None
    plot, last = _plot(chart, time_axis)
    if not plot.inflate(0, 8).collidepoint(position):
        return None
    generation = round((position[0] - plot.left) / max(plot.width - 1, 1) * max(last, 1))
    return min(max(generation, 0), raced - 1)


def draw_timeline(
    surface: pygame.Surface,
    chart: pygame.Rect,
    time_axis: tuple[pygame.Rect, int] | None,
    archive: Archive,
    selected: int | None,
    ghost_generations: list[int],
    scale: Scale | float = 1.0,
) -> None:
    """Over the chart: a grey tick under the plot for each generation whose population is kept (taller for a
    new best; in no curve's colour, so it is not read as data), a ghost-coloured tick for each ghost's
    generation, and the selected generation's line."""
    if time_axis is None or not chart.width or not chart.height:  # the chart is folded away (projector, Tab)
        return
    s = as_scale(scale)
    plot, last = _plot(chart, time_axis)
    base = plot.bottom - 1
    for generation in archive.populations:
        if generation > last:  # kept, not yet on the chart (turbo redraws it less often): its tick would fall
            continue  # right of the plot, over the network panel
        x = x_of(chart, time_axis, generation)
        tall = s.px(7) if generation in archive.records else s.px(4)
        pygame.draw.line(surface, palette.TEXT_DIM, (x, base), (x, base - tall), max(1, s.px(1)))
    for generation in ghost_generations:
        x = x_of(chart, time_axis, generation)
        pygame.draw.line(surface, GHOST_COLOUR, (x, plot.top), (x, plot.top + s.px(8)), max(2, s.px(2)))
    if selected is None:
        return
    x = x_of(chart, time_axis, selected)
    pygame.draw.line(surface, palette.SELECTED, (x, plot.top), (x, plot.bottom), max(1, s.px(2)))
    small = s.font(11, bold=True)
    kept = "population" if selected in archive.populations else "champion"
    # in the band the chart keeps above its plot (over no curve), right of the line, else left of it, shorter
    # if it must be, never over the events' labels
    top = plot.top - small.get_linesize() - s.px(1)
    for label in (f"gen {selected} · {kept}", f"gen {selected}"):
        width = small.size(label)[0]
        for left in (x + s.px(3), x - s.px(3) - width):
            left = min(max(left, plot.left), plot.right - width)
            at = (left, top)
            if draw(surface, small, label, palette.SELECTED, chart, palette.PANEL, only_if_free=True, topleft=at):
                return
