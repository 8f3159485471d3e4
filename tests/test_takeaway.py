"""Something to take away: every run a folder (found again with `last`), recordings, figures and exports."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pygame
import pytest

import main
from app import options as app_options
from evolution.files.checkpoint import load_checkpoint
from evolution.files.plots import FIGURE_PIXELS, read_log
from evolution.files.run_folder import COMMAND, list_runs
from evolution.run.genome_file import load_genomes
from game.drawing.layout import Layout
from game.frame_runner import key_event, open_window, run_frames
from game.takeaway.recorder import expected_frames
from game.takeaway.saves import list_saves
from tests.helpers import ROOT, log_has_rows, log_rows, press, run_cli, run_until, start_cli, wait_for

COMMON = ["--seed", "3", "--population", "20", "--tracks", "0"]


def folders(runs: Path) -> list[Path]:
    return sorted(path for path in runs.iterdir() if path.is_dir()) if runs.is_dir() else []


def only_folder(runs: Path) -> Path:
    found = folders(runs)
    assert len(found) == 1, found
    return found[0]


def made_older(runs: Path, seconds: float = 60) -> None:
    """Every run folder's files under `runs` dated `seconds` earlier: the runs made next are the latest, on any
    file system's clock (no sleep to let the clock move)."""
    for path in runs.glob("*/*"):
        status = path.stat()
        os.utime(path, (status.st_atime - seconds, status.st_mtime - seconds))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_figures(folder: Path, names: tuple[str, ...]) -> None:
    """Each figure as a PNG of FIGURE_PIXELS and an SVG of the same shape, both whole."""
    for name in names:
        png, svg = folder / f"{name}.png", folder / f"{name}.svg"
        assert png_size(png) == FIGURE_PIXELS, png
        root = ElementTree.parse(svg).getroot()  # whole: it parses
        width, height = (float(root.get(side).removesuffix("pt")) for side in ("width", "height"))
        assert width / height == pytest.approx(FIGURE_PIXELS[0] / FIGURE_PIXELS[1], rel=1e-3)
        assert svg.stat().st_size > 10_000 and png.stat().st_size > 10_000  # drawn, not blank


def decode(path: Path) -> np.ndarray:
    import imageio.v3 as iio

    return iio.imread(path, index=None, plugin="pillow" if path.suffix == ".gif" else "FFMPEG")


# ---- every run a folder ---------------------------------------------------------------------------------------
def test_a_headless_run_keeps_its_command_line_log_checkpoint_and_best_in_its_folder(in_tmp, capsys):
    assert main.main(["--headless", *COMMON, "--generations", "4"]) == 0
    out = capsys.readouterr().out
    folder = only_folder(in_tmp / "runs")
    assert folder.name.startswith("elitist-seed3-") and f"this run's folder: runs/{folder.name}" in out
    assert out.splitlines()[-1].startswith("done:")  # the summary stays the last line
    assert {p.name for p in folder.iterdir()} == {COMMAND, "log.csv", "checkpoint.npz", "best.json"}
    line = (folder / COMMAND).read_text().strip()
    assert line.startswith("python main.py --headless --seed 3 --strategy elitist") and "--generations 4" in line
    assert len(read_log(folder / "log.csv").generation) == 5
    assert load_checkpoint(folder / "checkpoint.npz").state.generation == 5
    assert load_genomes(folder / "best.json").generation == 4
    # the line repeats the run: the same rows
    assert main.main([*line.split()[2:], "--log", str(in_tmp / "again.csv")]) == 0
    assert log_rows(in_tmp / "again.csv") == log_rows(folder / "log.csv")


def test_log_save_and_checkpoint_still_go_where_given(in_tmp):
    given = ["--log", "mine.csv", "--save", "mine.json", "--checkpoint", "mine.npz"]
    assert main.main(["--headless", *COMMON, "--generations", "2", *given]) == 0
    assert all((in_tmp / name).stat().st_size for name in ("mine.csv", "mine.json", "mine.npz"))
    assert {p.name for p in only_folder(in_tmp / "runs").iterdir()} == {COMMAND}


def test_a_test_drive_and_refused_input_make_no_folder(in_tmp):
    assert main.main(["--headless", *COMMON, "--generations", "1", "--save", "b.json"]) == 0
    before = folders(in_tmp / "runs")
    assert main.main(["--headless", "--load", "b.json"]) == 0
    assert main.main(["--load", "b.json", "--frames", "3"]) == 0
    with pytest.raises(SystemExit) as refused:  # found after the folder was made: it goes again
        main.main(["--headless", *COMMON, "--save", "b.json"])
    assert refused.value.code == 2
    assert folders(in_tmp / "runs") == before


