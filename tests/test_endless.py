"""Endless mode: levels drawn from the seed, climbed when half the dots finish, the same in the window and
headless, across a checkpoint and resume, and in a --replay of its log."""

import numpy as np
import pygame

import main
from app import options as app_options
from evolution.racing.drivable import check_drivable
from evolution.racing.endless import climbs, endless_track, level_of, level_shape
from evolution.racing.track_names import resolve_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.reporters import LOG_HEADER
from game.frame_runner import key_event, open_window, run_frames
from game.panels.lab_actions import markers
from tests.helpers import run_cli

# seed 3 of the default strategy climbs to level 2 at generation 42 and level 3 at 45 (found by running it)
SECONDS = LOG_HEADER.split(",").index("seconds")
FLAGS = ["--endless", "--seed", "3", "--no-test-curve"]


def log_lines(path) -> list[str]:
    """A log without its seconds column: the '# set' lines and the rows."""
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("# set") or line[:1].isdigit():
            fields = line.split(",")
            out.append(line if line.startswith("#") else ",".join(fields[:SECONDS] + fields[SECONDS + 1 :]))
    return out


def test_a_level_is_the_same_track_for_the_same_seed_and_harder_than_the_one_before():
    first, again = endless_track(11, 4), resolve_track("endless:11:4")
    assert np.array_equal(first.top, again.top) and np.array_equal(first.bottom, again.bottom)
    endless_track.cache_clear()  # built afresh, not the cached object
    assert np.array_equal(endless_track(11, 4).top, first.top)
    assert not np.array_equal(endless_track(12, 4).top[:1000], first.top[:1000])
    assert not np.array_equal(endless_track(11, 5).top[:1000], first.top[:1000])
    columns, width, smoothing, height = zip(*(level_shape(level) for level in (1, 2, 10)))
    assert columns[0] < columns[1] < columns[2] and width[0] > width[1] > width[2]
    assert smoothing[0] > smoothing[2] and height[0] < height[2]
    assert endless_track(11, 4).columns == level_shape(4)[0]


def test_every_level_drawn_can_be_driven():
    for level in (1, 6, 25, 60):
        assert check_drivable(endless_track(5, level)).drivable


def climbed_once() -> Evolution:
    """A run on endless level 1 whose generation 0 has just closed with half its dots at the finish."""
    evolution = Evolution(
        RunConfig(strategy="classic", seed=3, generations=None, test_curve=False), endless_track(3, 1)
    )
    race = evolution.next_race()
    race.run()
    race.scores[: race.count // 2] = race.track.finish  # as if half had finished
    evolution.close_generation_now(race)
    return evolution


def test_half_the_population_at_the_finish_climbs_a_level():
    assert climbs(np.array([100, 100, 3, 4]), 100) and not climbs(np.array([100, 5, 3, 4]), 100)
    evolution = climbed_once()
    assert [(c.generation, c.new) for c in evolution.state.scheduled] == [(1, "endless:3:2")]
    evolution.next_race()
    assert evolution.track.name == "endless:3:2" and evolution.state.events[-1].old == "endless:3:1"


def test_a_track_chosen_after_a_level_was_earned_replaces_the_level():
    # found by a storm (seed 30002): a track chosen while the generation that climbed was closing; the level
    # scheduled on the endless road expected it still, and the next generation stopped with a ReplayMismatch
    evolution = climbed_once()
    assert [(c.generation, c.new) for c in evolution.state.scheduled] == [(1, "endless:3:2")]
    evolution.change_track(resolve_track("training"))
    evolution.next_race()
    assert evolution.track.name == "training" and not evolution.state.scheduled
    assert [(e.generation, e.old, e.new) for e in evolution.state.events] == [(1, "endless:3:1", "training")]


def test_a_run_not_endless_never_changes_track():
    evolution = Evolution(
        RunConfig(strategy="classic", seed=3, generations=None, test_curve=False), resolve_track("random:3")
    )
    race = evolution.next_race()
    race.run()
    race.scores[:] = race.track.finish
    evolution.close_generation_now(race)
    assert not evolution.state.scheduled


def test_headless_logs_the_levels_and_replay_checkpoint_and_resume_give_the_same(in_tmp, capsys):
    straight = in_tmp / "straight.csv"
    assert main.main(["--headless", *FLAGS, "--generations", "46", "--log", str(straight)]) == 0
    assert "endless: level 3 (levels 2, 3 from generations 42, 45)" in capsys.readouterr().out
    lines = log_lines(straight)
    assert [line for line in lines if line.startswith("#")] == [
        "# set 42 track endless:3:1 -> endless:3:2",
        "# set 45 track endless:3:2 -> endless:3:3",
    ]
    assert main.main(["--headless", "--replay", str(straight)]) == 0
    assert "replay: 47 rows" in capsys.readouterr().out
    # stopped at 43, between two climbs (the next level scheduled from 45 not yet known), and resumed
    first, second, checkpoint = in_tmp / "first.csv", in_tmp / "second.csv", in_tmp / "run.npz"
    common = ["--headless", "--checkpoint", str(checkpoint), "--checkpoint-every", "100"]
    assert main.main([*common, *FLAGS, "--generations", "43", "--log", str(first)]) == 0
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "46", "--log", str(second)]) == 0
    rows = [line for line in log_lines(first) + log_lines(second) if not line.startswith("#")]
    assert rows == [line for line in lines if not line.startswith("#")]
    assert [line for line in log_lines(second) if line.startswith("#")] == lines[:0] + [
        line for line in lines if line.startswith("#")
    ]  # the resumed run's log lists the run's changes, the climb at 45 made after the resume among them
    assert main.main(["--headless", "--replay", str(checkpoint)]) == 0


