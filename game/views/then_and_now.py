"""Then and now: a past generation races beside the latest one on the same track, each in a lane of its own.

Y opens it from the evolving view: the generation selected on the timeline ([ and ]), or else generation 5 (or
the nearest earlier one whose whole population was kept), against the latest generation; both whole
populations, as the archive kept them, race the current training track from the start, lap after lap. The run
waits meanwhile; Y or Home goes back to it.
"""

from __future__ import annotations

import time

import pygame

from evolution.racing.network import Network
from evolution.racing.race import Race
from evolution.run.narration import then_and_now, then_and_now_lap
from evolution.run.time_machine import layers_at
from game.drawing import palette
from game.drawing.compare_scene import CompareScene
from game.drawing.layout import Layout
from game.panels.chart import Event
from game.panels.chart_panel import ChartPanel, Curves
from game.panels.registry import register
from game.panels.stats_panel import StatsPanel
from game.session import TRAIL_COLUMNS
from game.views.view import View

DEFAULT_THEN = 5  # the generation a lesson compares with, unless one is selected
LAP_PAUSE_SECONDS = 2.0  # the finished lap stays on screen this long, then both race again


def then_generation(evolution, selected: int | None) -> int | None:
    """The past generation to show: the selected one, else DEFAULT_THEN; if its population was not kept, the
    nearest earlier one whose was (None if none is)."""
    archive = evolution.state.archive
    latest = len(evolution.history) - 1
    wanted = min(selected if selected is not None else DEFAULT_THEN, latest - 1)
    for generation in range(wanted, -1, -1):
        if archive.population(generation) is not None:
            return generation
    return None


class ThenAndNow(View):
    """Two whole generations of evolution's run racing its track in two labelled lanes; back: the view Y
    returns to (the evolving view, whose run waits meanwhile)."""

    title = "then and now"

    def __init__(self, window, back: View, evolution, then: int) -> None:
        super().__init__(window)
        self.back = back
        self.evolution = evolution
        self.generations = (then, len(evolution.history) - 1)
        self.scene = CompareScene([f"generation {g}" for g in self.generations], lambda run, race: None)
        self.scene.lanes = True
        self.chart = self.part(ChartPanel)  # registered below
        self.track = evolution.track
        self.laps = 0
        self.pause_until = 0.0
        self.races = self._start()
        self._said = False  # the caption has said what races

    def on_show(self) -> None:
        if not self._said:
            self._said = True
            counts = [race.count for race in self.races]
            same = self.races[0].network.layers == self.races[1].network.layers
            self.window.caption.add([then_and_now(*self.generations, *counts, self.track.name, same)])

    def _start(self) -> list[Race]:
        archive = self.evolution.state.archive
        races = []
        for generation in self.generations:
            network = Network(layers_at(self.evolution, generation))
            races.append(Race(archive.population(generation), self.track, network, trail_length=TRAIL_COLUMNS))
        return races

    def update(self, steps: int, deadline: float) -> None:
        if all(race.done for race in self.races):
            now = time.perf_counter()
            if not self.pause_until:
                self.pause_until = now + LAP_PAUSE_SECONDS
                finished = tuple(int((race.scores >= race.track.finish).sum()) for race in self.races)
                counts = tuple(race.count for race in self.races)
                self.window.caption.add([then_and_now_lap(*self.generations, finished, counts)])
            elif now >= self.pause_until:
                self.races, self.pause_until, self.laps = self._start(), 0.0, self.laps + 1
            return
        for race in self.races:
            race.run(min(steps, race.track.finish))

    def step(self) -> None:
        for race in self.races:
            race.step()

    def arrange(self, layout: Layout) -> None:
        self.scene.arrange(layout, self.races)
        self.update_panels(layout)

    def chart_curves(self) -> Curves:
        """The run's curves, the two generations marked."""
        marks = [Event(generation, f"generation {generation}", palette.ACCENT) for generation in self.generations]
        return Curves(self.evolution.history, "linear", marks)

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.scene.draw(surface, layout, self.races)
        self.draw_panels(surface, layout)

    def stat_lines(self) -> list[tuple[str, str]]:
        lines = []
        for generation, race in zip(self.generations, self.races):
            finished = int((race.scores >= race.track.finish).sum()) if race.done else 0
            state = (
                f"finished {finished} of {race.count}" if race.done else f"{race.alive_count} of {race.count} racing"
            )
            lines.append((f"generation {generation}", state))
        return lines + self.window.race_lines(self.races[-1])

    def banner(self) -> str:
        then, now = self.generations
        if all(race.done for race in self.races):
            return f"lap over: generation {then} against generation {now} · Y goes back"
        return ""

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        if not self.click_panels(position, layout):
            self.scene.click(self.races, position, layout)

    def do_then_and_now(self) -> None:
        self.window.show_view(self.back)

    def do_present(self) -> None:
        self.window.show_view(self.back)


def open_then_and_now(window, back: View, evolution, selected: int | None) -> None:
    """Y in the evolving view (back) of evolution's run, `selected` the generation selected on its timeline:
    open Then and now (or say why not)."""
    if len(evolution.history) < 2:
        window.say("then and now needs two generations raced: wait a moment", error=True)
        return
    then = then_generation(evolution, selected)
    if then is None:
        window.say("no earlier generation's whole population was kept", error=True)
        return
    window.show_view(ThenAndNow(window, back, evolution, then))
    window.say(f"then and now: generation {then} beside generation {len(evolution.history) - 1}")


# then and now's panels (game/panels/registry.py): the two generations' numbers and the run's chart marking them
register("then and now", lambda view: StatsPanel(lambda: view.title, view.stat_lines))
register("then and now", lambda view: ChartPanel(view.chart_curves))
