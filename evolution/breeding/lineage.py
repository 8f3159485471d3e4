"""Where each genome of a generation came from, as its strategy bred it: the origins, and their words.

A strategy's ask() notes each genome's origin from the numbers it has already drawn (it draws nothing
more for it): kept unchanged from rank k of the last generation, the child of rank k plus noise of some
norm, a fresh random genome, or (snes) the distribution's mean or a sample from it. Ranks count from 0
(the best); people read them from 1 ("#1" is the best).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

RANDOM, KEPT, CHILD, MEAN, SAMPLE = 0, 1, 2, 3, 4  # the kinds of origin


@dataclass
class Origins:
    """The origins of one generation's genomes, in the order they raced (P,) each.

    kind: one of RANDOM, KEPT, CHILD, MEAN, SAMPLE (int8); parent: the parent's rank in the generation
    before (0 the best), -1 for none; noise: the norm of the noise added to the parent (or, for a snes
    sample, of its standard-normal draw), 0 for none.
    """

    kind: np.ndarray
    parent: np.ndarray
    noise: np.ndarray

    @classmethod
    def random(cls, count: int) -> Origins:
        """A population drawn at random (generation 0)."""
        return cls(np.full(count, RANDOM, np.int8), np.full(count, -1, np.int64), np.zeros(count))

    @classmethod
    def children(cls, parents: np.ndarray, noise: np.ndarray) -> Origins:
        """Children of the ranks `parents` (P,) with the noise rows (P, D) added."""
        norms = np.sqrt(np.einsum("ij,ij->i", noise, noise))
        return cls(np.full(len(parents), CHILD, np.int8), np.asarray(parents, np.int64), norms)

    @classmethod
    def kept(cls, count: int) -> Origins:
        """The best `count` of the last generation, carried over unchanged in rank order."""
        return cls(np.full(count, KEPT, np.int8), np.arange(count, dtype=np.int64), np.zeros(count))

    @classmethod
    def concatenate(cls, parts: list[Origins]) -> Origins:
        return cls(*(np.concatenate([getattr(part, name) for part in parts]) for name in ("kind", "parent", "noise")))

    def __len__(self) -> int:
        return len(self.kind)


def describe(origins: Origins | None, index: int, generation: int, mutation: str = "mutated by") -> str:
    """The origin of genome `index` of `generation` in words, e.g. "child of 3rd, gen 41, mutated by 0.8" (a child of
    the genome ranked 3rd in generation 41)."""
    if origins is None or not 0 <= index < len(origins):
        return "origin not kept"
    kind, parent, noise = int(origins.kind[index]), int(origins.parent[index]), float(origins.noise[index])
    before = generation - 1
    if kind == RANDOM:
        return "drawn at random" if generation == 0 else "fresh, drawn at random"
    if kind == KEPT:
        return f"kept: {ranked(parent)}, gen {before}"
    if kind == CHILD:
        return f"child of {ranked(parent)}, gen {before}, {mutation} {noise:.1f}"
    if kind == MEAN:
        return "the average network"
    return f"sampled from gen {generation}'s distribution ({noise:.1f} spreads from its mean)"


def ranked(rank: int) -> str:
    """A place in the ranking in words ('#' is only ever a dot's number): 0 -> '1st' (the best), 2 -> '3rd'."""
    place = rank + 1
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


NOISE_WORDS = re.compile(r",? mutated by \S+")
SAMPLE_WORDS = re.compile(r"sampled from gen (\d+)'s distribution \(\S+ spreads from its mean\)")


def brief(text: str) -> str:
    """describe()'s words without the size of the noise, for a title with no room for it:
    "child of #3 of gen 41 mutated by 0.8" -> "child of #3 of gen 41", and a snes sample's
    "sampled from gen 41's distribution (1.2 spreads from its mean)" -> "a sample of gen 41"."""
    return SAMPLE_WORDS.sub(r"a sample of gen \1", NOISE_WORDS.sub("", text))


@dataclass(frozen=True)
class ParentStep:
    """One step back along a lineage: the parent's generation, its raced index there (None if that
    generation's population was not kept but its champion is the parent), and what to say."""

    generation: int
    index: int | None
    text: str


def parent_of(archive, generation: int, index: int | None) -> ParentStep:
    """The parent of genome `index` (as raced) of `generation`, from the archive (evolution/run/archive.py);
    ValueError with the reason when it cannot be followed (origins not kept, no parent, parent not kept)."""
    origins = archive.origins.get(generation)
    if origins is None or index is None or not 0 <= index < len(origins):
        raise ValueError(f"the origins of gen {generation} are not kept")
    parent = int(origins.parent[index])
    text = describe(origins, index, generation)
    if parent < 0:
        raise ValueError(f"{text}: no parent to follow")
    before = generation - 1
    found = archive.index_of_rank(before, parent) if archive.population(before) is not None else None
    if found is None and parent != 0:
        raise ValueError(f"{text}, but gen {before}'s population was not kept")
    return ParentStep(before, found, text)
