"""The evolving view: one or more runs racing generation after generation, with the run's chart and numbers."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pygame

from evolution.checkpoint import Checkpointer
from evolution.errors import InputError
from evolution.evolve import Evolution
from evolution.genome_file import load_genomes, save_genomes
from evolution.race import Race
from evolution.seeds import generator
from evolution.track import Track, blog_test_track, random_track, training_track

from . import hud
from .chart import draw_chart
from .layout import Layout
from .race_scene import RaceScene
from .session import EvolveSession
from .view import View

SAVES = Path("saves")


class EvolvingView(View):
    """Runs evolving on screen. The first run is the one drawn, saved, restarted and test-driven;
    every run races the same track, in step."""

    title = "evolving"

    def __init__(
        self,
        window,
        evolutions: list[Evolution],
        keep: int,
        checkpointer: Checkpointer | None = None,
        drive_file: Path | None = None,
    ) -> None:
        super().__init__(window)
        self.runs = [EvolveSession(evolution) for evolution in evolutions]
        self.keep = keep
        self.checkpointer = checkpointer
        self.drive_file = drive_file  # L test-drives this file rather than the newest save
        seed = evolutions[0].config.seed
        self.track_seeds = generator(seed, "new_track")  # G draws its tracks from the run's seed
        self.restart_seeds = generator(seed, "restart")  # and R its new seeds
        self.scene = RaceScene()
        self.saved_generation: int | None = None

    @property
    def run(self) -> EvolveSession:
        """The run drawn on screen."""
        return self.runs[0]

    @property
    def evolution(self) -> Evolution:
        return self.runs[0].evolution

    @property
    def race(self) -> Race:
        """The race on screen."""
        return self.runs[0].race

    # ---- the frame ------------------------------------------------------------------------
    def update(self, steps: int, deadline: float) -> None:
        races_before = [run.race for run in self.runs]
        now = time.perf_counter()
        share = (deadline - now) / len(self.runs)
        for index, run in enumerate(self.runs):
            run.advance(steps, now + share * (index + 1))
        if self.runs[0].race is not races_before[0]:
            self.scene.selected = None

    def arrange(self, layout: Layout) -> None:
        self.scene.arrange(layout, self.run.race)

    def step(self) -> None:
        for run in self.runs:
            run.close_generation_now()  # a generation that is closing closes first, so the step is seen
            run.advance(1, time.perf_counter() + 0.008)

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.scene.draw(surface, layout, self.run.race)
        hud.draw_panel_lines(surface, layout.stats, self.title, self.stat_lines())
        draw_chart(surface, layout.chart, self.evolution.history)

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        self.scene.click(self.run.race, position, layout)

    def banner(self) -> str:
        if self.run.complete:
            return f"run complete: {self.evolution.config.generations} generations · R restarts, L test-drives"
        return ""

    def stat_lines(self) -> list[tuple[str, str]]:
        race = self.run.race
        evolution = self.evolution
        config = evolution.config
        history = evolution.history
        last = history.last()
        limit = "" if config.generations is None else f" of {config.generations}"
        lines = [("generation", f"{evolution.generation}{limit}"), ("alive", f"{race.alive_count} of {race.count}")]
        now = race.current_scores
        lines.append(("this gen", f"best {int(now.max())} · mean {hud.short_number(float(now.mean()))}"))
        if last is not None:
            lines.append(("last gen", f"best {last.best} · mean {hud.short_number(last.mean)}"))
            bests = history.column("best")
            lines.append(("best ever", f"{int(bests.max())} (gen {int(np.argmax(bests))})"))
        else:
            lines.append(("last gen", "—"))
        lines.append(("strategy", config.strategy))
        lines.append(("seed", str(config.seed)))  # drawn seeds have ten digits: a line of its own
        return lines + self.window.race_lines(race)

    # ---- commands -------------------------------------------------------------------------
    def do_track(self) -> None:
        track = training_track() if self.run.track.name == "test" else blog_test_track()
        self.set_track(track)

    def do_new_track(self) -> None:
        self.set_track(random_track(int(self.track_seeds.integers(2**32))))

    def set_track(self, track: Track) -> None:
        for run in self.runs:
            run.set_track(track)
        self.scene.selected = None
        self.window.say(f"track: {track.name} ({track.columns} columns)")

    def do_save(self) -> None:
        if self.save_best() is None:
            self.window.say("nothing to save yet: the first generation is still racing", error=True)

    def save_best(self) -> Path | None:
        """Save the latest generation's best genomes to a new file under saves/; None if there are none."""
        record = self.evolution.best(self.keep)
        if record is None:
            return None
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"neuroracer-{stamp}-gen{record.generation}"
        for attempt in range(1000):
            path = SAVES / (f"{base}.json" if attempt == 0 else f"{base}-{attempt}.json")
            if not path.exists():
                break
        try:
            save_genomes(path, record)
        except InputError as exc:
            self.window.say(f"could not save: {exc}", error=True)
            return None
        self.saved_generation = record.generation
        self.window.say(f"saved the best {len(record.genomes)} genomes to {path}")
        return path

    def do_load(self) -> None:
        from .drive_view import DriveView

        path = self.drive_file or newest_save()
        if path is None:
            self.window.say(f"no saves in {SAVES}/ yet: press S to save", error=True)
            return
        try:
            saved = load_genomes(path)
        except InputError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.say(f"test drive: {len(saved.genomes)} genomes from {path}")
        self.window.show_view(DriveView(self.window, saved, Path(path), self.run.track, self.track_seeds, back=self))

    def do_restart(self) -> None:
        for run in self.runs:
            run.close()
        seed = int(self.restart_seeds.integers(2**32))
        old = self.evolution
        config = replace(old.config, seed=seed)
        reporters = [self.checkpointer] if self.checkpointer else []
        self.runs = [EvolveSession(Evolution(config, self.run.track, reporters))]
        self.saved_generation = None
        self.scene.selected = None
        self.window.say(f"restarted evolution with seed {seed}")

    # ---- endings --------------------------------------------------------------------------
    def finish(self) -> None:
        for run in self.runs:
            run.close_generation_now()

    def checkpoint(self) -> None:
        if self.checkpointer is None:
            return
        self.run.close_generation_now()
        if self.checkpointer.save(self.evolution):
            print(f"checkpoint: {self.checkpointer.path} (generation {self.evolution.generation})")

    def quit(self) -> None:
        self.checkpoint()
        if self.evolution.generation - 1 != self.saved_generation:
            path = self.save_best()
            if path is not None:
                print(f"saved the best genomes to {path}")

    def close(self) -> None:
        for run in self.runs:
            run.close()


def newest_save() -> Path | None:
    files = sorted(SAVES.glob("*.json"), key=lambda p: p.stat().st_mtime) if SAVES.is_dir() else []
    return files[-1] if files else None
