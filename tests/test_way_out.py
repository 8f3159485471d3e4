"""Every way out after the start saves: errors (a crash report and one line), bad scheduled changes (refused at
the start), a closed or slow standard output, Ctrl+C while the program loads (issue 20)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import main
from app import runs as app_runs
from evolution.breeding import strategies
from evolution.files.checkpoint import load_checkpoint, read_checkpoint
from evolution.run.archive import Archive
from evolution.run.genome_file import load_genomes
from tests.helpers import ROOT, log_rows, run_cli

COMMON = ["--seed", "3", "--population", "12", "--tracks", "1"]


def fail_at(monkeypatch, generation: int, error: type[Exception] = RuntimeError) -> None:
    """Every elitist run's strategy raises `error` when told of `generation` (its state untouched)."""
    real = strategies.Elitist.tell

    def tell(self, state, genomes, scores):
        if state.told == generation:
            raise error(f"injected at generation {generation}")
        return real(self, state, genomes, scores)

    monkeypatch.setattr(strategies.Elitist, "tell", tell)


def said_in_one_line(err: str, what: str) -> Path:
    """stderr holds one line naming `what` and a crash report (besides a sweep's progress lines), no traceback;
    the report's path (the file holds the traceback)."""
    lines = [line for line in err.splitlines() if line.startswith("main.py:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert what in lines[0] and "the crash report is " in lines[0]
    report = Path(lines[0].split("the crash report is ", 1)[1].strip())
    text = report.read_text()
    assert "Traceback (most recent call last)" in text and what in text
    return report


def straight_rows(tmp_path: Path, generations: int, *extra: str) -> list[tuple[str, ...]]:
    """The log rows of the same run made without a failure, to `generations`."""
    log = tmp_path / f"straight-{generations}.csv"
    assert main.main(["--headless", *COMMON, "--generations", str(generations), "--log", str(log), *extra]) == 0
    return log_rows(log)


def fail_in_race(monkeypatch, generation: int) -> None:
    """The race of `generation` raises as it steps (its population asked for and pending)."""
    from evolution.run.evolve import Evolution

    real = Evolution.next_race

    def next_race(self, *args, **kwargs):
        race = real(self, *args, **kwargs)
        if self.generation == generation:

            def run(*args, **kwargs):
                raise ValueError(f"injected at generation {generation}")

            race.run = race.step = run
        return race

    monkeypatch.setattr(Evolution, "next_race", next_race)


@pytest.mark.parametrize("where", ["tell", "race"])
def test_an_error_in_a_headless_run_saves_like_q_then_says_it_in_one_line(tmp_path, monkeypatch, capsys, where):
    checkpoint, save, log = tmp_path / "c.npz", tmp_path / "s.json", tmp_path / "l.csv"
    if where == "tell":
        fail_at(monkeypatch, 5, ValueError)  # a ValueError after the start is not bad input (it was exit 2)
    else:
        fail_in_race(monkeypatch, 5)
    args = ["--headless", *COMMON, "--generations", "9", "--log", str(log), "--checkpoint", str(checkpoint)]
    assert main.main([*args, "--save", str(save), "--checkpoint-every", "3"]) == 1
    out, err = capsys.readouterr()
    report = said_in_one_line(err, "ValueError: injected at generation 5")
    assert report.parent == tmp_path  # beside the checkpoint
    assert load_checkpoint(checkpoint).state.generation == 5 and "checkpoint:" in out
    saved = load_genomes(save)
    assert saved.generation == 4 and len(saved.genomes) == 12
    monkeypatch.undo()
    capsys.readouterr()
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "9", "--log", str(log)]) == 0
    assert log_rows(log) == straight_rows(tmp_path, 9)


