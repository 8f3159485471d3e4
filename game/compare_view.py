"""Runs side by side (--compare): two to four runs race the same track in lockstep in one evolving view.

Each run keeps its own Evolution (its own generators, so its numbers are those of the run made alone) and
its own log and saves folder. Generations advance in lockstep: a run whose generation is closed waits,
racing nothing, until every run has closed it. The chart overlays every run's curves in its colour.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pygame

from evolution.champion_drives import STEPS_PER_GENERATION, JointDrives
from evolution.checkpoint import ComparisonCheckpointer
from evolution.compare import first_finisher
from evolution.errors import InputError, RunFailed
from evolution.evolve import Evolution
from evolution.genome_file import save_genomes
from evolution.narration import MILESTONES, Narrator
from evolution.race import SLICE_SECONDS, Race

from . import palette
from .chart import Event, Series, history_series
from .chart_panel import ChartPanel, Curves
from .compare_race import can_join, joint_race, split
from .compare_scene import CompareScene
from .evolving_view import CHART_MODES, REPLAY_FRAMES, REPLAY_MAX_DOTS, EvolvingView
from .layout import Layout
from .saves import run_folder
from .session import TRAIL_COLUMNS
from .stats_panel import StatsPanel

JOINT_CHUNK = 8  # columns of the joint race between looks at the clock

if TYPE_CHECKING:
    from app.options import Options

    from .window import Window

COMPARED = ("overfitting", "setting")  # what a comparison's caption says besides each run's milestones


class CompareView(EvolvingView):
    """Runs racing side by side. G/B act as in one run; S saves every run; T test-drives every run's best
    together, each run in its colours; L lists every run's saves first."""

    title = "comparing"
    idle_commands: tuple[str, ...] = ()

    def __init__(
        self,
        window: Window,
        evolutions: list[Evolution],
        names: list[str],
        keep: int,
        checkpointer: ComparisonCheckpointer | None = None,
        folder: Path | None = None,
    ) -> None:
        """checkpointer: writes every run to the comparison's one checkpoint (--checkpoint, --resume); folder: the
        comparison's folder under runs/ (each run saves into a folder of its own inside it)."""
        super().__init__(window, evolutions, keep)
        self.names = names
        self.comparison_checkpointer = checkpointer
        if checkpointer is not None:
            checkpointer.attach(evolutions)
        self.scene = CompareScene(names, lambda run, race: self.runs[run].evolution.heir(race))
        self.chart = ChartPanel(self.chart_curves)  # every run's curves; no timeline (the time machine is one run's)
        self.panels = [StatsPanel(lambda: self.title, self.stat_lines), self.chart]
        # each run saves into a folder of its own, even two runs of one strategy and seed
        if folder is not None:
            self.folders = [folder / f"run{i + 1}-{e.config.strategy}" for i, e in enumerate(evolutions)]
        else:
            self.folders = [
                (each := run_folder(e.config, self.started)).with_name(f"{each.name}-run{i + 1}")
                for i, e in enumerate(evolutions)
            ]
        self.folder = folder or self.folders[0]  # recordings, figures and exports go there
        self.saved: list[tuple[int, int] | None] = [None] * len(evolutions)  # (generation, best) of each last save
        self.starts = [e.generation for e in evolutions]
        self.first_finishers: list[int | None] = [None] * len(evolutions)
        self.replays: list[Race] | None = None
        self._joint: Race | None = None  # in turbo: every run's race of the generation, as one
        self._drives: JointDrives | None = None  # in turbo: every run's champion drives, as one batch
        self._driving: Iterator[None] | None = None  # the joint drives' work after a generation, in slices
        self._shown = [run.race for run in self.runs]  # the live races on screen (see _update_shown)
        self.narrators = [Narrator() for _ in evolutions]  # each run's milestones, said with its name

    # ---- the frame ------------------------------------------------------------------------
    def update(self, steps: int, deadline: float) -> None:
        """Advance every run by up to `steps` columns, in lockstep: no run races generation g+1 before every run
        has closed generation g. In turbo (when the races are replayed), the runs' races are raced as one."""
        if self.joining:
            self._start_drives()
            self._update_joined(deadline)
        else:
            self._finish_joint()
            self._update_in_turns(steps, deadline)
        self._note_finishers()
        if self.comparison_checkpointer is not None and self.comparison_checkpointer.due():
            self.checkpoint(quietly=True)

    @property
    def joining(self) -> bool:
        """True when the runs' races are raced as one: in turbo, when the track view replays them."""
        dots = sum(run.evolution.config.population for run in self.runs)
        return self.window.turbo and dots <= REPLAY_MAX_DOTS

    def _update_joined(self, deadline: float) -> None:
        """Until the deadline: the closing work of every run, then, once all wait at the same generation, their
        races as one race (compare_race), split back to each run when done."""
        while time.perf_counter() < deadline:
            if self._joint is None:
                generations = {run.evolution.generation for run in self.runs}
                races = [run.race for run in self.runs]
                if len(generations) == 1 and all(run.waiting_to_race for run in self.runs):
                    if not can_join(races):  # (every run races one track: this is only a safeguard)
                        self._update_in_turns(10**9, deadline)
                        return
                    self._joint = joint_race(races)
                    continue
                if self._driving is not None:
                    try:
                        next(self._driving)
                    except StopIteration:
                        self._driving = None
                    continue
                if any(run.evolution.raced_all for run in self.runs):
                    self._stop_drives()  # each run's last drives are its own, at its end
                before = self._marks()
                for run in self.runs:
                    run.advance(0, deadline)  # closing work only
                if self._marks() == before:
                    # Nothing closing, and the races cannot be joined: begun before turbo (→ while paused), or a
                    # run left behind the others when turbo began. They go on in turns (waiting for them was for
                    # ever); with nothing to race either, this frame is done (a race being prepared, or the end).
                    self._update_in_turns(10**9, deadline)
                    return
                continue
            while not self._joint.done and time.perf_counter() < deadline:
                self._joint.run(JOINT_CHUNK)
            if self._joint.done:
                self._hand_out()

    def _marks(self) -> list[tuple]:
        return [(id(run.race), run.evolution.generation, run.evolution.state.reported) for run in self.runs]

    def _hand_out(self) -> None:
        """The done joint race split back: each run closes its part."""
        races = [run.race for run in self.runs]
        for run, part in zip(self.runs, split(self._joint, races)):
            run.take_done_race(part)
        self._joint = None
        if self._drives is not None:  # each run's champion advanced on the test track, all in one batch
            self._driving = self._drives.advance(STEPS_PER_GENERATION, SLICE_SECONDS)

    def _finish_joint(self) -> None:
        """A joint race left half raced (turbo ended): race it to the end now and hand it out; the champions'
        joint drives are finished and each run drives its own again."""
        if self._joint is not None:
            self._joint.run()
            self._hand_out()
        self._stop_drives()

    def _start_drives(self) -> None:
        """In turbo, the runs' champions drive the test track as one batch (a step of 20 dots costs about
        what a step of 10 does); not when a run has changed its network, or is at its end."""
        drives = [run.evolution.champion_drives for run in self.runs]
        if self._drives is not None and self._drives.active and self._drives.drives == drives:
            return
        self._stop_drives()
        layers = {run.evolution.network.layers for run in self.runs}
        if len(layers) == 1 and not any(run.evolution.raced_all for run in self.runs):
            self._drives = JointDrives(drives)
            self._drives.start()

    def _stop_drives(self) -> None:
        if self._drives is not None:
            self._driving = None
            self._drives.stop()
            self._drives = None

    def _update_in_turns(self, steps: int, deadline: float) -> None:
        """Runs take turns stepping their own races until the deadline; the first turn shares the time out.
        No run races generation g+1 before every run has closed generation g, and the races start together."""
        runs = self.runs
        lowest = min(run.evolution.generation for run in runs)
        racing = [not run.closing and not run.race.done and run.evolution.generation == lowest for run in runs]
        lead = max((run.race.column for run, on in zip(runs, racing) if on), default=0)
        # a race that fell behind another (a frame's time ran out) catches up, so the dots stay side by side
        left = [steps + (lead - run.race.column if on else 0) for run, on in zip(runs, racing)]
        now = time.perf_counter()
        share = (deadline - now) / len(runs)
        first = True
        while time.perf_counter() < deadline:
            lowest = min(run.evolution.generation for run in runs)
            before = [run.evolution.generation for run in runs]
            busy = any(run.closing for run in runs)
            # a generation's races start together, each with the same steps: a race not started waits while
            # any run is still closing
            starting = [i for i, run in enumerate(runs) if run.race.column == 0 and not run.race.done]
            together = min((left[i] for i in starting), default=0)
            moved = 0
            for index, run in enumerate(runs):
                until = now + share * (index + 1) if first else deadline
                if index in starting:
                    budget, limit = together, lowest - 1 if busy else lowest
                elif run.race.done:  # closing: its next race starts in a later turn, with the others
                    budget, limit = 0, lowest
                else:
                    budget, limit = left[index], lowest
                taken = run.advance(budget, until, limit)
                left[index] = budget - taken if index in starting else left[index] - taken
                moved += taken
            first = False
            if not moved and before == [run.evolution.generation for run in runs]:
                break

    def _note_finishers(self) -> None:
        """Say when a run first has a genome finishing the track, and mark it on the chart."""
        for index, run in enumerate(self.runs):
            if self.first_finishers[index] is None:
                generation = first_finisher(run.evolution)
                if generation is not None:
                    self.first_finishers[index] = generation
                    self.window.say(f"{self.names[index]}: first finisher at generation {generation}")
                    self.events.append(Event(generation, f"{self.names[index]} 1st", palette.family_colour(index)))

    def step(self) -> None:
        self._finish_joint()
        lowest = min(run.evolution.generation for run in self.runs)
        for run in self.runs:
            run.close_generation_now()
            run.advance(1, time.perf_counter() + 0.008, lowest)

    @property
    def races(self) -> list[Race]:
        """The races the track view shows: the live ones, or in turbo the latest ones replayed."""
        return self.replays if self.replays is not None else self._shown

    def arrange(self, layout: Layout) -> None:
        self._update_replays()
        self._update_shown()
        self.scene.arrange(layout, self.races)
        self.narrate()
        self.update_panels(layout)

    def chart_curves(self) -> Curves:
        """Every run's curves (series), the first finishers and milestones marked."""
        mode = CHART_MODES[self.chart_mode]
        return Curves(self.evolution.history, mode, self.events + self.milestone_marks(), self.series())

    def narrate(self) -> None:
        """In a comparison the caption says each run's milestones, overfitting and changes, with the run's name."""
        for index, (run, narrator) in enumerate(zip(self.runs, self.narrators)):
            notes = narrator.watch(run.evolution, run.race, self.runs[index].evolution.generation)
            said = [note for note in notes if note.milestone or note.kind in COMPARED]
            name = self.names[index]
            self.window.caption.add([replace(note, text=f"{name}: {note.text}", run=name) for note in said])

    def milestone_marks(self) -> list[Event]:
        """Every run's milestones but the first finisher (marked already, _note_finishers), in its colour."""
        return [
            Event(generation, f"{self.names[index]} {MILESTONES[kind]}", palette.family_colour(index))
            for index, narrator in enumerate(self.narrators)
            for kind, generation in narrator.milestones.items()
            if kind != "first_finisher"
        ]

    def _update_shown(self) -> None:
        """The live races to show: a run that waits for the others keeps its last race, done, on screen until
        its next race starts."""
        lowest = min(run.evolution.generation for run in self.runs)
        shown = []
        for run, previous in zip(self.runs, self._shown):
            waiting = run.evolution.generation > lowest and run.race.column == 0 and previous.done
            shown.append(previous if waiting else run.race)
        self._shown = shown

    def _update_replays(self) -> None:
        """In turbo, replay every run's latest race together, as one run's is (same genomes, same track)."""
        latest = min(len(run.evolution.history) for run in self.runs) - 1
        dots = sum(run.evolution.config.population for run in self.runs)
        raced = all(run.evolution.state.ranked_genomes is not None for run in self.runs)  # none after a network change
        if not self.window.turbo or latest < 0 or not raced or dots > REPLAY_MAX_DOTS:
            self.replays, self._replayed = None, -1
            return
        if latest != self._replayed and (self.replays is None or all(race.done for race in self.replays)):
            self.replays = []
            for run in self.runs:
                evolution = run.evolution
                track = evolution.last_tracks[0] if evolution.last_tracks else evolution.track
                self.replays.append(Race(evolution.state.ranked_genomes, track, evolution.network, TRAIL_COLUMNS))
            self._replayed = latest
        for race in self.replays or []:
            if not race.done:
                race.run(max(1, race.track.finish // REPLAY_FRAMES))

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.scene.draw(surface, layout, self.races)
        self.draw_panels(surface, layout)

    def series(self) -> list[Series]:
        """Every run's best, mean and test-track curves, in its colour family."""
        curves: list[Series] = []
        for index, run in enumerate(self.runs):
            dark, middle = palette.family_colour(index), palette.family_colour(index, 0.3)  # 4.5:1 on white
            colours = (dark, middle, middle, palette.family_colour(index, 0.15))
            for series in history_series(run.evolution.history, f"{self.names[index]} ", colours):
                if not series.label.endswith("median"):
                    curves.append(series)
        return [
            Series(
                curve.label.replace("champion on test", "test"), curve.values, curve.colour, curve.style, curve.width
            )
            for curve in curves
        ]

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        if not self.click_panels(position, layout):
            self.scene.click(self.races, position, layout)

    def banner(self) -> str:
        if self.replays is not None:
            return f"turbo · replaying generation {self._replayed}"
        if all(run.complete for run in self.runs):
            return f"comparison complete: {self.evolution.config.generations} generations"
        return ""

    def stat_lines(self) -> list[tuple[str, str]]:
        lines = [("run", "gen · best · 1st finisher")]
        for index, run in enumerate(self.runs):
            evolution = run.evolution
            last = evolution.history.last()
            best = "—" if last is None else str(last.best)
            first = self.first_finishers[index]
            lines.append((self.names[index], f"{evolution.generation} · {best} · {'—' if first is None else first}"))
        lines.append(("seed", " · ".join(str(run.evolution.config.seed) for run in self.runs)))
        return lines + self.window.race_lines(self.races[self.scene.run])

    # ---- commands -------------------------------------------------------------------------
    def set_track(self, track) -> None:
        self._joint = None  # its races are raced again on the new track
        super().set_track(track)
        self._shown = [run.race for run in self.runs]

    def finish(self) -> None:
        self._finish_joint()
        super().finish()

    def do_track(self) -> None:
        """Every run's best `keep` drive the test track together, each run's dots in its colour family; T again
        returns."""
        from evolution.genome_file import GenomeFile
        from evolution.track import blog_test_track

        from .drive_view import DriveView

        records = [run.evolution.best(self.keep) for run in self.runs]
        if any(record is None for record in records):
            self.window.say("the first generation is still racing: nothing to test-drive yet", error=True)
            return
        if len({record.layers for record in records}) > 1:
            self.window.say("the runs' networks differ now (P changed one): T drives one network at a time", error=True)
            return
        first = records[0]
        together = GenomeFile(
            layers=first.layers,
            genomes=np.concatenate([record.genomes for record in records]),
            scores=np.concatenate([record.scores for record in records]),
            strategy=" + ".join(self.names),
            seed=first.seed,
            generation=min(record.generation for record in records),
            track=first.track,
        )
        groups = [(name, len(record.genomes)) for name, record in zip(self.names, records)]
        parts = " · ".join(f"{name} {count}" for name, count in groups)
        self.window.say(f"test drive: every run's best on the test track ({parts}), each run in its colours")
        view = DriveView(
            self.window, together, None, blog_test_track(), self.track_seeds, back=self, back_key="track", groups=groups
        )
        self.window.show_view(view)

    def do_load(self) -> None:
        """L: the saves of every run of the comparison listed first (each run's folder ends in -runN)."""
        from .saves_view import SavesView

        self.window.show_view(SavesView(self.window, self, list(self.folders)))

    def do_lanes(self) -> None:
        self.scene.lanes = not self.scene.lanes
        self.window.say("a lane per run" if self.scene.lanes else "every run in one track view")

    def do_restart(self) -> None:
        self.window.say("R restarts one run; to compare others, quit and start --compare again", error=True)

    def do_save(self) -> None:
        if not any(run.evolution.best(1) is not None for run in self.runs):
            self.window.say("nothing to save yet: the first generation is still racing", error=True)
            return
        for index in range(len(self.runs)):
            self.save_run(index)

    def save_best(self) -> Path | None:
        return self.save_run(0)

    def save_run(self, index: int) -> Path | None:
        """Save run `index`'s latest best genomes to a new file in its own folder; None if not saved."""
        record = self.runs[index].evolution.best(self.keep)
        if record is None:
            return None
        folder = self.folders[index]
        path, number = folder / f"gen{record.generation}.json", 1
        while path.exists():
            path, number = folder / f"gen{record.generation}-{number}.json", number + 1
        try:
            save_genomes(path, record)
        except InputError as exc:
            self.window.say(f"{self.names[index]}: could not save: {exc}", error=True)
            return None
        self.saved[index] = (record.generation, int(record.scores[0]))
        self.window.say(f"{self.names[index]}: saved the best {len(record.genomes)} to {path}")
        return path

    def new_in(self, index: int) -> bool:
        """True when run `index`'s latest generation is new since the start and its last save, and better."""
        record = self.runs[index].evolution.best(1)
        saved = self.saved[index]
        if record is None or record.generation < self.starts[index]:
            return False
        return saved is None or (record.generation != saved[0] and int(record.scores[0]) > saved[1])

    def checkpoint(self, quietly: bool = False) -> None:
        """Write every run to the comparison's checkpoint, each run's closing generation closed first (said on
        the console unless quietly: the writes every --checkpoint-every generations are not)."""
        checkpointer = self.comparison_checkpointer
        if checkpointer is None:
            return
        for run in self.runs:
            run.close_generation_now()
        if not checkpointer.up_to_date and checkpointer.save() and not quietly:
            print(f"checkpoint: {checkpointer.path} ({len(self.runs)} runs, generation {checkpointer.generation})")

    def close(self) -> None:
        super().close()
        if self.comparison_checkpointer is not None:
            self.comparison_checkpointer.release()

    def quit(self) -> None:
        self.checkpoint()
        for index in range(len(self.runs)):
            if self.new_in(index):
                path = self.save_run(index)
                if path is not None:
                    print(f"{self.names[index]}: saved the best genomes to {path}")
                else:  # said (on stderr too: the window is closing)
                    self.window.output_failed = True


def compare_view(
    window: Window, options: Options, warn, checkpointer: ComparisonCheckpointer | None = None
) -> CompareView:
    """The view of options.compare's runs (fresh, or resumed), each with its own log (build_reporters of
    main.py), and the comparison's checkpoint (made and its path locked here unless given)."""
    from app.runs import build_reporters, comparison_checkpointer, start_evolution

    if checkpointer is None:
        checkpointer = comparison_checkpointer(options, warn)
    else:
        checkpointer.warn = warn
    evolutions = []
    for run in options.compare:
        reporters, _ = build_reporters(run, progress=False, warn=warn)
        evolutions.append(start_evolution(run, reporters))
    folder = options.window.folder
    return CompareView(window, evolutions, list(options.compare_names), options.run.keep, checkpointer, folder)


def run_compare_window(options: Options, warn) -> int:
    """The window racing options.compare side by side until quit (its checkpoint written however it ends);
    then every run's --save file, every log closed; the exit status."""
    from app.runs import compare_shutdown, comparison_checkpointer, comparison_done

    from .window import run_window

    run = options.run
    if comparison_done(options):
        return 0
    if run.seed_was_drawn:
        print(f"seed {run.config.seed} (pass --seed {run.config.seed} to repeat this comparison)")
    checkpointer = comparison_checkpointer(options, warn)  # its path locked before the window opens
    views: list[CompareView] = []

    def make_view(window: Window) -> CompareView:
        views.append(compare_view(window, options, lambda text: window.say(text, error=True), checkpointer))
        return views[-1]

    failed = None
    try:
        status, _ = run_window(options.window, None, run.keep, None, run.track, run.config.seed, make_view)
    except RunFailed as error:  # the window has done what Q does; then the same way out, and main says it
        status, failed = 1, error
    evolutions = [session.evolution for session in views[-1].runs] if views else []
    reporters = [reporter for evolution in evolutions for reporter in evolution.reporters]
    written = compare_shutdown(options, evolutions, reporters, checkpointer)
    if failed is not None:
        raise failed
    sys.stdout.flush()
    return status or written
