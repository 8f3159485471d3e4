"""Runs on screen: what the evolving view (one run) and the compare view (runs side by side) share.

RunsView holds the runs, the number kept (saved and test-driven), the track's seeds and the track commands
(G, B, W, E), the chart's axis (A), the settings panel (P), the command line (C), then and now (Y), the list of
saves' test drive and the time machine's commands (game/views/time_controls.py). It steps, draws, saves and
restarts nothing itself: game/views/evolving_view.py and game/views/compare_view.py do, each its own way.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pygame

from evolution.breeding.seeds import SEEDS, generator
from evolution.errors import InputError
from evolution.racing.endless import endless_track, level_of
from evolution.racing.race import Race
from evolution.racing.track import Track, random_track, training_track
from evolution.run.evolve import Evolution
from evolution.run.genome_file import load_genomes
from evolution.run.stepper import RunStepper
from game.drawing.layout import Layout
from game.panels import lab_actions, pointer
from game.panels.chart import Event
from game.panels.chart_panel import ChartPanel
from game.panels.netview import NetworkPanel
from game.views.time_controls import TimeMachine, TimeMachineCommands, TurboReplay
from game.views.view import View

CHART_MODES = ("linear", "log", "zoom")


class RunsView(TimeMachineCommands, View):
    """Runs evolving on screen, the first of them the one the time machine, the settings panel and the track's
    commands act on. A subclass makes the runs (runs), the scene (scene) and the folder (folder), and says how a
    new track reaches its runs (train_on)."""

    def __init__(self, window, runs: list[RunStepper], keep: int, ghosts: list | None = None) -> None:
        """ghosts: evolution.ghosts.Ghost genomes racing beside the run (--ghost)."""
        super().__init__(window)
        self.runs: list[RunStepper] = runs
        self.keep = keep
        self.track_seeds = generator(self.evolution.config.seed, "new_track")  # G draws its tracks from the seed
        self.chart, self.network = self.part(ChartPanel), self.part(NetworkPanel)  # registered by each view's module
        self.chart_mode = 0
        self.started = datetime.now()
        self.events: list[Event] = []  # marked on the chart (restarts, first finishers)
        self.panel = None  # the settings panel (P), made when first opened, in `panels` while open
        self.panel_put_away = False  # the panel was open when another view was shown: it opens again on return
        self.track_since = 0  # the generation from which the current training track was raced
        self.replay_check = replay_plan(self.evolution)  # --replay: the source whose rows the run must give
        self.time_machine = TimeMachine(ghosts=list(ghosts or []))  # the timeline's selection and the ghosts
        self.turbo_replay = TurboReplay()  # in turbo: the runs' latest races, replayed for the eye

    @property
    def run(self) -> RunStepper:
        """The run drawn on screen (in a comparison, the first)."""
        return self.runs[0]

    @property
    def evolution(self) -> Evolution:
        return self.runs[0].evolution

    @property
    def race(self) -> Race:
        """The first run's live race."""
        return self.runs[0].race

    @property
    def shown_race(self) -> Race:
        """The race the time machine's ghosts race beside: the first run's live race."""
        return self.race

    def shown_generation(self) -> int:
        """The generation the time machine follows a dot's parent from: the live race's."""
        return self.race_generation()

    def race_generation(self) -> int:
        """The generation of the live race: the pending one, or, while a done race's generation is closing
        (its row already counted, the next race not yet started), the one before."""
        evolution = self.evolution
        closed = self.race.genomes is not evolution.state.pending
        return evolution.generation - 1 if closed and evolution.generation > 0 else evolution.generation

    # ---- the settings panel (P) ---------------------------------------------------------------
    def on_hide(self) -> None:
        """Another view in front (a test drive, the list of saves, the lessons, the editor): the settings panel is
        put away with its pygame_gui elements killed, so that none of it shows, takes a click or keeps a drop-down
        open under the other view; it opens again, built afresh, when this view comes back."""
        self.panel_put_away = self.panel_open
        if self.panel_open:
            self.panels.remove(self.panel)
            self.panel.release()

    def on_show(self) -> None:
        if self.panel_put_away:
            self.panel_put_away = False
            self.panels.append(self.panel)

    @property
    def panel_open(self) -> bool:
        """True while the settings panel is one of the view's panels (P opened it)."""
        return self.panel is not None and self.panel in self.panels

    def do_settings(self) -> None:
        """P: open or close the settings panel (pygame_gui is imported the first time)."""
        if not self.panel_open and self.replaying("no settings panel"):
            return
        if self.panel is None:
            from game.panels.settings_panel import SettingsPanel

            self.panel = SettingsPanel(
                lambda: self.evolution,
                lambda: int(self.track_seeds.integers(SEEDS)),
                lambda text, error: self.window.say(text, error=error),
            )
        if self.panel_open:
            self.panels.remove(self.panel)
        else:
            self.panels.append(self.panel)

    def event(self, event: pygame.event.Event) -> bool:
        return self.panel_open and self.panel.process_event(event)

    def message_area(self, layout: Layout) -> pygame.Rect:
        settings = layout.slot("settings")
        if not self.panel_open or not settings.width:
            return layout.view
        view = layout.view
        return pygame.Rect(view.x, view.y, max(settings.left - view.x, 0), view.height)

    # ---- the chart and the pointer ------------------------------------------------------------
    def chart_look(self) -> tuple[str, list[Event]]:
        """The chart's mode and the marks a replay draws on it: restarts and track changes by the keys."""
        return CHART_MODES[self.chart_mode], list(self.events)

    def do_axis(self) -> None:
        self.chart_mode = (self.chart_mode + 1) % len(CHART_MODES)
        self.window.say(f"chart: {('share of the track', 'log scale', 'zoomed to the data')[self.chart_mode]}")

    def point_at(self, position: tuple[int, int], layout: Layout) -> str | None:
        """What is under the mouse, in one line (game/panels/pointer.py)."""
        return pointer.point_at(self, position, layout)

    # ---- the track (G, B, E, W) ---------------------------------------------------------------
    def replaying(self, what: str) -> bool:
        """True (after saying so) in a --replay: the run goes as its source went, so what would change it
        (the settings panel, G, B, R) is refused; a change would make every later row 'not match'."""
        if self.replay_check is None:
            return False
        self.window.say(f"{what}: a --replay runs as its source ran; change a run of your own", error=True)
        return True

    def do_new_track(self) -> None:
        if self.replaying("no new track"):
            return
        self.set_track(random_track(int(self.track_seeds.integers(SEEDS))))

    def do_training_track(self) -> None:
        if self.replaying("no change of track"):
            return
        if self.run.track.name == "training":
            self.window.say("already training on the blog's training track")
            return
        self.set_track(training_track())

    def do_editor(self) -> None:
        """The track editor, starting from the current track; the run waits until it is closed."""
        from evolution.racing.track_draft import TrackDraft
        from game.views.editor_view import open_editor

        if self.replaying("no track of your own"):
            return
        open_editor(self.window, TrackDraft.from_track(self.run.track))

    def do_endless(self) -> None:
        """Endless mode on (level 1 of the run's road) or off (the training track again)."""
        if self.replaying("no endless road"):
            return
        if level_of(self.run.track.name) is not None:
            self.set_track(training_track())
            return
        self.set_track(endless_track(self.evolution.config.seed, 1))
        self.window.say("endless road: each time half the dots finish, the next level comes (W again: back)")

    def set_track(self, track: Track) -> None:
        """Train every run on another track from the current generation on (raced again there)."""
        self.train_on(track)
        generation = len(self.evolution.history)  # the first generation the new track decides
        self.track_since = generation  # the change is recorded in the run's events, and marked from them
        self.scene.selected = None
        self.window.say(f"training on {track.name} ({track.columns} columns) from generation {generation}")

    def train_on(self, track: Track) -> None:
        """Every run's races from the current generation on are on `track` (each view its own way)."""
        raise NotImplementedError

    # ---- other views and the clipboard (L's list, C, Y) -------------------------------------------
    def drive(self, path: Path) -> None:
        """Test-drive the genome file at path on the current training track (L again comes back)."""
        from game.views.drive_view import DriveView

        try:
            saved = load_genomes(path)
        except InputError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.say(f"test drive: {len(saved.genomes)} genomes from {path}")
        track = self.run.track
        self.window.show_view(DriveView(self.window, saved, Path(path), track, self.track_seeds, back=self))

    def do_copy_command(self) -> None:
        """C: the run as one command line, printed, and copied where the system has a clipboard."""
        _copied, message = lab_actions.copy_command(self.evolution)
        self.window.say(message)

    def do_then_and_now(self) -> None:
        """Y: a past generation races beside the latest (game/views/then_and_now.py)."""
        from game.views.then_and_now import open_then_and_now

        open_then_and_now(self.window, self, self.evolution, self.time_machine.selected)


def replay_plan(evolution: Evolution):
    """The ReplayPlan a --replay run is checked against (its ReplayCheck reporter), or None."""
    from evolution.files.replay import ReplayCheck

    return next((r.plan for r in evolution.reporters if isinstance(r, ReplayCheck)), None)
