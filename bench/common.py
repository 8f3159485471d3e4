"""Shared pieces of the benchmarks: the blog's code when ../shared is present, and test populations."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

from evolution.breeding.strategies import STRATEGIES, Elitist, register
from evolution.run.evolve import RunConfig
from evolution.run.genome_file import load_genomes

ROOT = Path(__file__).resolve().parent.parent

REFERENCE = ROOT.parent / "shared" / "reference" / "seed_reference.py"
EVOLVED = ROOT / "bench" / "data" / "evolved.json"


def load_reference() -> ModuleType | None:
    """The blog's code as a module, or None where ../shared/reference is absent."""
    if not REFERENCE.is_file():
        return None
    spec = importlib.util.spec_from_file_location("seed_reference", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def population(kind: str, size: int, genome_size: int, seed: int = 0) -> np.ndarray:
    """(size, genome_size): 'random' as the blog's first generation, or 'evolved' drivers repeated to size."""
    if kind == "random":
        return np.random.RandomState(seed).uniform(-1, 1, size=(size, genome_size))
    drivers = load_genomes(EVOLVED).genomes
    return np.resize(drivers, (size, genome_size)) if len(drivers) < size else drivers[:size].copy()


# The default before the learning work (issue 15): elitist's algorithm with noise 0.3 throughout and a first
# generation in ±1, registered as a strategy of its own for the benchmarks (worker processes are forked: they see it).
BEFORE = "elitist-before"


def register_before() -> None:
    """Put BEFORE in the strategy registry (for a benchmark's own process only: the program never lists it)."""
    if BEFORE not in STRATEGIES:
        old = {"name": BEFORE, "FIRST_SPREAD": 1.0, "LATE_NOISE": 1.0, "default_mutation_rate": 0.3}
        register(type("ElitistBefore", (Elitist,), old))


def config_for(name: str, tracks: int | None = None, **fields) -> RunConfig:
    """A run with a strategy's own defaults (tracks None: its default number of extra tracks; RunConfig fills
    in what is not given)."""
    register_before()
    return RunConfig(strategy=name, extra_tracks=tracks, **fields)
