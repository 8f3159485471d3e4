"""A run's state: everything that changes as the run goes, in one object that a checkpoint writes whole.

The settings that decide a run's numbers are its RunConfig (frozen); the track it races is a Track;
all the rest (the strategy's state, the generators, the history, the best genomes, the champions
waiting for their test drive, the counters) is a RunState. An Evolution steps a RunState along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evolution.breeding.seeds import generator
from evolution.breeding.strategies import Strategy
from evolution.run.archive import Archive
from evolution.run.champion_drives import ChampionQueue
from evolution.run.history import COLUMNS, History
from evolution.run.settings import SettingEvent, check_events, parse_value

BEST_EVER = 20  # how many of the best genomes ever raced a run keeps


@dataclass
class RunState:
    """What a run has done so far. generation is the number of the next race (0 is the random population)."""

    strategy: Any  # the strategy's own state: ClassicState, ElitistState or SnesState
    track_rng: np.random.Generator  # draws the seeds of each generation's extra tracks
    history: History
    champions: ChampionQueue
    best_ever_genomes: np.ndarray  # (k ≤ BEST_EVER, D), best first (the older first among ties)
    best_ever_scores: np.ndarray  # (k,) int64, their training scores
    generation: int = 0
    reported: int = 0  # generations handed to the reporters so far (they wait for the test results)
    ranked_genomes: np.ndarray | None = None  # (P, D): the last generation, best first
    ranked_scores: np.ndarray | None = None  # (P,) int64: their training scores
    pending: np.ndarray | None = None  # (P, D): the generation asked for and racing now
    pending_track_seeds: np.ndarray | None = None  # (K,) int64: the seeds of its extra tracks
    events: list[SettingEvent] = field(default_factory=list)  # the settings changes applied so far, in order
    scheduled: list[SettingEvent] = field(default_factory=list)  # changes waiting for their generation
    archive: Archive = field(default_factory=Archive)  # the run's past: champions, populations, origins

    @property
    def fresh_since(self) -> int:
        """The generation the current network shape started at: 0, or that of the latest layers change."""
        return max((event.generation for event in self.events if event.setting == "layers"), default=0)

    @classmethod
    def fresh(cls, seed: int, strategy: Strategy) -> RunState:
        """The state before generation 0."""
        return cls(
            strategy=strategy.initial_state(seed),
            track_rng=generator(seed, "extra_tracks"),
            history=History(),
            champions=ChampionQueue.empty(strategy.genome_size),
            best_ever_genomes=np.zeros((0, strategy.genome_size)),
            best_ever_scores=np.zeros(0, dtype=np.int64),
        )

    def check(self, strategy: Strategy, extra_tracks: int, test_curve: bool, last_generation: int | None) -> None:
        """ValueError unless the fields agree with each other and with the run's settings (for a state
        read from a file); last_generation is the run's last generation, None for no limit."""
        population, genome_size = strategy.population, strategy.genome_size
        generation, reported = self.generation, self.reported
        for name in ("generation", "reported"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number ≥ 0")
        if last_generation is not None and generation > last_generation + 1:
            raise ValueError(f"generation {generation} is past the run's last generation {last_generation}")
        if reported > generation:
            raise ValueError(f"{reported} generations reported but only {generation} raced")
        if len(self.history) != generation:
            raise ValueError(f"the history has {len(self.history)} rows for {generation} generations")
        data = self.history.to_arrays()
        if not np.isfinite(data).all():
            raise ValueError("the history holds a NaN or infinite value")
        if not np.array_equal(data[COLUMNS.index("generation")], np.arange(generation)):
            raise ValueError("the history's generation numbers are not 0, 1, 2, …")
        check_events(self.events, last=generation, label="settings change")
        check_events(self.scheduled, first=self.events[-1].generation if self.events else 0, label="scheduled change")
        fresh_since = self.fresh_since  # a shape change starts afresh: nothing of the new shape raced yet
        if (generation == fresh_since) != (self.ranked_genomes is None) or (self.ranked_genomes is None) != (
            self.ranked_scores is None
        ):
            raise ValueError("the ranked genomes do not fit the generation count")
        # the last generation raced keeps its size when a population change applies before the next is asked
        sizes = {population} | {
            parse_value("population", event.old)
            for event in self.events
            if event.setting == "population" and event.generation == generation
        }
        raced = self.ranked_genomes.shape[0] if self.ranked_genomes is not None and self.ranked_genomes.ndim else 0
        raced = raced if raced in sizes else population
        _check_array("ranked genomes", self.ranked_genomes, (raced, genome_size), "f")
        _check_array("ranked scores", self.ranked_scores, (raced,), "iu")
        count = self.best_ever_genomes.shape[0] if self.best_ever_genomes.ndim == 2 else -1
        if not 0 <= count <= BEST_EVER or (generation > fresh_since and not count):
            raise ValueError("the best genomes ever raced are damaged")
        _check_array("best genomes ever raced", self.best_ever_genomes, (count, genome_size), "f")
        _check_array("best scores ever", self.best_ever_scores, (count,), "iu")
        _check_array("pending genomes", self.pending, (population, genome_size), "f")
        if (self.pending is None) != (self.pending_track_seeds is None):
            raise ValueError("the pending generation's tracks do not fit it")
        _check_array("pending track seeds", self.pending_track_seeds, (extra_tracks,), "iu")
        self.champions.check(genome_size)
        unreported = set(range(reported, generation))
        waiting = self.champions.generations.tolist()
        results = self.champions.result_generations.tolist()
        if test_curve and sorted(waiting + results) != sorted(unreported):
            raise ValueError("the champions waiting for the test track do not fit the unreported generations")
        if not test_curve and (waiting or results or unreported):
            raise ValueError("a run without the test curve has champions or generations waiting")
        self.archive.check(generation)
        strategy.check(self.strategy)
        told = getattr(self.strategy, "told", generation)
        if isinstance(told, bool) or not isinstance(told, int) or not 0 <= told <= generation:
            raise ValueError("the strategy's count of generations does not fit the run")


def _check_array(name: str, array: np.ndarray | None, shape: tuple[int, ...], kinds: str) -> None:
    """ValueError unless array is None or an array of that shape and dtype kind, finite if floats."""
    if array is None:
        return
    if not isinstance(array, np.ndarray) or array.shape != shape or array.dtype.kind not in kinds:
        raise ValueError(f"the {name} should be {shape} of kind {kinds!r}")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"the {name} hold a NaN or infinite value")
