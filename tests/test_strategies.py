"""Strategies: the classic one equals the blog for every seed tried; all obey ask/tell."""

import json

import numpy as np
import pytest

from evolution.breeding.strategies import STRATEGIES, make_strategy, rank_order
from evolution.files.state_codec import decode, encode
from evolution.racing.network import Network
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution, RunConfig
from tests.helpers import reference_rows


@pytest.mark.parametrize("seed", [0, 7, 42, 2024])
def test_classic_matches_the_blog_for_every_generation(seed):
    evolution = Evolution(RunConfig(strategy="classic", seed=seed, generations=120), training_track())
    while not evolution.raced_all:
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
    strategy = make_strategy("classic", 105, 50, 0.1)
    genomes = strategy.ask(strategy.initial_state(42))
    expected = np.random.RandomState(42).uniform(-1, 1, size=(50, 105))
    assert np.array_equal(genomes, expected)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_asks_the_right_shape_and_is_deterministic(name):
    size = Network().genome_size
    runs = []
    for _ in range(2):
        strategy = make_strategy(name, size, 20, 0.1)
        state = strategy.initial_state(11)
        asked = []
        for generation in range(4):
            genomes = strategy.ask(state)
            assert genomes.shape == (20, size) and np.isfinite(genomes).all()
            strategy.tell(state, genomes, np.arange(20) * (generation + 1) % 7)
            asked.append(genomes)
        runs.append(asked)
    for a, b in zip(*runs):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_state_round_trips(name):
    size = Network().genome_size
    strategy = make_strategy(name, size, 12, 0.1)
    state = strategy.initial_state(3)
    strategy.tell(state, strategy.ask(state), np.arange(12))
    arrays: dict[str, np.ndarray] = {}
    tree = json.loads(json.dumps(encode(state, "s", arrays)))  # through JSON, as a checkpoint holds it
    copy = decode(tree, strategy.state_type, arrays, "s", {})
    strategy.check(copy)
    assert np.array_equal(strategy.ask(state), strategy.ask(copy))


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
    strategy = make_strategy("classic", 105, population, rate)
    state = strategy.initial_state(seed)
    oracle = np.random.RandomState(seed)
    first = strategy.ask(state)
    assert np.array_equal(first, oracle.uniform(-1, 1, size=(population, 105)))
    for generation in range(3):
        scores = np.random.default_rng(generation).integers(0, 30, population)
        strategy.tell(state, first, scores)
        ranked = first[rank_order(scores)]
        first = strategy.ask(state)
        assert np.array_equal(first, blog_breeding(ranked, oracle, rate))


@pytest.mark.parametrize("told", [0, 39, 40, 90])
def test_elitism_carries_the_best_genomes_over_unchanged(told):
    strategy = make_strategy("elitist", 105, 30, 0.3)
    state = strategy.initial_state(5)
    genomes = strategy.ask(state)
    scores = np.random.default_rng(told).permutation(30)
    state.told = told
    strategy.tell(state, genomes, scores)
    children = strategy.ask(state)
    elites = strategy.elites(state)
    assert elites == (6 if told < 39 else 15)  # 20% early, 50% from generation 40 on
    assert np.array_equal(children[:elites], genomes[rank_order(scores)[:elites]])
    assert np.array_equal(children[0], genomes[np.argmax(scores)])  # the best, bit for bit
    assert not np.isin(children[elites:], genomes).all(axis=1).any()  # the rest are mutated


def test_the_snes_update_moves_the_mean_towards_the_better_samples():
    strategy = make_strategy("snes", 105, 40, 0.1)
    state = strategy.initial_state(2)
    target = np.random.default_rng(9).uniform(-1, 1, 105)
    distances = []
    for _ in range(80):
        genomes = strategy.ask(state)
        scores = -np.linalg.norm(genomes - target, axis=1)  # better the nearer to the target
        before = state.mean.copy()
        strategy.tell(state, genomes, scores)
        samples = genomes[1:]
        # the step goes the way of the better half of the samples, away from the worse half
        order = rank_order(scores[1:])
        better, worse = samples[order[:10]].mean(axis=0), samples[order[-10:]].mean(axis=0)
        assert np.dot(state.mean - before, better - worse) > 0
        distances.append(np.linalg.norm(state.mean - target))
    assert distances[-1] < 0.5 * distances[0]
