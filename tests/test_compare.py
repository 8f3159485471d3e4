"""Runs side by side (--compare): SPECs, the headless table and logs, the window in lockstep, its chart and saves."""

import csv
from dataclasses import replace

import numpy as np
import pygame
import pytest

import main
from app import options as app_options
from evolution.racing.track import training_track
from evolution.run.champion_drives import STEPS_PER_GENERATION, JointDrives
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import load_genomes
from evolution.run.specs import parse_spec
from game.drawing.track_view import dot_screen_positions
from game.frame_runner import key_event, open_window, run_frames
from game.views.compare_view import CompareView

SEED = "4"
GENERATIONS = "5"
SPECS = ("classic", "elitist:mutation=0.2,tracks=1")
ALONE = (
    ["--strategy", "classic"],
    ["--strategy", "elitist", "--mutation-rate", "0.2", "--tracks", "1"],
)


def rows_and_notes(path) -> list[tuple[str, ...]]:
    """A log's rows without the wall-clock seconds, then its comment lines (the run's settings)."""
    with open(path, newline="") as stream:
        lines = list(stream)
    notes = [(line,) for line in lines if line.startswith("#")]
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return [tuple(v for k, v in row.items() if k != "seconds") for row in rows] + notes


def alone_logs(folder, generations: str = GENERATIONS) -> list[list[tuple[str, ...]]]:
    """Each run of SPECS made alone, headless: its log's rows."""
    rows = []
    for index, flags in enumerate(ALONE):
        path = folder / f"alone-{index}.csv"
        assert main.main(["--headless", "--seed", SEED, "--generations", generations, *flags, "--log", str(path)]) == 0
        rows.append(rows_and_notes(path))
    return rows


def test_a_spec_is_a_strategy_with_settings():
    spec = parse_spec("elitist:mutation=0.1,tracks=0,seed=3,population=20")
    assert spec.strategy == "elitist"
    assert spec.settings == {"mutation_rate": 0.1, "extra_tracks": 0, "seed": 3, "population": 20}  # the table's names
    assert parse_spec("snes").settings == {}


def test_headless_compare_logs_each_run_as_alone_and_ends_with_a_table(in_tmp, capsys):
    expected = alone_logs(in_tmp)
    capsys.readouterr()
    prefix = in_tmp / "cmp.csv"
    args = ["--headless", "--seed", SEED, "--generations", GENERATIONS, "--log", str(prefix), "--compare", *SPECS]
    assert main.main(args) == 0
    assert rows_and_notes(in_tmp / "cmp-1-classic.csv") == expected[0]
    assert rows_and_notes(in_tmp / "cmp-2-elitist.csv") == expected[1]
    lines = capsys.readouterr().out.splitlines()
    progress = [line for line in lines if line.startswith("gen ")]
    assert len(progress) == int(GENERATIONS) + 1
    assert all("classic: best" in line and "elitist: best" in line for line in progress)
    header = lines.index(next(line for line in lines if line.startswith("run ")))
    assert lines[header].split() == ["run", "first", "finisher", "best", "mean", "test", "track"]
    table = lines[header + 1 :]
    assert [row.split()[0] for row in table] == ["classic", "elitist"]
    last = [row for row in expected[1] if len(row) > 1][-1]  # generation, best, mean, median, finished, test_best
    assert f"{last[1]} of 391" in table[1] and f"{last[-1]} of 3991" in table[1]


