"""Every file a run writes is one its own loader reads back; each output has one owner; the memory budget
counts everything (issue 20, items 2 to 4)."""

from __future__ import annotations

import copy
import dataclasses
import errno
import json
import os
import signal
import time
import tracemalloc
from unittest import mock

import numpy as np
import pytest

import main
from app import options as app_options
from app import runs as app_runs
from evolution.atomic import write_atomic
from evolution.breeding.strategies import STRATEGIES, NotFinite, make_strategy
from evolution.errors import InputError
from evolution.files.checkpoint import (
    HEADER_BYTES,
    checkpoint_bytes,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
    save_comparison,
)
from evolution.files.replay import LOG_ROW_BYTES
from evolution.many.sweep import SweepLog
from evolution.racing.network import Network
from evolution.racing.track import training_track
from evolution.run import archive, run_size
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import GenomeFile, load_genomes, save_genomes
from evolution.run.history import GenerationStats
from evolution.run.reporters import LOG_HEADER, log_row
from tests.helpers import MemoryPeak, run_cli, start_cli, wait_for, without_seconds


def unreported(strategy: str = "elitist") -> Evolution:
    """A run stopped after generation 11 with rows waiting for their champions' test drives, as a checkpoint
    of the program before champions drove the whole test track in their own generation holds it: the drives
    advance 400 columns a generation here, so generation 11's champion is still on its way."""
    config = RunConfig(population=20, seed=2, generations=None, strategy=strategy, extra_tracks=0, mutation_rate=0.7)
    evolution = Evolution(config, training_track())
    with mock.patch("evolution.run.evolve.STEPS_PER_GENERATION", 400):
        for _ in range(12):
            evolution.run_generation()
    assert evolution.state.reported < evolution.state.generation == 12  # rows wait for their test drive
    return evolution


def unreported_checkpoint(path) -> Evolution:
    """unreported() written to a checkpoint."""
    evolution = unreported()
    save_checkpoint(path, evolution.config, evolution.track, evolution.state)
    return evolution


def test_a_smaller_generations_on_resume_is_refused_and_the_checkpoint_left_whole(in_tmp, capsys):
    checkpoint = in_tmp / "c.npz"
    unreported_checkpoint(checkpoint)
    before = checkpoint.read_bytes()
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--resume", str(checkpoint), "--generations", "3"])
    assert stop.value.code == 2
    assert "already raced generation 11" in capsys.readouterr().err
    assert checkpoint.read_bytes() == before
    assert load_checkpoint(checkpoint).state.generation == 12  # still read back


def test_the_last_raced_generation_as_total_finishes_the_rows_into_a_checkpoint_that_reads_back(in_tmp):
    checkpoint = in_tmp / "c.npz"
    unreported_checkpoint(checkpoint)
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "11"]) == 0
    state = load_checkpoint(checkpoint).state
    assert state.generation == state.reported == 12


def test_a_comparison_resumed_with_a_smaller_total_is_refused_untouched(in_tmp, capsys):
    checkpoint = in_tmp / "cmp.npz"
    runs = [(each.config, each.track, each.state) for each in (unreported(), unreported())]
    save_comparison(checkpoint, ["elitist:tracks=0,population=20", "elitist:tracks=0,population=20"], runs)
    read_checkpoint(checkpoint)
    before = checkpoint.read_bytes()
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--resume", str(checkpoint), "--generations", "2"])
    assert stop.value.code == 2 and "already raced generation 11" in capsys.readouterr().err
    assert checkpoint.read_bytes() == before


# --- strategies never produce non-finite genomes (finding 9) ---


