"""The replay view: a past generation re-racing the track it raced, its scores checked against the history.

Evolution waits meanwhile. [ and ] replay the generation before or after, Enter replays again, U follows the
followed dot's parent into its generation, Home (or Backspace, or P's view key again) returns to the present.
"""

from __future__ import annotations

import time

import pygame

from evolution.breeding.lineage import describe, parent_of
from evolution.run.time_machine import Replay, replay
from game.drawing.layout import Layout
from game.drawing.race_scene import RaceScene
from game.panels.chart_panel import ChartPanel, Curves, Timeline
from game.panels.netview import NetworkPanel
from game.panels.registry import register
from game.panels.stats_panel import StatsPanel
from game.session import TRAIL_COLUMNS
from game.views.time_controls import TimeTravel
from game.views.view import View

REPLAY_SPEED = 1


class ReplayView(View):
    """Generation `generation` of a run racing again; follow: the raced index to follow first. back: the view
    Home returns to (and the run's endings go to); travel: all this view reads or changes of it (TimeTravel)."""

    title = "replay"

    def __init__(self, window, back: View, travel: TimeTravel, generation: int, follow: int | None = None) -> None:
        """ValueError if the generation cannot be raced again; nothing of the window has changed then."""
        super().__init__(window)
        self.back = back
        self.travel = travel
        self.back_speed: int | None = None  # the window's speed before the replay, given back on leaving
        self.scene = RaceScene(lambda race: self._first_subject(race))
        self.scene.origin = self.origin_of
        self.chart, self.network = self.part(ChartPanel), self.part(NetworkPanel)  # registered below
        self._follow = follow
        self.start(generation, follow)

    def on_show(self) -> None:
        if self.back_speed is None:  # the first time: a replay starts at ×1, and says what it races
            self.back_speed, self.window.speed = self.window.speed, REPLAY_SPEED
            self.say_note()

    @property
    def evolution(self):
        return self.travel.evolution

    def start(self, generation: int, follow: int | None = None) -> None:
        """Race `generation` from the start (ValueError if it cannot be); it is the generation selected."""
        self.replay: Replay = replay(self.evolution, generation, TRAIL_COLUMNS)
        self.generation = generation
        self._follow = follow
        self.travel.time_machine.selected = generation
        self.scene.selected = None

    def say_note(self) -> None:
        """What the replay races, if it is not the whole generation as it raced (a champion alone, ...)."""
        if self.replay.note:
            self.window.say(self.replay.note)

    def _first_subject(self, race) -> tuple[int, str] | None:
        if self._follow is not None and 0 <= self._follow < race.count:
            return self._follow, "the parent followed"
        return None if self.replay.whole else (0, "the champion")

    def origin_of(self, race, index: int) -> str:
        if not self.replay.whole:
            return f"gen {self.generation}'s champion"
        generation = self.generation
        return describe(self.evolution.state.archive.origins.get(generation), index, generation)

    # ---- the frame ------------------------------------------------------------------------
    def update(self, steps: int, deadline: float) -> None:
        race = self.replay.race
        for _ in range(min(steps, race.track.finish)):
            race.step()
            if race.done or time.perf_counter() >= deadline:
                break

    def arrange(self, layout: Layout) -> None:
        self.scene.arrange(layout, self.replay.race)
        self.update_panels(layout)

    def chart_curves(self) -> Curves:
        return Curves(self.evolution.history, self.travel.chart_mode, self.travel.chart_marks)

    def timeline(self) -> Timeline:
        """The timeline marks the generation replayed, and the ghosts' generations."""
        ghosts = self.travel.time_machine.ghost_generations
        return Timeline(self.evolution.state.archive, self.generation, ghosts)

    def step(self) -> None:
        self.replay.race.step()

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.scene.draw(surface, layout, self.replay.race)
        self.draw_panels(surface, layout)

    def stat_lines(self) -> list[tuple[str, str]]:
        again, race = self.replay, self.replay.race
        row = again.expected
        lines = [("racing", "whole population" if again.whole else "its champion alone")]
        lines.append(("alive", f"{race.alive_count} of {race.count}"))
        scores, done = race.scores, race.done

        def compare(recorded, now) -> str:
            if not done:
                return f"{recorded} recorded"
            return f"{now} ✓ as recorded" if recorded == now else f"{now} ✗ not {recorded}"

        if again.whole:
            lines.append(("best", compare(row.best, int(scores.max()))))
            lines.append(("mean", compare(round(row.mean, 2), round(float(scores.mean()), 2))))
            lines.append(("finished", compare(row.finished, int((scores >= race.track.finish).sum()))))
        else:
            lines.append(("champion", compare(again.champion_score, int(scores[0]))))
        return lines + self.window.race_lines(race)

    def banner(self) -> str:
        same, text = self.replay.verdict()
        if same is None:
            return f"replay of gen {self.generation} · Home: the present"
        return f"replay of generation {self.generation}: {text}"

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        if not self.click_panels(position, layout):
            self.scene.click(self.replay.race, position, layout)

    # ---- commands -------------------------------------------------------------------------
    def leave(self) -> None:
        if self.back_speed is not None:
            self.window.speed = self.back_speed
        self.window.show_view(self.back)

    def do_present(self) -> None:
        self.travel.time_machine.selected = None
        self.leave()
        self.window.say("back to the present")

    def _go(self, generation: int, follow: int | None = None) -> None:
        try:
            self.start(generation, follow)
        except ValueError as exc:
            self.window.say(str(exc), error=True)
            return
        self.say_note()

    def do_earlier(self) -> None:
        self._go(max(self.generation - 1, 0))

    def do_later(self) -> None:
        if self.generation + 1 >= len(self.evolution.history):
            self.do_present()
            return
        self._go(self.generation + 1)

    def do_replay(self) -> None:
        self._go(self.generation, self.scene.followed)

    def do_ghost(self) -> None:
        self.travel.time_machine.selected = self.generation
        self.travel.add_ghost()

    def do_clear_ghosts(self) -> None:
        self.travel.clear_ghosts()

    def do_lineage(self) -> None:
        archive = self.evolution.state.archive
        index = self.scene.followed if self.replay.whole else archive.index_of_rank(self.generation, 0)
        try:
            step = parent_of(archive, self.generation, index)
        except ValueError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.say(f"{step.text}: now gen {step.generation}, following the parent")
        self._go(step.generation, 0 if step.index is None else step.index)

    def do_track(self) -> None:
        self.window.say("T test-drives from the evolving view: Home returns there", error=True)


# the replay's panels (game/panels/registry.py): the followed dot's network, the replay's numbers, and the evolving
# view's chart as it looks there
register("replay", lambda view: NetworkPanel(lambda: view.scene.network_subject(view.replay.race)))
register("replay", lambda view: StatsPanel(lambda: f"replay of gen {view.generation}", view.stat_lines))
register("replay", lambda view: ChartPanel(view.chart_curves, view.timeline))
