"""Strategies behind one ask/tell interface, and the registry the CLI, app and tests list them from.

ask() returns the next population, a (P, D) float64 array; tell() gives back its scores. All the
randomness of a strategy comes from generators seeded from the run's seed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np


class Strategy(ABC):
    """Breeds populations of flat genomes from the scores of the previous ones."""

    name: ClassVar[str]
    description: ClassVar[str]

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
    keys = np.asarray(state["keys"], dtype=np.uint32)
    rng.set_state(("MT19937", keys, int(state["pos"]), int(state["has_gauss"]), float(state["cached"])))
    return rng


class Classic(Strategy):
    """The blog's algorithm, drawing numpy's legacy RandomState(seed) in the blog's order."""

    name = "classic"
    description = "the blog's: parents picked at rank min(int(Exp(5)), P-1), uniform ±rate noise on every weight"

    PARENT_SCALE = 5.0

    def __init__(self, genome_size: int, population: int, mutation_rate: float, seed: int) -> None:
        super().__init__(genome_size, population, mutation_rate, seed)
        self.rng = np.random.RandomState(seed)
        self.ranked: np.ndarray | None = None

    def ask(self) -> np.ndarray:
        if self.ranked is None:
            return self.rng.uniform(-1, 1, size=(self.population, self.genome_size))
        last = self.population - 1
        rate = self.mutation_rate
        children = np.empty((self.population, self.genome_size))
        # One exponential then one uniform vector per child: the blog's order of draws.
        for child in range(self.population):
            parent = min(int(self.rng.exponential(scale=self.PARENT_SCALE)), last)
            children[child] = self.ranked[parent] + self.rng.uniform(-rate, rate, size=self.genome_size)
        return children

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


STRATEGIES: dict[str, type[Strategy]] = {cls.name: cls for cls in (Classic,)}


def make_strategy(name: str, genome_size: int, population: int, mutation_rate: float, seed: int) -> Strategy:
    """A strategy from the registry by name."""
    return STRATEGIES[name](genome_size, population, mutation_rate, seed)