def rng_state(rng):
    return rng.get_state()[1].tolist() if isinstance(rng, np.random.RandomState) else rng.bit_generator.state


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_an_ask_that_would_overflow_raises_and_leaves_the_state_as_it_was(name):
    strategy = make_strategy(name, 8, 4, 1e300)  # noise of 1e300 on weights near the float's limit
    state = strategy.initial_state(1)
    genomes = strategy.ask(state)
    strategy.tell(state, genomes, np.arange(4))
    if name == "snes":
        state.spread[:] = np.finfo(float).max
    else:
        state.ranked[:] = np.finfo(float).max
    before = copy.deepcopy(state)
    with pytest.raises(NotFinite):
        strategy.ask(state)
    assert rng_state(state.rng) == rng_state(before.rng)  # nothing drawn: the next ask draws what it would have
    for field in ("ranked", "mean", "spread", "noise"):
        kept, was = getattr(state, field, None), getattr(before, field, None)
        assert (kept is None and was is None) or np.array_equal(kept, was)
    strategy.check(state)  # still a state a checkpoint reads back


def test_a_snes_tell_that_would_overflow_raises_and_keeps_the_last_finite_mean_and_spread():
    strategy = make_strategy("snes", 8, 3, 0.0, mean_rate=10, spread_rate=10)
    state = strategy.initial_state(5)
    state.spread[:] = 1e300
    genomes = strategy.ask(state)
    assert np.isfinite(genomes).all()
    mean, spread = state.mean.copy(), state.spread.copy()
    with pytest.raises(NotFinite):
        for _ in range(20):  # the spread grows by up to e^5 a generation: past the float's limit at once
            strategy.tell(state, genomes, np.array([0, 1, 2]))
            mean, spread = state.mean.copy(), state.spread.copy()
            genomes = strategy.ask(state)
    assert np.array_equal(state.mean, mean) and np.array_equal(state.spread, spread)
    assert np.isfinite(state.mean).all() and np.isfinite(state.spread).all()


def test_a_run_whose_snes_overflows_stops_with_its_last_finite_state_saved_and_readable(in_tmp, capsys):
    config = RunConfig(
        population=3,
        layers=(7, 1),
        strategy="snes",
        seed=5,
        generations=None,
        extra_tracks=0,
        test_curve=False,
        knobs={"mean_rate": 10.0, "spread_rate": 10.0},
    )
    evolution = Evolution(config, training_track())
    for _ in range(3):
        evolution.run_generation()
    evolution.state.strategy.spread[:] = 1e306  # a run about to overflow, as seed 5 is at generation 9,864
    checkpoint, best = in_tmp / "s.npz", in_tmp / "s.json"
    save_checkpoint(checkpoint, evolution.config, evolution.track, evolution.state)
    status = main.main(["--headless", "--resume", str(checkpoint), "--generations", "50", "--save", str(best)])
    err = capsys.readouterr().err
    assert status == 1 and "grew past what a number can hold" in err and "Traceback" not in err
    state = load_checkpoint(checkpoint).state  # the last finite generation, read back
    assert 3 <= state.generation < 50
    assert np.isfinite(state.strategy.mean).all() and np.isfinite(state.strategy.spread).all()
    saved = load_genomes(best)
    assert np.isfinite(saved.genomes).all()
    # resumed again, it stops at once, and the checkpoint still reads back
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "50"]) == 1
    assert load_checkpoint(checkpoint).state.generation == state.generation


# --- only regular files are replaced (finding 11) ---


def odd_files(folder):
    """A FIFO, a symlink to a file of the user's, a dangling symlink, and a device: none may be replaced."""
    os.mkfifo(folder / "fifo")
    (folder / "mine.txt").write_text("mine\n")
    (folder / "link").symlink_to(folder / "mine.txt")
    (folder / "dangling").symlink_to(folder / "nowhere")
    return {"fifo": folder / "fifo", "link": folder / "link", "dangling": folder / "dangling", "device": "/dev/null"}


