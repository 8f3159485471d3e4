"""Strategies behind one ask/tell interface, and the registry the CLI, app and tests list them from.

A strategy object holds only its settings (genome size, population, mutation rate); everything that
changes as a run goes lives in its state, a small typed dataclass that the run keeps and checkpoints.
initial_state(seed) makes the first state; ask(state) returns the next population, a (P, D) float64
array; tell(state, genomes, scores) updates the state with the scores (P,) those genomes earned.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .lineage import MEAN, SAMPLE, Origins
from .seeds import blog_generator, generator


def rank_order(scores: np.ndarray) -> np.ndarray:
    """Indices best first; ties keep their order (a stable sort, as Python's sorted in the blog)."""
    return np.argsort(-np.asarray(scores), kind="stable")


class NotFinite(ArithmeticError):
    """A strategy's numbers grew past what a float holds (or vanished): asked or told, it leaves its state as it
    was, the last finite one, and the run stops there."""


def _finite_or_restore(genomes: np.ndarray, rng, saved, what: str) -> np.ndarray:
    """genomes if all finite; else the generator is put back to its state `saved` and NotFinite raised."""
    if np.isfinite(genomes).all():
        return genomes
    if isinstance(rng, np.random.RandomState):
        rng.set_state(saved)
    else:
        rng.bit_generator.state = saved
    raise NotFinite(f"the {what} grew past what a number can hold")


def _rng_state(rng):
    """The generator's state, to put back if what it drew is not kept."""
    return rng.get_state() if isinstance(rng, np.random.RandomState) else rng.bit_generator.state


def _check_genomes(name: str, genomes: np.ndarray | None, shape: tuple[int, ...]) -> None:
    """ValueError unless genomes is None or a finite float array of the given shape."""
    if genomes is None:
        return
    if not isinstance(genomes, np.ndarray) or genomes.shape != shape or genomes.dtype.kind != "f":
        raise ValueError(f"the strategy's {name} should be {shape} floats")
    if not np.isfinite(genomes).all():
        raise ValueError(f"the strategy's {name} holds a NaN or infinite value")


class Strategy(ABC):
    """Breeds populations of flat genomes from the scores of the previous ones."""

    name: ClassVar[str]
    description: ClassVar[str]
    default_tracks: ClassVar[int] = 0  # extra random tracks per generation when --tracks is not given
    default_mutation_rate: ClassVar[float] = 0.1
    default_safety_weight: ClassVar[float] = 0.0  # see RunConfig.safety_weight
    state_type: ClassVar[type]

    def __init__(self, genome_size: int, population: int, mutation_rate: float) -> None:
        if population < 2:
            raise ValueError("a population needs at least 2 genomes")
        self.genome_size = genome_size
        self.population = population
        self.mutation_rate = float(mutation_rate)
        self.last_origins: Origins | None = None  # where each genome of the last ask() came from

    @abstractmethod
    def initial_state(self, seed: int):
        """The state before the first generation, its generator seeded from the run's seed."""

    @abstractmethod
    def ask(self, state) -> np.ndarray:
        """The next population to race, (population, genome_size)."""

    @abstractmethod
    def tell(self, state, genomes: np.ndarray, scores: np.ndarray) -> None:
        """Update the state with the scores (population,) that the genomes just asked for earned."""

    @abstractmethod
    def check(self, state) -> None:
        """ValueError unless the state (read from a file) fits this strategy's settings."""


@dataclass
class RankedState:
    """What classic and elitist keep: their generator, and the last generation ranked best first."""

    rng: np.random.Generator | np.random.RandomState
    ranked: np.ndarray | None = None  # (P, D), best first; None before the first generation is told
    told: int = 0  # generations scored so far


@dataclass
class ClassicState(RankedState):
    """The classic strategy's state; its generator is the blog's RandomState."""

    rng: np.random.RandomState


@dataclass
class ElitistState(RankedState):
    """The elitist strategy's state."""

    rng: np.random.Generator


class Classic(Strategy):
    """The blog's algorithm, drawing numpy's legacy RandomState(seed) in the blog's order."""

    name = "classic"
    description = "the blog's algorithm: parent at rank min(int(Exp(5)), P-1), uniform ±rate noise on every weight"
    state_type = ClassicState

    PARENT_SCALE = 5.0

    def initial_state(self, seed: int) -> ClassicState:
        return ClassicState(rng=blog_generator(seed))

    def ask(self, state: ClassicState) -> np.ndarray:
        if state.ranked is None:
            self.last_origins = Origins.random(self.population)
            return state.rng.uniform(-1, 1, size=(self.population, self.genome_size))
        # The blog draws, child by child, one exponential(5) then genome_size uniforms in ±rate.
        # Both consume the generator's doubles U in order: exponential(5) is 5 * -log(1 - U) with
        # C's log (math.log is the same), uniform(a, b) is a + (b - a) * U. So one block of doubles
        # gives the blog's numbers bit for bit, without a Python call per child.
        rate = self.mutation_rate
        saved = _rng_state(state.rng)
        draws = state.rng.random_sample((self.population, self.genome_size + 1))
        last = self.population - 1
        parents = [min(int(self.PARENT_SCALE * -math.log(1.0 - u)), last) for u in draws[:, 0].tolist()]
        noise = -rate + (rate - -rate) * draws[:, 1:]
        with np.errstate(over="ignore"):  # checked: a genome past what a float holds is refused
            genomes = _finite_or_restore(state.ranked[parents] + noise, state.rng, saved, "genomes")
        self.last_origins = Origins.children(np.asarray(parents), noise)  # from the same draws: nothing more drawn
        return genomes

    def tell(self, state: ClassicState, genomes: np.ndarray, scores: np.ndarray) -> None:
        state.ranked = np.asarray(genomes, dtype=np.float64)[rank_order(scores)]
        state.told += 1

    def check(self, state: ClassicState) -> None:
        _check_genomes("ranked genomes", state.ranked, (self.population, self.genome_size))


class Elitist(Strategy):
    """The best genomes carried over unchanged; the rest are tournament winners plus Gaussian noise."""

    name = "elitist"
    description = (
        "a genetic algorithm: a first generation uniform in ±3, the best 20% kept unchanged, tournament "
        "parents, Gaussian noise of size R; from generation 40 on, 50% kept and noise R/2"
    )
    default_tracks = 2
    default_mutation_rate = 0.7
    default_safety_weight = 0.5
    state_type = ElitistState

    TOURNAMENT = 3
    # Few elites early let the population explore and learn fast; many elites late keep the drivers that
    # have proved themselves on many fresh tracks, so the best saved at the end are all reliable.
    ELITE_SHARE = 0.2
    LATE_ELITE_SHARE = 0.5
    LATE_GENERATION = 40
    # Large first weights make decisive drivers of many kinds (a sigmoid fed large sums steers hard one way
    # or the other), where ±1 gives a first generation of timid look-alikes that can stall for 60
    # generations on the training track's steep dive (docs/learning-notes.md).
    FIRST_SPREAD = 3.0
    # Large steps find a finisher soon; from late_generation on, smaller ones refine the drivers found, so
    # that the whole saved top 20 drives the test track (docs/learning-notes.md).
    LATE_NOISE = 0.3  # the noise is this times R from late_generation on

    def __init__(
        self,
        genome_size: int,
        population: int,
        mutation_rate: float,
        elite_share: float | None = None,
        late_elite_share: float | None = None,
        late_generation: int | None = None,
        tournament: int | None = None,
    ) -> None:
        """Its knobs (settings a run may change, see evolution/settings.py) default to the class constants."""
        super().__init__(genome_size, population, mutation_rate)
        self.elite_share = self.ELITE_SHARE if elite_share is None else float(elite_share)
        self.late_elite_share = self.LATE_ELITE_SHARE if late_elite_share is None else float(late_elite_share)
        self.late_generation = self.LATE_GENERATION if late_generation is None else int(late_generation)
        self.tournament = self.TOURNAMENT if tournament is None else int(tournament)

    def initial_state(self, seed: int) -> ElitistState:
        return ElitistState(rng=generator(seed, "elitist"))

    def elites(self, state: ElitistState) -> int:
        """How many of the best are carried over unchanged into the next generation."""
        share = self.late_elite_share if state.told >= self.late_generation else self.elite_share
        return max(1, round(self.population * share))

    def ask(self, state: ElitistState) -> np.ndarray:
        if state.ranked is None:
            self.last_origins = Origins.random(self.population)
            spread = self.FIRST_SPREAD
            return state.rng.uniform(-spread, spread, size=(self.population, self.genome_size))
        elites = self.elites(state)
        count = self.population - elites
        saved = _rng_state(state.rng)
        # a tournament on ranks: the best of `tournament` random picks wins
        parents = state.rng.integers(0, self.population, size=(count, self.tournament)).min(axis=1)
        rate = self.mutation_rate * (self.LATE_NOISE if state.told >= self.late_generation else 1.0)
        noise = rate * state.rng.standard_normal((count, self.genome_size))
        with np.errstate(over="ignore"):  # checked: a genome past what a float holds is refused
            children = _finite_or_restore(state.ranked[parents] + noise, state.rng, saved, "genomes")
        self.last_origins = Origins.concatenate([Origins.kept(elites), Origins.children(parents, noise)])
        return np.concatenate([state.ranked[:elites], children])

    def tell(self, state: ElitistState, genomes: np.ndarray, scores: np.ndarray) -> None:
        state.ranked = np.asarray(genomes, dtype=np.float64)[rank_order(scores)]
        state.told += 1

    def check(self, state: ElitistState) -> None:
        _check_genomes("ranked genomes", state.ranked, (self.population, self.genome_size))


@dataclass
class SnesState:
    """The snes strategy's state: a Gaussian per weight, and the noise of the samples being raced."""

    rng: np.random.Generator
    mean: np.ndarray  # (D,)
    spread: np.ndarray  # (D,), > 0
    noise: np.ndarray | None = None  # (P-1, D) while a generation asked for is racing


class SNES(Strategy):
    """Separable natural evolution strategy: a Gaussian per weight whose mean and spread follow ranked samples."""

    name = "snes"
    description = "separable natural evolution strategy: a Gaussian per weight, moved by rank-weighted samples"
    default_safety_weight = 0.5
    default_tracks = 2
    state_type = SnesState

    MEAN_RATE = 1.0  # the mean's learning rate, 1 as usual for SNES

    def __init__(
        self,
        genome_size: int,
        population: int,
        mutation_rate: float,
        mean_rate: float | None = None,
        spread_rate: float | None = None,
    ) -> None:
        """Its knobs (see evolution/settings.py) default to the usual SNES rates."""
        super().__init__(genome_size, population, mutation_rate)
        self.mean_rate = self.MEAN_RATE if mean_rate is None else float(mean_rate)
        usual = (3 + np.log(genome_size)) / (5 * np.sqrt(genome_size))  # the usual SNES rate
        self.spread_rate = usual if spread_rate is None else float(spread_rate)
        ranks = np.arange(1, population)  # the mean is raced too, as row 0, but does not vote
        weights = np.maximum(0.0, np.log(population / 2 + 1) - np.log(ranks))
        self.utilities = weights / weights.sum() - 1 / (population - 1)

    def initial_state(self, seed: int) -> SnesState:
        return SnesState(rng=generator(seed, "snes"), mean=np.zeros(self.genome_size), spread=np.ones(self.genome_size))

    def ask(self, state: SnesState) -> np.ndarray:
        saved = _rng_state(state.rng)
        noise = state.rng.standard_normal((self.population - 1, self.genome_size))
        with np.errstate(over="ignore", invalid="ignore"):  # checked: a sample past what a float holds is refused
            samples = state.mean + state.spread * noise
        samples = _finite_or_restore(samples, state.rng, saved, "weights drawn around the mean")
        state.noise = noise
        self.last_origins = snes_origins(state.noise)
        return np.concatenate([state.mean[None], samples])

    def tell(self, state: SnesState, genomes: np.ndarray, scores: np.ndarray) -> None:
        if state.noise is None:
            raise ValueError("tell() before ask()")
        noise = state.noise[rank_order(np.asarray(scores)[1:])]
        # learning rate 1 by default, as usual for SNES (times 1.0 is exact: no number moves)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # checked below, before they are kept
            mean = state.mean + self.mean_rate * (state.spread * (self.utilities @ noise))
            spread = state.spread * np.exp(self.spread_rate / 2 * (self.utilities @ (noise**2 - 1)))
        if not (np.isfinite(mean).all() and np.isfinite(spread).all() and (spread > 0).all()):
            raise NotFinite("the mean or the spread of the weights grew past what a number can hold")
        state.mean, state.spread = mean, spread
        state.noise = None

    def check(self, state: SnesState) -> None:
        _check_genomes("mean", state.mean, (self.genome_size,))
        _check_genomes("spread", state.spread, (self.genome_size,))
        _check_genomes("noise", state.noise, (self.population - 1, self.genome_size))
        if not (state.spread > 0).all():
            raise ValueError("the strategy's spread must be positive")


def snes_origins(noise: np.ndarray) -> Origins:
    """Row 0 the mean, the rest samples (their draws' norms from the noise (P-1, D) already drawn)."""
    origins = Origins.children(np.full(len(noise), -1), noise)
    origins.kind[:] = SAMPLE
    return Origins.concatenate([Origins(np.array([MEAN], np.int8), np.array([-1]), np.zeros(1)), origins])


STRATEGIES: dict[str, type[Strategy]] = {cls.name: cls for cls in (Classic, Elitist, SNES)}


def make_strategy(name: str, genome_size: int, population: int, mutation_rate: float, **knobs) -> Strategy:
    """A strategy from the registry by name; knobs are its own settings (e.g. elite_share), None for the default."""
    return STRATEGIES[name](genome_size, population, mutation_rate, **knobs)
