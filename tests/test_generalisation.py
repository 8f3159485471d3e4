"""Multi-track training and the train-versus-test curve."""

import numpy as np
import pytest

from evolution.breeding.selection import selection_scores
from evolution.breeding.strategies import STRATEGIES, rank_order
from evolution.racing.race import race_scores
from evolution.racing.track import blog_test_track, training_track
from evolution.run.evolve import Evolution, RunConfig
from tests.helpers import assert_same_rows


def test_selection_uses_the_mean_share_finished_over_all_tracks_while_the_training_score_is_reported():
    evolution = Evolution(RunConfig(strategy="elitist", seed=4, generations=30, extra_tracks=2), training_track())
    for _ in range(12):
        evolution.run_generation()
    tracks = evolution.last_tracks
    assert tracks[0].name == "training" and len(tracks) == 3
    assert all(t.name.startswith("random:") for t in tracks[1:])
    genomes = evolution.state.ranked_genomes
    shares = np.mean([race_scores(genomes, t, evolution.network) / t.finish for t in tracks], axis=0)
    assert np.all(np.diff(shares) <= 1e-12), "saved genomes are ordered by the combined score"
    training = race_scores(genomes, training_track(), evolution.network)
    assert training.tolist() == evolution.state.ranked_scores.tolist()
    assert evolution.history.last().best == training.max()


def test_each_generation_gets_a_fresh_set_of_random_tracks():
    evolution = Evolution(RunConfig(strategy="snes", seed=2, generations=5, extra_tracks=3), training_track())
    seen = []
    for _ in range(4):
        evolution.run_generation()
        seen.append(tuple(t.name for t in evolution.last_tracks[1:]))
    assert len(set(seen)) == 4 and len({name for names in seen for name in names}) == 12


def test_test_best_is_the_champions_score_on_the_test_track():
    evolution = Evolution(RunConfig(strategy="classic", seed=42, generations=80), training_track())
    for _ in range(70):
        evolution.run_generation()
    # each champion drives the whole test track as its generation closes: the test curve does not trail
    assert evolution.state.reported == evolution.generation
    evolution.finish_test_drives_now()
    assert evolution.state.reported == evolution.generation
    champion = evolution.state.ranked_genomes[:1]
    assert evolution.history.last().test_best == race_scores(champion, blog_test_track(), evolution.network)[0]
    assert (evolution.history.column("test_best") >= 0).all()
    assert (evolution.history.column("test_finish") == 3991).all()


def test_without_the_test_curve_nothing_is_driven_on_the_test_track():
    evolution = Evolution(RunConfig(strategy="classic", seed=1, generations=3, test_curve=False), training_track())
    assert evolution.run_generation().test_best == -1


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_closing_in_slices_equals_closing_at_once(strategy):
    config = RunConfig(strategy=strategy, seed=8, generations=10, extra_tracks=1)
    at_once, sliced = Evolution(config, training_track()), Evolution(config, training_track())
    for _ in range(6):
        at_once.run_generation()
        race = sliced.next_race()
        race.run()
        slices = sum(1 for _ in sliced.close_generation(race))
        assert slices >= 1
    at_once.finish_test_drives_now()
    state = sliced.state  # every generation is reported, or its champion waits, or its result does
    assert state.reported + state.champions.generations.size + state.champions.results.size == 6
    for _ in sliced.finish_test_drives():
        pass
    assert state.reported == sliced.generation == 6
    assert not state.champions.generations.size and not state.champions.results.size
    assert_same_rows(at_once, sliced)
    assert np.array_equal(at_once.state.ranked_genomes, sliced.state.ranked_genomes)


def test_champions_race_the_test_track_in_batches_with_the_same_results():
    config = RunConfig(strategy="classic", seed=42, generations=60)
    batched = Evolution(config, training_track())
    reported = []

    class Recorder:
        def end_generation(self, evolution, stats):
            reported.append(stats.generation)

        def close(self):
            pass

    batched.reporters = [Recorder()]
    champions = []
    for _ in range(61):
        batched.run_generation()
        champions.append(batched.state.ranked_genomes[0])
    batched.finish_test_drives_now()
    alone = [race_scores(c[None], blog_test_track(), batched.network)[0] for c in champions]
    assert batched.history.column("test_best").astype(int).tolist() == alone
    assert reported == list(range(61))  # every row reported once, in order


def test_safety_weighted_selection_ranks_steadier_finishers_first():
    training = np.array([391, 391, 391, 200])  # all but the last finish the training track
    extra = [np.array([1991, 1991, 1500, 1991])]  # the first two and the last finish the extra track
    safety = [np.array([0.2, 0.9, 1.0, 1.0])]  # the second keeps much farther from the barriers
    plain = selection_scores(training, 391, extra, [1991])
    assert plain[0] == plain[1]  # without the safety term, two finishers tie
    weighted = selection_scores(training, 391, extra, [1991], safety, 0.5)
    assert rank_order(weighted).tolist() == [1, 0, 3, 2]  # steadier finisher first; a crash's safety counts nothing
    assert weighted[1] - weighted[0] == pytest.approx(0.5 * 0.7 / 2)
    assert selection_scores(training, 391) is training  # no extra tracks: the blog ranks by the training score


def test_selection_is_the_mean_share_of_every_track():
    training, extra = np.array([100, 391]), [np.array([1991, 0]), np.array([995, 1991])]
    expected = (training / 391 + extra[0] / 1991 + extra[1] / 1991) / 3
    assert np.array_equal(selection_scores(training, 391, extra, [1991, 1991]), expected)
