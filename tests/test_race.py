"""The race: the blog's physics and rules, stepped or run at once, crashed dots dropped."""

import numpy as np
import pytest

from evolution.racing.network import Network
from evolution.racing.race import Race, StackedRace, race_scores
from evolution.racing.track import Track, blog_test_track, random_track, training_track


def constant_force_genome(network: Network, output_bias: float) -> np.ndarray:
    """A genome whose output ignores its inputs: sigmoid(output_bias)."""
    genome = np.zeros(network.genome_size)
    genome[-1] = output_bias
    return genome


def test_scores_equal_the_blogs_run(golden):
    scores = race_scores(golden["genomes"], training_track(), Network())
    assert scores.tolist() == golden["training_scores"].tolist()


def test_zero_force_dot_crashes_where_the_corridor_first_leaves_zero():
    network, track = Network(), training_track()
    scores = race_scores(constant_force_genome(network, 0.0)[None], track, network)
    outside = (track.top[: track.finish] < 0) | (track.bottom[: track.finish] > 0)
    assert scores[0] == np.flatnonzero(outside)[0]


def test_half_step_physics_under_constant_force():
    network = Network()
    wide = Track("wide", np.full(60, 1e6), np.full(60, -1e6))
    race = Race(constant_force_genome(network, 40.0)[None], wide, network, keep_paths=True)
    race.run()
    # force = sigmoid(40) - 0.5 = 0.5 in float64; p_k = p + v/2, v += f, p += v/2 gives 0.25 k^2
    k = np.arange(wide.finish + 1)
    assert np.array_equal(race.paths[:, 0], 0.25 * k**2)
    assert race.scores[0] == wide.finish


def test_stepping_one_column_at_a_time_equals_running_at_once():
    network, track = Network(), training_track()
    genomes = np.random.RandomState(3).uniform(-2, 2, size=(200, network.genome_size))
    at_once = race_scores(genomes, track, network)
    race = Race(genomes, track, network, trail_length=16)
    steps = 0
    while not race.done:
        alive_before = race.alive_count
        race.step()
        steps += 1
        assert race.alive_count <= alive_before
        assert race.alive.sum() == race.alive_count
    assert np.array_equal(race.scores, at_once)
    assert steps == race.column <= track.finish


def test_dropping_dots_keeps_the_working_arrays_c_ordered():
    # [:, mask] on a (7, n) array gives Fortran order; the network then reads it strided and a race of
    # 1,000 evolved dots ran 40% slower. Dropped dots must leave contiguous rows behind.
    network, track = Network(), training_track()
    genomes = np.random.RandomState(5).uniform(-2, 2, size=(300, network.genome_size))
    race = Race(genomes, track, network, compiled=False)  # the numpy race's arrays
    while race.alive_count == race.count:
        race.step()
    assert 0 < race.alive_count < race.count
    assert race._inputs_t.flags.c_contiguous and race._v.flags.c_contiguous
    for _two_lane, weights, biases, values, _rows, _plan in race._brains._stages:
        assert weights.flags.c_contiguous and biases.flags.c_contiguous and values.flags.c_contiguous


def test_a_generation_ends_when_every_dot_has_crashed():
    network = Network()
    genomes = np.tile(constant_force_genome(network, 40.0), (5, 1))  # all fly off upward at once
    race = Race(genomes, blog_test_track(), network)
    race.run()
    assert race.done and race.alive_count == 0
    assert race.column < 10 and (race.scores == race.column - 1).all()


def test_crashed_dots_keep_where_they_crashed_and_readings_match_the_blog():
    network, track = Network(), training_track()
    genome = constant_force_genome(network, -3.0)
    race = Race(genome[None], track, network)
    race.step()
    inputs = race.inputs_of(0)
    p, v = race.positions[0], race.speeds[0]
    expected = [
        v,
        p - track.top[1],
        p - track.bottom[1],
        p - track.top[6],
        p - track.bottom[6],
        p - track.top[10],
        p - track.bottom[10],
    ]
    assert inputs.tolist() == expected
    race.run()
    assert not race.alive[0]
    crash = race.scores[0]
    assert race.positions[0] < track.bottom[crash]


def test_wrong_genome_shape_is_refused():
    with pytest.raises(ValueError):
        Race(np.zeros((3, 10)), training_track(), Network())


def test_a_stacked_race_equals_separate_races_on_each_track():
    network = Network()
    genomes = np.random.RandomState(8).uniform(-2, 2, size=(120, network.genome_size))
    tracks = [random_track(seed, 300) for seed in (1, 2, 3)]
    stacked = StackedRace(genomes, tracks, network, measure_safety=True)
    stacked.run()
    scores, safety = stacked.per_track_values(stacked.scores), stacked.per_track_values(stacked.safety())
    for index, track in enumerate(tracks):
        alone = Race(genomes, track, network, measure_safety=True)
        alone.run()
        assert np.array_equal(scores[index], alone.scores)
        assert np.array_equal(safety[index], alone.safety())
    assert len({tuple(scores[k]) for k in range(3)}) == 3  # the tracks did differ
    single = StackedRace(genomes, tracks[1:2], network, measure_safety=True)
    single.run()
    assert np.array_equal(single.per_track_values(single.scores)[0], scores[1])
    assert np.array_equal(single.per_track_values(single.safety())[0], safety[1])
    with pytest.raises(ValueError):
        StackedRace(genomes, [random_track(1, 300), random_track(2, 400)], network)


def test_a_stacked_race_of_groups_races_each_group_on_its_own_track_only():
    """Several runs' populations, each on its own track, in one race: each group's scores and safety are
    those of its race alone."""
    network = Network()
    draw = np.random.RandomState(9)
    groups = [draw.uniform(-2, 2, size=(size, network.genome_size)) for size in (30, 7, 50)]
    tracks = [random_track(seed, 300) for seed in (4, 5, 6)]
    stacked = StackedRace(groups, tracks, network, measure_safety=True)
    stacked.run()
    scores, safety = stacked.per_track_values(stacked.scores), stacked.per_track_values(stacked.safety())
    assert [part.shape for part in scores] == [(30,), (7,), (50,)]
    for group, track, got, got_safety in zip(groups, tracks, scores, safety):
        alone = Race(group, track, network, measure_safety=True)
        alone.run()
        assert np.array_equal(got, alone.scores) and np.array_equal(got_safety, alone.safety())
    with pytest.raises(ValueError):
        StackedRace(groups[:2], tracks, network)
