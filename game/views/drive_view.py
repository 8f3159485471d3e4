"""The test-drive view: saved (or the current best) genomes driving a track lap after lap, each with its progress.

A drive starts at ×1 whatever the speed of the evolution it came from (which gets its speed back on
return), so that people can watch it; each lap's result stays on screen until the next lap starts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from evolution.breeding.seeds import SEEDS
from evolution.errors import InputError
from evolution.racing.race import Race
from evolution.racing.track import Track, blog_test_track, random_track, training_track
from evolution.run.genome_file import GenomeFile, load_genomes
from evolution.run.narration import test_drive_ended
from game.drawing import palette
from game.drawing.layout import Layout
from game.drawing.race_scene import RaceScene
from game.panels.drive_panel import DriveScoresPanel
from game.panels.netview import NetworkPanel
from game.panels.registry import register
from game.panels.stats_panel import StatsPanel
from game.session import DriveSession
from game.views.view import View

DRIVE_SPEED = 1
UNSAVED = "current best, unsaved"  # the genomes of T's drive; it fits the stats panel whole at every size


class DriveView(View):
    """A test drive. back: the view L returns to (None when the window only drives --load); back_key: the
    command that also returns (T for the blog's test drive of the current best)."""

    title = "test drive"

    def __init__(
        self,
        window,
        saved: GenomeFile,
        path: Path | None,
        track: Track,
        track_seeds: np.random.Generator,
        back: View | None = None,
        back_key: str = "load",
        speed: int | None = DRIVE_SPEED,
        groups: list[tuple[str, int]] | None = None,
    ) -> None:
        """track_seeds draws G's random tracks (the evolving view's own generator when there is one); speed:
        the drive's speed (None: the window's as it is, as for --load with --speed); groups: the genomes come
        from several runs (T in a comparison), as (run's name, how many) in order, each run's dots in its colours."""
        self.groups = groups  # set before View.__init__, which makes the registered panels (the scores read them)
        # with groups, each genome as its run's name and its place among the run's best ("elitist #3"), in
        # the run's colour (as the chart and the stats name it); None: "#3" as usual
        self.dot_names = [f"{name} #{k + 1}" for name, count in groups for k in range(count)] if groups else None
        self.dot_tints = (
            [palette.family_colour(family) for family, (_, count) in enumerate(groups) for _ in range(count)]
            if groups
            else None
        )
        super().__init__(window)
        self.drive = DriveSession(saved, path, track)
        self.back = back
        self.back_key = back_key
        first = f"{groups[0][0]}'s best" if groups else "the best saved" if path is not None else "the current best"
        self.scene = RaceScene(lambda race: (0, first))
        if groups:
            self.scene.colours = self.group_colours
            self.scene.origin = lambda race, index: f"{self.dot_names[index]} · {self.scene.why}"
        self.track_seeds = track_seeds
        self.network = self.part(NetworkPanel)  # registered below
        self._said_end: Race | None = None  # the lap whose end the caption has said
        self.speed = speed
        self.back_speed: int | None = None  # the window's speed before the drive, given back on leaving

    def on_show(self) -> None:
        if self.back_speed is None:  # the first time: the drive goes at its own speed
            self.back_speed = self.window.speed
            if self.speed is not None:
                self.window.speed = self.speed

    @property
    def race(self) -> Race:
        """The race on screen."""
        return self.drive.race

    def update(self, steps: int, deadline: float) -> None:
        self.drive.advance(steps, deadline)

    def arrange(self, layout: Layout) -> None:
        self.scene.arrange(layout, self.drive.race)
        self.update_panels(layout)
        race = self.drive.race
        if race.done and race is not self._said_end:  # the lap's end, in words
            self._said_end = race
            scores = race.scores
            generation = int(getattr(self.drive.saved, "generation", 0) or 0)
            finished, best = int((scores >= race.track.finish).sum()), int(scores.max())
            self.window.caption.add([test_drive_ended(generation, finished, race.count, best, race.track.finish)])

    def step(self) -> None:
        self.drive.step()

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.scene.draw(surface, layout, self.drive.race)
        self.draw_panels(surface, layout)

    def lap_title(self) -> str:
        """The scores panel's title."""
        return f"lap {self.drive.laps + 1}: each genome's progress"

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        if not self.click_panels(position, layout):
            self.scene.click(self.drive.race, position, layout)

    def banner(self) -> str:
        race = self.drive.race
        if race.done:
            return f"lap {self.drive.laps + 1}: finished {self.finished()} of {race.count} · the next lap starts soon"
        return ""

    def finished(self) -> int:
        race = self.drive.race
        return int((race.scores >= race.track.finish).sum()) if race.done else 0

    def group_slices(self) -> list[tuple[str, slice]]:
        """Each run's name and its genomes' place in the race (T in a comparison)."""
        slices, start = [], 0
        for name, count in self.groups or []:
            slices.append((name, slice(start, start + count)))
            start += count
        return slices

    def group_colours(self, race: Race, ranks: np.ndarray) -> np.ndarray:
        """(N, 3) each run's dots in its colour family, by their rank within the run (the best darkest)."""
        colours = np.zeros((race.count, 3), dtype=np.uint8)
        for family, (_, part) in enumerate(self.group_slices()):
            within = np.argsort(np.argsort(ranks[part], kind="stable"), kind="stable")
            colours[part] = palette.family_colours(within, within.size, family)
        return colours

    def stat_lines(self) -> list[tuple[str, str]]:
        race = self.drive.race
        saved = self.drive.saved
        if self.groups:  # per run: how many of its best finished (the lap done) or are still driving
            finished = race.scores >= race.track.finish
            lines = []
            for name, part in self.group_slices():
                count = part.stop - part.start
                done = f"finished {int(finished[part].sum())}" if race.done else f"alive {int(race.alive[part].sum())}"
                lines.append((name, f"{done} of {count}"))
            lines.append(("lap", f"{self.drive.laps + 1} · {'done' if race.done else 'racing…'}"))
            return lines + self.window.race_lines(race)
        name = self.drive.path.name if self.drive.path is not None else UNSAVED
        lines = [("genomes", name), ("alive", f"{race.alive_count} of {race.count}")]
        if race.done:
            lines.append(("finished", f"{self.finished()} of {race.count}"))
        else:
            lines.append(("lap", f"{self.drive.laps + 1} · racing…"))
        lines.append(("from", f"{saved.strategy} · gen {saved.generation}"))
        return lines + self.window.race_lines(race)

    # ---- commands -------------------------------------------------------------------------
    def leave(self) -> None:
        """Back to the view this drive came from, at its speed."""
        if self.back_speed is not None:
            self.window.speed = self.back_speed
        self.window.show_view(self.back)

    def do_track(self) -> None:
        if self.back is not None and self.back_key == "track":
            self.leave()
            self.window.say("back to evolving on the training track")
            return
        self.set_track(training_track() if self.drive.track.name == "test" else blog_test_track())

    def do_new_track(self) -> None:
        self.set_track(random_track(int(self.track_seeds.integers(SEEDS))))

    def do_training_track(self) -> None:
        self.set_track(training_track())

    def set_track(self, track: Track) -> None:
        self.drive.set_track(track)
        self.scene.selected = None
        self.window.say(f"test drive on {track.name} ({track.columns} columns)")

    def do_save(self) -> None:
        if self.back is not None:
            self.window.say("S saves the evolving run's best genomes (not the ones driving here):")
            self.back.command("save")
        else:
            self.window.say("nothing to save: this window only test-drives saved genomes", error=True)

    def do_load(self) -> None:
        if self.back is not None:
            self.leave()
            self.window.say("back to evolving")
            return
        path = self.drive.path
        try:
            saved = load_genomes(path)
        except InputError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.say(f"test drive: {len(saved.genomes)} genomes from {path}, from the start")
        self.drive = DriveSession(saved, path, self.drive.track)
        self.scene.selected = None

    def do_restart(self) -> None:
        if self.back is None:
            self.window.say("R restarts evolution; this window only test-drives saved genomes", error=True)
            return
        self.leave()
        self.back.command("restart")

    def do_axis(self) -> None:
        self.window.say("A changes the chart's axis while evolving; a test drive shows each genome's progress")

    def close(self) -> None:
        self.drive.close()
        super().close()


# the test drive's panels (game/panels/registry.py): the followed dot's network, the drive's numbers, and each
# genome's progress and score in the chart's slot
register("test drive", lambda view: NetworkPanel(lambda: view.scene.network_subject(view.drive.race)))
register("test drive", lambda view: StatsPanel(lambda: view.title, view.stat_lines))
register(
    "test drive",
    lambda view: DriveScoresPanel(
        lambda: view.drive.race, lambda: view.scene.followed, view.lap_title, view.dot_names, view.dot_tints
    ),
)
