"""An evolution run: the strategy asks for a population, a race scores it, the strategy is told.

The same object drives a headless run (run_generation) and the live window, which steps the
Race that next_race() returns a few columns per frame and hands it back to finish().
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .genome_file import GenomeFile
from .history import GenerationStats, History
from .network import DEFAULT_LAYERS, Network
from .race import Race
from .reporters import Reporter
from .strategies import STRATEGIES, make_strategy, rank_order
from .track import Track


@dataclass(frozen=True)
class RunConfig:
    """The settings of a run that decide its numbers."""

    population: int = 50
    layers: tuple[int, ...] = DEFAULT_LAYERS
    mutation_rate: float = 0.1
    strategy: str = "classic"
    seed: int = 0
    generations: int = 120

    def __post_init__(self) -> None:
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
        self._clock_start = time.perf_counter()
        self._pending: np.ndarray | None = None

    @property
    def finished_all(self) -> bool:
        """True once the configured number of generations (0..N) has been raced."""
        return self.generation > self.config.generations

    def next_race(self, trail_length: int = 0) -> Race:
        """The race of the next generation; asking again before finish() re-races the same genomes."""
        if self._pending is None:
            self._pending = self.strategy.ask()
        return Race(self._pending, self.track, self.network, trail_length=trail_length)

    def finish(self, race: Race) -> GenerationStats:
        """Tell the strategy a finished race's scores; record and report the generation."""
        if not race.done or race.genomes is not self._pending:
            raise ValueError("finish() takes the completed race of the pending generation")
        scores = race.scores
        self.strategy.tell(race.genomes, scores)
        order = rank_order(scores)
        self.ranked_genomes = race.genomes[order]
        self.ranked_scores = scores[order]
        self._pending = None
        stats = GenerationStats.from_scores(
            self.generation, scores, self.track.finish, time.perf_counter() - self._clock_start
        )
        self.history.append(stats)
        self.generation += 1
        for reporter in self.reporters:
            reporter.end_generation(self, stats)
        return stats

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
