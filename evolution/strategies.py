"""Strategies behind one ask/tell interface, and the registry the CLI, app and tests list them from.

ask() returns the next population, a (P, D) float64 array; tell() gives back its scores. All the
randomness of a strategy comes from generators seeded from the run's seed.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np


class Strategy(ABC):
    """Breeds populations of flat genomes from the scores of the previous ones."""

    name: ClassVar[str]
    description: ClassVar[str]
    default_tracks: ClassVar[int] = 0  # extra random tracks per generation when --tracks is not given
    default_mutation_rate: ClassVar[float] = 0.1
    default_safety_weight: ClassVar[float] = 0.0  # see RunConfig.safety_weight

    def __init__(self, genome_size: int, population: int, mutation_rate: float, seed: int) -> None:
        if population < 2:
            raise ValueError("a population needs at least 2 genomes")
        self.genome_size = genome_size
        self.population = population
        self.mutation_rate = float(mutation_rate)
        self.seed = seed

    @abstractmethod
    def ask(self) -> np.ndarray:
        """The next population to race, (population, genome_size)."""

    @abstractmethod
    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        """The scores (population,) that the genomes just asked for earned; higher is better."""

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """Everything that changes as the run goes, as arrays and numbers (for checkpoints)."""

    @abstractmethod
    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what state() returned."""


def rank_order(scores: np.ndarray) -> np.ndarray:
    """Indices best first; ties keep their order (a stable sort, as Python's sorted in the blog)."""
    return np.argsort(-np.asarray(scores), kind="stable")


def _random_state_to_dict(rng: np.random.RandomState) -> dict[str, Any]:
    _, keys, pos, has_gauss, cached = rng.get_state()
    return {
        "keys": np.asarray(keys, dtype=np.uint32),
        "pos": int(pos),
        "has_gauss": int(has_gauss),
        "cached": float(cached),
    }


def _random_state_from_dict(state: dict[str, Any]) -> np.random.RandomState:
    rng = np.random.RandomState()
    keys = np.asarray(state["keys"])
    if keys.shape != (624,) or keys.dtype.kind not in "iu":
        raise ValueError("the random generator's keys are damaged")
    keys = keys.astype(np.uint32)
    rng.set_state(("MT19937", keys, int(state["pos"]), int(state["has_gauss"]), float(state["cached"])))
    return rng


class Classic(Strategy):
    """The blog's algorithm, drawing numpy's legacy RandomState(seed) in the blog's order."""

    name = "classic"
    description = "the blog's algorithm: parent at rank min(int(Exp(5)), P-1), uniform ±rate noise on every weight"

    PARENT_SCALE = 5.0

    def __init__(self, genome_size: int, population: int, mutation_rate: float, seed: int) -> None:
        super().__init__(genome_size, population, mutation_rate, seed)
        self.rng = np.random.RandomState(seed)
        self.ranked: np.ndarray | None = None

    def ask(self) -> np.ndarray:
        if self.ranked is None:
            return self.rng.uniform(-1, 1, size=(self.population, self.genome_size))
        # The blog draws, child by child, one exponential(5) then genome_size uniforms in ±rate.
        # Both consume the generator's doubles U in order: exponential(5) is 5 * -log(1 - U) with
        # C's log (math.log is the same), uniform(a, b) is a + (b - a) * U. So one block of doubles
        # gives the blog's numbers bit for bit, without a Python call per child.
        rate = self.mutation_rate
        draws = self.rng.random_sample((self.population, self.genome_size + 1))
        last = self.population - 1
        parents = [min(int(self.PARENT_SCALE * -math.log(1.0 - u)), last) for u in draws[:, 0].tolist()]
        noise = -rate + (rate - -rate) * draws[:, 1:]
        return self.ranked[parents] + noise

    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        self.ranked = np.asarray(genomes, dtype=np.float64)[rank_order(scores)]

    def state(self) -> dict[str, Any]:
        state = {"rng": _random_state_to_dict(self.rng)}
        if self.ranked is not None:
            state["ranked"] = self.ranked
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng = _random_state_from_dict(state["rng"])
        self.ranked = np.asarray(state["ranked"], dtype=np.float64) if "ranked" in state else None


def make_strategy(name: str, genome_size: int, population: int, mutation_rate: float, seed: int) -> Strategy:
    """A strategy from the registry by name."""
    return STRATEGIES[name](genome_size, population, mutation_rate, seed)