def test_an_error_that_leaves_the_state_half_changed_keeps_the_last_whole_checkpoint(tmp_path, monkeypatch, capsys):
    checkpoint, save = tmp_path / "c.npz", tmp_path / "s.json"
    real = Archive.keep

    def keep(self, generation, *args):
        if generation == 5:
            raise MemoryError("injected in the middle of generation 5's changes")
        return real(self, generation, *args)

    monkeypatch.setattr(Archive, "keep", keep)
    args = ["--headless", *COMMON, "--generations", "9", "--checkpoint", str(checkpoint), "--checkpoint-every", "2"]
    assert main.main([*args, "--save", str(save)]) == 1
    _, err = capsys.readouterr()
    assert "MemoryError: injected" in err and "keeps its last state" in err
    assert load_checkpoint(checkpoint).state.generation == 4  # the last one written whole, every 2 generations
    assert not save.exists()  # the claim let go: never an empty file, nor genomes of a torn state


@pytest.mark.parametrize("where", ["tell", "race"])
def test_an_error_in_the_window_saves_like_q_then_says_it_in_one_line(in_tmp, monkeypatch, capsys, where):
    checkpoint, save, log = in_tmp / "c.npz", in_tmp / "s.json", in_tmp / "l.csv"
    fail_at(monkeypatch, 3) if where == "tell" else fail_in_race(monkeypatch, 3)
    args = [*COMMON, "--speed", "turbo", "--frames", "5000", "--checkpoint", str(checkpoint), "--save", str(save)]
    assert main.main([*args, "--log", str(log)]) == 1
    _, err = capsys.readouterr()
    said_in_one_line(err, "Error: injected at generation 3")
    assert load_checkpoint(checkpoint).state.generation == 3
    assert load_genomes(save).generation == 2
    assert list((in_tmp / "runs").rglob("*.json"))  # Q's save of the best into the run's folder
    monkeypatch.undo()
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "6", "--log", str(log)]) == 0
    assert log_rows(log) == straight_rows(in_tmp, 6)


def test_an_error_in_a_test_drive_window_is_said_in_one_line(in_tmp, monkeypatch, capsys):
    from game.session import DriveSession

    assert main.main(["--headless", *COMMON, "--generations", "1", "--save", "b.json"]) == 0

    def broken(self, steps, deadline):
        raise RuntimeError("injected in the drive")

    monkeypatch.setattr(DriveSession, "advance", broken)
    assert main.main(["--load", "b.json", "--frames", "50"]) == 1
    said_in_one_line(capsys.readouterr().err, "RuntimeError: injected in the drive")
    assert load_genomes(in_tmp / "b.json").genomes.size  # the file driven is untouched


def compare_logs(folder: Path) -> list[list[tuple[str, ...]]]:
    return [log_rows(path) for path in sorted(folder.glob("*.csv"))]


def test_an_error_in_a_comparison_saves_every_run_then_says_it_in_one_line(tmp_path, monkeypatch, capsys):
    first, straight = tmp_path / "first", tmp_path / "straight"
    first.mkdir(), straight.mkdir()
    checkpoint = first / "c.npz"
    specs = ["--compare", "classic", "elitist", *COMMON]
    fail_at(monkeypatch, 4)
    args = ["--headless", *specs, "--generations", "7", "--checkpoint", str(checkpoint)]
    assert main.main([*args, "--save", str(first / "best"), "--log", str(first / "run")]) == 1
    _, err = capsys.readouterr()
    said_in_one_line(err, "RuntimeError: injected at generation 4")
    assert [run.state.generation for run in read_checkpoint(checkpoint).runs] == [5, 4]  # in lockstep to the error
    saves = sorted(first.glob("best-*.json"))
    assert len(saves) == 2 and all(load_genomes(path).genomes.size for path in saves)
    monkeypatch.undo()
    resume = ["--headless", "--resume", str(checkpoint), "--generations", "7", "--log", str(first / "run")]
    assert main.main(resume) == 0
    assert main.main(["--headless", *specs, "--generations", "7", "--log", str(straight / "run")]) == 0
    assert compare_logs(first) == compare_logs(straight)


def test_an_error_in_the_comparison_window_saves_every_run(in_tmp, monkeypatch, capsys):
    checkpoint = in_tmp / "c.npz"
    fail_at(monkeypatch, 2)
    args = ["--compare", "classic", "elitist", *COMMON, "--speed", "turbo", "--frames", "5000"]
    assert main.main([*args, "--checkpoint", str(checkpoint), "--save", str(in_tmp / "best")]) == 1
    _, err = capsys.readouterr()
    said_in_one_line(err, "RuntimeError: injected at generation 2")
    assert min(run.state.generation for run in read_checkpoint(checkpoint).runs) == 2
    saves = sorted(in_tmp.glob("best-*.json"))
    assert len(saves) == 2 and all(path.stat().st_size for path in saves)