@pytest.mark.parametrize(
    ("specs", "words"),
    [
        (["classic"], "2 to 4 SPECs, not 1"),
        (["classic", "elitist", "snes", "classic", "elitist"], "2 to 4 SPECs, not 5"),
        (["classic", "genetic"], "unknown strategy 'genetic'"),
        (["classic", "elitist:speed=3"], "unknown setting 'speed=3'"),
        (["classic", "elitist:"], "no settings after ':'"),
        (["classic", "elitist:mutation=101"], "mutation"),
        (["classic", "elitist:tracks=-1"], "tracks"),
        (["classic", "elitist:seed=4294967296"], "seed"),
        (["classic", "elitist:population=1"], "population"),
        (["classic", "elitist:population=100000", "--memory-budget", "50M"], "memory budget"),
        (["classic", "elitist", "--resume", "run.npz"], "--resume does not go with --compare"),
        (["classic", "elitist", "--load", "best.json"], "--load does not go with --compare"),
        (["classic", "elitist", "--set", "3:mutation_rate=0.2"], "--set does not go with --compare"),
    ],
)
def test_a_bad_spec_gives_one_line_and_exit_2(in_tmp, capsys, specs, words):
    from evolution import budget

    try:
        with pytest.raises(SystemExit) as stopped:
            main.main(["--headless", "--generations", "1", "--compare", *specs])
    finally:
        budget.set_budget(None)  # --memory-budget sets the process's budget: not for the tests after this one
    assert stopped.value.code == 2
    error = capsys.readouterr().err.splitlines()
    assert len(error) == 1 and error[0].startswith("main.py: error: ") and words in error[0], error


@pytest.mark.parametrize(("speed", "generations"), [("8", GENERATIONS), ("turbo", "14")])
def test_the_window_races_in_lockstep_each_run_logging_what_it_logs_alone(in_tmp, speed, generations):
    """In turbo over 14 generations, the champions' joint test drives finish batches mid-run too."""
    expected = alone_logs(in_tmp, generations)
    prefix = in_tmp / "win"
    args = ["--seed", SEED, "--generations", generations, "--log", str(prefix), "--speed", speed, "--compare", *SPECS]
    app = open_window(app_options.parse(args))
    view = app.view
    assert isinstance(view, CompareView) and len(view.runs) == 2
    for _ in range(20_000):  # a frame cap, not a time: a busy machine only takes more frames
        generations = [run.evolution.generation for run in view.runs]
        assert max(generations) - min(generations) <= 1, generations
        for run in view.runs:  # a run ahead has closed its generation and waits: its next race is not started
            if run.evolution.generation > min(generations) and not run.evolution.raced_all:
                assert run.race.done or run.race.column == 0
        racing = [run.race.column for run in view.runs if not run.closing and not run.race.done]
        if speed == "8" and len(racing) == len(view.runs) and len(set(generations)) == 1:
            assert max(racing) == min(racing), racing  # the races started together, and go side by side
        if all(run.complete for run in view.runs):
            break
        if speed == "8":
            app.recent_draws.clear()  # a frame's time never runs out, whatever the load: 8 columns a frame exactly
            app.recent_draws.append(-1.0)
        run_frames(app, 1)
    assert all(run.complete for run in view.runs)
    view.close()
    assert rows_and_notes(in_tmp / "win-1-classic.csv") == expected[0]
    assert rows_and_notes(in_tmp / "win-2-elitist.csv") == expected[1]


def test_the_chart_has_a_set_of_curves_per_run_and_s_saves_each_run(in_tmp):
    specs = ["classic", "elitist", "snes:tracks=0"]
    app = open_window(app_options.parse(["--seed", "2", "--speed", "turbo", "--compare", *specs]))
    view = app.view
    for _ in range(5000):
        if all(len(run.evolution.history) >= 3 for run in view.runs):
            break
        run_frames(app, 1)
    for _ in range(5000):  # until the champions' test drives of the first generations are in
        if all((run.evolution.history.column("test_best") >= 0).any() for run in view.runs):
            break
        run_frames(app, 1)
    labels = [series.label for series in view.series()]
    curves = ("best", "mean", "test")
    assert labels == [f"{name} {curve}" for name in ("classic", "elitist", "snes") for curve in curves]
    assert len({series.colour for series in view.series() if series.label.endswith("best")}) == 3
    run_frames(app, 2)
    app.frame([key_event(pygame.K_s)])
    saves = sorted((in_tmp / "runs").rglob("*.json"))
    assert len(saves) == 3 and len({path.parent for path in saves}) == 3
    assert sorted(load_genomes(path).strategy for path in saves) == ["classic", "elitist", "snes"]