@pytest.mark.parametrize(
    "flags",
    [
        ("--headless", "--checkpoint"),
        ("--headless", "--log"),
        ("--headless", "--save"),
        ("--frames", "1", "--screenshot"),
        ("--headless", "--compare", "classic", "elitist", "--checkpoint"),
    ],
)
def test_a_fifo_a_symlink_or_a_device_is_refused_as_an_output_and_left_as_it_was(in_tmp, capsys, flags):
    for name, path in odd_files(in_tmp).items():
        target = str(path)
        if flags[-1] == "--screenshot":  # a screenshot's name ends in .png (no device does)
            if name == "device":
                continue
            target += ".png"
            os.rename(path, target)
        before = os.lstat(target)
        with pytest.raises(SystemExit) as stop:
            main.main(["--seed", "1", "--generations", "1", *flags, target])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and err.count("\n") == 1 and "only a regular file" in err, (name, err)
        after = os.lstat(target)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino), name
        for file in list(in_tmp.iterdir()):
            if file.name not in ("fifo", "mine.txt", "link", "dangling", "fifo.png", "link.png", "dangling.png"):
                file.unlink()
    assert (in_tmp / "mine.txt").read_text() == "mine\n"


def test_an_atomic_write_never_replaces_a_symlink_made_after_the_start(tmp_path):
    (tmp_path / "mine.txt").write_text("mine\n")
    (tmp_path / "c.npz").symlink_to(tmp_path / "mine.txt")
    with pytest.raises(InputError, match="never replaced"):
        write_atomic(tmp_path / "c.npz", b"new")
    assert (tmp_path / "c.npz").is_symlink() and (tmp_path / "mine.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.npz", "mine.txt"]  # no temporary file left


# --- a checkpoint that could not be read back is refused before the run (finding 10) ---


@pytest.mark.parametrize(
    "flags",
    [
        ("--layers", "7,1024,1024,1", "--generations", "1"),
        ("--population", "2", "--layers", "7,4096,1000,1", "--generations", "1"),
        ("--generations", "10000000"),  # a row of history a generation: 720 MB at the end
        ("--generations", "1", "--layers", "7,300,1", "--set", "1:layers=7,1024,1024,1"),
        ("--generations", "1", "--layers", "7,700,700,1", "--compare", "classic", "elitist"),
    ],
)
def test_a_checkpoint_larger_than_its_loader_reads_is_refused_before_the_run(in_tmp, capsys, flags):
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--seed", "1", *flags, "--checkpoint", "c.npz"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1
    assert "more than a checkpoint may hold (512.0 MiB)" in err and "could never be resumed" in err
    assert sorted(p.name for p in in_tmp.iterdir()) == []  # nothing written, nothing claimed left


@pytest.mark.parametrize(
    "flags",
    [
        ("--population", "50", "--generations", "30"),
        ("--population", "3", "--layers", "7,300,300,1", "--generations", "12", "--tracks", "0"),
        ("--strategy", "snes", "--population", "10", "--layers", "7,64,1", "--generations", "15", "--tracks", "0"),
        ("--strategy", "classic", "--population", "400", "--layers", "7,16,1", "--generations", "25"),
    ],
)
def test_the_checkpoint_estimate_covers_the_checkpoints_written(in_tmp, flags):
    assert main.main(["--headless", "--seed", "3", *flags, "--checkpoint", "c.npz"]) == 0
    found = read_checkpoint(in_tmp / "c.npz")
    estimate = checkpoint_bytes(found.config, len(found.track.top))
    size = (in_tmp / "c.npz").stat().st_size
    assert size <= estimate <= 4 * size + HEADER_BYTES + 2 * archive.CHAMPION_GENES * 8


# --- each output has one owner (finding 12) ---


@pytest.mark.parametrize(
    "flags, first",
    [
        (("--save", "z.npz", "--checkpoint", "z.npz"), "--save"),
        (("--log", "x.npz", "--checkpoint", "x.npz"), "--log"),
        (("--save", "y.json", "--log", "./y.json"), "--log"),
        (("--log", "p", "--save", "p", "--compare", "classic", "elitist", "--checkpoint", "p-2-elitist.csv"), "--log"),
    ],
)
def test_one_path_serves_one_output(in_tmp, capsys, flags, first):
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--seed", "1", "--generations", "1", *flags])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and "each output needs a file of its own" in err, err
    assert first in err
    assert list(in_tmp.iterdir()) == []


