"""The time machine's commands and drawing for the views of runs: the timeline's selection, replays, ghosts and
lineage; and the turbo replay. RunsView (game/views/runs_view.py) inherits TimeMachineCommands; its state is a
TimeMachine; a replay gets a TimeTravel, all it reads or changes of the view it came from. TurboReplay replays
the runs' latest races for the eye in turbo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pygame

from evolution.breeding.lineage import describe, parent_of
from evolution.many.ghosts import MAX_GHOSTS, Ghost, GhostRace
from evolution.racing.race import Race
from evolution.run.time_machine import layers_at
from game.drawing.ghosts import draw_ghost_table, draw_ghosts, ghost_table_rect
from game.drawing.layout import Layout
from game.drawing.text import reserve, taken
from game.panels.chart import Event
from game.panels.chart_panel import Timeline
from game.session import TRAIL_COLUMNS

REPLAY_FRAMES = 45  # in turbo, the latest race is replayed over about this many frames
REPLAY_MAX_DOTS = 2000  # above this, replaying would cost the live race frames; the live race is shown

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution
    from game.drawing.race_scene import RaceScene
    from game.window import Window


@dataclass
class TimeMachine:
    """The selected generation (None: the present), the ghosts, and their race beside the shown race."""

    ghosts: list[Ghost] = field(default_factory=list)
    ghost_generations: list[int] = field(default_factory=list)  # the run's generations among the ghosts
    selected: int | None = None
    race: GhostRace | None = None
    from_files: int = 0  # the first ghosts come from --ghost files and stay when the run restarts
    _beside: Race | None = None  # the race the ghosts race beside

    def __post_init__(self) -> None:
        self.from_files = len(self.ghosts)

    def add(self, ghost: Ghost, generation: int, shown: Race) -> None:
        """A past champion joins the ghosts; they all start again with the race after `shown`."""
        if self.race is None:
            self._beside = shown  # the first ghost waits for the next race too
        self.ghosts = [*self.ghosts, ghost]
        self.ghost_generations = [*self.ghost_generations, generation]

    def clear(self) -> None:
        self.ghosts, self.ghost_generations, self.race, self._beside = [], [], None, None
        self.from_files = 0

    def restart(self) -> None:
        """A new run: the ghosts from its past go, those from files stay; nothing is selected."""
        self.ghosts, self.ghost_generations, self.selected = self.ghosts[: self.from_files], [], None
        self.race = self._beside = None

    def follow(self, shown: Race) -> None:
        """Keep the ghosts at the shown race's column; a new race (or track) starts them afresh, with the
        ghosts added since."""
        if not self.ghosts:
            self.race = self._beside = None
            return
        if shown is not self._beside:
            self.race, self._beside = GhostRace(self.ghosts, shown.track), shown
        if self.race is not None:
            self.race.step_to(shown.column)


class TurboReplay:
    """In turbo whole generations pass between frames: the runs' latest races are replayed for the eye (same
    genomes, same track, so the same races), together, over about REPLAY_FRAMES frames; at other speeds (or with
    more than REPLAY_MAX_DOTS dots, or before a new network's first generation closes) none: the live races."""

    def __init__(self) -> None:
        self.races: list[Race] | None = None  # one per run, in the runs' order
        self.generation = -1  # the generation they race again (-1: none)

    def follow(self, evolutions: list[Evolution], turbo: bool) -> None:
        """The frame's step of the replay: a new one when every race is done and a newer generation has closed."""
        latest = min(len(evolution.history) for evolution in evolutions) - 1
        dots = sum(evolution.config.population for evolution in evolutions)
        # after a change of network no genome of the new shape has raced yet (its ranked genomes are None):
        # the live race is shown until its first generation closes
        raced = all(evolution.state.ranked_genomes is not None for evolution in evolutions)
        if not turbo or latest < 0 or not raced or dots > REPLAY_MAX_DOTS:
            self.races, self.generation = None, -1
            return
        if latest != self.generation and (self.races is None or all(race.done for race in self.races)):
            self.races = []
            for evolution in evolutions:
                track = evolution.last_tracks[0] if evolution.last_tracks else evolution.track
                genomes = evolution.state.ranked_genomes
                self.races.append(Race(genomes, track, evolution.network, trail_length=TRAIL_COLUMNS))
            self.generation = latest
        for race in self.races or []:
            if not race.done:
                race.run(max(1, race.track.finish // REPLAY_FRAMES))


@dataclass(frozen=True)
class TimeTravel:
    """What a view hands the replay view: the run (which waits meanwhile), its time machine (the selection
    and the ghosts, shared: the replay selects the generation it races), how its chart looks, and its commands
    for ghosts. The replay reads and changes nothing else of the view it came from."""

    evolution: Evolution
    time_machine: TimeMachine
    chart_mode: str
    chart_marks: list[Event]
    add_ghost: Callable[[], None]  # the selected generation's champion joins the ghosts
    clear_ghosts: Callable[[], None]


class TimeMachineCommands:
    """do_earlier, do_later, do_replay, do_present, do_ghost, do_clear_ghosts, do_lineage for RunsView.

    What it needs of the view it is mixed into, all public, is declared below: the window, the run, the
    time machine, the scene (the dot followed, the camera), the race shown, the generation shown
    (shown_generation) and the chart's look (chart_look). The chart's timeline reads timeline()."""

    window: Window
    evolution: Evolution
    time_machine: TimeMachine
    scene: RaceScene
    shown_race: Race

    def shown_generation(self) -> int:
        """The generation the track view shows."""
        raise NotImplementedError

    def chart_look(self) -> tuple[str, list[Event]]:
        """The chart's mode ("linear", "log", "zoom") and its marks, for a replay to draw the chart as here."""
        raise NotImplementedError

    def time_travel(self) -> TimeTravel:
        """What a replay started here is handed (see TimeTravel)."""
        mode, marks = self.chart_look()
        return TimeTravel(self.evolution, self.time_machine, mode, marks, self.do_ghost, self.do_clear_ghosts)

    def _raced(self) -> int:
        return len(self.evolution.history)

    def select(self, generation: int | None) -> None:
        """Select a generation on the timeline (None: the present) and say what it holds."""
        self.time_machine.selected = generation
        if generation is None:
            self.window.say("the present")
            return
        archive = self.evolution.state.archive
        row = self.evolution.history.row(generation)
        kept = "whole population kept" if archive.population(generation) is not None else "champion only"
        track = archive.track_name(generation) or "track not known"
        self.window.say(f"gen {generation}: best {row.best} · mean {row.mean:.1f} · {track} · {kept}")

    def do_earlier(self) -> None:
        raced, selected = self._raced(), self.time_machine.selected
        if not raced:
            self.window.say("no generation has been raced yet", error=True)
            return
        self.select(raced - 1 if selected is None else max(selected - 1, 0))

    def do_later(self) -> None:
        selected = self.time_machine.selected
        if selected is None:
            self.window.say("already in the present: [ selects an earlier generation")
            return
        self.select(selected + 1 if selected + 1 < self._raced() else None)

    def do_present(self) -> None:
        self.select(None)

    def do_replay(self, generation: int | None = None, follow: int | None = None) -> None:
        """Re-race the selected generation (or the latest) in the replay view; follow: the raced index to follow."""
        from game.views.replay_view import ReplayView

        chosen = self.time_machine.selected if generation is None else generation
        chosen = self._raced() - 1 if chosen is None else chosen
        if chosen < 0:
            self.window.say("no generation has been raced yet", error=True)
            return
        self.time_machine.selected = chosen
        try:
            view = ReplayView(self.window, self, self.time_travel(), chosen, follow)
        except ValueError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.show_view(view)

    def do_ghost(self) -> None:
        tm = self.time_machine
        generation = tm.selected if tm.selected is not None else self._raced() - 1
        kept = self.evolution.state.archive.champion(generation) if generation >= 0 else None
        if kept is None:
            self.window.say("no generation has been raced yet", error=True)
            return
        if len(tm.ghosts) >= MAX_GHOSTS:
            self.window.say(f"at most {MAX_GHOSTS} ghosts: X clears them", error=True)
            return
        tm.add(Ghost(f"gen {generation}", kept[1], layers_at(self.evolution, generation)), generation, self.shown_race)
        self.window.say(f"gen {generation}'s champion races as a ghost from the next race on")

    def do_clear_ghosts(self) -> None:
        self.time_machine.clear()
        self.window.say("ghosts cleared")

    def do_lineage(self) -> None:
        """Follow the followed dot's parent: replay the parent's generation, following the parent."""
        generation = self.shown_generation()
        try:
            step = parent_of(self.evolution.state.archive, generation, self.scene.followed)
        except ValueError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.say(f"{step.text}: replaying gen {step.generation}, following the parent")
        self.do_replay(step.generation, step.index)

    def origin_of(self, race: Race, index: int) -> str:
        """The followed dot's origin, for the network panel's title."""
        generation = self.shown_generation()
        return describe(self.evolution.state.archive.origins.get(generation), index, generation)

    # ---- each frame -------------------------------------------------------------------------
    def timeline(self) -> Timeline:
        """What the chart's timeline marks: the kept populations, the generation selected, the ghosts'."""
        tm = self.time_machine
        return Timeline(self.evolution.state.archive, tm.selected, tm.ghost_generations)

    def reserve_time_machine(self, surface: pygame.Surface, layout: Layout) -> pygame.Rect | None:
        """Keep the ghosts' table's place free of the race's labels (drawn before it); the place, or None."""
        tm = self.time_machine
        if tm.race is None:
            return None
        view = layout.view.copy()
        for other in sorted(taken(surface), key=lambda rect: rect.bottom):  # below the banner and messages
            if ghost_table_rect(view, len(tm.race.ghosts), layout.scale).colliderect(other):
                view.height, view.top = (
                    view.bottom - other.bottom - layout.scale.px(4),
                    other.bottom + layout.scale.px(4),
                )
        table = ghost_table_rect(view, len(tm.race.ghosts), layout.scale)
        reserve(surface, table)
        return table

    def draw_time_machine(
        self, surface: pygame.Surface, layout: Layout, ghost_table: pygame.Rect | None = None
    ) -> None:
        """The ghosts on the track and their table (at ghost_table, if reserved); the timeline is the chart's."""
        tm = self.time_machine
        if tm.race is not None:
            draw_ghosts(surface, self.scene.camera, tm.race, layout.scale)
            leader_on_top = getattr(self.scene, "draw_leader_on_top", None)
            if leader_on_top is not None:  # a ghost never hides the leader or its label
                leader_on_top(surface, self.shown_race, layout.scale)
            draw_ghost_table(surface, layout.view, tm.race, layout.scale, ghost_table)