def test_lanes_and_a_click_follow_a_dot_of_any_run(in_tmp):
    app = open_window(app_options.parse(["--seed", "3", "--compare", "classic", "elitist"]))
    view = app.view
    run_frames(app, 3)
    app.frame([key_event(pygame.K_v)])
    assert view.scene.lanes
    run_frames(app, 3)
    camera = view.scene.lane_cameras[1]  # the second run's lane
    race = view.races[1]
    xs, ys = dot_screen_positions(camera, race)
    target = int(np.argmax(ys))
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(int(xs[target]), int(ys[target])))
    app.paused = True
    app.frame([click])
    assert view.scene.selected is not None and view.scene.selected[0] == 1
    app.frame([key_event(pygame.K_v)])
    assert not view.scene.lanes
    app.paused = False
    run_frames(app, 3)


def test_a_joint_race_splits_into_what_each_run_races_alone():
    from bench.common import population
    from evolution.many.together import can_join, joint_race, split
    from evolution.racing.network import Network
    from evolution.racing.race import Race
    from evolution.racing.track import training_track

    network, track = Network((7, 8, 4, 1)), training_track()
    groups = [population("random", 30, network.genome_size, seed=1), population("evolved", 20, network.genome_size)]
    races = [Race(genomes, track, network) for genomes in groups]
    assert can_join(races)
    joint = joint_race(races)
    joint.run()
    for part, genomes in zip(split(joint, races), groups):
        alone = Race(genomes, track, network)
        alone.run()
        assert part.done and part.genomes is genomes
        assert np.array_equal(part.scores, alone.scores) and np.array_equal(part.alive, alone.alive)
        assert np.array_equal(part.positions, alone.positions) and np.array_equal(part.speeds, alone.speeds)
    assert split(joint, races)[1].alive.any()  # evolved drivers finish: they stay alive to the end


def straight_logs(folder, specs=SPECS) -> list[list[tuple[str, ...]]]:
    """A comparison made in one go, headless: each run's log rows."""
    prefix = folder / "straight"
    args = ["--headless", "--seed", SEED, "--generations", GENERATIONS, "--log", str(prefix), "--compare", *specs]
    assert main.main(args) == 0
    names = [f"straight-{index}-{spec.split(':')[0]}.csv" for index, spec in enumerate(specs, 1)]
    return [rows_and_notes(folder / name) for name in names]


def test_a_headless_comparison_checkpointed_and_resumed_logs_what_a_straight_one_logs(in_tmp, capsys):
    expected = straight_logs(in_tmp)
    checkpoint, prefix, best = in_tmp / "cmp.npz", in_tmp / "split", in_tmp / "best.json"
    first = ["--headless", "--seed", SEED, "--generations", "2", "--log", str(prefix), "--checkpoint", str(checkpoint)]
    assert main.main([*first, "--checkpoint-every", "2", "--compare", *SPECS]) == 0
    capsys.readouterr()
    resume = ["--headless", "--resume", str(checkpoint), "--generations", GENERATIONS, "--log", str(prefix)]
    assert main.main([*resume, "--save", str(best)]) == 0
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("gen ")] == ["3/5", "4/5", "5/5"]
    assert rows_and_notes(in_tmp / "split-1-classic.csv") == expected[0]
    assert rows_and_notes(in_tmp / "split-2-elitist.csv") == expected[1]
    saved = [load_genomes(in_tmp / name) for name in ("best-1-classic.json", "best-2-elitist.json")]
    assert [(s.strategy, s.generation) for s in saved] == [("classic", 5), ("elitist", 5)]
    assert f"checkpoint: {checkpoint} (2 runs, generation 6)" in out
    assert main.main(["--headless", "--resume", str(checkpoint)]) == 0  # the runs' own total: reached already
    assert "nothing to do" in capsys.readouterr().out


