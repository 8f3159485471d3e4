"""What the window is showing: an evolution run, or saved genomes test-driving a track.

Both step a Race from evolution/ a number of columns per frame; neither draws anything.
"""

from __future__ import annotations

import time
from pathlib import Path

from evolution.evolve import Evolution, RunConfig
from evolution.genome_file import GenomeFile
from evolution.race import Race
from evolution.reporters import Reporter
from evolution.track import Track

TRAIL_COLUMNS = 48
REPLAY_PAUSE_STEPS = 90  # a finished test drive stays on screen this many steps' worth, then starts again


class EvolveSession:
    """An evolution run raced on screen, one generation after another."""

    kind = "evolve"

    def __init__(self, config: RunConfig, track: Track, reporters: list[Reporter]) -> None:
        self.evolution = Evolution(config, track, reporters)
        self.race = self.evolution.next_race(TRAIL_COLUMNS)

    @property
    def track(self) -> Track:
        return self.evolution.track

    @property
    def complete(self) -> bool:
        return self.evolution.finished_all

    def advance(self, steps: int, deadline: float) -> bool:
        """Step up to `steps` columns, finishing generations as they end, until the deadline passes.

        Returns True if a new generation started.
        """
        new_generation = False
        for _ in range(steps):
            if self.complete:
                break
            self.race.step()
            if self.race.done:
                self.evolution.finish(self.race)
                new_generation = True
                if not self.complete:
                    self.race = self.evolution.next_race(TRAIL_COLUMNS)
            if time.perf_counter() >= deadline:
                break
        return new_generation

    def set_track(self, track: Track) -> None:
        """Race the current generation again, on another track."""
        self.evolution.track = track
        self.race = self.evolution.next_race(TRAIL_COLUMNS)

    def close(self) -> None:
        for reporter in self.evolution.reporters:
            reporter.close()


class DriveSession:
    """Saved genomes driving a track over and over; no evolution."""

    kind = "drive"

    def __init__(self, saved: GenomeFile, path: Path, track: Track) -> None:
        self.saved = saved
        self.path = path
        self.complete = False
        self.set_track(track)

    def set_track(self, track: Track) -> None:
        self._track = track
        self.race = Race(self.saved.genomes, track, self.saved.network, trail_length=TRAIL_COLUMNS)
        self.laps = 0
        self._pause_left = REPLAY_PAUSE_STEPS

    @property
    def track(self) -> Track:
        return self._track

    def advance(self, steps: int, deadline: float) -> bool:
        for _ in range(steps):
            if self.race.done:
                self._pause_left -= 1
                if self._pause_left <= 0:
                    laps = self.laps + 1
                    self.set_track(self._track)
                    self.laps = laps
            else:
                self.race.step()
            if time.perf_counter() >= deadline:
                break
        return False

    def close(self) -> None:
        pass
