"""One run's generations stepped a slice at a time: its race a few columns per call, then the closing work of its
generation (Evolution.close_generation's slices), then the next race. Nothing here draws.

The window steps its run this way, a frame at a time (game/session.py); a Lockstep (evolution/many/lockstep.py) steps
several runs, and its rounds start their races (in_lockstep), so that none races ahead of another.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from evolution.racing.race import SLICE_SECONDS, Race
from evolution.racing.track import Track
from evolution.run.evolve import Evolution, ExtraResults

BACKGROUND_POPULATION = 2000  # from this size, the next race is prepared on a thread while frames go on
_PREPARER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neuroracer-next-race")


def before(deadline: float | None) -> bool:
    """True while time.perf_counter() is before the deadline (None: no deadline, always True)."""
    return deadline is None or time.perf_counter() < deadline


class RunStepper:
    """An evolution run stepped generation after generation: its race (the pending generation's, or the last one,
    done, while it closes) and the closing work left of a done race."""

    def __init__(
        self,
        evolution: Evolution,
        trail_length: int = 0,
        slice_seconds: float | None = SLICE_SECONDS,
        in_lockstep: bool = False,
    ) -> None:
        """trail_length: the columns of trail each race keeps for drawing; slice_seconds: the closing work between
        two looks at the clock (None: a generation closes in one go); in_lockstep: the next race is started by
        start_race() (a Lockstep's round), not as soon as a generation has closed."""
        self.evolution = evolution
        self.trail_length = trail_length
        self.slice_seconds = slice_seconds
        self.in_lockstep = in_lockstep
        self.race = self.evolution.next_race(trail_length)
        self._closing: Iterator[None] | None = None  # the finished race's remaining work, in slices
        self._next_track: Track | None = None  # a track asked for while a generation was closing
        self._preparing: Future[Race] | None = None  # the next race, being made on a thread
        self._chunk = 1  # columns raced per call in advance(), grown while they fit in the frame's time
        self._chunk_race: Race | None = None  # the race the chunk was measured on

    @property
    def complete(self) -> bool:
        return self.evolution.complete

    def advance(self, steps: int, deadline: float) -> int:
        """Step up to `steps` columns, and the closing work of finished generations, until the deadline;
        returns the columns stepped (a run alone: the next race starts as soon as a generation has closed)."""
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
                self.finish_drives()  # the last champions' test drives
                continue
            if steps <= 0 or self.complete or not self.racing:
                break
            # many columns per call (the compiled race takes them in one), as many as fit before the deadline
            if self._chunk_race is not self.race:  # a column of a new race costs more than the last race's last
                self._chunk, self._chunk_race = 1, self.race
            started, before_column = time.perf_counter(), self.race.column
            self.race.run(min(steps, self._chunk))
            moved = self.race.column - before_column
            steps, taken = steps - moved, taken + moved
            left = deadline - time.perf_counter()
            if moved and left > 0:  # a chunk that ends the frame stays as it was for the next frame
                per_column = (time.perf_counter() - started) / moved
                self._chunk = max(
                    1, min(2 * self._chunk, int(left / per_column) if per_column > 0 else 2 * self._chunk)
                )
            if self.race.done:
                self.close_race()
        return taken

    def work(self, deadline: float | None) -> bool:
        """The closing work left (and a race prepared on a thread, taken when ready), until the deadline (None:
        all of it); True if any was done."""
        done = False
        if self._preparing is not None and self._preparing.done():
            self._collect()
            done = True
        while self._closing is not None and before(deadline):
            try:
                next(self._closing)
            except StopIteration:
                self._closed(in_background=True)
            done = True
        return done

    @property
    def closing(self) -> bool:
        """True while a generation's closing work (or the next race, being prepared) is under way."""
        return self._closing is not None or self._preparing is not None

    @property
    def preparing(self) -> bool:
        """True while the next race is being made on a thread."""
        return self._preparing is not None

    @property
    def racing(self) -> bool:
        """True when the race is the pending generation's, ready and not done, and nothing of the last generation
        is left to do."""
        return (
            self._closing is None
            and self._preparing is None
            and not self.race.done
            and self.race.genomes is self.evolution.state.pending
        )

    def start_race(self, in_background: bool = True) -> None:
        """Start the next generation's race (a Lockstep's round): asked for now, or on a thread for a large
        population when in_background (the frames go on meanwhile; work() takes it when ready)."""
        if self.racing or self._preparing is not None or self.evolution.raced_all:
            return
        big = self.evolution.config.population >= BACKGROUND_POPULATION
        if in_background and big and self.slice_seconds is not None:
            self._preparing = _PREPARER.submit(self.evolution.next_race, self.trail_length)
        else:
            self.race = self.evolution.next_race(self.trail_length)

    def close_race(self) -> None:
        """The race is done: its generation's closing work starts (done by work() or advance(), in slices)."""
        self._closing = self.evolution.close_generation(self.race, slice_seconds=self.slice_seconds)

    def take_done_race(self, race: Race, extra: ExtraResults | None = None) -> None:
        """The pending generation's race, raced elsewhere (with other runs' dots) and done: close it as if raced
        here; extra: its extra tracks, raced elsewhere too (evolution/many/together.py)."""
        self.race = race
        self._closing = self.evolution.close_generation(race, extra, slice_seconds=self.slice_seconds)

    def finish_drives(self) -> None:
        """Every champion's test drive finished, as closing work (at the run's end)."""
        self._closing = self.evolution.finish_test_drives(self.slice_seconds)

    def _closed(self, in_background: bool) -> None:
        """After a generation's closing work: a track asked for meanwhile takes over, and (a run alone) the next
        race starts, on a thread for a large population when in_background (asking the strategy and preparing
        the networks take tens of milliseconds there, and numpy lets go of the GIL for them)."""
        self._closing = None
        if self._next_track is not None:
            self.evolution.change_track(self._next_track)  # recorded as a track change from this generation
            self._next_track = None
        if not self.in_lockstep:
            self.start_race(in_background)

    def _collect(self) -> None:
        """Wait for a race being prepared, if there is one, and take it."""
        if self._preparing is not None:
            self.race = self._preparing.result()
            self._preparing = None

    def abandon(self) -> None:
        """Drop the closing work and the next race left (its generation overflowed): the run stops where it is."""
        self._closing, self._preparing, self._next_track = None, None, None

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
        if self.evolution.state.pending is not None:  # its race asked for: raced again, on the new track
            self.race = self.evolution.next_race(self.trail_length)

    def close(self) -> None:
        for reporter in self.evolution.reporters:
            reporter.close()