def test_a_comparison_checkpoint_holds_every_run_and_a_run_checkpoint_refuses_it(in_tmp, capsys):
    from evolution.files.checkpoint import Comparison, load_checkpoint, read_checkpoint

    checkpoint = in_tmp / "cmp.npz"
    specs = ["classic", "snes:tracks=0,seed=9", "classic:population=12"]
    args = ["--headless", "--seed", SEED, "--generations", "1", "--checkpoint", str(checkpoint), "--compare", *specs]
    assert main.main(args) == 0
    found = read_checkpoint(checkpoint)
    assert isinstance(found, Comparison) and found.specs == specs
    assert [(r.config.strategy, r.config.seed, r.config.population) for r in found.runs] == [
        ("classic", 4, 50),
        ("snes", 9, 50),
        ("classic", 4, 12),
    ]
    assert all(run.state.generation == 2 for run in found.runs)
    with pytest.raises(app_options.InputError, match="holds a comparison of 3 runs"):
        load_checkpoint(checkpoint)
    capsys.readouterr()
    for flags, words in [
        (["--population", "10"], "--population cannot be given with --resume of a comparison"),
        (["--set", "3:mutation_rate=0.2"], "--set cannot be given"),
        (["--replay", str(checkpoint)], "holds a comparison of 3 runs"),
    ]:
        resume = [] if "--replay" in flags else ["--resume", str(checkpoint)]
        with pytest.raises(SystemExit) as stopped:
            main.main(["--headless", *resume, *flags])
        error = capsys.readouterr().err.splitlines()
        assert stopped.value.code == 2 and len(error) == 1 and words in error[0], error


def race_window_until(app, done, frames: int = 20_000) -> None:
    """Frames until done() holds, with a cap on frames (not a time: a busy machine only takes more frames)."""
    for _ in range(frames):
        if done():
            return
        run_frames(app, 1)
    assert done()


def test_the_window_checkpoints_every_run_on_quit_and_resumes_them_as_a_straight_run(in_tmp, capsys):
    from evolution.files.checkpoint import Comparison, read_checkpoint

    expected = straight_logs(in_tmp)
    checkpoint, prefix = in_tmp / "cmp.npz", in_tmp / "win"
    args = ["--seed", SEED, "--generations", GENERATIONS, "--log", str(prefix), "--speed", "8"]
    app = open_window(app_options.parse([*args, "--checkpoint", str(checkpoint), "--compare", *SPECS]))
    view = app.view
    race_window_until(app, lambda: min(run.evolution.generation for run in view.runs) >= 2)
    run_frames(app, 3)  # a race under way: the checkpoint holds it as the generation asked for
    app.frame([key_event(pygame.K_q)])
    assert not app.running
    view.close()
    found = read_checkpoint(checkpoint)
    assert isinstance(found, Comparison) and found.specs == list(SPECS)
    assert [run.state.generation for run in found.runs] == [run.evolution.generation for run in view.runs]
    assert "checkpoint: " in capsys.readouterr().out

    app = open_window(
        app_options.parse(["--resume", str(checkpoint), "--generations", GENERATIONS, "--log", str(prefix)])
    )
    view = app.view
    assert isinstance(view, CompareView) and view.names == ["classic", "elitist"]
    assert [run.evolution.generation for run in view.runs] == [run.state.generation for run in found.runs]
    race_window_until(app, lambda: all(run.complete for run in view.runs))
    view.checkpoint()
    view.close()
    assert rows_and_notes(in_tmp / "win-1-classic.csv") == expected[0]
    assert rows_and_notes(in_tmp / "win-2-elitist.csv") == expected[1]
    assert [run.state.generation for run in read_checkpoint(checkpoint).runs] == [6, 6]


def test_t_drives_every_runs_best_together_in_its_colours_and_l_lists_every_runs_saves(in_tmp):
    from game.views.drive_view import DriveView
    from game.views.saves_view import SavesView

    app = open_window(
        app_options.parse(["--seed", "2", "--speed", "turbo", "--keep", "5", "--compare", "classic", "snes"])
    )
    view = app.view
    race_window_until(app, lambda: all(len(run.evolution.history) >= 2 for run in view.runs))
    app.frame([key_event(pygame.K_t)])
    drive = app.view
    assert isinstance(drive, DriveView) and drive.groups == [("classic", 5), ("snes", 5)]
    best = [run.evolution.best(5) for run in view.runs]
    assert np.array_equal(drive.race.genomes, np.concatenate([record.genomes for record in best]))
    assert drive.race.track.name == "test"
    run_frames(app, 3)
    colours = drive.group_colours(drive.race, drive.race.ranking()[0])
    assert {tuple(c) for c in colours[:5]}.isdisjoint({tuple(c) for c in colours[5:]})  # a colour family per run
    assert [name for name, _ in drive.stat_lines()[:2]] == ["classic", "snes"]
    # every row of the scores and the network panel's title name the run, in the run's colour
    assert drive.dot_names[0] == "classic #1" and drive.dot_names[5:7] == ["snes #1", "snes #2"]
    assert drive.dot_tints[0] != drive.dot_tints[5]
    assert drive.scene.origin(drive.race, 6).startswith("snes #2 · ")
    app.frame([key_event(pygame.K_t)])
    assert app.view is view
    app.frame([key_event(pygame.K_s)])
    app.frame([key_event(pygame.K_l)])
    saves = app.view
    assert isinstance(saves, SavesView)
    assert {entry.path.parent for entry in saves.entries if entry.mine} == set(view.folders)
    assert all(entry.mine for entry in saves.entries[:2])


