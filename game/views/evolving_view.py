"""The evolving view: a run racing generation after generation, with its chart and numbers (what it shares with
the view of runs side by side is game/views/runs_view.py's RunsView)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pygame

from evolution.breeding.seeds import SEEDS, generator
from evolution.errors import InputError
from evolution.files.checkpoint import Checkpointer
from evolution.racing.endless import level_of
from evolution.racing.race import Race
from evolution.racing.track import Track, blog_test_track, training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import save_genomes
from evolution.run.lab import ReplayMismatch, start_changes
from evolution.run.narration import MILESTONES, Narrator, test_drive_started
from evolution.run.settings import SETTINGS
from game.drawing import palette
from game.drawing.layout import Layout
from game.drawing.race_scene import RaceScene
from game.panels import hud, lab_actions
from game.panels.caption import draw_progress
from game.panels.chart import Event
from game.panels.chart_panel import ChartPanel, Curves
from game.panels.netview import NetworkPanel
from game.panels.registry import register
from game.panels.stats_panel import StatsPanel
from game.session import EvolveSession
from game.takeaway.saves import run_folder
from game.views.runs_view import CHART_MODES, RunsView
from game.views.time_controls import TurboReplay

CONFIRM_SECONDS = 4.0  # R must be pressed again within this to restart
CHART_SECONDS_IN_TURBO = 0.25  # in turbo the chart is redrawn at most this often
MISMATCH_SECONDS = 4.0  # a --replay that does not match stays on screen this long, then the window closes


class EvolvingView(RunsView):
    """A run evolving on screen: drawn, saved, restarted and test-driven (RunsView: what it shares with runs
    side by side)."""

    title = "evolving"
    idle_commands: tuple[str, ...] = ("lanes",)  # V only says it is for runs side by side: not offered here

    def __init__(
        self,
        window,
        evolutions: list[Evolution],
        keep: int,
        checkpointer: Checkpointer | None = None,
        drive_file: Path | None = None,
        ghosts: list | None = None,
        folder: Path | None = None,
    ) -> None:
        """ghosts: evolution.ghosts.Ghost genomes racing beside the run (--ghost); folder: the run's folder (S
        saves there), made by main.py (else one under runs/, made at the first save)."""
        super().__init__(window, [EvolveSession(evolution) for evolution in evolutions], keep, ghosts)
        self.checkpointer = checkpointer
        self.drive_file = drive_file  # L test-drives this file rather than one picked from a list
        self.restart_seeds = generator(evolutions[0].config.seed, "restart")  # R draws its new seeds from the run's
        self.scene = RaceScene(lambda race: self.evolution.heir(race))
        self.scene.origin = self.origin_of
        self.folder = folder or run_folder(self.evolution.config, self.started)
        self.start_generation = self.evolution.generation  # a resumed run saves on quit only what is new
        self.saved_generation: int | None = None
        self.saved_best: int | None = None  # the best score of the latest save, for "better than saved"
        self.confirm_until = 0.0  # while R waits for its confirmation
        self.replay_verdict = ""  # "replay: N rows of FILE match", once the replay is complete
        self.narrator = Narrator()  # the run's events in words (the window's caption) and its milestones
        self.lesson = False  # a lesson started in the window: its run keeps its own outputs (its folder), and
        self.replaced: Evolution | None = None  # the window's way out writes the run it replaced, as it was

    @property
    def replay(self) -> Race | None:
        """In turbo: the latest race, replayed for the eye (TurboReplay); else None."""
        races = self.turbo_replay.races
        return races[0] if races else None

    @property
    def replayed(self) -> int:
        """The generation `replay` races again (-1: none)."""
        return self.turbo_replay.generation

    def run_evolving(self) -> Evolution | None:
        return self.replaced if self.lesson else self.evolution

    # ---- the frame ------------------------------------------------------------------------
    def update(self, steps: int, deadline: float) -> None:
        now = time.perf_counter()
        share = (deadline - now) / len(self.runs)
        try:
            for index, run in enumerate(self.runs):
                run.advance(steps, now + share * (index + 1))
            if self.replay_check is not None and self.run.complete and not self.replay_verdict:
                self.replay_verdict = self.replay_check.finish(self.evolution)
                self.window.say(self.replay_verdict)
                print(self.replay_verdict, flush=True)
        except (InputError, ReplayMismatch) as exc:
            if self.replay_check is None:
                raise
            self.replay_failed(exc)

    def replay_failed(self, exc: Exception) -> None:
        """A --replay that does not give its source's rows: said on screen, then the window closes, and the
        program ends with the one line naming it (exit code 2)."""
        if isinstance(exc, ReplayMismatch):
            exc = self.replay_check.mismatch(exc)
        self.window.fail(exc, MISMATCH_SECONDS)

    def arrange(self, layout: Layout) -> None:
        self.turbo_replay.follow([self.evolution], self.window.turbo)  # in turbo, the latest race replayed
        self.narrate()
        self.scene.arrange(layout, self.shown_race)
        self.time_machine.follow(self.shown_race)  # ghosts race beside the shown race, in a race of their own
        self.update_panels(layout)  # the settings panel too, while open

    def shown_generation(self) -> int:
        """The generation the track view shows: the one racing, or in turbo the latest replayed."""
        return self.replayed if self.replay is not None else self.race_generation()

    def chart_curves(self) -> Curves:
        """What the chart shows: the run's curves in the chosen mode, its marks; in turbo redrawn less often."""
        every = CHART_SECONDS_IN_TURBO if self.window.turbo else 0.0
        return Curves(self.evolution.history, CHART_MODES[self.chart_mode], self.chart_marks(), every=every)

    def chart_marks(self) -> list[Event]:
        """What the chart marks on its time axis: restarts, every applied change (a track change too), milestones."""
        return self.events + lab_actions.markers(self.evolution) + self.milestone_marks()

    def narrate(self) -> None:
        """Hand the caption what has happened since the last frame, in words."""
        generation = self.replayed if self.replay is not None else self.race_generation()
        self.window.caption.add(self.narrator.watch(self.evolution, self.shown_race, generation))

    @property
    def shown_race(self) -> Race:
        """The race the track view shows: the live one, or in turbo the latest one replayed."""
        return self.replay if self.replay is not None else self.race

    def milestone_marks(self) -> list[Event]:
        """The milestones reached, as labelled marks on the chart."""
        return [
            Event(generation, MILESTONES[kind], palette.GOOD) for kind, generation in self.narrator.milestones.items()
        ]

    def step(self) -> None:
        for run in self.runs:
            run.close_generation_now()  # a generation that is closing closes first, so the step is seen
            run.advance(1, time.perf_counter() + 0.008)

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        ghost_table = self.reserve_time_machine(surface, layout)
        self.scene.draw(surface, layout, self.shown_race)
        self.draw_panels(surface, layout)  # the network, the numbers, the chart and its timeline
        self.draw_time_machine(surface, layout, ghost_table)
        self.draw_closing(surface, layout)
        self.draw_panels(surface, layout, on_top=True)  # the settings panel, while open

    def draw_closing(self, surface: pygame.Surface, layout: Layout) -> None:
        """While the generation on screen closes (its extra tracks, the champions' test drive), what it is doing
        and how far, so the track view never stands still."""
        if self.replay is not None or not self.run.closing:
            return
        work = self.evolution.closing_work()
        if work is None and self.run.preparing:
            work = (f"breeding generation {self.evolution.generation}", 0.5)
        if work is not None:
            draw_progress(surface, self.message_area(layout), work[0], work[1], layout.scale)

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        if not self.click_panels(position, layout):  # a click on the chart's time axis selects a generation
            self.scene.click(self.shown_race, position, layout)

    def banner(self) -> str:
        if self.window.failure is not None:
            return "replay does not match its source: closing (the message below says where)"
        if self.replay_verdict:
            return self.replay_verdict
        if time.perf_counter() < self.confirm_until:
            return "restart evolution with a new seed? press R again to confirm"
        if self.replay is not None:
            return f"turbo · replaying generation {self.replayed}"
        if self.run.complete:
            return f"run complete: {self.evolution.config.generations} generations · R restarts, L test-drives"
        level = level_of(self.evolution.track.name)
        if level is not None:  # the caption of the endless road
            track = self.evolution.track
            width = float(np.median(track.top - track.bottom))
            return f"endless road · level {level}: {track.columns} columns, {width:.2f} wide · half must finish"
        return ""

    def stat_lines(self) -> list[tuple[str, str]]:
        race = self.race
        evolution = self.evolution
        config = evolution.config
        history = evolution.history
        generation = self.race_generation()  # the race's, also while its generation closes
        last = history.row(generation - 1) if 0 < generation <= len(history) else None  # the one before it
        limit = "" if config.generations is None else f" of {config.generations}"
        lines = [("generation", f"{generation}{limit}"), ("alive", f"{race.alive_count} of {race.count}")]
        now = race.current_scores
        lines.append(("this gen", f"best {int(now.max())} · mean {hud.short_number(float(now.mean()))}"))
        if last is not None:
            lines.append(("last gen", f"best {last.best} · mean {hud.short_number(last.mean)}"))
        since = self.track_since
        if level_of(evolution.track.name) is not None:  # the endless road changes track by itself
            since = max([since] + [e.generation for e in evolution.state.events if e.setting == "track"])
        bests = history.column("best")[since:]  # the best ever belongs to the track it was earned on
        if bests.size:
            lines.append(("best here", f"{int(bests.max())} (gen {since + int(np.argmax(bests))})"))
        else:
            lines.append(("best here", "—"))
        level = level_of(evolution.track.name)
        if level is not None:
            lines.append(("level", f"{level} · {self.evolution.track.columns} columns"))
        lines.append(("strategy", config.strategy))
        lines.append(("seed", str(config.seed)))  # drawn seeds have ten digits: a line of its own
        return lines + self.window.race_lines(self.shown_race)

    # ---- commands -------------------------------------------------------------------------
    def do_track(self) -> None:
        """The blog's protocol: the current best drive the test track; the population is not trained on it."""
        from game.views.drive_view import DriveView

        record = self.evolution.best(self.keep)
        if record is None:
            self.window.say("the first generation is still racing: nothing to test-drive yet", error=True)
            return
        self.window.say(
            f"test drive: the best {len(record.genomes)} of generation {record.generation} on the test track"
        )
        test = blog_test_track()
        self.window.caption.add([test_drive_started(record.generation, len(record.genomes), test.name, test.finish)])
        view = DriveView(self.window, record, None, blog_test_track(), self.track_seeds, back=self, back_key="track")
        self.window.show_view(view)

    def train_on(self, track: Track) -> None:
        """Every run's races from the current generation on are on `track` (see EvolveSession.set_track)."""
        for run in self.runs:
            run.set_track(track)

    def do_save(self) -> None:
        record = self.evolution.best(self.keep)
        if record is None:
            self.window.say("nothing to save yet: the first generation is still racing", error=True)
            return
        self.save_best()

    def save_best(self) -> Path | None:
        """Save the latest generation's best genomes to a new file in this run's folder; None if not saved."""
        record = self.evolution.best(self.keep)
        if record is None:
            return None
        path, number = self.folder / f"gen{record.generation}.json", 1
        while path.exists():  # a second save of one generation (the same genomes) gets a name of its own
            path, number = self.folder / f"gen{record.generation}-{number}.json", number + 1
        try:
            save_genomes(path, record)
        except InputError as exc:
            self.window.say(f"could not save: {exc}", error=True)
            return None
        self.saved_generation, self.saved_best = record.generation, int(record.scores[0])
        self.window.say(f"saved the best {len(record.genomes)} genomes to {path}")
        return path

    def do_load(self) -> None:
        from game.views.saves_view import SavesView

        if self.drive_file is None:
            self.window.show_view(SavesView(self.window, self, self.folder))
            return
        self.drive(self.drive_file)

    def key(self, event: pygame.event.Event) -> bool:
        if self.confirm_until and event.key not in (pygame.K_r,):
            self.confirm_until = 0.0  # any other key cancels a restart waiting for its confirmation
            self.window.say("restart cancelled")
        return False

    def do_restart(self) -> None:
        if self.replaying("no restart"):
            return
        if time.perf_counter() >= self.confirm_until:
            self.confirm_until = time.perf_counter() + CONFIRM_SECONDS
            return
        self.confirm_until = 0.0
        seed = int(self.restart_seeds.integers(SEEDS))
        config = replace(self.evolution.config, seed=seed)
        track = training_track()  # a new run starts on the blog's track, as a run from the command line does
        if self.checkpointer is not None:  # the old run's checkpoint is brought up to date and kept
            self.checkpoint()
            try:
                self.checkpointer.move_to(fresh_checkpoint_path(self.checkpointer.path))
            except InputError as exc:
                self.window.say(f"not restarted: {exc}", error=True)
                return
        for run in self.runs:
            run.close()
        reporters = [self.checkpointer] if self.checkpointer else []
        self.runs = [EvolveSession(restarted(config, track, reporters))]
        self.started = datetime.now()
        self.folder = run_folder(config, self.started)
        self.start_generation, self.saved_generation, self.saved_best = 0, None, None
        self.events, self.track_since, self.turbo_replay = [], 0, TurboReplay()
        self.time_machine.restart()
        self.narrator = Narrator()
        self.window.caption.clear()
        self.scene.selected = None
        where = f"; its checkpoints go to {self.checkpointer.path}" if self.checkpointer else ""
        self.window.say(f"restarted evolution with seed {seed}{where}")

    def do_lanes(self) -> None:
        self.window.say("V splits the track view into lanes when runs race side by side (--compare)")

    # ---- endings --------------------------------------------------------------------------
    def finish(self) -> None:
        for run in self.runs:
            run.close_generation_now()

    def checkpoint(self) -> None:
        if self.checkpointer is None:
            return
        self.run.close_generation_now()
        if self.checkpointer.save(self.evolution) and self.checkpointer.path.parent != self.folder:  # else said once
            print(f"checkpoint: {self.checkpointer.path} (generation {self.evolution.generation})")

    def something_new(self) -> bool:
        """True when the latest generation is new since the start (or resume) and the last save, and better
        than what was last saved: what quitting saves."""
        record = self.evolution.best(1)
        if record is None or record.generation < self.start_generation or record.generation == self.saved_generation:
            return False
        return self.saved_best is None or int(record.scores[0]) > self.saved_best

    def quit(self) -> None:
        self.checkpoint()
        if self.something_new():
            path = self.save_best()
            if path is not None:
                print(f"saved the best genomes to {path}")
            else:  # said (on stderr too: the window is closing)
                self.window.output_failed = True

    def close(self) -> None:
        for run in self.runs:
            run.close()


