"""The chart panel: a run's learning curves (chart.py), with the time machine's timeline over them (timeline.py);
a click on the time axis selects a generation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygame

from evolution.run.archive import Archive
from evolution.run.history import History
from game.drawing.scale import Scale
from game.panels.chart import ChartView, Event, Series
from game.panels.panel import Panel
from game.panels.timeline import draw_timeline, generation_at


@dataclass(frozen=True)
class Curves:
    """What the chart shows: a history's curves (or the given series), its y axis's mode, the marks on its time
    axis; in turbo it is redrawn at most every `every` seconds."""

    history: History
    mode: str = "linear"
    marks: Sequence[Event] = ()
    series: Sequence[Series] | None = None
    every: float = 0.0


@dataclass(frozen=True)
class Timeline:
    """What the timeline marks over the chart: the kept populations, the generation selected, the ghosts'."""

    archive: Archive
    selected: int | None
    ghost_generations: Sequence[int] = ()


class ChartPanel(Panel):
    """curves() says what to chart (read in the update phase); timeline(), when given, what to mark over it;
    select(generation), when given, is what a click on the time axis does."""

    slot = "chart"

    def __init__(
        self,
        curves: Callable[[], Curves],
        timeline: Callable[[], Timeline | None] | None = None,
        select: Callable[[int], None] | None = None,
    ) -> None:
        self.curves = curves
        self.timeline = timeline
        self.select = select
        self.view = ChartView()
        self._raced = 0  # generations on the chart at the last update: a click selects one of them

    @property
    def time_axis(self) -> tuple[pygame.Rect, int] | None:
        """The plot (in the panel) and the generation at its right end, as the last update drew them."""
        return self.view.time_axis

    def update(self, rect: pygame.Rect, scale: Scale) -> None:
        curves = self.curves()
        self._raced = len(curves.history)
        self.view.update(rect, curves.history, scale, curves.mode, curves.marks, curves.series, every=curves.every)

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale: Scale) -> None:
        self.view.draw(surface, rect)
        marks = self.timeline() if self.timeline is not None else None
        if marks is not None:
            draw_timeline(
                surface, rect, self.time_axis, marks.archive, marks.selected, list(marks.ghost_generations), scale
            )

    def generation_at(self, position: tuple[int, int], rect: pygame.Rect) -> int | None:
        """The generation under position on the time axis, or None."""
        return generation_at(rect, self.time_axis, position, self._raced)

    def click(self, position: tuple[int, int], rect: pygame.Rect) -> bool:
        if self.select is None:
            return False
        generation = self.generation_at(position, rect)
        if generation is None:
            return False
        self.select(generation)
        return True
