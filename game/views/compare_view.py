"""Runs side by side (--compare): two to four runs race the same track in lockstep in one view, a sibling of the
evolving view (what they share is game/views/runs_view.py's RunsView).

Each run keeps its own Evolution (its own generators, so its numbers are those of the run made alone) and
its own log and saves folder. Generations advance in lockstep: a run whose generation is closed waits,
racing nothing, until every run has closed it. The chart overlays every run's curves in its colour.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pygame

from evolution.errors import InputError
from evolution.files.checkpoint import ComparisonCheckpointer
from evolution.many.compare import first_finisher
from evolution.many.lockstep import Lockstep
from evolution.racing.race import SLICE_SECONDS, Race
from evolution.racing.track import Track
from evolution.run.evolve import Evolution
from evolution.run.genome_file import save_genomes
from evolution.run.narration import MILESTONES, Narrator
from game.drawing import palette
from game.drawing.compare_scene import CompareScene
from game.drawing.layout import Layout
from game.panels.chart import Event, Series, history_series
from game.panels.chart_panel import ChartPanel, Curves
from game.panels.netview import NetworkPanel
from game.panels.registry import register
from game.panels.stats_panel import StatsPanel
from game.session import TRAIL_COLUMNS
from game.takeaway.saves import run_folder
from game.views.runs_view import CHART_MODES, RunsView
from game.views.time_controls import REPLAY_MAX_DOTS

if TYPE_CHECKING:
    from app.options import Options
    from game.window import Window

COMPARED = ("overfitting", "setting")  # what a comparison's caption says besides each run's milestones


class CompareView(RunsView):
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
        # the runs stepped in lockstep (evolution/many/lockstep.py), their races keeping a trail to draw
        self.lockstep = Lockstep(
            evolutions, TRAIL_COLUMNS, SLICE_SECONDS, after_round=self._checkpoint_when_due, share_drives=True
        )
        super().__init__(window, self.lockstep.runs, keep)
        self.names = names
        self.comparison_checkpointer = checkpointer
        if checkpointer is not None:
            checkpointer.attach(evolutions)
        self.scene = CompareScene(names, lambda run, race: self.runs[run].evolution.heir(race))
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
        self.narrators = [Narrator() for _ in evolutions]  # each run's milestones, said with its name

    # ---- the frame ------------------------------------------------------------------------
    def update(self, steps: int, deadline: float) -> None:
        """Advance every run by up to `steps` columns, in lockstep: no run races generation g+1 before every run
        has closed generation g. In turbo (when the races are replayed), the runs' races are raced as one."""
        self.lockstep.step(steps, deadline, joined=self.joining)
        self._note_finishers()

    @property
    def joining(self) -> bool:
        """True when the runs' races are raced as one: in turbo, when the track view replays them."""
        dots = sum(run.evolution.config.population for run in self.runs)
        return self.window.turbo and dots <= REPLAY_MAX_DOTS

    def _checkpoint_when_due(self) -> None:
        """After every round: the comparison's checkpoint, every --checkpoint-every generations."""
        if self.comparison_checkpointer is not None and self.comparison_checkpointer.due():
            self.checkpoint(quietly=True)

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
        self.lockstep.step_one()

    @property
    def replays(self) -> list[Race] | None:
        """In turbo: every run's latest race, replayed together for the eye (TurboReplay); else None."""
        return self.turbo_replay.races

    @property
    def replayed(self) -> int:
        """The generation `replays` race again (-1: none)."""
        return self.turbo_replay.generation

    @property
    def races(self) -> list[Race]:
        """The races the track view shows: the live ones, or in turbo the latest ones replayed."""
        return self.replays if self.replays is not None else [run.race for run in self.runs]

    def arrange(self, layout: Layout) -> None:
        self.turbo_replay.follow([run.evolution for run in self.runs], self.window.turbo)  # replayed as one
        self.scene.arrange(layout, self.races)
        self.narrate()
        self.update_panels(layout)

    def runs_curves(self) -> Curves:
        """What the chart shows: every run's curves (series), the first finishers and milestones marked."""
        mode = CHART_MODES[self.chart_mode]
        return Curves(self.evolution.history, mode, self.events + self.runs_milestones(), self.series())

    def narrate(self) -> None:
        """In a comparison the caption says each run's milestones, overfitting and changes, with the run's name."""
        for index, (run, narrator) in enumerate(zip(self.runs, self.narrators)):
            notes = narrator.watch(run.evolution, run.race, self.runs[index].evolution.generation)
            said = [note for note in notes if note.milestone or note.kind in COMPARED]
            name = self.names[index]
            self.window.caption.add([replace(note, text=f"{name}: {note.text}", run=name) for note in said])

    def runs_milestones(self) -> list[Event]:
        """Every run's milestones but the first finisher (marked already, _note_finishers), in its colour."""
        return [
            Event(generation, f"{self.names[index]} {MILESTONES[kind]}", palette.family_colour(index))
            for index, narrator in enumerate(self.narrators)
            for kind, generation in narrator.milestones.items()
            if kind != "first_finisher"
        ]

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
            return f"turbo · replaying generation {self.replayed}"
        if all(run.complete for run in self.runs):
            return f"comparison complete: {self.evolution.config.generations} generations"
        return ""

    def runs_table(self) -> list[tuple[str, str]]:
        """The stats panel's lines: each run's generation, best and first finisher, the seeds, the race's lines."""
        lines = [("", "gen · best · 1st finisher")]  # the heading over the runs' values
        for index, run in enumerate(self.runs):
            evolution = run.evolution
            last = evolution.history.last()
            best = "—" if last is None else str(last.best)
            first = self.first_finishers[index]
            lines.append((self.names[index], f"{evolution.generation} · {best} · {'—' if first is None else first}"))
        lines.append(("seed", " · ".join(str(run.evolution.config.seed) for run in self.runs)))
        return lines + self.window.race_lines(self.races[self.scene.run])

    def run_evolving(self) -> Evolution:
        """The first run (the one the time machine and the settings panel act on)."""
        return self.evolution

    # ---- commands -------------------------------------------------------------------------
    def train_on(self, track: Track) -> None:
        self.lockstep.set_track(track)  # a joint race under way is raced again, on the new track

    def finish(self) -> None:
        self.lockstep.finish_joint()
        for run in self.runs:
            run.close_generation_now()

    def do_track(self) -> None:
        """Every run's best `keep` drive the test track together, each run's dots in its colour family; T again
        returns."""
        from evolution.racing.track import blog_test_track
        from evolution.run.genome_file import GenomeFile
        from game.views.drive_view import DriveView

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
        from game.views.saves_view import SavesView

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
        for run in self.runs:
            run.close()
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


# its own parts (game/panels/registry.py), from its own functions: the followed dot's network, every run's numbers,
# and every run's curves with no timeline (the time machine is one run's); the evolving view's are one run's
register(
    "comparing",
    lambda view: NetworkPanel(lambda: view.scene.network_subject(view.races), lambda: view.window.turbo),
)
register("comparing", lambda view: StatsPanel(lambda: view.title, view.runs_table))
register("comparing", lambda view: ChartPanel(view.runs_curves))


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
