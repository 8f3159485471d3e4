"""The test-drive view: saved genomes driving a track lap after lap, each with its score as it goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from evolution.errors import InputError
from evolution.genome_file import GenomeFile, load_genomes
from evolution.race import Race
from evolution.track import Track, blog_test_track, random_track, training_track

from . import hud, palette
from .assets import font
from .layout import Layout
from .race_scene import RaceScene
from .session import DriveSession
from .view import View


class DriveView(View):
    """A test drive of saved genomes; `back` is the view that L returns to (None when only driving)."""

    title = "test drive"

    def __init__(
        self,
        window,
        saved: GenomeFile,
        path: Path,
        track: Track,
        track_seeds: np.random.Generator,
        back: View | None = None,
    ) -> None:
        """track_seeds draws G's random tracks (the evolving view's own generator when there is one)."""
        super().__init__(window)
        self.drive = DriveSession(saved, path, track)
        self.back = back
        self.scene = RaceScene()
        self.track_seeds = track_seeds

    @property
    def race(self) -> Race:
        """The race on screen."""
        return self.drive.race

    def update(self, steps: int, deadline: float) -> None:
        self.drive.advance(steps, deadline)

    def arrange(self, layout: Layout) -> None:
        self.scene.arrange(layout, self.drive.race)

    def step(self) -> None:
        self.drive.advance(1, float("inf"))

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.scene.draw(surface, layout, self.drive.race)
        hud.draw_panel_lines(surface, layout.stats, self.title, self.stat_lines())
        self.draw_scores(surface, layout.chart)

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        self.scene.click(self.drive.race, position, layout)

    def stat_lines(self) -> list[tuple[str, str]]:
        race = self.drive.race
        lines = [("file", self.drive.path.name), ("alive", f"{race.alive_count} of {race.count}")]
        if race.done:
            lines.append(("finished", f"{int((race.scores >= race.track.finish).sum())} of {race.count}"))
        else:
            lines.append(("lap", f"{self.drive.laps + 1} · racing…"))
        lines.append(("from", f"{self.drive.saved.strategy} · gen {self.drive.saved.generation}"))
        return lines + self.window.race_lines(race)

    def draw_scores(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """Each saved genome's score as it goes, best first."""
        race = self.drive.race
        pygame.draw.rect(surface, palette.PANEL, rect)
        pygame.draw.rect(surface, palette.PANEL_EDGE, rect, 1)
        surface.blit(font(13, bold=True).render("scores as they go", True, palette.TEXT), (rect.x + 8, rect.y + 5))
        scores = race.current_scores
        rows = max(1, (rect.height - 30) // 16)
        small = font(12)
        for i, score in enumerate(scores[: rows * 4]):
            x = rect.x + 10 + (i // rows) * ((rect.width - 20) // 4)
            y = rect.y + 26 + (i % rows) * 16
            if race.alive[i] and not race.done:
                colour, mark = palette.TEXT, ""
            elif score >= race.track.finish:
                colour, mark = palette.GOOD, " ✓"
            else:
                colour, mark = palette.WARNING, " ✗"
            surface.blit(small.render(f"#{i + 1}  {score}{mark}", True, colour), (x, y))

    # ---- commands -------------------------------------------------------------------------
    def do_track(self) -> None:
        self.set_track(training_track() if self.drive.track.name == "test" else blog_test_track())

    def do_new_track(self) -> None:
        self.set_track(random_track(int(self.track_seeds.integers(2**32))))

    def set_track(self, track: Track) -> None:
        self.drive.set_track(track)
        self.scene.selected = None
        self.window.say(f"track: {track.name} ({track.columns} columns)")

    def do_save(self) -> None:
        if self.back is not None:
            self.back.command("save")
        else:
            self.window.say("nothing to save: a test drive only drives saved genomes", error=True)

    def do_load(self) -> None:
        if self.back is not None:
            self.window.show_view(self.back)
            self.window.say("back to evolving")
            return
        try:
            saved = load_genomes(self.drive.path)
        except InputError as exc:
            self.window.say(str(exc), error=True)
            return
        self.window.say(f"test drive: {len(saved.genomes)} genomes from {self.drive.path}")
        self.drive = DriveSession(saved, self.drive.path, self.drive.track)
        self.scene.selected = None

    def do_restart(self) -> None:
        if self.back is None:
            self.window.say("R restarts evolution; this window only test-drives saved genomes", error=True)
            return
        self.window.show_view(self.back)
        self.back.command("restart")

    def finish(self) -> None:
        if self.back is not None:
            self.back.finish()

    def checkpoint(self) -> None:
        if self.back is not None:
            self.back.checkpoint()

    def quit(self) -> None:
        if self.back is not None:
            self.back.quit()

    def close(self) -> None:
        self.drive.close()
        if self.back is not None:
            self.back.close()