def test_an_output_never_names_the_file_the_run_reads(in_tmp, capsys):
    flags = ["--headless", "--seed", "1", "--generations", "2", "--log", "a.csv", "--checkpoint", "a.npz"]
    assert main.main([*flags, "--save", "a.json"]) == 0
    saved = (in_tmp / "a.json").read_bytes()
    log, checkpoint = (in_tmp / "a.csv").read_bytes(), (in_tmp / "a.npz").read_bytes()
    capsys.readouterr()
    for flags, message in (
        (("--replay", "a.csv", "--log", "a.csv"), "--log a.csv: is the file --replay reads"),
        (("--load", "a.json", "--log", "a.json"), "--log a.json: is the file --load reads"),
        (("--resume", "a.npz", "--log", "a.npz"), "--log and --checkpoint both name a.npz"),  # it checkpoints there
    ):
        with pytest.raises(SystemExit) as stop:
            main.main(["--headless", *flags])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and message in err, err
    assert (in_tmp / "a.csv").read_bytes() == log and (in_tmp / "a.npz").read_bytes() == checkpoint
    assert (in_tmp / "a.json").read_bytes() == saved


def test_a_fresh_run_never_replaces_another_runs_checkpoint(in_tmp, capsys):
    assert (
        main.main(["--headless", "--seed", "1", "--generations", "2", "--checkpoint", "a.npz", "--log", "a.csv"]) == 0
    )
    before = (in_tmp / "a.npz").read_bytes()
    capsys.readouterr()
    for flags in (
        ("--seed", "2", "--generations", "2"),
        ("--seed", "2", "--generations", "2", "--compare", "classic", "elitist"),
        ("--replay", "a.csv"),
    ):
        with pytest.raises(SystemExit) as stop:
            main.main(["--headless", *flags, "--checkpoint", "a.npz"])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "already exists" in err and "--resume a.npz" in err, err
        assert (in_tmp / "a.npz").read_bytes() == before
    # its own run goes on checkpointing there
    assert main.main(["--headless", "--resume", "a.npz", "--generations", "3", "--checkpoint", "a.npz"]) == 0
    assert load_checkpoint(in_tmp / "a.npz").state.generation == 4


