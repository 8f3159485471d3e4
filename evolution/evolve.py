"""An evolution run: the strategy asks for a population, a race scores it, the strategy is told.

The same object drives a headless run (run_generation) and the live window, which steps the
Race that next_race() returns a few columns per frame and hands it back to conclude(), in slices.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .genome_file import GenomeFile
from .history import GenerationStats, History
from .network import DEFAULT_LAYERS, Network
from .race import SLICE_SECONDS, Race, StackedRace, in_slices
from .reporters import Reporter
from .strategies import STRATEGIES, make_strategy, rank_order
from .test_curve import STEPS_PER_GENERATION, TestCurve
from .track import RANDOM_TRACK_COLUMNS, Track, blog_test_track, random_track

BEST_EVER = 20  # how many of the best genomes ever raced a run keeps
STACKED_DOTS = 1000  # up to this many dots, a generation's extra tracks are raced together


@dataclass(frozen=True)
class RunConfig:
    """The settings of a run that decide its numbers."""

    population: int = 50
    layers: tuple[int, ...] = DEFAULT_LAYERS
    mutation_rate: float = 0.1
    strategy: str = "classic"
    seed: int = 0
    generations: int = 120
    extra_tracks: int = 0  # fresh random tracks each generation is also scored on
    extra_track_columns: int = 2 * RANDOM_TRACK_COLUMNS  # longer than the random default: a stricter test
    test_curve: bool = True  # drive each generation's champion on the test track
    safety_weight: float = 0.0  # with extra tracks: how much keeping off the barriers adds to selection

    def __post_init__(self) -> None:
        for name in ("population", "seed", "generations", "extra_tracks", "extra_track_columns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{name} must be a whole number")
        for name in ("mutation_rate", "safety_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number")
        if not isinstance(self.test_curve, bool) or not isinstance(self.strategy, str):
            raise ValueError("test_curve must be true or false and strategy a name")
        if not 10 <= self.extra_track_columns <= 100_000:
            raise ValueError("extra track columns must be from 10 to 100000")
        if not 0 <= self.extra_tracks <= 100:
            raise ValueError("extra tracks must be from 0 to 100")
        if self.population < 2:
            raise ValueError("population must be at least 2")
        if not (np.isfinite(self.mutation_rate) and self.mutation_rate >= 0):
            raise ValueError("mutation rate must be a finite number ≥ 0")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}")
        if not 0 <= self.seed < 2**32:
            raise ValueError("seed must be in 0..2**32-1")
        if self.generations < 0:
            raise ValueError("generations must be ≥ 0")
        Network(self.layers)


@dataclass
class Evolution:
    """A run in progress. generation is the number of the next race (0 is the random population)."""

    config: RunConfig
    track: Track
    reporters: list[Reporter] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.network = Network(self.config.layers)
        self.strategy = make_strategy(
            self.config.strategy,
            self.network.genome_size,
            self.config.population,
            self.config.mutation_rate,
            self.config.seed,
        )
        self.generation = 0
        self.history = History()
        self.ranked_genomes: np.ndarray | None = None
        self.ranked_scores: np.ndarray | None = None
        # the best genomes ever raced, by training score (the older first among ties); kept in checkpoints
        self.best_ever_genomes = np.zeros((0, self.network.genome_size))
        self.best_ever_scores = np.zeros(0, dtype=np.int64)
        self._clock_start = time.perf_counter()
        self.pending: np.ndarray | None = None
        self.pending_track_seeds = np.zeros(0, dtype=np.int64)
        self.last_tracks: list[Track] = []  # the tracks the latest generation was scored on, its own first
        self.track_rng = np.random.default_rng(np.random.SeedSequence([self.config.seed, 0x7AC]))
        self.test_track = blog_test_track()
        self.test_curve = TestCurve(self.test_track, self.network)
        self.reported = 0  # generations handed to the reporters so far (they wait for test results)

    @property
    def finished_all(self) -> bool:
        """True once the configured number of generations (0..N) has been raced."""
        return self.generation > self.config.generations

    @property
    def settled(self) -> bool:
        """True when every generation raced has been reported (its champion's test drive done)."""
        return self.reported == self.generation

    def next_race(self, trail_length: int = 0) -> Race:
        """The race of the next generation; asking again before finish() re-races the same genomes."""
        if self.pending is None:
            self.pending = self.strategy.ask()
            # the extra tracks are drawn with the population, so a resumed generation races the same ones
            self.pending_track_seeds = self.track_rng.integers(2**32, size=self.config.extra_tracks)
        return Race(self.pending, self.track, self.network, trail_length=trail_length)

    def conclude(self, race: Race) -> Iterator[None]:
        """The rest of a generation after its main race, in slices: it yields between them.

        The genomes also race K fresh random tracks (their mean share of each track finished, and
        for finishers their safety, then decides selection); the strategy is told; the champion
        joins the test-track queue, whose batch advances a little; generations whose row is
        complete are reported. Drained at once headless; a slice per frame budget in the window.
        """
        if not race.done or race.genomes is not self.pending:
            raise ValueError("conclude() takes the completed race of the pending generation")
        scores = race.scores
        selection: np.ndarray = scores  # the blog ranks by the training score alone
        tracks = [race.track]
        if self.config.extra_tracks:
            weight = self.config.safety_weight
            total = scores / race.track.finish
            columns = self.config.extra_track_columns
            extra_tracks = [random_track(int(seed), columns) for seed in self.pending_track_seeds]
            # a small population races all its extra tracks in one race, in little more time than one;
            # a large one gains nothing from that, and builds smaller races one at a time
            together = len(race.genomes) * len(extra_tracks) <= STACKED_DOTS
            for group in [extra_tracks] if together else [[track] for track in extra_tracks]:
                extra = StackedRace(race.genomes, group, self.network, measure_safety=weight > 0)
                yield from in_slices(extra)
                scores_by_track = extra.per_track_values(extra.scores)
                safety_by_track = extra.per_track_values(extra.safety()) if weight > 0 else []
                for index, track in enumerate(group):
                    total += scores_by_track[index] / track.finish
                    if weight > 0:  # among genomes that finish, the steadier ones win
                        total += weight * safety_by_track[index] * (scores_by_track[index] >= track.finish)
            tracks += extra_tracks
            selection = total / (1 + self.config.extra_tracks)
        order = rank_order(selection)
        # From here on the run's state changes, with no yield in between: an interrupted
        # generation leaves the state as it was before it, with its population still pending.
        self.strategy.tell(race.genomes, selection)
        self.ranked_genomes = race.genomes[order]
        self.ranked_scores = scores[order]
        self._keep_best_ever()
        self.last_tracks = tracks
        self.pending = None
        stats = GenerationStats.from_scores(
            self.generation, scores, race.track.finish, time.perf_counter() - self._clock_start
        )
        self.history.append(stats)
        if self.config.test_curve:
            self.test_curve.add(self.generation, self.ranked_genomes[0])
        self.generation += 1
        yield from self.test_curve.advance(STEPS_PER_GENERATION, SLICE_SECONDS)
        self._report_ready()

    def _keep_best_ever(self) -> None:
        genomes = np.concatenate([self.best_ever_genomes, self.ranked_genomes[:BEST_EVER]])
        scores = np.concatenate([self.best_ever_scores, self.ranked_scores[:BEST_EVER]])
        keep = rank_order(scores)[:BEST_EVER]
        self.best_ever_genomes, self.best_ever_scores = genomes[keep], scores[keep]

    def settle(self) -> Iterator[None]:
        """Finish every champion's test drive and report what is left, in slices."""
        yield from self.test_curve.advance(None, SLICE_SECONDS)
        self._report_ready()

    def settle_now(self) -> None:
        """settle() all at once."""
        for _ in self.settle():
            pass

    def _report_ready(self) -> None:
        """Hand the reporters every generation whose row is complete, in order."""
        while self.reported < self.generation:
            generation = self.reported
            if self.config.test_curve:
                if generation not in self.test_curve.results:
                    return
                self.history.set(generation, "test_best", self.test_curve.results.pop(generation))
                self.history.set(generation, "test_finish", self.test_track.finish)
            self.reported += 1
            for reporter in self.reporters:
                reporter.end_generation(self, self.history.row(generation))

    def finish(self, race: Race) -> GenerationStats:
        """Conclude a finished race at once; returns the generation's statistics (test_best may come later)."""
        for _ in self.conclude(race):
            pass
        return self.history.last()

    def restart_clock(self, seconds_so_far: float) -> None:
        """Count the log's seconds on from a resumed run's last value."""
        self._clock_start = time.perf_counter() - seconds_so_far

    def run_generation(self) -> GenerationStats:
        """Race and score one whole generation at once."""
        race = self.next_race()
        race.run()
        return self.finish(race)

    def best(self, keep: int) -> GenomeFile | None:
        """The best `keep` genomes of the latest generation, best first (None before the first)."""
        if self.ranked_genomes is None:
            return None
        return GenomeFile(
            layers=self.network.layers,
            genomes=self.ranked_genomes[:keep],
            scores=self.ranked_scores[:keep],
            strategy=self.config.strategy,
            seed=self.config.seed,
            generation=self.generation - 1,
            track=self.track.name,
        )
