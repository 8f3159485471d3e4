"""The multi-seed runner: a run in a sweep is the run alone, and the summary counts what it should."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from app import runs as app_runs
from evolution.many.sweep import SeedOutcome, batch_size, judge_genomes, parse_seeds, run_batch, summarise, sweep
from evolution.racing.race import race_scores
from evolution.racing.track import random_track, training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.history import COLUMNS
from evolution.run.settings import SettingEvent
from tests.helpers import refusal, without_seconds


def alone(config: RunConfig, changes=()) -> tuple[list[tuple], np.ndarray]:
    """The log rows (without seconds) and saved top 20 of a run on its own, as a headless run does it."""
    evolution = Evolution(config, training_track())
    for change in changes:
        evolution.schedule(change.setting, change.new, change.generation)
    while not evolution.raced_all:
        evolution.run_generation()
    evolution.finish_test_drives_now()
    rows = [evolution.history.row(index) for index in range(len(evolution.history))]
    return [without_seconds(row) for row in rows], evolution.best(20).genomes


@pytest.mark.parametrize("strategy", ["elitist", "snes"])
def test_a_run_in_a_sweep_gives_the_numbers_it_gives_alone(strategy):
    config = RunConfig(strategy=strategy, mutation_rate=0.3, generations=6, extra_tracks=2, safety_weight=0.5)
    outcomes = sweep(config, [3, 4], jobs=2, progress=False)
    assert [o.seed for o in outcomes] == [3, 4]
    for outcome in outcomes:
        rows, best = alone(replace(config, seed=outcome.seed))
        assert [without_seconds(row) for row in outcome.rows] == rows
        assert len(rows) == 7 and all(row[COLUMNS.index("test_best") - 1] >= 0 for row in rows)
        first = next((row[0] for row in rows if row[COLUMNS.index("finished")] > 0), None)
        assert outcome.first_finisher == first
        expected = judge_genomes(best, Evolution(config, training_track()).network)
        assert (outcome.top_all_finish_test, outcome.unseen_share) == expected


@pytest.mark.parametrize("strategy", ["elitist", "snes", "classic"])
def test_runs_raced_together_in_a_batch_give_the_numbers_they_give_alone(strategy):
    """run_batch races every run's training race, extra tracks and judging as one race each: the numbers
    are still each run's own (here with extra tracks for classic too, and a different population)."""
    config = RunConfig(
        strategy=strategy, mutation_rate=0.5, generations=5, extra_tracks=2, safety_weight=0.5, population=12
    )
    outcomes = run_batch([replace(config, seed=seed) for seed in (7, 8, 9)])
    assert [o.seed for o in outcomes] == [7, 8, 9]
    for outcome in outcomes:
        rows, best = alone(replace(config, seed=outcome.seed))
        assert [without_seconds(row) for row in outcome.rows] == rows
        expected = judge_genomes(best, Evolution(config, training_track()).network)
        assert (outcome.top_all_finish_test, outcome.unseen_share) == expected
    assert len({without_seconds(o.rows[-1]) for o in outcomes}) == 3  # the runs did differ


def test_a_batch_is_stepped_by_the_one_lockstep_scheduler(monkeypatch):
    """run_batch races its runs with evolution/many/lockstep.py's Lockstep (as --compare and the window do), each
    round's first finishers noted as it closes; no second scheduler of its own."""
    import evolution.many.sweep as sweep_module
    from evolution.many.lockstep import Lockstep

    made: list[Lockstep] = []

    class Seen(Lockstep):
        def __init__(self, evolutions, **options) -> None:
            super().__init__(evolutions, **options)
            made.append(self)

    monkeypatch.setattr(sweep_module, "Lockstep", Seen)
    config = RunConfig(strategy="classic", generations=8, population=30, extra_tracks=0, test_curve=False)
    short = random_track(3, 30)  # a short track: first finishers within a few generations
    outcomes = run_batch([replace(config, seed=seed) for seed in range(4)], track=short, judge=False)
    assert len(made) == 1 and made[0].complete and [run.evolution.config.seed for run in made[0].runs] == [0, 1, 2, 3]
    for outcome in outcomes:
        first = next((row.generation for row in outcome.rows if row.finished > 0), None)
        assert outcome.first_finisher == first and outcome.seconds_to_first <= outcome.seconds
    assert {outcome.first_finisher for outcome in outcomes} - {None, 0}  # one found after its first generation