def test_an_error_in_a_sweep_or_a_drive_is_said_in_one_line_and_leaves_no_empty_file(in_tmp, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("injected")

    def bad_value(*args, **kwargs):
        raise ValueError("injected")

    monkeypatch.setattr(app_runs, "sweep", bad_value)  # a ValueError after the start is no bad input (it was exit 2)
    sweep = ["--headless", "--seeds", "1-2", "--generations", "1", "--population", "4", "--log", "sweep.csv"]
    assert main.main(sweep) == 1
    said_in_one_line(capsys.readouterr().err, "ValueError: injected")
    assert not (in_tmp / "sweep.csv").exists()
    assert main.main(["--headless", *COMMON, "--generations", "1", "--save", "b.json"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(app_runs, "race_scores", broken)
    assert main.main(["--headless", "--load", "b.json", "--log", "drive.csv"]) == 1
    said_in_one_line(capsys.readouterr().err, "RuntimeError: injected")
    assert not (in_tmp / "drive.csv").exists()


def test_a_crash_report_goes_to_the_temporary_folder_when_the_current_one_is_gone(tmp_path, monkeypatch):
    import tempfile

    from evolution.files.crash import write_crash_report

    gone, temp = tmp_path / "gone", tmp_path / "temp"
    gone.mkdir(), temp.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    report = write_crash_report(RuntimeError("boom"), None, ["main.py", "--headless"])
    assert report is not None and report.parent == temp
    text = report.read_text()
    assert "main.py --headless" in text and "RuntimeError: boom" in text
    assert write_crash_report(RuntimeError("again"), None, ["main.py"]) != report  # a name of its own


# ---- finding 6: a bad track scheduled by --set ---------------------------------------------------------------


@pytest.mark.parametrize("track", ["random:9999999999", "random:1:9"])
@pytest.mark.parametrize("window", [False, True])
def test_a_bad_track_scheduled_by_set_is_refused_at_the_start(tmp_path, track, window):
    save = tmp_path / "a.json"
    args = [*COMMON, "--generations", "10", "--set", f"5:track={track}", "--save", str(save)]
    args += ["--checkpoint", str(tmp_path / "a.npz"), "--log", str(tmp_path / "a.csv")]
    result = run_cli(*(args + (["--frames", "3"] if window else ["--headless"])))
    assert result.returncode == 2 and result.stdout == "", result.stderr
    assert result.stderr.count("\n") == 1 and "--set 5:track=" in result.stderr and "Traceback" not in result.stderr
    assert not save.exists() and not (tmp_path / "a.npz").exists()


def test_a_change_that_still_fails_when_it_applies_goes_through_the_way_out(tmp_path, monkeypatch, capsys):
    from evolution.run import lab

    def broken(name):
        raise ValueError("the track could not be built")

    monkeypatch.setattr(lab, "_built_track", broken)
    checkpoint, save = tmp_path / "a.npz", tmp_path / "a.json"
    args = ["--headless", *COMMON, "--generations", "10", "--set", "5:track=random:7", "--checkpoint", str(checkpoint)]
    assert main.main([*args, "--save", str(save)]) == 1
    said_in_one_line(capsys.readouterr().err, "the track could not be built")
    state = load_checkpoint(checkpoint).state
    assert state.generation == 5 and [change.generation for change in state.scheduled] == [5]  # not lost
    assert load_genomes(save).generation == 4


# ---- finding 7: a closed or slow standard output --------------------------------------------------------------


def piped(command: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """main.py's command piped into a shell command, as typed; its own exit status is PIPESTATUS[0]."""
    script = f"{sys.executable} {ROOT / 'main.py'} {command}; echo status=${{PIPESTATUS[0]}} >&2"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYTHONUNBUFFERED="1")
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)


def status_of(result: subprocess.CompletedProcess) -> int:
    return int(result.stderr.rsplit("status=", 1)[1])


@pytest.mark.parametrize("compare", [False, True])
def test_a_closed_pipe_loses_no_row_of_the_log(tmp_path, compare):
    run = "--compare classic elitist " if compare else ""
    common = f"--headless {run}--seed 3 --population 12 --tracks 1"
    first = piped(f"{common} --generations 30 --log l.csv --checkpoint c.npz | head -3", tmp_path)
    assert status_of(first) == 141 and "Traceback" not in first.stderr and first.stdout.count("\n") == 3
    resumed = run_cli("--headless", "--resume", str(tmp_path / "c.npz"), "--log", str(tmp_path / "l.csv"))
    assert resumed.returncode == 0, resumed.stderr
    straight = run_cli(*common.split(), "--generations", "30", "--log", str(tmp_path / "s.csv"))
    assert straight.returncode == 0
    logs = sorted(tmp_path.glob("l*.csv")), sorted(tmp_path.glob("s*.csv"))
    assert len(logs[0]) == len(logs[1]) == (2 if compare else 1)
    assert [log_rows(path) for path in logs[0]] == [log_rows(path) for path in logs[1]]


@pytest.mark.parametrize("reader", ["head -n 6", "true", "(sleep 1; head -c 10 > /dev/null)"])
@pytest.mark.parametrize("compare", [False, True])
def test_a_closed_or_slow_pipe_never_tracebacks_nor_leaves_the_save_empty(tmp_path, reader, compare):
    run = "--compare classic elitist --save s" if compare else "--save s.json"
    result = piped(f"--headless {run} --population 12 --generations 30 | {reader}", tmp_path)
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert status_of(result) in (0, 141)
    saves = sorted(tmp_path.glob("s*.json"))
    assert len(saves) == (2 if compare else 1) and all(load_genomes(path).genomes.size for path in saves)


def test_a_standard_output_closed_before_the_start_prints_nothing_and_saves(tmp_path):
    result = piped("--headless --population 12 --generations 2 --save s.json >&-", tmp_path)
    assert status_of(result) == 0 and "Traceback" not in result.stderr, result.stderr
    assert load_genomes(tmp_path / "s.json").generation == 2


class ClosesAt(io.StringIO):
    """Standard output whose reader goes away when a line with `word` is printed (BrokenPipeError from then on)."""

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word, self.gone = word, False

    def write(self, text: str) -> int:
        self.gone = self.gone or self.word in text
        if self.gone:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


@pytest.mark.parametrize(
    ("word", "generations"), [("seed ", 1), ("gen 2/4", 3), ("checkpoint:", 5), ("saved the best", 5), ("done:", 5)]
)
def test_stdout_closed_at_any_line_still_writes_the_checkpoint_and_the_save_whole(
    tmp_path, monkeypatch, word, generations
):
    checkpoint, save = tmp_path / "c.npz", tmp_path / "s.json"
    monkeypatch.setattr(sys, "stdout", ClosesAt(word))
    args = ["--headless", "--population", "12", "--generations", "4", "--checkpoint", str(checkpoint)]
    assert main.main([*args, "--save", str(save)]) == 141
    assert load_checkpoint(checkpoint).state.generation == generations  # the next progress line ends the run
    assert load_genomes(save).generation == generations - 1


# ---- finding 16 ------------------------------------------------------------------------------------------------


def test_ctrl_c_while_the_program_loads_exits_130_quietly(tmp_path):
    # Ctrl+C arrives while numpy is imported (the first 0.3 s), deterministically: the import sends it.
    script = tmp_path / "loading.py"
    script.write_text(
        "import builtins, os, runpy, signal, sys\n"
        "real = builtins.__import__\n"
        "def hooked(name, *args, **kwargs):\n"
        "    if name == 'numpy':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = hooked\n"
        f"sys.argv = ['main.py', '--headless', '--save', {str(tmp_path / 'b.json')!r}]\n"
        f"runpy.run_path({str(ROOT / 'main.py')!r}, run_name='__main__')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 128 + signal.SIGINT and result.stderr == "" and result.stdout == ""
    assert not (tmp_path / "b.json").exists()


def test_compare_refuses_seeds_in_one_line(tmp_path):
    result = run_cli("--headless", "--compare", "classic", "elitist", "--seeds", "1-3")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--seeds" in result.stderr


def test_a_resumed_log_keeps_its_set_lines_where_they_were(tmp_path):
    sets = ["--set", "3:mutation_rate=0.3", "--set", "8:mutation_rate=0.2"]
    straight, split, checkpoint = tmp_path / "straight.csv", tmp_path / "split.csv", tmp_path / "c.npz"
    args = ["--headless", *COMMON, *sets]
    assert main.main([*args, "--generations", "12", "--log", str(straight)]) == 0
    assert main.main([*args, "--generations", "6", "--log", str(split), "--checkpoint", str(checkpoint)]) == 0
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "12", "--log", str(split)]) == 0

    def without_seconds(path: Path) -> list[str]:
        lines = path.read_text().splitlines()
        return [line if line.startswith("#") else ",".join(line.split(",")[:5]) for line in lines]

    assert without_seconds(split) == without_seconds(straight)


def test_a_run_called_in_process_leaves_the_signal_handlers_as_it_found_them(in_tmp):
    """Left ignored after a run's shutdown, SIGTERM was ignored in every process forked later too: a fork pool's
    terminate() then waited on its worker for ever (a hung CI run, and a hung suite under pytest-xdist)."""
    import signal

    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    assert main.main(["--headless", "--seed", "1", "--generations", "1", "--population", "4"]) == 0
    assert {number: signal.getsignal(number) for number in before} == before


def test_run_as_the_program_a_ctrl_c_after_the_run_saved_is_ignored_on_the_way_out(in_tmp, monkeypatch):
    """Run from the command line (no argv given), main() leaves the handlers as the shutdown set them: a Ctrl+C
    that lands after the run saved is ignored, not taken by main.py's quiet exit for the imports (which made a
    study that had ended well exit 130 without a word)."""
    import signal

    monkeypatch.setattr(
        sys, "argv", ["main.py", "--headless", "--seed", "1", "--generations", "1", "--population", "4"]
    )
    assert main.main() == 0
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # (the suite's fixture puts it back after the test)


def test_a_signal_while_the_next_population_is_drawn_waits_until_the_state_is_whole(tmp_path):
    """SIGTERM arriving while the strategy draws the next population stops the run only once the population and
    its extra tracks are in the state: the checkpoint then saved loads back and goes on to the rows of a run never
    stopped. (Cut in two, the generator had drawn a population the state lacked, or the population lacked its
    extra tracks: a headless run stopped so saved a checkpoint that its loader refused.)"""
    from evolution.errors import Interrupted
    from evolution.files.checkpoint import save_checkpoint
    from evolution.interrupts import signals_restored, stop_on_signals
    from evolution.racing.track import training_track
    from evolution.run.evolve import Evolution, RunConfig
    from tests.helpers import assert_same_rows

    config = RunConfig(strategy="elitist", seed=3, population=12, generations=None, extra_tracks=1, test_curve=False)
    straight = Evolution(config, training_track())
    for _ in range(5):
        straight.run_generation()
    run = Evolution(config, training_track())
    for _ in range(2):
        run.run_generation()
    ask = run.strategy.ask

    def ask_then_signal(state):
        genomes = ask(state)
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs at the next instruction, inside the asking
        return genomes

    run.strategy.ask = ask_then_signal
    with signals_restored():
        stop_on_signals()
        with pytest.raises(Interrupted):
            run.next_race()
    run.strategy.ask = ask
    assert run.state.pending is not None and len(run.state.pending_track_seeds) == 1
    save_checkpoint(tmp_path / "c.npz", run.config, run.track, run.state)
    resumed = load_checkpoint(tmp_path / "c.npz").evolution()
    for _ in range(3):
        resumed.run_generation()
    assert_same_rows(resumed, straight)


def test_a_block_kept_whole_on_another_thread_leaves_the_main_threads_signals_alone():
    """atomic() on the window's preparing thread must not hold back (or raise on that thread) a signal that the
    main thread handles."""
    import threading

    from evolution import interrupts

    seen = []

    def work():
        with interrupts.atomic():
            seen.append(interrupts._depth)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [0] and interrupts._depth == 0