def test_resume_last_continues_the_latest_run_and_resume_alone_lists_the_runs(in_tmp, capsys):
    assert main.main(["--headless", "--seed", "1", "--generations", "3"]) == 0
    made_older(in_tmp / "runs")  # the next run is the latest
    assert main.main(["--headless", "--seed", "2", "--generations", "3"]) == 0
    straight = ["--headless", "--seed", "2", "--generations", "6", "--log", "straight.csv", "--runs-dir", "elsewhere"]
    assert main.main(straight) == 0
    capsys.readouterr()
    assert main.main(["--resume"]) == 0
    listed = capsys.readouterr().out.splitlines()
    latest = Path(listed[1].split()[0])
    assert latest.name.startswith("elitist-seed2-") and len(listed) == 3
    assert main.main(["--headless", "--resume", "last", "--generations", "6"]) == 0
    assert log_rows(latest / "log.csv") == log_rows(in_tmp / "straight.csv")  # continued in its own folder
    assert load_checkpoint(latest / "checkpoint.npz").state.generation == 7
    assert sorted(p.name for p in latest.glob("best*.json")) == ["best-2.json", "best.json"]  # none replaced
    assert main.main(["--headless", "--replay", "last"]) == 0  # the latest run's log re-run and matched


def test_runs_of_the_tests_land_outside_the_repository():
    result = run_cli("--headless", *COMMON, "--generations", "1")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("this run's folder: "))
    folder = Path(line.split(": ", 1)[1].split(" (")[0])
    assert folder.is_dir() and ROOT not in folder.resolve().parents
    assert folder.parent == Path(os.environ["NEURORACER_RUNS"])


def test_old_saves_are_still_listed_with_the_runs_and_load(in_tmp):
    assert main.main(["--headless", *COMMON, "--generations", "1"]) == 0
    old = in_tmp / "saves" / "elitist-seed3-20250101-000000" / "gen1.json"
    old.parent.mkdir(parents=True)
    old.write_bytes((only_folder(in_tmp / "runs") / "best.json").read_bytes())
    listed = {entry.path.parts[0] for entry in list_saves(None)}
    assert listed == {"runs", "saves"}
    assert main.main(["--headless", "--load", str(old.relative_to(in_tmp))]) == 0


# ---- the folder after every way out of the window ---------------------------------------------------------------
def quit_when(monkeypatch, key: int, condition) -> None:
    """The window presses `key` at the first frame after which condition(window) holds."""
    import game.window

    real_frame = game.window.Window.frame

    def frame(self, events):
        real_frame(self, [*events, key_event(key)] if condition(self) else events)

    monkeypatch.setattr(game.window.Window, "frame", frame)


def generations_done(window, count: int) -> bool:
    run = window.view.run_evolving()
    return run is not None and len(run.history) >= count


@pytest.mark.parametrize("key", [pygame.K_q, pygame.K_ESCAPE])
def test_q_and_esc_leave_the_folder_whole_with_a_recording_under_way(in_tmp, monkeypatch, key):
    import game.window

    real_frame = game.window.Window.frame
    pressed = []

    def frame(self, events):  # M as the window opens, Q or Esc once two generations are done
        extra = []
        if not pressed:
            extra, _ = [key_event(pygame.K_m)], pressed.append(True)
        elif generations_done(self, 2):
            extra = [key_event(key)]
        real_frame(self, [*events, *extra])

    monkeypatch.setattr(game.window.Window, "frame", frame)
    assert main.main([*COMMON, "--speed", "64", "--frames", "5000"]) == 0
    folder = only_folder(in_tmp / "runs")
    names = {p.name for p in folder.iterdir()}
    assert {COMMAND, "log.csv", "checkpoint.npz"} <= names
    assert not [name for name in names if name.startswith(".")]  # nothing half written
    state = load_checkpoint(folder / "checkpoint.npz").state
    assert len(read_log(folder / "log.csv").generation) == state.reported >= 2
    saves = [name for name in names if name.endswith(".json")]
    assert len(saves) == 1 and load_genomes(folder / saves[0]).genomes.shape[0] == 20
    recordings = [folder / name for name in names if name.endswith(".mp4")]
    assert len(recordings) == 1 and decode(recordings[0]).shape[1:] == (720, 1280, 3)