def test_joint_champion_drives_give_each_run_its_own_results():
    """In turbo the runs' champions drive the test track as one batch: each queue gets what its own drives
    would give, and a run's own finish (a change of network, its end) takes the joint batch back first."""
    config = RunConfig(strategy="elitist", extra_tracks=0, mutation_rate=0.3, generations=None, population=10)
    runs = [Evolution(replace(config, seed=seed), training_track()) for seed in (1, 2)]
    alone = [Evolution(replace(config, seed=seed), training_track()) for seed in (1, 2)]
    joint = JointDrives([run.champion_drives for run in runs])
    joint.start()
    for generation in range(12):
        for run, other in zip(runs, alone):
            run.run_generation()  # its own advance waits while the joint batch holds its champions
            other.run_generation()
        for _ in joint.advance(STEPS_PER_GENERATION, 1.0):
            pass
        if generation == 9:  # a joint batch under way, then one run finishes its drives itself
            runs[0].finish_test_drives_now()
            assert not joint.active and all(run.champion_drives.joint is None for run in runs)
            joint = JointDrives([run.champion_drives for run in runs])
            joint.start()
    joint.stop()
    for run, other in zip(runs, alone):
        run.finish_test_drives_now()
        other.finish_test_drives_now()
        assert run.history.column("test_best").tolist() == other.history.column("test_best").tolist()
        assert (run.history.column("test_best") >= 0).all() and len(run.history) == 12


def test_in_lanes_the_view_paints_every_pixel_of_the_track_view(in_tmp):
    # the gaps between the lanes were never painted: what the view before had drawn there (a closing
    # generation's progress line, a sensor's line) stayed on screen in thin strips
    app = open_window(app_options.parse(["--seed", "3", "--compare", "classic", "elitist"]))
    app.frame([key_event(pygame.K_v)])
    run_frames(app, 2)
    layout = app.layout()
    stale = (255, 0, 255)
    app.screen.fill(stale, layout.view)
    app.arrange(layout)
    app.view.draw(app.screen, layout)
    pixels = pygame.surfarray.array3d(app.screen.subsurface(layout.view))
    assert not (pixels == stale).all(axis=-1).any()


def test_a_comparison_whose_first_run_changed_strategy_in_the_panel_resumes(in_tmp):
    # found by storm 94013: the panel changed run 1 from classic to snes, and the comparison's checkpoint was refused
    # on resume ("run 1 is 'snes', but its SPEC says 'classic'"); a SPEC says how a run started, its events the rest
    from tests.helpers import choose, press, run_until

    argv = ["--seed", "1", "--population", "6", "--speed", "64", "--compare", "classic", "classic"]
    window = open_window(app_options.parse([*argv, "--checkpoint", "c.npz", "--checkpoint-every", "1"]))
    run_until(window, lambda: len(window.view.runs[0].evolution.history) >= 2)
    choose(window, "strategy", "snes")
    run_until(window, lambda: len(window.view.runs[0].evolution.history) >= 5)
    assert [run.evolution.config.strategy for run in window.view.runs] == ["snes", "classic"]
    press(window, pygame.K_ESCAPE)
    window.view.close()
    assert (in_tmp / "c.npz").is_file()
    assert main.main(["--headless", "--resume", "c.npz", "--generations", "7", "--log", "after.csv"]) == 0
    assert len(rows_and_notes(in_tmp / "after-1-classic.csv")) > 1
