"""Checkpoints: exact resume for every strategy, surviving SIGKILL and Ctrl+C, failed writes that do not stop a run."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import main
from evolution.breeding.strategies import STRATEGIES
from evolution.files.checkpoint import load_checkpoint, save_checkpoint
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import load_genomes
from tests.helpers import DATA, ROOT, assert_same_rows, full_disk, log_rows, run_cli, wait_for


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_resumed_run_ends_where_a_straight_run_ends(tmp_path, strategy):
    common = ["--headless", "--strategy", strategy, "--seed", "11", "--population", "20"]
    if strategy != "classic":
        common += ["--tracks", "1"]
    straight, split, checkpoint = tmp_path / "straight.csv", tmp_path / "split.csv", tmp_path / "run.npz"
    assert main.main([*common, "--generations", "16", "--log", str(straight)]) == 0
    assert (
        main.main(
            [
                *common,
                "--generations",
                "8",
                "--log",
                str(split),
                "--checkpoint",
                str(checkpoint),
                "--checkpoint-every",
                "3",
            ]
        )
        == 0
    )
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "16", "--log", str(split)]) == 0
    assert log_rows(split) == log_rows(straight)
    assert [r[0] for r in log_rows(split)] == [str(g) for g in range(17)]


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_checkpoint_taken_mid_race_resumes_exactly(tmp_path, strategy):
    config = RunConfig(strategy=strategy, seed=5, population=16, generations=20, extra_tracks=1)
    straight = Evolution(config, training_track())
    for _ in range(7):
        straight.run_generation()
    interrupted = Evolution(config, training_track())
    for _ in range(4):
        interrupted.run_generation()
    race = interrupted.next_race()
    race.run(max_steps=5)  # killed in the middle of generation 4
    save_checkpoint(tmp_path / "mid.npz", interrupted.config, interrupted.track, interrupted.state)
    resumed = load_checkpoint(tmp_path / "mid.npz").evolution()
    for _ in range(3):
        resumed.run_generation()
    assert_same_rows(resumed, straight)
    assert np.array_equal(resumed.state.ranked_genomes, straight.state.ranked_genomes)
    assert np.array_equal(resumed.state.best_ever_genomes, straight.state.best_ever_genomes)
    assert np.array_equal(resumed.state.best_ever_scores, straight.state.best_ever_scores)


def test_resuming_a_finished_run_does_nothing_and_says_so(tmp_path):
    checkpoint = tmp_path / "done.npz"
    assert main.main(["--headless", "--seed", "1", "--generations", "3", "--checkpoint", str(checkpoint)]) == 0
    before = checkpoint.read_bytes()
    result = run_cli("--headless", "--resume", str(checkpoint), "--generations", "3")
    assert result.returncode == 0 and "already reached generation 3" in result.stdout
    assert checkpoint.read_bytes() == before


def test_changed_settings_are_marked_in_the_log(tmp_path):
    checkpoint, log = tmp_path / "c.npz", tmp_path / "log.csv"
    assert (
        main.main(
            [
                "--headless",
                "--strategy",
                "classic",
                "--seed",
                "2",
                "--generations",
                "4",
                "--checkpoint",
                str(checkpoint),
                "--log",
                str(log),
            ]
        )
        == 0
    )
    assert (
        main.main(
            [
                "--headless",
                "--resume",
                str(checkpoint),
                "--generations",
                "7",
                "--mutation-rate",
                "0.2",
                "--track",
                "test",
                "--log",
                str(log),
            ]
        )
        == 0
    )
    text = log.read_text()
    assert "# resumed at generation 5: mutation rate 0.1 -> 0.2, track training -> test" in text
    assert [r[0] for r in log_rows(log)] == [str(g) for g in range(8)]
    resumed = load_checkpoint(checkpoint)
    assert resumed.config.mutation_rate == 0.2 and resumed.track.name == "test"


def test_settings_that_define_the_run_cannot_change_on_resume(tmp_path):
    checkpoint = tmp_path / "c.npz"
    assert main.main(["--headless", "--seed", "2", "--generations", "1", "--checkpoint", str(checkpoint)]) == 0
    result = run_cli("--headless", "--resume", str(checkpoint), "--population", "10")
    assert result.returncode == 2 and "--population cannot be given with --resume" in result.stderr


@pytest.mark.slow  # six runs killed; the quick set keeps Ctrl+C's save and a killed writer's leftovers cleared
def test_sigkill_at_any_moment_leaves_a_checkpoint_that_loads(tmp_path):
    rng = np.random.default_rng(0)
    for attempt in range(6):
        checkpoint = tmp_path / f"k{attempt}.npz"  # a file of its own: each attempt must leave one that loads
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "main.py"),
                "--headless",
                "--strategy",
                "snes",
                "--seed",
                str(attempt),
                "--generations",
                "100000",
                "--checkpoint",
                str(checkpoint),
                "--checkpoint-every",
                "1",
                "--population",
                "200",
                "--no-test-curve",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        try:
            wait_for(checkpoint.exists, what="the first checkpoint")
            time.sleep(rng.uniform(0, 0.6))  # then at any moment: mid-race, mid-write, between writes
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert load_checkpoint(checkpoint).state.generation >= 1
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {f"k{attempt}.npz" for attempt in range(6)} | {n for n in names if n.startswith(".k")}


def test_ctrl_c_saves_first_then_exits_cleanly(tmp_path):
    checkpoint, best = tmp_path / "i.npz", tmp_path / "best.json"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--headless",
            "--seed",
            "4",
            "--generations",
            "100000",
            "--checkpoint",
            str(checkpoint),
            "--checkpoint-every",
            "1000",
            "--save",
            str(best),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    for line in process.stdout:  # the run is under way: generation 4 has been reported
        if line.startswith("gen") and int(line.split()[1].split("/")[0]) >= 4:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err and "saving first" in err
    assert "checkpoint:" in out and best.exists()
    assert load_checkpoint(checkpoint).state.generation > 3


def test_an_unwritable_checkpoint_path_is_refused_before_the_run(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = run_cli(
        "--headless", "--seed", "1", "--generations", "4", "--checkpoint", str(tmp_path / "a-file" / "c.npz")
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "a-file is not a folder" in result.stderr


def test_a_checkpoint_write_that_fails_mid_run_warns_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    import evolution.files.checkpoint as checkpoint_module

    monkeypatch.setattr(checkpoint_module, "write_atomic", full_disk)
    log, best = tmp_path / "run.csv", tmp_path / "best.json"
    args = ["--headless", "--seed", "1", "--generations", "4", "--checkpoint-every", "2"]
    code = main.main([*args, "--checkpoint", str(tmp_path / "c.npz"), "--log", str(log), "--save", str(best)])
    out, err = capsys.readouterr()
    assert code == 1  # the run completed, but an output could not be written: said, and the status says so
    assert err.count("warning: checkpoint not saved") == 3 and "No space left" in err  # gens 2, 4, and the end
    assert "gen 4/4" in out and len(log_rows(log)) == 5 and load_genomes(best).genomes.shape[0] == 20


def test_the_window_writes_a_checkpoint_on_quit_and_resumes_from_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / "w.npz"
    quick = ["--population", "10", "--tracks", "0"]  # generations of a few milliseconds, even on a busy machine
    code = main.main(["--seed", "6", *quick, "--speed", "turbo", "--frames", "40", "--checkpoint", str(checkpoint)])
    assert code == 0
    generation = load_checkpoint(checkpoint).state.generation
    assert generation > 2
    assert main.main(["--resume", str(checkpoint), "--frames", "10", "--checkpoint", str(checkpoint)]) == 0
    assert load_checkpoint(checkpoint).state.generation >= generation
    os.environ.pop("SDL_WINDOWID", None)


def test_checkpoints_keep_the_best_genomes_ever_raced(tmp_path):
    from evolution.racing.race import race_scores

    evolution = Evolution(RunConfig(strategy="classic", seed=42, generations=80), training_track())
    for _ in range(70):
        evolution.run_generation()
    best = evolution.history.column("best")
    state = evolution.state
    assert state.best_ever_scores[0] == best.max() and len(state.best_ever_scores) == 20
    assert np.all(np.diff(state.best_ever_scores) <= 0)
    # they are the genomes that scored so, not just the numbers
    scores = race_scores(state.best_ever_genomes, training_track(), evolution.network)
    assert scores.tolist() == state.best_ever_scores.tolist()
    save_checkpoint(tmp_path / "b.npz", evolution.config, evolution.track, state)
    restored = load_checkpoint(tmp_path / "b.npz").state
    assert np.array_equal(restored.best_ever_genomes, state.best_ever_genomes)
    assert np.array_equal(restored.best_ever_scores, state.best_ever_scores)


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_version_1_checkpoint_still_resumes_exactly(tmp_path, strategy):
    # tests/data/checkpoint_v1_*.npz: written by the commit before the run state was one object, with
    # --strategy S --seed 4 --population 10 --generations 3 --tracks 1
    checkpoint = tmp_path / "old.npz"
    checkpoint.write_bytes((DATA / f"checkpoint_v1_{strategy}.npz").read_bytes())
    settings = ["--strategy", strategy, "--seed", "4", "--population", "10", "--tracks", "1"]
    straight, resumed = tmp_path / "straight.csv", tmp_path / "resumed.csv"
    if strategy == "elitist":  # its defaults have changed since (noise 0.7, a first spread of ±3): the straight
        # run of the old defaults, logged by the commit before the change
        straight = DATA / "checkpoint_v1_elitist_straight.csv"
    else:
        assert main.main(["--headless", *settings, "--generations", "6", "--log", str(straight)]) == 0
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "6", "--log", str(resumed)]) == 0
    assert log_rows(resumed) == log_rows(straight)[4:] and len(log_rows(resumed)) == 3
    assert load_checkpoint(checkpoint).state.generation == 7  # and it now goes on in version 2