def test_q_leaves_a_comparisons_folder_whole(in_tmp, monkeypatch):
    quit_when(monkeypatch, pygame.K_q, lambda window: generations_done(window, 2))
    args = [*COMMON, "--speed", "64", "--frames", "5000", "--compare", "classic", "elitist"]
    assert main.main(args) == 0
    folder = only_folder(in_tmp / "runs")
    assert folder.name.startswith("compare-classic-elitist-seed3-")
    names = {p.name for p in folder.iterdir()}
    assert {
        COMMAND,
        "log-1-classic.csv",
        "log-2-elitist.csv",
        "checkpoint.npz",
        "run1-classic",
        "run2-elitist",
    } == names
    for run in ("run1-classic", "run2-elitist"):  # each run's best, saved on the way out, in its own folder
        assert [load_genomes(path).genomes.shape[0] for path in (folder / run).glob("*.json")] == [20]


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_leaves_the_window_runs_folder_whole(tmp_path, signum, status):
    movie = tmp_path / "signal.mp4"
    process = start_cli(
        *COMMON, "--speed", "turbo", "--checkpoint-every", "1000", "--record", str(movie),
        cwd=tmp_path, NEURORACER_RUNS=str(tmp_path / "runs"),
    )  # fmt: skip
    try:
        started = tmp_path / ".signal.part.mp4"  # the recording under way (the first frame is drawn)
        wait_for(lambda: log_has_rows(tmp_path / "runs", 2) and started.exists(), what="two generations, recorded")
    finally:
        process.send_signal(signum)
        out, err = process.communicate(timeout=120)
    assert process.returncode == status, err
    frames = int(out.split(f"recording: {movie} (")[1].split()[0])  # the recording ended whole, and said so
    assert decode(movie).shape == (frames, 720, 1280, 3)
    folder = only_folder(tmp_path / "runs")
    names = {p.name for p in folder.iterdir()}
    assert {COMMAND, "log.csv", "checkpoint.npz"} <= names and not [n for n in names if n.startswith(".")]
    state = load_checkpoint(folder / "checkpoint.npz").state
    assert len(read_log(folder / "log.csv").generation) == state.reported >= 2
    assert [name for name in names if name.endswith(".json")]  # the best, saved on the way out
    assert "python main.py --headless --seed 3" in (folder / COMMAND).read_text()


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_leaves_a_headless_runs_folder_whole(tmp_path, signum, status):
    process = start_cli(
        "--headless", *COMMON, "--generations", "100000", "--checkpoint-every", "1000",
        cwd=tmp_path, NEURORACER_RUNS=str(tmp_path / "runs"),
    )  # fmt: skip
    try:
        wait_for(lambda: log_has_rows(tmp_path / "runs", 3), what="three generations in the run's log")
    finally:
        process.send_signal(signum)
        process.communicate(timeout=120)
    assert process.returncode == status
    folder = only_folder(tmp_path / "runs")
    assert {p.name for p in folder.iterdir()} == {COMMAND, "log.csv", "checkpoint.npz", "best.json"}
    assert len(read_log(folder / "log.csv").generation) == load_checkpoint(folder / "checkpoint.npz").state.reported


# ---- recording --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "frames"), [("a.gif", 30), ("a.mp4", 24)])
def test_a_recorded_gif_and_mp4_have_the_frames_and_size_expected_and_decode(in_tmp, capsys, name, frames):
    path = in_tmp / name
    args = [*COMMON, "--frames", str(frames), "--speed", "4", "--size", "640x360", "--record", str(path)]
    assert main.main(args) == 0
    gif = name.endswith(".gif")
    video = decode(path)
    assert video.shape == (expected_frames(frames, gif), *((180, 320) if gif else (360, 640)), 3)
    assert f"recording: {path} ({expected_frames(frames, gif)} frames)" in capsys.readouterr().out
    assert video[-1].std() > 10  # a picture, not a blank frame
    assert not list(in_tmp.glob(".*"))  # the hidden file it was encoded to is gone


def test_a_recording_of_a_test_drive_makes_a_folder_for_it(in_tmp):
    assert main.main(["--headless", *COMMON, "--generations", "1", "--save", "b.json", "--runs-dir", "elsewhere"]) == 0
    app = open_window(app_options.parse(["--load", "b.json"]))
    press(app, pygame.K_i)  # a GIF
    run_frames(app, 9)
    press(app, pygame.K_i)
    text, error, _ = app.messages[-1]
    assert not error and text.startswith("recording saved: runs/drive-") and "(4 frames)" in text
    folder = only_folder(in_tmp / "runs")
    assert (folder / COMMAND).is_file() and decode(next(folder.glob("recording-*.gif"))).shape[0] == 4


