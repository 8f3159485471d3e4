"""What the window is showing: an evolution run, or saved genomes test-driving a track.

Both step a Race from evolution/ a number of columns per frame; neither draws anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from evolution.evolve import Evolution
from evolution.genome_file import GenomeFile
from evolution.race import Race
from evolution.track import Track

TRAIL_COLUMNS = 48
BACKGROUND_POPULATION = 2000  # from this size, the next race is prepared on a thread while frames go on
_PREPARER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neuroracer-next-race")
REPLAY_PAUSE_STEPS = 90  # a finished test drive stays on screen this many steps' worth, then starts again


class EvolveSession:
    """An evolution run raced on screen, one generation after another."""

    kind = "evolve"

    def __init__(self, evolution: Evolution) -> None:
        self.evolution = evolution
        self.race = self.evolution.next_race(TRAIL_COLUMNS)
        self._closing: Iterator[None] | None = None  # the finished race's remaining work, in slices
        self._next_track: Track | None = None  # a track asked for while a generation was closing
        self._preparing: Future[Race] | None = None  # the next race, being made on a thread

    @property
    def complete(self) -> bool:
        return self.evolution.complete

    def advance(self, steps: int, deadline: float) -> None:
        """Step up to `steps` columns, and the closing work of finished generations, until the deadline."""
        while time.perf_counter() < deadline:
            if self._preparing is not None:
                if not self._preparing.done():
                    break  # frames go on drawing the finished race meanwhile
                self._collect()
            if self._closing is not None:
                try:
                    next(self._closing)
                except StopIteration:
                    self._closed(in_background=True)
                continue
            if self.evolution.raced_all and not self.evolution.complete:
                self._closing = self.evolution.finish_test_drives()  # the last champions' test drives
                continue
            if steps <= 0 or self.complete:
                break
            self.race.step()
            steps -= 1
            if self.race.done:
                self._closing = self.evolution.close_generation(self.race)

    def _closed(self, in_background: bool) -> None:
        """After a generation's closing work: a track asked for meanwhile takes over, and the next race
        starts, on a thread for a large population when in_background (asking the strategy and preparing
        the networks take tens of milliseconds there, and numpy lets go of the GIL for them)."""
        self._closing = None
        if self._next_track is not None:
            self.evolution.track, self._next_track = self._next_track, None
        if self.evolution.raced_all:
            return
        if in_background and self.evolution.config.population >= BACKGROUND_POPULATION:
            self._preparing = _PREPARER.submit(self.evolution.next_race, TRAIL_COLUMNS)
        else:
            self.race = self.evolution.next_race(TRAIL_COLUMNS)

    def _collect(self) -> None:
        """Wait for a race being prepared, if there is one, and take it."""
        if self._preparing is not None:
            self.race = self._preparing.result()
            self._preparing = None

    def close_generation_now(self) -> None:
        """Finish the closing work of a done race's generation now (before a checkpoint or quitting)."""
        self._collect()
        if self._closing is not None:
            for _ in self._closing:
                pass
            self._closed(in_background=False)

    @property
    def track(self) -> Track:
        return self._next_track or self.evolution.track

    def set_track(self, track: Track) -> None:
        """Race the current generation again on another track (the next one, if this one is closing)."""
        self._collect()
        if self._closing is not None:
            self._next_track = track
            return
        self.evolution.track = track
        if not self.evolution.raced_all:
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

    def close_generation_now(self) -> None:
        """Nothing is ever left half done in a test drive."""

    def advance(self, steps: int, deadline: float) -> None:
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

    def close(self) -> None:
        pass
