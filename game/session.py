"""What the window is showing: an evolution run, or saved genomes test-driving a track.

Both step a Race from evolution/ a number of columns per frame (a run through evolution/run/stepper.py's
RunStepper); neither draws anything.
"""

from __future__ import annotations

import time
from pathlib import Path

from evolution.racing.race import Race
from evolution.racing.track import Track
from evolution.run.evolve import Evolution
from evolution.run.genome_file import GenomeFile
from evolution.run.stepper import RunStepper

TRAIL_COLUMNS = 48
LAP_PAUSE_SECONDS = 2.5  # a finished lap of a test drive stays on screen this long, then the next starts


class EvolveSession(RunStepper):
    """An evolution run raced on screen, one generation after another (its races keep a trail to draw)."""

    kind = "evolve"

    def __init__(self, evolution: Evolution) -> None:
        super().__init__(evolution, TRAIL_COLUMNS)


class DriveSession:
    """Saved genomes driving a track lap after lap; no evolution. A finished lap stays on screen for
    LAP_PAUSE_SECONDS (its results readable at any speed), then the next lap starts."""

    kind = "drive"

    def __init__(self, saved: GenomeFile, path: Path | None, track: Track) -> None:
        self.saved = saved
        self.path = path  # None for genomes that were never saved to a file (T's best of the moment)
        self.complete = False
        self.set_track(track)

    def set_track(self, track: Track) -> None:
        self._track = track
        self.race = Race(self.saved.genomes, track, self.saved.network, trail_length=TRAIL_COLUMNS)
        self.laps = 0
        self._done_at: float | None = None

    @property
    def track(self) -> Track:
        return self._track

    def close_generation_now(self) -> None:
        """Nothing is ever left half done in a test drive."""

    def next_lap(self) -> None:
        laps = self.laps + 1
        self.set_track(self._track)
        self.laps = laps

    def advance(self, steps: int, deadline: float) -> None:
        """Step the lap up to `steps` columns until the deadline; after a lap's pause, start the next."""
        if self.race.done:
            now = time.perf_counter()
            if self._done_at is None:
                self._done_at = now
            if now - self._done_at < LAP_PAUSE_SECONDS:
                return
            self.next_lap()
        for _ in range(steps):
            self.race.step()
            if self.race.done or time.perf_counter() >= deadline:
                break

    def step(self) -> None:
        """One column while paused (the next lap at once if this one is done)."""
        if self.race.done:
            self.next_lap()
        self.race.step()

    def close(self) -> None:
        pass