def test_record_refuses_a_name_that_is_not_mp4_or_gif():
    result = run_cli("--record", "movie.avi", "--frames", "1")
    assert result.returncode == 2 and "must end in .mp4 or .gif" in result.stderr and result.stdout == ""


def test_record_into_a_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    runs = tmp_path / "runs"
    cases = {str(tmp_path / "a-file" / "movie.mp4"): "a-file is not a folder"}
    if Path("/proc/self").is_dir():  # writable by permissions for root, yet no file can be made there
        cases["/proc/movie.mp4"] = "--record /proc/movie.mp4: "
    for path, message in cases.items():
        result = run_cli("--runs-dir", str(runs), "--record", path, "--frames", "1")
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (path, result.stderr)
        assert message in result.stderr and result.stdout == "", (path, result.stderr)
    assert not runs.exists()  # no run's folder left behind


def test_a_full_disk_stops_the_recording_with_a_message_and_the_run_goes_on(in_tmp, tiny_disk, monkeypatch):
    monkeypatch.setenv("NEURORACER_RUNS", str(tiny_disk))  # M records into the run's folder, on the tiny disk
    app = open_window(app_options.parse([*COMMON, "--speed", "8"]))
    press(app, pygame.K_m)
    assert app.takeaway.recorder is not None and "recording to" in app.messages[-1][0]
    deadline = time.monotonic() + 120
    while app.takeaway.recorder is not None:  # until the encoder has failed (a deadline, not a guess)
        assert time.monotonic() < deadline, "the recording did not stop"
        run_frames(app, 1)
    said = [text for text, error, _ in app.messages if error]
    assert said and said[-1] == "recording stopped: the disk is full; the run goes on"
    generation = app.view.evolution.generation
    run_until(app, lambda: app.view.evolution.generation >= generation + 2)  # the run goes on
    assert app.running and not [p for p in tiny_disk.rglob("*") if p.suffix == ".mp4" or ".part" in p.name]


@pytest.mark.slow  # a window run to 400 frames; the quick set keeps M's recording stopped on the full disk
def test_record_on_a_full_disk_says_so_and_the_run_keeps_its_files(in_tmp, tiny_disk, capsys):
    args = [*COMMON, "--frames", "400", "--speed", "8", "--record", str(tiny_disk / "a.mp4")]
    assert main.main(args) == 1  # an output asked for could not be written
    err = capsys.readouterr().err
    assert f"--record {tiny_disk / 'a.mp4'}: the disk is full" in err and "Traceback" not in err
    folder = only_folder(in_tmp / "runs")
    assert len(read_log(folder / "log.csv").generation) >= 2  # the run went on to the end of its frames
    assert not list(tiny_disk.iterdir())


# ---- figures and export -----------------------------------------------------------------------------------------
def test_plot_draws_a_runs_figures_as_png_and_svg(in_tmp, capsys):
    assert main.main(["--headless", *COMMON, "--generations", "6", "--plot", "--log", "given.csv"]) == 0
    folder = only_folder(in_tmp / "runs")
    assert not (folder / "curves.png").exists()  # the log went where given: only the paths from the folder
    check_figures(folder, ("paths",))
    assert main.main(["--plot", "given.csv"]) == 0
    check_figures(in_tmp, ("given-curves",))
    assert main.main(["--headless", *COMMON, "--generations", "6"]) == 0
    latest = max(folders(in_tmp / "runs"), key=lambda f: f.stat().st_mtime_ns)
    capsys.readouterr()
    assert main.main(["--plot", "last"]) == 0
    assert f"figure: {(latest / 'curves.png').relative_to(in_tmp)}" in capsys.readouterr().out
    check_figures(latest, ("curves", "paths", "paths-test"))


def test_plot_draws_a_comparison_and_a_sweep_on_one_figure_each(in_tmp):
    assert main.main(["--headless", *COMMON, "--generations", "4", "--compare", "classic", "elitist", "--plot"]) == 0
    comparison = only_folder(in_tmp / "runs")
    assert comparison.name.startswith("compare-classic-elitist-seed3-")
    check_figures(comparison, ("curves", "paths"))
    assert main.main(["--headless", "--seeds", "0-2", "--generations", "4", "--population", "20"]) == 0
    sweep = next(folder for folder in folders(in_tmp / "runs") if folder.name.startswith("sweep-"))
    assert main.main(["--plot", str(sweep)]) == 0
    check_figures(sweep, ("sweep",))
    assert sorted(p.name for p in sweep.glob("log-seed*.csv")) == ["log-seed0.csv", "log-seed1.csv", "log-seed2.csv"]
    assert main.main(["--headless", "--replay", str(sweep / "log-seed1.csv")]) == 0  # each seed's rows, exactly


