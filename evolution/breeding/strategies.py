"""Strategies behind one ask/tell interface, and the registry everything else lists them from.

A strategy object holds only its settings (genome size, population, mutation rate and its own knobs, a
Params dataclass); everything that changes as a run goes lives in its state, a small typed dataclass that
the run keeps and checkpoints. initial_state(seed) makes the first state; ask(state) returns the next
population, a (P, D) float64 array; tell(state, genomes, scores) updates the state with the scores (P,)
those genomes earned.

A strategy class also says everything the rest of the program needs to know of it: its words (summary for
--help, explain for captions), its knobs (Knob: the settings a run may change, which the settings table,
--set, the panel and the checks are built from), its generator's stream, and how it carries over a ranked
population when a run switches to it mid-run (carry_over). `register` adds one; nothing outside this module
names a strategy, so a strategy defined anywhere (a test module, say) and registered is a strategy like any.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from evolution.breeding.lineage import MEAN, SAMPLE, Origins
from evolution.breeding.seeds import (
    STREAMS,
    add_stream,
    blog_generator,
    change_generator,
    change_random_state,
    generator,
    remove_stream,
)


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


@dataclass(frozen=True)
class Knob:
    """A setting of one strategy that a run may change (a field of its Params): the settings table
    (evolution/run/settings.py) makes a Setting of it, applying to that strategy only.

    kind is int or float, low..high its range (a bound may be the name of a setting of the table whose bound it
    shares: "generations" for a generation, so the number is written once, in evolution/run/settings.py); caption
    a plain sentence with {value} (or {percent}) where the value goes, and the strategy's caption_constants() as
    other fields; title the setting in a few words (a panel row); aliases other accepted spellings; why_not_more
    what is added to "NAME is a setting of STRATEGY only" when another strategy is asked to change it."""

    name: str
    kind: type
    low: float | str
    high: float | str
    caption: str
    title: str
    aliases: tuple[str, ...] = ()
    why_not_more: str = ""


@dataclass(frozen=True)
class NoParams:
    """The parameters of a strategy that has no knobs."""


class Strategy(ABC):
    """Breeds populations of flat genomes from the scores of the previous ones."""

    name: ClassVar[str]
    title: ClassVar[str] = ""  # the strategy in a few plain words, for a panel
    default_tracks: ClassVar[int] = 0  # extra random tracks per generation when --tracks is not given
    default_mutation_rate: ClassVar[float] = 0.1
    default_safety_weight: ClassVar[float] = 0.0  # see RunConfig.safety_weight
    uses_mutation_rate: ClassVar[bool] = True  # False: a change of mutation_rate is refused, saying no_mutation_rate
    no_mutation_rate: ClassVar[str] = ""
    stream: ClassVar[int | None] = None  # its generator's stream number (evolution/breeding/seeds.py), unique
    state_type: ClassVar[type]
    Params: ClassVar[type] = NoParams  # its knobs' values, None for "the strategy's default"
    knobs: ClassVar[tuple[Knob, ...]] = ()  # one per field of Params, in the order shown

    def __init__(self, genome_size: int, population: int, mutation_rate: float, **knobs: Any) -> None:
        """knobs: values of the fields of Params (None, or left out: the strategy's default)."""
        if population < 2:
            raise ValueError("a population needs at least 2 genomes")
        self.genome_size = genome_size
        self.population = population
        self.mutation_rate = float(mutation_rate)
        self.params = self.Params(**knobs)
        self.last_origins: Origins | None = None  # where each genome of the last ask() came from

    def knob_value(self, name: str) -> Any:
        """The value in force of one of its knobs (its default if the run left it unset)."""
        return getattr(self, name)

    @classmethod
    def knob_names(cls) -> tuple[str, ...]:
        return tuple(knob.name for knob in cls.knobs)

    @classmethod
    def caption_constants(cls) -> dict[str, str]:
        """Numbers its knobs' captions name besides the value, read when a caption is made."""
        return {}

    @classmethod
    def mutation_default(cls) -> str:
        """Its default mutation size in words, for --help ("0.1 classic")."""
        if not cls.uses_mutation_rate:
            return f"{cls.name} adapts its own"
        return f"{cls.default_mutation_rate:g} {cls.name}"

    @classmethod
    def mutation_note(cls) -> str:
        """What a caption of the mutation size adds for this strategy ("" if nothing)."""
        return ""

    def change_rng(self, seed: int, generation: int):
        """The generator a state made by a settings change at `generation` draws from."""
        return change_generator(seed, "lab_strategy", generation)

    def restart_state(self, seed: int, generation: int):
        """The state before its first generation: a fresh run's at generation 0, later (a new network shape
        mid-run) with the change's generator."""
        state = self.initial_state(seed)
        if generation:
            state.rng = self.change_rng(seed, generation)
        return state

    @abstractmethod
    def carry_over(self, ranked: np.ndarray, seed: int, generation: int):
        """The state of this strategy taking over a run at `generation` from the population just raced,
        `ranked` (P, D) best first; it draws from change_rng(seed, generation)."""

    def heir(self) -> tuple[int, str] | None:
        """A row of every population after the first that always stands for last generation's best, and how
        to call it (snes's mean); None: the run looks for last generation's best among the genomes."""
        return None

    @classmethod
    def version_1_state(cls, old: dict[str, Any], generation: int, member) -> dict[str, Any]:
        """Its state tree read from a version-1 checkpoint's strategy_state `old` (member(name) the array
        reference if that array is in the file); ValueError if no version-1 file holds this strategy."""
        raise ValueError(f"no version-1 checkpoint holds the strategy {cls.name}")

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

    @classmethod
    @abstractmethod
    def summary(cls) -> str:
        """One line for --help, made from the class's constants (R stands for the mutation size)."""

    @abstractmethod
    def explain(self, state, generation: int) -> str:
        """What breeding does now, in plain words with this run's numbers: said as a generation closes.
        `state` is the strategy's state after the tell; `generation` the number of the one it breeds next."""

    @abstractmethod
    def noise_now(self, state) -> float:
        """The size of the random changes the next generation gets (what is in force now, schedules counted)."""


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
    title = "the blog's way"
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

    @classmethod
    def summary(cls) -> str:
        return (
            f"the blog's algorithm: parent at rank min(int(Exp({cls.PARENT_SCALE:g})), P-1), uniform ±R noise on "
            "every weight"
        )

    def explain(self, state: ClassicState, generation: int) -> str:
        top = max(1, round(self.PARENT_SCALE))
        share = 1 - math.exp(-top / self.PARENT_SCALE)  # P(int(Exp(scale)) < top)
        return (
            f"Breeding generation {generation}: the {self.population} dots are ranked by how far they got. Each of "
            f"the {self.population} new dots copies one of them, {share:.0%} of the time one of the top {top}, "
            f"and every one of its {self.genome_size} weights is nudged at random by up to ±{self.mutation_rate:g}."
        )

    def noise_now(self, state: ClassicState) -> float:
        return self.mutation_rate

    def change_rng(self, seed: int, generation: int) -> np.random.RandomState:
        return change_random_state(seed, generation)  # the blog's kind of generator

    def carry_over(self, ranked: np.ndarray, seed: int, generation: int) -> ClassicState:
        return ClassicState(rng=self.change_rng(seed, generation), ranked=ranked.copy(), told=generation)

    @classmethod
    def version_1_state(cls, old: dict[str, Any], generation: int, member) -> dict[str, Any]:
        random_state = {k: old["rng"][k] for k in ("keys", "pos", "has_gauss", "cached")}
        return {"rng": {"random_state": random_state}, "ranked": member("strategy.ranked"), "told": generation}


class Elitist(Strategy):
    """The best genomes carried over unchanged; the rest are tournament winners plus Gaussian noise."""

    name = "elitist"
    title = "keep the best, breed the rest"
    default_tracks = 2
    default_mutation_rate = 0.7
    default_safety_weight = 0.5
    stream = 0xE1  # never change it, or every elitist run's figures move
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

    @dataclass(frozen=True)
    class Params:
        """The elitist knobs a run set (None: the class constant)."""

        elite_share: float | None = None
        late_elite_share: float | None = None
        late_generation: int | None = None
        tournament: int | None = None

    knobs = (
        Knob("elite_share", float, 0, 1, "the best {percent}% are copied unchanged (before the late generation)",
             "Kept unchanged", aliases=("elites",)),
        Knob("late_elite_share", float, 0, 1, "from the late generation on, the best {percent}% are copied unchanged",
             "Kept unchanged, late", aliases=("late_elites",)),
        Knob("late_generation", int, 0, "generations", "from generation {value} on (counted from the network's "
             "start), more are kept and the noise is {late_noise} times the mutation size", "Late generation"),
        Knob("tournament", int, 1, 1000, "each parent is the best of {value} random picks", "Contest size",
             why_not_more="; classic picks parents by rank and snes has no parents"),
    )  # fmt: skip

    def __init__(self, genome_size: int, population: int, mutation_rate: float, **knobs: Any) -> None:
        """Its knobs (settings a run may change, see Knob) default to the class constants."""
        super().__init__(genome_size, population, mutation_rate, **knobs)
        params = self.params
        self.elite_share = self.ELITE_SHARE if params.elite_share is None else float(params.elite_share)
        late = params.late_elite_share
        self.late_elite_share = self.LATE_ELITE_SHARE if late is None else float(late)
        late = params.late_generation
        self.late_generation = self.LATE_GENERATION if late is None else int(late)
        self.tournament = self.TOURNAMENT if params.tournament is None else int(params.tournament)

    @classmethod
    def caption_constants(cls) -> dict[str, str]:
        return {"late_noise": f"{cls.LATE_NOISE:g}", "late_generation": f"{cls.LATE_GENERATION}"}

    @classmethod
    def mutation_default(cls) -> str:
        late = f"{cls.LATE_NOISE:g} times that from generation {cls.LATE_GENERATION}"
        return f"{cls.default_mutation_rate:g} {cls.name} ({late})"

    @classmethod
    def mutation_note(cls) -> str:
        late = f"{cls.LATE_GENERATION} unless changed"
        return f"{cls.name}: {cls.LATE_NOISE:g} times that from its late generation on, {late}"

    def carry_over(self, ranked: np.ndarray, seed: int, generation: int) -> ElitistState:
        # told: the run's generation, so that the late stage counts from the run's start
        return ElitistState(rng=self.change_rng(seed, generation), ranked=ranked.copy(), told=generation)

    @classmethod
    def version_1_state(cls, old: dict[str, Any], generation: int, member) -> dict[str, Any]:
        return {"rng": {"generator": old["rng"]}, "ranked": member("strategy.ranked"), "told": old["told"]}

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

    @classmethod
    def summary(cls) -> str:
        return (
            f"a genetic algorithm: a first generation uniform in ±{cls.FIRST_SPREAD:g}, the best "
            f"{cls.ELITE_SHARE:.0%} kept unchanged, tournament parents (the best of {cls.TOURNAMENT} random picks), "
            f"Gaussian noise of size R; from generation {cls.LATE_GENERATION} on, {cls.LATE_ELITE_SHARE:.0%} kept "
            f"and noise {cls.LATE_NOISE:g}×R"
        )

    def late(self, state: ElitistState) -> bool:
        """True once the late stage (more kept, smaller noise) is in force: counted from the network's start."""
        return state.told >= self.late_generation

    def noise_now(self, state: ElitistState) -> float:
        return self.mutation_rate * (self.LATE_NOISE if self.late(state) else 1.0)

    def explain(self, state: ElitistState, generation: int) -> str:
        elites = self.elites(state)
        text = (
            f"Breeding generation {generation}: the best {elites} of {self.population} are copied unchanged; "
            f"{self.population - elites} children copy the winner of a contest between {self.tournament} random "
            f"dots, and each weight changes by random noise of typical size {self.noise_now(state):g}."
        )
        if self.late(state):
            return text + " (The late stage: more are kept and the changes are smaller, to polish good drivers.)"
        late_at = generation + self.late_generation - state.told
        late_elites = max(1, round(self.population * self.late_elite_share))
        return (
            text + f" From generation {late_at} on, {late_elites} are kept and the noise is "
            f"{self.mutation_rate * self.LATE_NOISE:g}."
        )


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
    title = "move a cloud of weights"
    default_safety_weight = 0.5
    default_tracks = 2
    uses_mutation_rate = False
    no_mutation_rate = "snes adapts its own step size; change its spread_rate or mean_rate instead"
    stream = 0x5E5  # never change it, or every snes run's figures move
    state_type = SnesState

    MEAN_RATE = 1.0  # the mean's learning rate, 1 as usual for SNES
    MIN_SPREAD = 0.05  # snes taking over mid-run: the least spread per weight

    @dataclass(frozen=True)
    class Params:
        """The snes knobs a run set (None: the usual rates)."""

        mean_rate: float | None = None
        spread_rate: float | None = None

    knobs = (
        Knob("mean_rate", float, 0, 10, "the mean moves {value} times its natural-gradient step", "Mean step"),
        Knob("spread_rate", float, 0, 10, "the spread adapts at rate {value}", "Spread step"),
    )

    def __init__(self, genome_size: int, population: int, mutation_rate: float, **knobs: Any) -> None:
        """Its knobs (see Knob) default to the usual SNES rates."""
        super().__init__(genome_size, population, mutation_rate, **knobs)
        params = self.params
        self.mean_rate = self.MEAN_RATE if params.mean_rate is None else float(params.mean_rate)
        usual = (3 + np.log(genome_size)) / (5 * np.sqrt(genome_size))  # the usual SNES rate
        self.spread_rate = usual if params.spread_rate is None else float(params.spread_rate)
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

    @classmethod
    def summary(cls) -> str:
        return (
            "separable natural evolution strategy: a Gaussian per weight, moved by rank-weighted samples "
            f"(the mean at {cls.MEAN_RATE:g} times its step)"
        )

    def noise_now(self, state: SnesState) -> float:
        return float(np.mean(state.spread))

    def explain(self, state: SnesState, generation: int) -> str:
        voters = int((self.utilities > 0).sum())
        return (
            f"Breeding generation {generation}: there are no parents here. One average network (dot 0) and "
            f"{self.population - 1} variations of it race; the average moves toward the best {voters} variations, "
            f"and how far variations stray (now {self.noise_now(state):.3g} per weight on average) grows or "
            "shrinks with what worked."
        )

    def carry_over(self, ranked: np.ndarray, seed: int, generation: int) -> SnesState:
        # the mean of the best quarter as its mean, their spread per weight (at least MIN_SPREAD) as its spread
        best = ranked[: max(2, len(ranked) // 4)]
        spread = np.maximum(best.std(axis=0), self.MIN_SPREAD)
        return SnesState(rng=self.change_rng(seed, generation), mean=best.mean(axis=0), spread=spread)

    def heir(self) -> tuple[int, str]:
        return 0, "snes's mean"

    @classmethod
    def version_1_state(cls, old: dict[str, Any], generation: int, member) -> dict[str, Any]:
        tree = {"rng": {"generator": old["rng"]}, "mean": old["mean"], "spread": old["spread"]}
        return {**tree, "noise": member("strategy.noise")}


def snes_origins(noise: np.ndarray) -> Origins:
    """Row 0 the mean, the rest samples (their draws' norms from the noise (P-1, D) already drawn)."""
    origins = Origins.children(np.full(len(noise), -1), noise)
    origins.kind[:] = SAMPLE
    return Origins.concatenate([Origins(np.array([MEAN], np.int8), np.array([-1]), np.zeros(1)), origins])


STRATEGIES: dict[str, type[Strategy]] = {}  # name -> class, in the order registered (the order shown)
BUILT_IN: tuple[str, ...] = ()  # the names registered here, which unregister() keeps


NAME = re.compile(r"^[a-z][a-z0-9_-]{0,29}$")


def register(cls: type[Strategy]) -> type[Strategy]:
    """Add a strategy to the registry (usable as a class decorator): from then on --strategy, --set, the
    panel, the checks, checkpoints, --compare and studies know it. A variant (a subclass of a registered
    strategy) may share its parent's knobs and stream; otherwise ValueError if its name, a knob's name or its
    stream is taken, or if its knobs are not the fields of its Params."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"a strategy's name is a short lower-case word, not {name!r}")
    if name in STRATEGIES:
        raise ValueError(f"a strategy called {name!r} is registered already")
    params = {field.name for field in fields(cls.Params)}
    if params != set(cls.knob_names()):
        knobs = sorted(cls.knob_names())
        raise ValueError(f"{name}: its knobs {knobs} are not the fields of its Params {sorted(params)}")
    owned = {knob.name: knob for other in STRATEGIES.values() for knob in other.knobs}
    clash = sorted(knob.name for knob in cls.knobs if knob.name in owned and owned[knob.name] is not knob)
    if clash:
        raise ValueError(f"{name}: the knobs {clash} belong to another strategy")
    parents = [other for other in STRATEGIES.values() if issubclass(cls, other)]
    if cls.stream is not None and not any(other.stream == cls.stream for other in parents):
        add_stream(name, cls.stream)
    STRATEGIES[name] = cls
    return cls


def unregister(name: str) -> None:
    """Take a registered strategy out again (a test's); the built-in ones stay."""
    if name in BUILT_IN or name not in STRATEGIES:
        raise ValueError(f"{name!r} is not a strategy that can be taken out")
    del STRATEGIES[name]
    if name in STREAMS:
        remove_stream(name)


def speakers() -> list[type[Strategy]]:
    """The registered strategies that have words of their own: a variant (a subclass of one registered before
    it) speaks with its parent's."""
    found: list[type[Strategy]] = []
    for cls in STRATEGIES.values():
        if not any(issubclass(cls, other) for other in found):
            found.append(cls)
    return found


for _cls in (Classic, Elitist, SNES):
    register(_cls)
BUILT_IN = tuple(STRATEGIES)
DEFAULT_STRATEGY = Elitist.name  # the command line's: the best row of python -m bench.learning (docs/strategies.md)


def make_strategy(name: str, genome_size: int, population: int, mutation_rate: float, **knobs) -> Strategy:
    """A strategy from the registry by name; knobs are its own settings (e.g. elite_share), None for the default."""
    return STRATEGIES[name](genome_size, population, mutation_rate, **knobs)