# the evolving view's panels (game/panels/registry.py), in order: the followed dot's network (redrawn less often
# in turbo), the run's numbers, and its chart, where a click on the time axis selects a generation
register(
    "evolving",
    lambda view: NetworkPanel(lambda: view.scene.network_subject(view.shown_race), lambda: view.window.turbo),
)
register("evolving", lambda view: StatsPanel(lambda: view.title, view.stat_lines))
register("evolving", lambda view: ChartPanel(view.chart_curves, view.timeline, view.select))


def restarted(config: RunConfig, track: Track, reporters: list) -> Evolution:
    """A new run of config as a command line starts it: the strategy's knobs it keeps from the old run are
    changes at generation 0 (as `--set 0:...`), so that they are recorded; in the start config, a later change
    of strategy would drop them, and the run's checkpoint would replay with the defaults."""
    changes = [change for change in start_changes(config) if SETTINGS[change.setting].owner]
    evolution = Evolution(replace(config, knobs=()), track, reporters)
    for change in changes:
        evolution.schedule(change.setting, change.new, 0)
    return evolution


def fresh_checkpoint_path(path: Path) -> Path:
    """A checkpoint path beside path that no file has: run.npz -> run-2.npz, run-3.npz, …"""
    stem = path.stem.rsplit("-", 1)[0] if path.stem.rsplit("-", 1)[-1].isdigit() else path.stem
    for number in range(2, 10**6):
        candidate = path.with_name(f"{stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise InputError(f"{path}: no free name for a new checkpoint beside it")
