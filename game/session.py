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
LAP_PAUSE_SECONDS = 2.5  # a finished lap of a test drive stays on screen this long, then the next starts


class EvolveSession:
    """An evolution run raced on screen, one generation after another."""

    kind = "evolve"

    def __init__(self, evolution: Evolution) -> None:
        self.evolution = evolution
        self.race = self.evolution.next_race(TRAIL_COLUMNS)
        self._closing: Iterator[None] | None = None  # the finished race's remaining work, in slices
        self._next_track: Track | None = None  # a track asked for while a generation was closing
        self._preparing: Future[Race] | None = None  # the next race, being made on a thread
        self._chunk = 1  # columns raced per call in advance(), grown while they fit in the frame's time
        self._chunk_race: Race | None = None  # the race the chunk was measured on

    @property
    def complete(self) -> bool:
        return self.evolution.complete

    def advance(self, steps: int, deadline: float, last_generation: int | None = None) -> int:
        """Step up to `steps` columns, and the closing work of finished generations, until the deadline;
        returns the columns stepped. With last_generation (runs in lockstep), the race of a later generation
        waits: only closing work is done once that generation is closed."""
        taken = 0
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
            if last_generation is not None and self.evolution.generation > last_generation:
                break
            # many columns per call (the compiled race takes them in one), as many as fit before the deadline
            if self._chunk_race is not self.race:  # a column of a new race costs more than the last race's last
                self._chunk, self._chunk_race = 1, self.race
            started, before = time.perf_counter(), self.race.column
            self.race.run(min(steps, self._chunk))
            moved = self.race.column - before
            steps, taken = steps - moved, taken + moved
            left = deadline - time.perf_counter()
            if moved and left > 0:  # a chunk that ends the frame stays as it was for the next frame
                per_column = (time.perf_counter() - started) / moved
                self._chunk = max(
                    1, min(2 * self._chunk, int(left / per_column) if per_column > 0 else 2 * self._chunk)
                )
            if self.race.done:
                self._closing = self.evolution.close_generation(self.race)
        return taken

    @property
    def closing(self) -> bool:
        """True while a generation's closing work (or the next race, being prepared) is under way."""
        return self._closing is not None or self._preparing is not None

    @property
    def preparing(self) -> bool:
        """True while the next race is being made on a thread (the generation before it is closed)."""
        return self._preparing is not None

    @property
    def waiting_to_race(self) -> bool:
        """True when the next race is ready and not started, and nothing of the last generation is left to do."""
        return (
            self._closing is None
            and self._preparing is None
            and not self.evolution.raced_all
            and self.race.column == 0
            and not self.race.done
        )

    def take_done_race(self, race: Race) -> None:
        """The pending generation's race, raced elsewhere (with other runs' dots) and done: close it as if
        raced here."""
        self.race = race
        self._closing = self.evolution.close_generation(race)

    def _closed(self, in_background: bool) -> None:
        """After a generation's closing work: a track asked for meanwhile takes over, and the next race
        starts, on a thread for a large population when in_background (asking the strategy and preparing
        the networks take tens of milliseconds there, and numpy lets go of the GIL for them)."""
        self._closing = None
        if self._next_track is not None:
            self.evolution.change_track(self._next_track)  # recorded as a track change from this generation
            self._next_track = None
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
        """Race the current generation again on another track (the next one, if this one is closing); the
        change is recorded in the run's events (Evolution.change_track), so a replay races the same."""
        self._collect()
        if self._closing is not None:
            self._next_track = track
            return
        self.evolution.change_track(track)
        if not self.evolution.raced_all:
            self.race = self.evolution.next_race(TRAIL_COLUMNS)

    def close(self) -> None:
        for reporter in self.evolution.reporters:
            reporter.close()


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