def test_a_resumed_run_refuses_the_log_of_another_run(in_tmp, capsys):
    assert main.main(["--headless", "--seed", "1", "--generations", "50", "--log", "a.csv"]) == 0
    assert main.main(["--headless", "--seed", "2", "--generations", "20", "--checkpoint", "b.npz"]) == 0
    log = (in_tmp / "a.csv").read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--resume", "b.npz", "--generations", "30", "--log", "a.csv"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "a.csv: the log of another run (--seed 1" in err, err
    assert (in_tmp / "a.csv").read_bytes() == log  # rows 21-50 of run A kept, no row of run B added
    # its own log is continued
    assert main.main(["--headless", "--seed", "2", "--generations", "20", "--log", "b.csv"]) == 0
    assert main.main(["--headless", "--resume", "b.npz", "--generations", "22", "--log", "b.csv"]) == 0
    assert (in_tmp / "b.csv").read_text().splitlines()[-1].startswith("22,")


# --- sweeps: their log locked, each seed's row written as it finishes (findings 12 and 15) ---

SWEEP = ["--headless", "--strategy", "classic", "--population", "6", "--tracks", "0", "--generations", "3"]


def test_two_sweeps_cannot_write_one_log(in_tmp):
    log = in_tmp / "sweep.csv"
    first = SweepLog(log, app_runs.SWEEP_LOG_HEADER, warn=print)  # a sweep under way holds it
    try:
        second = run_cli(*SWEEP, "--seeds", "0-1", "--log", str(log))
        assert second.returncode == 2 and "another run is writing this log" in second.stderr, second.stderr
        first.write("1,,0,0.0,1.000")
    finally:
        first.close()
    assert log.read_text() == app_runs.SWEEP_LOG_HEADER + "\n1,,0,0.0,1.000\n"  # the first sweep's, whole


def test_a_sweep_that_ends_without_a_row_leaves_an_existing_log_as_it_was_and_no_file_of_its_own(in_tmp):
    old = in_tmp / "old.csv"
    old.write_text(app_runs.SWEEP_LOG_HEADER + "\n7,,0,0.0,1.000\n")
    for path in (old, in_tmp / "new.csv"):
        SweepLog(path, app_runs.SWEEP_LOG_HEADER, warn=print).close()
    assert old.read_text() == app_runs.SWEEP_LOG_HEADER + "\n7,,0,0.0,1.000\n"
    assert not (in_tmp / "new.csv").exists()


def test_a_sweep_stopped_by_sigterm_stops_at_once_and_keeps_the_rows_of_the_seeds_done(in_tmp):
    log = in_tmp / "sweep.csv"
    flags = ["--headless", "--strategy", "classic", "--population", "10", "--tracks", "0", "--generations", "40"]
    process = start_cli(*flags, "--seeds", "0-199", "--log", str(log), cwd=in_tmp)
    try:
        wait_for(lambda: log.exists() and len(log.read_text().splitlines()) >= 3, 120, "two rows in the log")
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        out, err = process.communicate(timeout=30)
        waited = time.monotonic() - signalled
    finally:
        process.kill()
    lines = log.read_text().splitlines()
    done = len(lines) - 1
    assert process.returncode == 143 and f"interrupted after {done} of 200 seeds; their rows are in" in err, err
    assert "Traceback" not in err and waited < 10
    assert lines[0] == app_runs.SWEEP_LOG_HEADER and 2 <= done < 200
    assert all(len(line.split(",")) == 5 for line in lines[1:])
    assert "finisher within 40 generations: " in out and f" of {done} " in out


def test_a_sweep_on_a_full_disk_keeps_the_rows_written_and_says_so(in_tmp, monkeypatch, capsys):
    log = in_tmp / "sweep.csv"
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # every seed in this process, where the disk fills up
    real_write, rows = os.write, []

    def small_disk(handle: int, data: bytes) -> int:
        if os.path.realpath(f"/proc/self/fd/{handle}") == str(log.resolve()):
            if len(rows) == 3:  # the header and two rows fit
                return real_write(handle, data[:5]) and _raise(OSError(errno.ENOSPC, "No space left on device"))
            rows.append(data)
        return real_write(handle, data)

    monkeypatch.setattr(os, "write", small_disk)
    status = main.main([*SWEEP, "--seeds", "0-3", "--log", str(log)])
    out, err = capsys.readouterr()
    assert status == 1 and "the log stopped after 2 rows (No space left on device); they are kept" in err
    assert " of 4 " in out  # the sweep went on: every seed summarised
    lines = log.read_text().splitlines()
    assert lines[0] == app_runs.SWEEP_LOG_HEADER and [line.split(",")[0] for line in lines[1:]] == ["0", "1"]


def test_a_signal_while_a_seeds_row_is_written_counts_only_rows_that_are_in_the_log(in_tmp, monkeypatch, capsys):
    # found by the ten suite runs under load: SIGTERM between counting a seed done and writing its row made the
    # sweep say "interrupted after 6 of 200 seeds; their rows are in" a log of 5 rows; now the two go together
    from evolution.many.sweep import SweepLog

    log = in_tmp / "sweep.csv"
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # every seed in this process, where the signal comes
    real_write, written = SweepLog.write, []

    def signalled_write(self, row: str) -> None:
        if len(written) == 2:  # as the third row goes to the disk
            os.kill(os.getpid(), signal.SIGTERM)
        written.append(row)
        real_write(self, row)

    monkeypatch.setattr(SweepLog, "write", signalled_write)
    status = main.main([*SWEEP, "--seeds", "0-5", "--log", str(log)])
    err = capsys.readouterr().err
    rows = log.read_text().splitlines()[1:]
    assert status == 143 and f"interrupted after {len(rows)} of 6 seeds; their rows are in" in err, (rows, err)
    assert [row.split(",")[0] for row in rows] == ["0", "1", "2"]


def _raise(exc: Exception):
    raise exc


def test_a_seed_range_too_long_is_refused_at_once_without_filling_the_memory(capsys):
    for seeds in ("0-4294967295", "0-99999999", "0-500000,600000-1200000"):
        with MemoryPeak() as memory, pytest.raises(SystemExit) as stop:
            main.main(["--headless", "--seeds", seeds])
        assert stop.value.code == 2 and memory.bytes < 16 * 2**20  # the seeds were not listed (8 bytes each)
        assert "one sweep runs at most 1000000" in capsys.readouterr().err


# --- the memory budget counts everything and applies everywhere (finding 13) ---

BIG_RUN_LINE = "# neuroracer run: --seed 1 --strategy classic --population {} --layers 7,4096,4096,1 " + (
    "--mutation-rate 0.1 --tracks 0 --track training"
)


@pytest.mark.parametrize("population", ["12", "100000"])
def test_a_replayed_log_is_held_to_the_memory_budget(in_tmp, capsys, population):
    log = in_tmp / "big.csv"
    log.write_text(BIG_RUN_LINE.format(population) + "\n" + LOG_HEADER + "\n0,1,1.0,1.0,0,0.1,-1\n")
    with MemoryPeak() as memory, pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--replay", str(log), "--memory-budget", "1G"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1 and "more than the memory budget of 1.0 GiB" in err, err
    assert f"big.csv line 1: population {population} with layers 7,4096,4096,1" in err
    assert memory.bytes < 64 * 2**20  # refused before anything is allocated


def test_a_replayed_genome_files_settings_are_held_to_the_memory_budget(in_tmp, capsys):
    assert main.main(["--headless", "--seed", "1", "--generations", "1", "--population", "4", "--save", "b.json"]) == 0
    document = json.loads((in_tmp / "b.json").read_text())
    document["settings"]["population"] = 100_000
    (in_tmp / "big.json").write_text(json.dumps(document))
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--replay", "big.json", "--memory-budget", "64M"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "big.json settings: population 100000" in err and "memory budget" in err, err


def test_ghosts_count_in_the_memory_budget(in_tmp, capsys):
    assert main.main(["--headless", "--seed", "1", "--generations", "1", "--save", "g.json"]) == 0
    run = run_size.run_bytes(50, (7, 8, 4, 1), 2)
    ghosts = ["--ghost", "g.json"] * 5  # 100 ghosts
    assert app_options.parse(["--seed", "1", *ghosts, "--memory-budget", str(run + 10**6)]).window.ghosts
    with pytest.raises(InputError, match="--ghost: 100 ghosts beside a run of population 50: needs about"):
        app_options.parse(["--seed", "1", *ghosts, "--memory-budget", str(run + 1000)])
    app_options.parse(["--seed", "1", "--memory-budget", str(run + 1000)])  # the run alone fits


def test_a_sweep_is_held_to_the_memory_budget(capsys):
    with MemoryPeak() as memory, pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--seeds", "0-999999", "--memory-budget", "100M", "--generations", "2"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--seeds: 1000000 runs" in err and "memory budget" in err, err
    assert memory.bytes < 128 * 2**20  # refused before the runs were made (the seeds listed take about 50 MiB)


def test_the_estimate_counts_the_best_genomes_ever_and_their_copies():
    layers = (7, 512, 512, 1)  # a large network with a tiny population: the best genomes ever dominate
    config = RunConfig(population=2, layers=layers, strategy="classic", seed=1, generations=30, extra_tracks=0)
    tracemalloc.start()
    try:
        evolution = Evolution(config, training_track())
        while not evolution.raced_all:
            evolution.run_generation()
        evolution.finish_test_drives_now()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(evolution.state.best_ever_scores) == 20
    assert peak <= run_size.run_bytes(2, layers, 0), (peak, run_size.run_bytes(2, layers, 0))


def test_the_loaders_limits_agree_with_the_command_lines(in_tmp, capsys):
    deep = (7, *[2] * 15, 1)  # 17 layers: --layers allows 16
    network = Network(deep)
    record = GenomeFile(deep, np.zeros((1, network.genome_size)), np.zeros(1, np.int64), "classic", 1, 1, "training")
    save_genomes(in_tmp / "deep.json", record)
    with pytest.raises(InputError, match="more than 16"):
        load_genomes(in_tmp / "deep.json")
    sets = [f"--set={generation}:mutation_rate=0.5" for generation in range(1, 10_002)]
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", *sets])
    assert stop.value.code == 2 and "--set: 10001 changes, more than the 10000" in capsys.readouterr().err


def overflowing_at(seed: int, generation: int):
    """An Evolution whose run of `seed` overflows when told generation `generation` (as snes did)."""

    class Overflowing(Evolution):
        def __init__(self, config, *args, **kwargs) -> None:
            super().__init__(config, *args, **kwargs)
            if config.seed == seed:
                tell = self.strategy.tell

                def overflowing_tell(state, genomes, scores) -> None:
                    if self.state.generation == generation:
                        raise NotFinite("the mean or the spread of the weights grew past what a number can hold")
                    tell(state, genomes, scores)

                self.strategy.tell = overflowing_tell

    return Overflowing


def test_a_sweep_run_that_overflows_stops_alone_and_the_others_in_its_batch_give_their_numbers(monkeypatch):
    import evolution.many.sweep as sweep_module

    config = RunConfig(population=6, strategy="classic", generations=4, extra_tracks=0, test_curve=False)
    alone = {seed: sweep_module.run_batch([dataclasses.replace(config, seed=seed)], judge=False)[0] for seed in (4, 6)}
    monkeypatch.setattr(sweep_module, "Evolution", overflowing_at(5, 2))
    outcomes = sweep_module.run_batch([dataclasses.replace(config, seed=seed) for seed in (4, 5, 6)], judge=False)
    stopped = outcomes[1]
    assert stopped.stopped == "generation 2: the mean or the spread of the weights grew past what a number can hold"
    assert len(stopped.rows) == 2  # its generations 0 and 1, the last finite ones
    for outcome in (outcomes[0], outcomes[2]):
        assert outcome.stopped is None and len(outcome.rows) == 5
        mine, its_own = outcome.rows, alone[outcome.seed].rows
        assert [without_seconds(row) for row in mine] == [without_seconds(row) for row in its_own]


def test_a_sweep_whose_run_overflows_says_so_and_keeps_every_seeds_row(in_tmp, monkeypatch, capsys):
    import evolution.many.sweep as sweep_module

    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # every seed in this process
    monkeypatch.setattr(sweep_module, "Evolution", overflowing_at(2, 1))
    status = main.main([*SWEEP, "--seeds", "0-3", "--log", "sweep.csv"])
    out, err = capsys.readouterr()
    assert status == 1 and "seed 2: generation 1: the mean or the spread" in err and "Traceback" not in err, err
    assert [line.split(",")[0] for line in (in_tmp / "sweep.csv").read_text().splitlines()[1:]] == ["0", "1", "2", "3"]
    assert " of 4 " in out


def test_a_comparison_whose_run_overflows_stops_with_every_run_checkpointed_at_its_last_finite_state(in_tmp, capsys):
    runs = []
    for seed in (5, 6):
        config = RunConfig(
            population=3, layers=(7, 1), strategy="snes", seed=seed, generations=None, extra_tracks=0,
            knobs={"mean_rate": 10.0, "spread_rate": 10.0},
        )  # fmt: skip
        evolution = Evolution(config, training_track())
        for _ in range(3):
            evolution.run_generation()
        evolution.finish_test_drives_now()
        runs.append(evolution)
    runs[1].state.strategy.spread[:] = 1e306  # the second run is about to overflow
    checkpoint = in_tmp / "cmp.npz"
    specs = ["snes:tracks=0,population=3,seed=5", "snes:tracks=0,population=3,seed=6"]
    save_comparison(checkpoint, specs, [(each.config, each.track, each.state) for each in runs])
    status = main.main(["--headless", "--resume", str(checkpoint), "--generations", "40", "--save", "best"])
    err = capsys.readouterr().err
    assert status == 1 and "grew past what a number can hold; the comparison stops here" in err, err
    assert "Traceback" not in err
    found = read_checkpoint(checkpoint)
    assert all(np.isfinite(run.state.strategy.spread).all() for run in found.runs)
    assert all(np.isfinite(load_genomes(in_tmp / f"best-{i}-snes.json").genomes).all() for i in (1, 2))


def test_a_checkpoint_that_grew_past_the_loaders_limit_is_not_written_and_the_last_one_is_kept(in_tmp, monkeypatch):
    import evolution.files.checkpoint as checkpoints

    evolution = unreported()
    path = in_tmp / "c.npz"
    save_checkpoint(path, evolution.config, evolution.track, evolution.state)
    before = path.read_bytes()
    monkeypatch.setattr(checkpoints, "MAX_FILE_BYTES", len(before) - 1)  # the run grew (a --set of its layers, say)
    with pytest.raises(InputError, match="more than a checkpoint may hold"):
        save_checkpoint(path, evolution.config, evolution.track, evolution.state)
    assert path.read_bytes() == before
    monkeypatch.undo()
    assert load_checkpoint(path).state.generation == 12


def test_a_log_that_could_outgrow_what_replay_reads_is_refused_before_the_run(in_tmp, capsys):
    with pytest.raises(SystemExit) as stop:
        main.main(["--headless", "--generations", "10000000", "--log", "x.csv"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "could outgrow what --replay reads (64 MiB)" in err, err
    assert list(in_tmp.iterdir()) == []
    # the bound holds for the longest row a run can log: a generation of 8 digits, every number at its longest
    stats = GenerationStats(9_999_999, 100_000, 99_999.123456789012, 99_999.5, 100_000, 99_999_999.9995, 99_999)
    assert len(log_row(stats)) + 1 <= LOG_ROW_BYTES


def test_a_window_run_whose_snes_overflows_stops_with_one_line_its_last_finite_state_saved(in_tmp, capsys):
    config = RunConfig(
        population=3, layers=(7, 1), strategy="snes", seed=5, generations=None, extra_tracks=0, test_curve=False,
        knobs={"mean_rate": 10.0, "spread_rate": 10.0},
    )  # fmt: skip
    evolution = Evolution(config, training_track())
    for _ in range(3):
        evolution.run_generation()
    evolution.state.strategy.spread[:] = 1e306
    save_checkpoint(in_tmp / "s.npz", evolution.config, evolution.track, evolution.state)
    status = main.main(["--resume", "s.npz", "--frames", "300", "--speed", "turbo", "--save", "w.json"])
    err = capsys.readouterr().err
    assert status == 1 and "grew past what a number can hold; the run stopped at its last finite generation" in err
    assert "crash report" not in err and not list(in_tmp.glob("neuroracer-crash-*"))  # not a bug: no report
    assert np.isfinite(load_checkpoint(in_tmp / "s.npz").state.strategy.spread).all()
    assert np.isfinite(load_genomes(in_tmp / "w.json").genomes).all()