def test_plot_of_something_that_is_not_a_run_is_refused_in_one_line(in_tmp):
    (in_tmp / "notes.csv").write_text("mine,not yours\n")
    for target, message in (("nothing-here", "no such run folder or log"), ("notes.csv", "not a neuroracer")):
        result = run_cli("--plot", str(in_tmp / target))
        assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1


def test_export_writes_the_chart_and_the_log_so_far_and_d_draws_the_figures(in_tmp):
    app = open_window(app_options.parse([*COMMON, "--speed", "64"]))
    run_until(app, lambda: len(app.view.evolution.history) >= 3)
    press(app, pygame.K_SPACE)  # paused: the chart and the log stay as they stand
    press(app, pygame.K_e)
    text, error, _ = app.messages[-1]
    assert not error and text.startswith("exported the chart to runs/")
    folder = app.view.folder
    generation = len(app.view.evolution.history) - 1
    chart = pygame.image.load(str(folder / f"chart-gen{generation}.png"))
    assert chart.get_size() == app.layout().chart.size
    exported = folder / f"log-gen{generation}.csv"
    history = app.view.evolution.history
    curve = read_log(exported)
    assert list(curve.best) == list(history.column("best")) and list(curve.mean) == list(history.column("mean"))
    press(app, pygame.K_d)
    assert app.takeaway._figures is not None  # being drawn, on a worker thread
    deadline = time.monotonic() + 120
    while app.takeaway._figures is not None:  # until drawn and said (a deadline, not a guess)
        assert time.monotonic() < deadline, "the figures were not drawn"
        run_frames(app, 1)
    text, error, _ = app.messages[-1]
    assert not error and text.startswith(f"figures: {folder / f'curves-gen{generation}.png'}"), text
    check_figures(folder, (f"curves-gen{generation}", f"paths-gen{generation}", f"paths-test-gen{generation}"))


def test_export_with_the_chart_folded_away_draws_it_at_its_usual_size(in_tmp):
    # on the projector with the numbers shown (Tab), the chart has no place on screen: E saved a zero-size PNG,
    # which libpng refused ("could not export: ...", found by storms 90006, 90010, 90022)
    app = open_window(app_options.parse([*COMMON, "--speed", "64"]), (1280, 720))
    run_until(app, lambda: len(app.view.evolution.history) >= 2)
    press(app, pygame.K_SPACE)
    app.user_scale = 1.5
    press(app, pygame.K_TAB)
    assert app.layout().chart.width == 0
    press(app, pygame.K_e)
    text, error, _ = app.messages[-1]
    assert not error and text.startswith("exported the chart to runs/"), text
    generation = len(app.view.evolution.history) - 1
    chart = pygame.image.load(str(app.view.folder / f"chart-gen{generation}.png"))
    assert chart.get_size() == Layout.for_size(1280, 720, app.layout().scale).chart.size
    assert len({tuple(chart.get_at((x, chart.get_height() // 2))) for x in range(0, chart.get_width(), 5)}) > 1


def test_the_runs_are_listed_newest_first_with_what_they_hold(in_tmp):
    assert main.main(["--headless", *COMMON, "--generations", "1"]) == 0
    made_older(in_tmp / "runs")
    assert main.main(["--headless", "--seed", "4", "--generations", "1"]) == 0
    entries = list_runs()
    assert [entry.folder.name.split("-")[1] for entry in entries] == ["seed4", "seed3"]
    assert entries[0].holds() == "log, checkpoint, save"


def test_the_fps_benchmark_measures_the_window_without_and_with_a_recording(capsys):
    from bench import fps

    assert fps.main(["--record", "gif", "--seconds", "0.2", "--repeats", "1"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 50 ")]
    assert [row.split("|")[2].strip() for row in rows] == ["off", "gif"]
    assert int(rows[1].split("|")[7]) > 0  # frames were recorded


def test_the_window_starts_without_matplotlib_or_imageio():
    code = (
        "import sys, main\n"
        "main.main(['--seed', '1', '--frames', '3', '--runs-dir', sys.argv[1]])\n"
        "print(sorted(name for name in ('matplotlib', 'imageio', 'imageio_ffmpeg') if name in sys.modules))"
    )
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    result = subprocess.run(
        [sys.executable, "-c", code, os.environ["NEURORACER_RUNS"]], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
