"""The train-versus-test curve: each generation's champion driven on the blog's test track, in batches.

A champion's drive over the 4000-column test track costs far more than a generation of the training
race, but racing many champions at once costs about as much as racing one, and each row of a race
gives the same score whatever rows it races with. So champions wait in a queue and race together;
a result arrives some generations after its champion, the same whatever the batching.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .network import Network
from .race import Race, in_slices
from .track import Track

STEPS_PER_GENERATION = 400  # how far the batch advances each time a generation concludes


class TestCurve:
    """Champions waiting for their drive on the test track, and the drives' results."""

    def __init__(self, track: Track, network: Network) -> None:
        self.track = track
        self.network = network
        self._queue: list[tuple[int, np.ndarray]] = []
        self._batch: Race | None = None
        self._batch_generations: list[int] = []
        self.results: dict[int, int] = {}

    def add(self, generation: int, genome: np.ndarray) -> None:
        self._queue.append((generation, np.array(genome, dtype=np.float64)))

    def advance(self, steps: int | None, slice_seconds: float) -> Iterator[None]:
        """Race the batch `steps` columns (None: until every champion has its result), yielding between slices."""
        while steps is None or steps > 0:
            if self._batch is None:
                if not self._queue:
                    return
                self._batch_generations = [generation for generation, _ in self._queue]
                self._batch = Race(np.stack([genome for _, genome in self._queue]), self.track, self.network)
                self._queue = []
            before = self._batch.column
            yield from in_slices(self._batch, slice_seconds, steps)
            if steps is not None:
                steps -= max(self._batch.column - before, 1)
            if self._batch.done:
                for generation, score in zip(self._batch_generations, self._batch.scores.tolist()):
                    self.results[generation] = int(score)
                self._batch = None

    def waiting_champions(self) -> tuple[np.ndarray, np.ndarray]:
        """(generations (k,), genomes (k, D)) of every champion without a result yet, oldest first."""
        entries = list(zip(self._batch_generations, self._batch.genomes)) if self._batch is not None else []
        entries += self._queue
        if not entries:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.network.genome_size))
        return np.array([g for g, _ in entries], dtype=np.int64), np.stack([genome for _, genome in entries])

    def restore(self, generations: np.ndarray, genomes: np.ndarray) -> None:
        """Queue champions saved by waiting_champions(); their drives start again from the start."""
        self._queue = [(int(g), np.array(genome, dtype=np.float64)) for g, genome in zip(generations, genomes)]
        self._batch = None
        self._batch_generations = []