def test_the_window_climbs_at_the_same_generations_as_headless(in_tmp):
    headless = in_tmp / "headless.csv"
    assert main.main(["--headless", *FLAGS, "--generations", "46", "--log", str(headless)]) == 0
    window = in_tmp / "window.csv"
    app = open_window(app_options.parse([*FLAGS, "--generations", "46", "--log", str(window), "--speed", "turbo"]))
    for _ in range(400):  # closing generations, not frames, decide: stepped until the run is complete
        run_frames(app, 50)
        if app.view.run.complete:
            break
    assert app.view.run.complete
    assert dict(app.view.stat_lines())["level"].startswith("3 ")
    labels = [event.label for event in markers(app.view.evolution)]
    app.view.close()
    assert log_lines(window) == log_lines(headless)
    assert labels == ["level 2", "level 3"]  # marked on the chart


def test_a_comparison_is_a_race_up_the_levels(in_tmp, capsys):
    flags = ["--headless", "--compare", "classic", "elitist", *FLAGS, "--generations", "43"]
    assert main.main(flags) == 0
    out = capsys.readouterr().out
    assert "endless: classic climbed to level 1 (no level passed)" in out
    assert "endless: elitist climbed to level 2 (levels 2 from generations 42)" in out


def test_the_key_starts_the_endless_road_and_again_leaves_it(in_tmp):
    app = open_window(app_options.parse(["--seed", "4", "--speed", "64"]))
    run_frames(app, 2)
    run_frames(app, 1, lambda frame: [key_event(pygame.K_j)] if frame == 0 else [])
    assert level_of(app.view.run.track.name) == 1 and app.view.run.track.name == "endless:4:1"
    run_frames(app, 1, lambda frame: [key_event(pygame.K_j)] if frame == 0 else [])
    assert app.view.run.track.name == "training"


def test_endless_and_a_track_do_not_go_together():
    for args in (["--endless", "--track", "test"], ["--track", "endless:3:0"]):
        result = run_cli("--headless", *args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("main.py: error: "), result.stderr


def test_a_change_can_go_to_a_level_and_a_bad_level_is_refused():
    from evolution.run.settings import check_track_change, parse_set

    assert parse_set("5:track=endless:3:2").new == "endless:3:2"
    check_track_change("endless:3:2", "--set")
    for bad in ("endless:3:0", "endless:3", "endless:99999999999:1"):
        try:
            check_track_change(bad, "--set")
            raise AssertionError(f"{bad} accepted")
        except ValueError as exc:
            assert "\n" not in str(exc)
