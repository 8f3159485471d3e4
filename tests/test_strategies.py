"""Strategies: the classic one equals the blog for every seed tried; all obey ask/tell."""

import numpy as np
import pytest

from evolution.evolve import Evolution, RunConfig
from evolution.network import Network
from evolution.strategies import STRATEGIES, make_strategy, rank_order
from evolution.track import training_track
from tests.conftest import reference_rows


@pytest.mark.parametrize("seed", [0, 7, 42, 2024])
def test_classic_matches_the_blog_for_every_generation(seed):
    evolution = Evolution(RunConfig(seed=seed, generations=120), training_track())
    while not evolution.finished_all:
        evolution.run_generation()
    rows = reference_rows(seed)
    assert len(rows) == len(evolution.history) == 121
    for row, g in zip(rows, range(121)):
        stats = evolution.history
        assert int(row["generation"]) == int(stats.column("generation")[g])
        assert int(row["best"]) == int(stats.column("best")[g])
        assert int(row["finished"]) == int(stats.column("finished")[g])
        assert abs(float(row["mean"]) - stats.column("mean")[g]) <= 1e-9


def test_rank_order_is_stable_for_ties():
    assert rank_order(np.array([3, 5, 3, 5, 1])).tolist() == [1, 3, 0, 2, 4]


def test_classic_first_generation_is_uniform_in_plus_minus_one():
    genomes = make_strategy("classic", 105, 50, 0.1, 42).ask()
    expected = np.random.RandomState(42).uniform(-1, 1, size=(50, 105))
    assert np.array_equal(genomes, expected)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_asks_the_right_shape_and_is_deterministic(name):
    size = Network().genome_size
    runs = []
    for _ in range(2):
        strategy = make_strategy(name, size, 20, 0.1, 11)
        asked = []
        for generation in range(4):
            genomes = strategy.ask()
            assert genomes.shape == (20, size) and np.isfinite(genomes).all()
            strategy.tell(genomes, np.arange(20) * (generation + 1) % 7)
            asked.append(genomes)
        runs.append(asked)
    for a, b in zip(*runs):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_state_round_trips(name):
    size = Network().genome_size
    first = make_strategy(name, size, 12, 0.1, 3)
    genomes = first.ask()
    first.tell(genomes, np.arange(12))
    second = make_strategy(name, size, 12, 0.1, 99)
    second.set_state(first.state())
    assert np.array_equal(first.ask(), second.ask())


def blog_breeding(ranked: np.ndarray, rng: np.random.RandomState, rate: float) -> np.ndarray:
    """The blog's evolution_step, child by child, as the oracle for the vectorised classic strategy."""
    population = len(ranked)
    children = []
    for _ in range(population):
        parent = ranked[min([int(rng.exponential(scale=5)), population - 1])]
        children.append(parent + rng.uniform(-rate, rate, size=parent.shape[0]))
    return np.array(children)


@pytest.mark.parametrize(("population", "rate", "seed"), [(50, 0.1, 42), (7, 0.37, 1), (1000, 0.1, 2**32 - 1)])
def test_classic_breeding_draws_exactly_what_the_blogs_loop_draws(population, rate, seed):
    strategy = make_strategy("classic", 105, population, rate, seed)
    oracle = np.random.RandomState(seed)
    first = strategy.ask()
    assert np.array_equal(first, oracle.uniform(-1, 1, size=(population, 105)))
    for generation in range(3):
        scores = np.random.default_rng(generation).integers(0, 30, population)
        strategy.tell(first, scores)
        ranked = first[rank_order(scores)]
        first = strategy.ask()
        assert np.array_equal(first, blog_breeding(ranked, oracle, rate))
