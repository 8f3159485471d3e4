"""Every way out saves what it must; outputs are checked before the work; state that does not add up is refused."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

import main
from app import command as app_command
from app import options as app_options
from app import runs as app_runs
from evolution import budget
from evolution.errors import InputError, Interrupted
from evolution.files.checkpoint import load_checkpoint
from evolution.racing.track import training_track
from evolution.run import run_size
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import load_genomes
from evolution.run.reporters import LOG_HEADER, CsvLog
from game.frame_runner import key_event, open_window, run_frames
from game.views.evolving_view import EvolvingView
from tests.helpers import ROOT, MemoryPeak, full_disk, log_has_rows, log_rows, run_cli, start_cli, wait_for


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_window_saves_the_checkpoint_and_the_best_then_exits_with_its_status(tmp_path, signum, status):
    checkpoint = tmp_path / "wc.npz"
    process = start_cli(
        "--seed", "1", "--speed", "turbo", "--checkpoint", str(checkpoint), "--checkpoint-every", "1000",
        "--runs-dir", str(tmp_path / "runs"), cwd=tmp_path
    )  # fmt: skip
    try:
        # some generations go by (the checkpoint is only written on the way out): two rows in the run's log
        wait_for(lambda: log_has_rows(tmp_path / "runs", 2), what="two generations")
    finally:
        process.send_signal(signum)
        out, err = process.communicate(timeout=120)
    assert process.returncode == status, err
    assert "Traceback" not in err and "interrupted; saving first" in err
    assert load_checkpoint(checkpoint).state.generation >= 2
    assert "checkpoint:" in out and list((tmp_path / "runs").rglob("*.json"))
    assert not (tmp_path / ".wc.npz.lock").exists()


def test_ctrl_c_before_a_run_starts_or_during_a_drive_gives_no_traceback(tmp_path, monkeypatch, capsys):
    assert main.main(["--headless", "--seed", "3", "--generations", "2", "--save", str(tmp_path / "b.json")]) == 0

    def interrupted(*args, **kwargs):
        raise Interrupted(signal.SIGINT)

    monkeypatch.setattr(app_runs, "race_scores", interrupted)
    assert main.main(["--headless", "--load", str(tmp_path / "b.json")]) == 130
    assert "interrupted before the run started" in capsys.readouterr().err


def test_ctrl_c_in_generation_0_says_so_plainly(tmp_path, monkeypatch, capsys):
    from evolution.run.evolve import Evolution

    def interrupted(self):
        raise Interrupted(signal.SIGINT)

    monkeypatch.setattr(Evolution, "run_generation", interrupted)
    code = main.main(["--headless", "--seed", "3", "--checkpoint", str(tmp_path / "c.npz")])
    out, err = capsys.readouterr()
    assert code == 130 and "interrupted in generation 0" in err and "generation -1" not in out + err
    assert "(0 generations done)" in out and load_checkpoint(tmp_path / "c.npz").state.generation == 0


def test_a_foreign_save_picked_with_l_is_refused_on_screen_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "saves").mkdir()
    good = {"format": "neuroracer-genomes", "version": 1, "layers": [7, 8, 4, 1], "seed": 1, "generation": 3}
    entries = [{"score": 1, "weights": [0.0] * 105}]
    (tmp_path / "saves" / "nul.json").write_text(
        json.dumps({**good, "strategy": "a\x00b", "track": "\ud800", "created": "", "genomes": entries})
    )
    huge = {**good, "layers": [7, 4096, 4096, 4096, 1], "strategy": "x", "track": "t", "created": ""}
    (tmp_path / "saves" / "huge.json").write_text(json.dumps({**huge, "genomes": [{}] * 10_000}))
    app = open_window(app_options.parse(["--seed", "2", "--speed", "8"]))
    run_frames(app, 5)
    for _ in range(2):
        run_frames(app, 1, lambda frame: [key_event(pygame.K_l)])
        run_frames(app, 2)  # the list is drawn, with the foreign files' names
        run_frames(app, 1, lambda frame: [key_event(pygame.K_RETURN)])
        run_frames(app, 2)
        assert isinstance(app.view, EvolvingView) and app.running
        text, error, _ = app.messages[-1]
        assert error and text.startswith("saves/")
        run_frames(app, 1, lambda frame: [key_event(pygame.K_DOWN)])
    pygame.quit()


def first_generation_done(app) -> bool:
    run = app.view.run_evolving()
    return run is not None and run.best(1) is not None


def test_a_save_that_fails_in_the_window_says_why_on_screen_and_on_the_way_out_on_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURORACER_RUNS", "runs")
    (tmp_path / "runs").write_text("a file where the runs folder goes")  # unwritable, even for root
    app = open_window(app_options.parse(["--seed", "1", "--speed", "turbo", "--population", "10", "--tracks", "0"]))
    for _ in range(600):  # bounded: until the first generation has raced
        if first_generation_done(app):
            break
        run_frames(app, 1)
    run_frames(app, 1, lambda frame: [key_event(pygame.K_s)])
    said = [text for text, _, _ in app.messages]
    assert said[-1].startswith("could not save: runs/") and not any("still racing" in text for text in said)
    pygame.quit()
    import game.window

    real_frame = game.window.Window.frame

    def frame_then_quit(self, events):  # Q as soon as there is something new to save
        real_frame(self, [*events, key_event(pygame.K_q)] if first_generation_done(self) else events)

    monkeypatch.setattr(game.window.Window, "frame", frame_then_quit)
    monkeypatch.setattr(app_command, "in_run_folder", lambda options, argv: options)  # (runs/ is a file: no folder)
    capsys.readouterr()
    code = main.main(["--seed", "1", "--speed", "turbo", "--population", "10", "--tracks", "0", "--frames", "600"])
    out, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and "warning: could not save: runs/" in err, err
    assert "saved the best" not in out


def test_a_checkpoint_that_fails_on_the_way_out_of_the_window_is_named_on_stderr_once(tmp_path, monkeypatch, capsys):
    import evolution.files.checkpoint as checkpoint_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(checkpoint_module, "write_atomic", full_disk)
    args = ["--seed", "1", "--speed", "turbo", "--checkpoint", "c.npz", "--checkpoint-every", "1000", "--frames", "5"]
    assert main.main(args) == 1
    err = capsys.readouterr().err
    assert err.count("checkpoint not saved: c.npz: could not be written (No space left on device)") == 1, err


def test_a_full_disk_under_the_log_stops_the_log_not_the_run(tmp_path, monkeypatch, capsys):
    class FullAfter:  # a file that fills up after a few rows, as a 64 KB disk does
        def __init__(self, stream, rows):
            self.stream, self.rows = stream, rows

        def write(self, text):
            self.rows -= 1
            if self.rows < 0:
                raise OSError(28, "No space left on device")
            return self.stream.write(text)

        def flush(self):
            self.stream.flush()

        def close(self):
            self.stream.close()

    real_init = CsvLog.__init__

    def small_disk(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._stream = FullAfter(self._stream, 3)

    monkeypatch.setattr(CsvLog, "__init__", small_disk)
    log, best, checkpoint = tmp_path / "run.csv", tmp_path / "best.json", tmp_path / "c.npz"
    args = ["--headless", "--seed", "5", "--generations", "8", "--log", str(log), "--checkpoint", str(checkpoint)]
    code = main.main([*args, "--save", str(best)])
    out, err = capsys.readouterr()
    assert code == 1 and err.count("the log stopped") == 1 and "No space left" in err
    assert "gen 8/8" in out and len(log_rows(log)) == 3
    assert load_checkpoint(checkpoint).state.generation == 9 and len(load_genomes(best).genomes) == 20


@pytest.mark.slow  # 4,000 generations onto a 64 KB disk; the quick set keeps the full disks simulated
def test_a_real_tiny_file_system_fills_up_and_the_run_still_saves(tmp_path, tiny_disk):
    result = run_cli(
        "--headless", "--strategy", "classic", "--population", "4", "--tracks", "0", "--no-test-curve",
        "--seed", "1", "--generations", "4000", "--log", str(tiny_disk / "run.csv"),
        "--checkpoint", str(tmp_path / "c.npz"), "--save", str(tmp_path / "best.json"), timeout=300,
    )  # fmt: skip
    assert result.returncode == 1 and "the log stopped" in result.stderr and "Traceback" not in result.stderr
    assert load_checkpoint(tmp_path / "c.npz").state.generation == 4001
    assert len(load_genomes(tmp_path / "best.json").genomes) == 4


def test_outputs_that_cannot_be_written_are_refused_before_the_run(tmp_path):
    (tmp_path / "x.png").mkdir()
    (tmp_path / "notes.csv").write_text("mine,not yours\n")
    (tmp_path / "taken.json").write_text("{}")
    drivers = tmp_path / "drivers.json"
    assert main.main(["--headless", "--seed", "1", "--generations", "0", "--save", str(drivers)]) == 0
    notes = str(tmp_path / "notes.csv")
    cases = {
        ("--screenshot", str(tmp_path / "x.png"), "--frames", "1"): "is a folder",
        ("--headless", "--log", "/dev/full"): "cannot write the log",
        ("--headless", "--log", notes): "is not a neuroracer log",
        ("--headless", "--load", str(drivers), "--log", notes): "is not a neuroracer log",  # written at the end
        ("--headless", "--seeds", "0", "--log", notes): "is not a neuroracer log",  # likewise
        ("--headless", "--save", str(tmp_path / "taken.json")): "already exists",
        ("--headless", "--save", str(tmp_path / "notes.csv" / "b.json")): "is not a folder",
    }
    if Path("/proc/self").is_dir():  # writable by permissions for root, yet no file can be made there
        cases["--screenshot", "/proc/x.png", "--frames", "1"] = "--screenshot /proc/x.png: "
        cases["--headless", "--log", "/proc/x.csv"] = "--log /proc/x.csv: "
    for args, message in cases.items():
        result = run_cli("--seed", "1", "--generations", "2", *args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (args, result.stderr)
        assert message in result.stderr and result.stdout == "", (args, result.stderr)
    assert (tmp_path / "notes.csv").read_text() == "mine,not yours\n"  # never replaced
    assert not list(tmp_path.glob("*.json.*"))


def test_two_runs_cannot_write_one_log(tmp_path):
    path = tmp_path / "run.csv"
    first = CsvLog(path, run_line="neuroracer run: --seed 1")
    first.note("a line of the first run")
    with pytest.raises(InputError, match="another run is writing this log; choose another --log"):
        CsvLog(path, run_line="neuroracer run: --seed 2")
    first.close()
    assert path.read_text().splitlines() == ["# neuroracer run: --seed 1", LOG_HEADER, "# a line of the first run"]
    CsvLog(path, run_line="neuroracer run: --seed 3").close()  # the first has let it go
    assert path.read_text().startswith("# neuroracer run: --seed 3\n")


def test_a_genome_file_too_large_to_load_is_never_written(tmp_path, monkeypatch, capsys):
    import evolution.run.genome_file

    monkeypatch.setattr(evolution.run.genome_file, "MAX_BYTES", 30_000)  # 20 genomes of 105 weights take ~50 KB
    best = tmp_path / "best.json"
    assert main.main(["--headless", "--seed", "1", "--generations", "1", "--save", str(best)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than a genome file may hold (30000 bytes); not written" in err, err
    assert not best.exists()  # neither a file the loader refuses nor the empty one claimed at the start
    monkeypatch.setattr(app_options, "MAX_BYTES", 10_000)  # fewer bytes than the weights alone: refused before the run
    monkeypatch.setattr(app_runs, "MAX_BYTES", 10_000)
    with pytest.raises(SystemExit) as refused:
        main.main(["--headless", "--seed", "1", "--generations", "1", "--save", str(best)])
    out, err = capsys.readouterr()
    assert refused.value.code == 2 and out == "" and "--save" in err and "take at least 12600 bytes" in err
    assert not best.exists()


@pytest.mark.parametrize(
    ("change", "population", "layers"),
    [("1:population=100000", 100_000, (7, 8, 4, 1)), ("2:layers=7,4096,4096,1", 50, (7, 4096, 4096, 1))],
)
def test_a_settings_change_beyond_the_memory_budget_is_refused_before_the_run(change, population, layers):
    figure = budget.format_size(run_size.run_bytes(population, layers))
    result = run_cli("--headless", "--seed", "1", "--tracks", "0", "--memory-budget", "300M", "--set", change)
    assert result.returncode == 2 and result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert f"--set {change}: population" in result.stderr and f"needs about {figure}" in result.stderr
    evolution = Evolution(RunConfig(strategy="classic", seed=1, extra_tracks=0), training_track())
    try:  # the settings panel schedules through the same check
        budget.set_budget(300 * 2**20)
        with pytest.raises(ValueError, match="more than the memory budget"):
            evolution.schedule(*change.split(":", 1)[1].split("="), 3)
    finally:
        budget.set_budget(None)


def test_a_screenshot_has_the_usual_file_mode(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    umask = os.umask(0o022)
    try:
        assert main.main(["--seed", "1", "--frames", "2", "--screenshot", "shot.png"]) == 0
    finally:
        os.umask(umask)
    assert (tmp_path / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "shot.png").stat().st_mode & 0o777 == 0o644  # not the 0600 of a temporary file
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".shot")]  # no temporary file left


def test_a_screenshot_that_fails_at_the_end_still_leaves_the_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import game.window

    def unwritable(surface, path):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(game.window, "save_screenshot", unwritable)
    checkpoint = tmp_path / "c.npz"
    code = main.main(["--seed", "1", "--frames", "30", "--screenshot", "shot.png", "--checkpoint", str(checkpoint)])
    assert code == 1 and checkpoint.exists()


def test_two_runs_cannot_write_one_checkpoint_and_a_killed_writers_leftovers_are_cleared(tmp_path):
    checkpoint = tmp_path / "c.npz"
    (tmp_path / ".c.npz.1234abcd.tmp").write_bytes(b"half a checkpoint")  # as SIGKILL during a write leaves it
    first = start_cli(
        "--headless", "--seed", "1", "--generations", "100000", "--checkpoint", str(checkpoint), cwd=tmp_path
    )
    try:
        wait_for(lambda: (tmp_path / ".c.npz.lock").exists(), what="the first run's lock")
        wait_for(lambda: not (tmp_path / ".c.npz.1234abcd.tmp").exists(), what="the leftovers cleared")
        second = run_cli("--headless", "--seed", "2", "--checkpoint", str(checkpoint))
        assert second.returncode == 2 and "another run is writing this checkpoint" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=120)
    assert first.returncode == 143 and load_checkpoint(checkpoint).config.seed == 1


def test_r_after_resume_keeps_the_resumed_checkpoint_and_writes_the_new_run_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / "run.npz"
    assert main.main(["--headless", "--seed", "4", "--generations", "3", "--checkpoint", str(checkpoint)]) == 0
    before = load_checkpoint(checkpoint).state.generation
    options = app_options.parse(["--resume", str(checkpoint), "--speed", "turbo"])
    app = open_window(options)
    app.view.checkpointer.claim()
    run_frames(app, 1, lambda frame: [key_event(pygame.K_r)])
    run_frames(app, 1, lambda frame: [key_event(pygame.K_r)])
    assert app.view.checkpointer.path == tmp_path / "run-2.npz"
    assert any("run-2.npz" in text for text, _, _ in app.messages)
    run_frames(app, 20)
    run_frames(app, 1, lambda frame: [key_event(pygame.K_q)])
    assert load_checkpoint(checkpoint).config.seed == 4 and load_checkpoint(checkpoint).state.generation >= before
    assert load_checkpoint(tmp_path / "run-2.npz").config.seed != 4
    pygame.quit()


def edited_checkpoint(tmp_path: Path, **changes) -> Path:
    """A real checkpoint with header fields (dotted paths) changed by hand."""
    path = tmp_path / "edit.npz"
    if not path.exists():
        assert main.main(["--headless", "--seed", "6", "--generations", "4", "--checkpoint", str(path)]) == 0
    with np.load(path, allow_pickle=False) as archive:
        members = {name: archive[name] for name in archive.files}
    header = json.loads(members["header"].tobytes())
    for dotted, value in changes.items():
        node = header
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    members["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    edited = tmp_path / f"edited-{len(list(tmp_path.glob('edited-*')))}.npz"
    edited.write_bytes(buffer.getvalue())
    return edited


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"state.reported": 1}, "champions waiting"),
        ({"config.generations": 10**18}, "generations: 1000000000000000000 is out of range (0 to 10000000)"),
        ({"config.safety_weight": -1e308}, "safety_weight: -1e+308 is out of range"),
        ({"track_name": "\ud800"}, "track_name"),
        ({"config.population": 10**9}, "population: 1000000000 is out of range (2 to 100000)"),
        ({"config.population": 10**5, "config.layers": [7, 4096, 4096, 1]}, "memory budget"),
        ({"state.generation": 3}, "5 generations reported but only 3 raced"),
        ({"state.generation": 6, "state.reported": 6}, "generation 6 is past the run's last generation 4"),
    ],
)
def test_a_checkpoint_that_does_not_add_up_is_refused_in_one_line(tmp_path, changes, message):
    path = edited_checkpoint(tmp_path, **changes)
    with pytest.raises(InputError) as refused:
        load_checkpoint(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


def test_small_things_mended(tmp_path, capsys):
    layers = ",".join(["7"] * 1_000_000)  # a million layers: too long for a command line, so in-process
    with MemoryPeak() as memory, pytest.raises(SystemExit) as refused:
        main.main(["--headless", "--layers", layers])
    err = capsys.readouterr().err
    assert refused.value.code == 2 and memory.bytes < 64 * 2**20 and len(err) < 300  # no network was built
    for args, message in {
        ("--speed", "²"): "--speed",
        ("--headless", "--speed", "0"): "--speed",
        ("--headless", "--size", "1x1"): "--size",
        ("--headless", "--screenshot", "a.png"): "--screenshot is a window flag",
    }.items():
        result = run_cli(*args)
        assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    checkpoint = tmp_path / "c.npz"
    assert main.main(["--headless", "--seed", "1", "--generations", "1", "--checkpoint", str(checkpoint)]) == 0
    result = run_cli("--headless", "--resume", str(checkpoint), "--no-test-curve")
    assert result.returncode == 2 and "--test-curve cannot be given with --resume" in result.stderr


def test_a_closed_pipe_ends_quietly_after_saving(tmp_path):
    checkpoint = tmp_path / "c.npz"
    command = (
        f"{sys.executable} {ROOT / 'main.py'} --headless --seed 1 --generations 500 --checkpoint {checkpoint} | head -2"
    )
    result = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True, timeout=300)
    assert result.stdout.count("\n") == 2 and result.stderr == "" and result.returncode in (0, 141)
    assert 1 <= load_checkpoint(checkpoint).state.generation < 500
