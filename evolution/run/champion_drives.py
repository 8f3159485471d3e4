"""The champions' drives on the held-out test track: each generation's best genome, raced in batches.

A champion's drive over the 4000-column test track costs far more than a generation of the training
race, but racing many champions at once costs about as much as racing one, and each row of a race
gives the same score whatever rows it races with. So champions wait in a queue (part of the run's
state) and race together; a result arrives some generations after its champion, the same whatever
the batching.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from evolution.interrupts import atomic
from evolution.racing.network import Network
from evolution.racing.race import Race, in_slices
from evolution.racing.track import Track

STEPS_PER_GENERATION = 4000  # how far the batch advances each time a generation closes: the test track
# whole (3,991 columns), so each champion has its result in its own generation (with the compiled race a
# drive of the test track takes a few milliseconds)


@dataclass
class ChampionQueue:
    """Champions without a test-track result yet (oldest first), and the results not yet reported."""

    generations: np.ndarray  # (k,) int64
    genomes: np.ndarray  # (k, D) float64
    result_generations: np.ndarray  # (m,) int64
    results: np.ndarray  # (m,) int64, each result's score on the test track

    @classmethod
    def empty(cls, genome_size: int) -> ChampionQueue:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, np.zeros((0, genome_size)), none.copy(), none.copy())

    def add(self, generation: int, genome: np.ndarray) -> None:
        self.generations = np.append(self.generations, np.int64(generation))
        self.genomes = np.concatenate([self.genomes, np.asarray(genome, dtype=np.float64)[None]])

    def result(self, generation: int) -> int | None:
        """The champion of `generation`'s score on the test track, if its drive is done."""
        found = np.flatnonzero(self.result_generations == generation)
        return int(self.results[found[0]]) if found.size else None

    def forget(self, generation: int) -> None:
        """Drop a result once it has been reported."""
        keep = self.result_generations != generation
        self.result_generations, self.results = self.result_generations[keep], self.results[keep]

    def check(self, genome_size: int) -> None:
        """ValueError unless the arrays fit together (for a queue read from a file)."""
        k = self.generations.shape
        if (
            self.generations.ndim != 1
            or self.genomes.shape != (*k, genome_size)
            or self.result_generations.shape != self.results.shape
            or self.results.ndim != 1
            or self.genomes.dtype.kind != "f"
            or any(a.dtype.kind not in "iu" for a in (self.generations, self.result_generations, self.results))
            or not np.isfinite(self.genomes).all()
        ):
            raise ValueError("the champions waiting for their test drive are damaged")


class ChampionDrives:
    """Races the queue's champions on the test track in batches; the batch itself is not state."""

    def __init__(self, track: Track, network: Network, queue: ChampionQueue) -> None:
        self.track = track
        self.network = network
        self.queue = queue
        self._batch: Race | None = None
        self.joint: JointDrives | None = None  # while set, that joint batch drives this run's champions

    def advance(self, steps: int | None, slice_seconds: float | None) -> Iterator[None]:
        """Race the batch `steps` columns (None: until every champion has its result), yielding between slices
        of `slice_seconds` (None: no slicing)."""
        while steps is None or steps > 0:
            # (checked in the loop: a joint batch may take over between two slices, see JointDrives.start)
            if self.joint is not None:
                if steps is not None:
                    return
                self.joint.stop()  # every result now (before a change of network, or at the end): the run's own
            if self._batch is None:
                if not self.queue.generations.size:
                    return
                self._batch = Race(self.queue.genomes, self.track, self.network)
            batch = self._batch
            before = batch.column
            yield from in_slices(batch, slice_seconds, steps)
            if self._batch is not batch:  # finished and recorded meanwhile (finish_batch), between two slices
                continue
            if steps is not None:
                steps -= max(batch.column - before, 1)
            if batch.done:
                record(self.queue, batch.count, batch.scores)  # the oldest `count` champions of the queue
                self._batch = None

    @property
    def batch(self) -> Race | None:
        """The batch of champions on the test track now, if any (its own; a joint batch is the sweep's)."""
        return self._batch

    def finish_batch(self) -> None:
        """Race the batch under way, if any, to its end now and record its results (no new batch starts)."""
        if self._batch is not None:
            self._batch.run()
            record(self.queue, self._batch.count, self._batch.scores)
            self._batch = None


class JointDrives:
    """Several runs' champion drives raced as one batch (runs side by side in turbo, a sweep's batch): the
    runs' own drives wait meanwhile. Each champion's score is the same whatever it races with, so every
    run's results are those it would get alone; only when they arrive differs. The batch is not state."""

    def __init__(self, drives: list[ChampionDrives]) -> None:
        self.drives = drives
        self._batch: Race | None = None
        self._counts: list[int] = []
        self.active = False  # between start() and stop()

    def start(self) -> None:
        """Take over: each run's batch under way is finished first, then the runs' own drives wait."""
        for each in self.drives:
            each.finish_batch()
            each.joint = self
        self.active = True

    def stop(self) -> None:
        """Hand back: the joint batch under way is finished now, and the runs drive their own again."""
        self.finish_batch()
        self.active = False
        for each in self.drives:
            each.joint = None

    def advance(self, steps: int, slice_seconds: float | None) -> Iterator[None]:
        """Race the joint batch `steps` columns, yielding between slices; a batch starts from every queue."""
        while steps > 0 and self.active:
            if self._batch is None:
                queues = [each.queue for each in self.drives]
                if not any(queue.generations.size for queue in queues):
                    return
                first = self.drives[0]
                self._counts = [queue.generations.size for queue in queues]
                self._batch = Race(np.concatenate([queue.genomes for queue in queues]), first.track, first.network)
            before = self._batch.column
            yield from in_slices(self._batch, slice_seconds, steps)
            steps -= max(self._batch.column - before, 1)
            if self._batch.done:
                self._record()

    def drive_all(self) -> None:
        """Every champion waiting in any run's queue driven now, in one race (a sweep's batch, at its end)."""
        self.finish_batch()
        for _ in self.advance(10**12, None):  # one slice: the whole batch
            pass

    def finish_batch(self) -> None:
        """Race the joint batch under way, if any, to its end now and record every run's results."""
        if self._batch is not None:
            self._batch.run()
            self._record()

    def _record(self) -> None:
        start = 0
        for each, count in zip(self.drives, self._counts):
            if count:
                record(each.queue, count, self._batch.scores[start : start + count])
            start += count
        self._batch = None


def record(queue: ChampionQueue, raced: int, scores: np.ndarray) -> None:
    """The oldest `raced` champions of the queue have driven: their scores (raced,) become results."""
    # worked out first, then assigned at once: the queue and the results change together, or not at all
    # (a signal waits for the end of the assignment; an error leaves both as they were)
    result_generations = np.concatenate([queue.result_generations, queue.generations[:raced]])
    results = np.concatenate([queue.results, scores])
    with atomic():
        queue.result_generations, queue.results = result_generations, results
        queue.generations, queue.genomes = queue.generations[raced:], queue.genomes[raced:]