def test_a_sweep_tests_a_schedule_of_changes_each_run_as_alone():
    """--set in a sweep: every run makes the same changes (here the mutation rate, the population, the
    network's shape and the strategy), its races raced with the others', and gives its numbers alone."""
    changes = [
        SettingEvent(2, "mutation_rate", "", "0.5"),
        SettingEvent(3, "population", "", "14"),
        SettingEvent(4, "layers", "", "7,6,1"),
        SettingEvent(5, "strategy", "", "snes"),
    ]
    config = RunConfig(strategy="classic", mutation_rate=0.7, generations=6, population=12)
    outcomes = run_batch([replace(config, seed=seed) for seed in (7, 8, 9)], changes=changes)  # one batch
    assert [o.seed for o in outcomes] == [7, 8, 9]
    for outcome in outcomes:
        rows, best = alone(replace(config, seed=outcome.seed), changes)
        assert [without_seconds(row) for row in outcome.rows] == rows
        assert best.shape[1] == Evolution(replace(config, layers=(7, 6, 1)), training_track()).network.genome_size
        expected = judge_genomes(best, Evolution(replace(config, layers=(7, 6, 1)), training_track()).network)
        assert (outcome.top_all_finish_test, outcome.unseen_share) == expected
    unchanged = sweep(config, [7], jobs=1, progress=False, judge=False)
    assert [without_seconds(row) for row in unchanged[0].rows] != [without_seconds(row) for row in outcomes[0].rows]
    swept = sweep(config, [8], jobs=1, progress=False, judge=False, changes=changes)  # sweep() passes them on
    assert [without_seconds(row) for row in swept[0].rows] == [without_seconds(row) for row in outcomes[1].rows]


def test_a_sweep_hands_out_batches_and_keeps_the_seed_order():
    assert batch_size(100, 2, 50) == 10 and batch_size(3, 2, 50) == 1 and batch_size(40, 1, 1000) == 1
    config = RunConfig(strategy="elitist", mutation_rate=0.3, generations=2, extra_tracks=1, population=8)
    outcomes = sweep(config, [5, 1, 4, 2, 3, 9, 8, 7], jobs=1, progress=False, judge=False)  # batches of 2
    assert [o.seed for o in outcomes] == [5, 1, 4, 2, 3, 9, 8, 7]
    for outcome in outcomes:
        rows, _ = alone(replace(config, seed=outcome.seed))
        assert [without_seconds(row) for row in outcome.rows] == rows
        assert outcome.top_all_finish_test is None and math.isnan(outcome.unseen_share)


def test_judging_matches_separate_races():
    config = RunConfig(strategy="elitist", extra_tracks=0, mutation_rate=0.3, generations=3, seed=5)
    evolution = Evolution(config, training_track())
    genomes = evolution.strategy.ask(evolution.state.strategy)[:3]
    _, share = judge_genomes(genomes, evolution.network)
    tracks = [random_track(seed) for seed in range(900_000, 900_050)]
    alone_share = np.mean([race_scores(genomes[:1], t, evolution.network)[0] >= t.finish for t in tracks])
    assert share == alone_share


def outcome(seed: int, first: int | None, top: bool | None, share: float) -> SeedOutcome:
    return SeedOutcome(seed, first, None if first is None else 1.0, top, share, (), 1.0)