class Elitist(Strategy):
    """The best genomes carried over unchanged; the rest are tournament winners plus Gaussian noise."""

    name = "elitist"
    description = (
        "a genetic algorithm: the best 20% kept unchanged (50% from generation 40 on), tournament parents, "
        "Gaussian noise of size R"
    )
    default_tracks = 2
    default_mutation_rate = 0.3
    default_safety_weight = 0.5

    TOURNAMENT = 3
    # Few elites early let the population explore and learn fast; many elites late keep the drivers that
    # have proved themselves on many fresh tracks, so the best saved at the end are all reliable.
    ELITE_SHARE = 0.2
    LATE_ELITE_SHARE = 0.5
    LATE_GENERATION = 40

    def __init__(self, genome_size: int, population: int, mutation_rate: float, seed: int) -> None:
        super().__init__(genome_size, population, mutation_rate, seed)
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, 0xE1]))
        self.ranked: np.ndarray | None = None
        self.told = 0  # generations scored so far

    @property
    def elites(self) -> int:
        share = self.LATE_ELITE_SHARE if self.told >= self.LATE_GENERATION else self.ELITE_SHARE
        return max(1, round(self.population * share))

    def ask(self) -> np.ndarray:
        if self.ranked is None:
            return self.rng.uniform(-1, 1, size=(self.population, self.genome_size))
        count = self.population - self.elites
        # a tournament on ranks: the best of TOURNAMENT random picks wins
        parents = self.rng.integers(0, self.population, size=(count, self.TOURNAMENT)).min(axis=1)
        noise = self.mutation_rate * self.rng.standard_normal((count, self.genome_size))
        return np.concatenate([self.ranked[: self.elites], self.ranked[parents] + noise])

    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        self.ranked = np.asarray(genomes, dtype=np.float64)[rank_order(scores)]
        self.told += 1

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"rng": self.rng.bit_generator.state, "told": self.told}
        if self.ranked is not None:
            state["ranked"] = self.ranked
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        told = state["told"]
        if isinstance(told, bool) or not isinstance(told, int) or told < 0:
            raise ValueError("the strategy's generation count is damaged")
        self.told = told
        self.ranked = np.asarray(state["ranked"], dtype=np.float64) if "ranked" in state else None


class SNES(Strategy):
    """Separable natural evolution strategy: a Gaussian per weight whose mean and spread follow ranked samples."""

    name = "snes"
    description = "separable natural evolution strategy: a Gaussian per weight, moved by rank-weighted samples"
    default_safety_weight = 0.5
    default_tracks = 2

    def __init__(self, genome_size: int, population: int, mutation_rate: float, seed: int) -> None:
        super().__init__(genome_size, population, mutation_rate, seed)
        self.rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5E5]))
        self.mean = np.zeros(genome_size)
        self.spread = np.ones(genome_size)
        self.spread_rate = (3 + np.log(genome_size)) / (5 * np.sqrt(genome_size))  # the usual SNES rate
        ranks = np.arange(1, population)  # the mean is raced too, as row 0, but does not vote
        weights = np.maximum(0.0, np.log(population / 2 + 1) - np.log(ranks))
        self.utilities = weights / weights.sum() - 1 / (population - 1)
        self.noise: np.ndarray | None = None

    def ask(self) -> np.ndarray:
        self.noise = self.rng.standard_normal((self.population - 1, self.genome_size))
        samples = self.mean + self.spread * self.noise
        return np.concatenate([self.mean[None], samples])

    def tell(self, genomes: np.ndarray, scores: np.ndarray) -> None:
        if self.noise is None:
            raise ValueError("tell() before ask()")
        noise = self.noise[rank_order(np.asarray(scores)[1:])]
        self.mean = self.mean + self.spread * (self.utilities @ noise)  # learning rate 1, as usual for SNES
        self.spread = self.spread * np.exp(self.spread_rate / 2 * (self.utilities @ (noise**2 - 1)))
        self.noise = None

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"rng": self.rng.bit_generator.state, "mean": self.mean, "spread": self.spread}
        if self.noise is not None:
            state["noise"] = self.noise
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.mean = np.asarray(state["mean"], dtype=np.float64)
        self.spread = np.asarray(state["spread"], dtype=np.float64)
        self.noise = np.asarray(state["noise"], dtype=np.float64) if "noise" in state else None


STRATEGIES: dict[str, type[Strategy]] = {cls.name: cls for cls in (Classic, Elitist, SNES)}