def test_the_summary_counts_a_hand_made_set_of_outcomes():
    outcomes = [
        outcome(0, 0, True, 1.0),
        outcome(1, 40, True, 0.5),
        outcome(2, 41, False, 1.0),
        outcome(3, 60, True, 0.0),
        outcome(4, 61, None, math.nan),
        outcome(5, 150, False, 1.0),
        outcome(6, None, False, 0.5),
    ]
    summary = summarise(outcomes)
    assert summary.seeds == 7
    assert (summary.within_40, summary.within_60, summary.within_150, summary.found) == (2, 4, 6, 6)
    assert summary.median_first == 60
    assert summary.top_all_finish_test == 3
    assert summary.mean_unseen_share == pytest.approx(4 / 6)  # the unjudged seed is left out


def test_the_median_is_never_when_most_seeds_never_finish():
    summary = summarise([outcome(0, 5, True, 1.0), outcome(1, None, True, 1.0), outcome(2, None, True, 1.0)])
    assert summary.median_first == math.inf and summary.found == 1


def test_seed_lists_parse_ranges_and_single_seeds():
    assert parse_seeds("0-3,7,10-11") == [0, 1, 2, 3, 7, 10, 11]
    for bad in ("", "3-1", "a", "1-", "-2"):
        with pytest.raises(ValueError):
            parse_seeds(bad)


def test_the_learning_benchmark_prints_a_row_per_configuration(capsys):
    from bench import learning

    assert learning.main(["--seeds", "0-1", "--generations", "3", "--jobs", "1", "--only", "classic+0,elitist"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")][2:]
    assert [line.split("|")[1].strip() for line in lines] == ["classic", "elitist"]
    assert all(" of 2 " in line for line in lines)


def test_seeds_on_the_command_line_run_each_seed_and_summarise(tmp_path, capsys):
    import main

    log = tmp_path / "sweep.csv"
    assert (
        main.main(["--headless", "--seeds", "3-4", "--strategy", "classic", "--generations", "5", "--log", str(log)])
        == 0
    )
    out = capsys.readouterr().out
    assert "2 runs of classic" in out and "finisher within 40 generations" in out
    rows = log.read_text().splitlines()
    assert rows[0] == app_runs.SWEEP_LOG_HEADER and [row.split(",")[0] for row in rows[1:]] == ["3", "4"]
    alone = sweep(RunConfig(strategy="classic", generations=5, test_curve=False), [3], jobs=1, judge=False)
    assert alone[0].first_finisher == (int(rows[1].split(",")[1]) if rows[1].split(",")[1] else None)
    with pytest.raises(SystemExit) as refused:
        main.main(["--seeds", "0-3"])
    assert refused.value.code == 2


def test_seeds_with_set_run_the_schedule_in_every_seed(tmp_path, capsys):
    import main

    log = tmp_path / "sweep.csv"
    flags = ["--headless", "--seeds", "3-4", "--population", "10", "--generations", "3", "--log", str(log)]
    assert main.main([*flags, "--set", "2:mutation_rate=0.1", "--set", "1:mutation_rate=0.5"]) == 0
    out = capsys.readouterr().out
    assert "2 runs of elitist, population 10, 3 generations, --set 1:mutation_rate=0.5 --set 2:mutation_rate=0.1" in out
    assert [row.split(",")[0] for row in log.read_text().splitlines()[1:]] == ["3", "4"]


def test_seeds_refuse_a_window_and_flags_of_one_run_in_one_line(capsys):
    line = refusal(capsys, "--headless", "--seeds", "0-3", "--checkpoint", "x.npz")
    assert line.endswith("--seeds runs many headless runs; it does not go with --checkpoint")
    line = refusal(capsys, "--headless", "--seeds", "0-3", "--set", "5:tournament=4", "--strategy", "snes")
    assert "tournament cannot be changed for snes" in line  # a sweep's --set is checked as a run's
    line = refusal(capsys, "--headless", "--seeds", "0-3", "--set", "5:mutation_rate=500")
    assert "mutation_rate: 500 is out of range" in line
    line = refusal(capsys, "--seeds", "0-3")
    assert line.endswith("--seeds runs many headless runs, not a window: add --headless")
    assert "a range must run upwards" in refusal(capsys, "--headless", "--seeds", "5-2")
