"""Combinations, not just features: seeded random command storms through the window's own event handling.

Each storm (bench/storm.py) runs main.main with --frames under the SDL dummy driver, its frame loop reading
the storm's keys, clicks and settings-panel events; the property is that whatever the storm does, the program
ends with status 0 and no exception, what it wrote replays (--replay) to the same rows, and no claimed file is
left empty. The suite runs four storms of 250 frames; NEURORACER_NIGHTLY=1 runs 100 of 2,000 frames
(`python -m bench.storm --storms 100 --frames 2000` does the same from the command line, printing each).
Nothing is avoided and nothing is excused: any failure fails. The storms that found something
(bench/data/storms/) are replayed as regression storms.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pygame
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import options as app_options
from bench.storm import KEYS, Outcome, Storm, check_taken_away, make_storm, read_storm, run_storm, write_failure

NIGHTLY = os.environ.get("NEURORACER_NIGHTLY") == "1"
SUITE_STORMS, SUITE_FRAMES = 1, 250  # and the seeds of the examples below
NIGHTLY_STORMS, NIGHTLY_FRAMES = 100, 2000
FOUND = sorted((Path(__file__).resolve().parent.parent / "bench" / "data" / "storms").glob("fixed-*.json"))


def storm_settings(storms: int) -> settings:
    return settings(
        max_examples=storms,
        deadline=None,
        derandomize=not NIGHTLY,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )


def run_and_check(storm: Storm) -> Outcome:
    """Run the storm; fail with its signature and a file that reproduces it unless it went well."""
    with tempfile.TemporaryDirectory(prefix="storm-") as temp:
        outcome = run_storm(storm, Path(temp) / "run")
    if outcome.verdict != "ok":
        saved = write_failure(storm, outcome, Path(tempfile.gettempdir()) / "neuroracer-storms")
        pytest.fail(
            f"storm {storm.seed} ({outcome.frames_run} frames): {outcome.signature}\n"
            f"reproduce: python -m bench.storm --repro {saved}\n{outcome.report}"
        )
    return outcome


@pytest.mark.slow  # four storms of 250 frames (about 20 s); the quick set keeps the storm's own tests below
@storm_settings(SUITE_STORMS)
@given(seed=st.integers(0, 2**32 - 1))
@example(seed=0)  # --set changes of strategy and extra tracks
@example(seed=17)  # turbo from the start, a network change scheduled
@example(seed=19)  # three runs compared in turbo
def test_a_storm_of_commands_breaks_nothing(seed):
    run_and_check(make_storm(seed, SUITE_FRAMES))


@pytest.mark.nightly
@pytest.mark.skipif(not NIGHTLY, reason="the long storms run with NEURORACER_NIGHTLY=1")
@storm_settings(NIGHTLY_STORMS)
@given(seed=st.integers(0, 2**32 - 1))
def test_long_storms_break_nothing(seed):
    run_and_check(make_storm(seed, NIGHTLY_FRAMES))


@pytest.mark.nightly
@pytest.mark.skipif(not NIGHTLY, reason="1,000 to 2,000 frames each: they run with NEURORACER_NIGHTLY=1")
@pytest.mark.parametrize("path", FOUND, ids=[path.stem for path in FOUND])
def test_the_storms_that_found_a_failure_now_pass(path):
    """Regression storms: each storm of bench/data/storms/ once failed (issue 20 #1-#4, the restart that lost a
    knob); each finding has its own quick test, and the whole storm replays here."""
    run_and_check(read_storm(path))


def test_the_regression_storms_are_kept():
    assert len(FOUND) == 9 and all(read_storm(path).frames <= 2000 for path in FOUND)


def key(frame: int, code: int, char: str = "") -> list:
    return [frame, "key", code, char]


def test_the_storm_reaches_every_view_through_the_windows_own_events():
    """A storm written by hand: its keys and panel events reach the window's views as a user's do."""
    actions = [key(2, pygame.K_p, "p"), [4, "ui", "mutation_rate", 1, "0.5"]]
    actions += [[5, "ui", "layers", 1, ""], key(8, pygame.K_p, "p")]
    actions += [key(40, pygame.K_t, "t"), key(50, pygame.K_t, "t"), key(55, pygame.K_s, "s")]
    actions += [key(60, pygame.K_l, "l"), key(62, pygame.K_RETURN), key(70, pygame.K_l, "l")]
    actions += [key(75, pygame.K_LEFTBRACKET, "["), key(76, pygame.K_RETURN), key(90, pygame.K_HOME)]
    actions += [key(92 + step, pygame.K_f, "f") for step in range(8)] + [key(150, pygame.K_MINUS, "-")]
    actions += [key(152, pygame.K_h, "h"), key(154, pygame.K_h, "h"), key(160, pygame.K_q, "q")]
    argv = ["--seed", "3", "--population", "10", "--no-test-curve", "--tracks", "0", "--speed", "64"]
    outcome = run_and_check(Storm(1, 400, argv, actions))
    assert outcome.verdict == "ok" and outcome.frames_run == 161  # Q at frame 160 quit through the way out
    views = {name.split()[1] for name in outcome.seen if name.startswith("view ")}
    assert views == {"EvolvingView", "DriveView", "SavesView", "ReplayView"}
    assert outcome.seen["speed turbo"] and outcome.seen["panel open"] and outcome.seen["help"]
    assert outcome.seen["changes logged"] >= 1 and outcome.replayed_rows >= 2


def test_the_same_seed_makes_the_same_storm():
    assert make_storm(17, 500) == make_storm(17, 500)
    assert make_storm(17, 500) != make_storm(18, 500)
    assert all(action[0] < 500 for action in make_storm(17, 500).actions)


def test_the_storm_presses_a_key_of_every_binding_of_the_key_table():
    """The storm's keys cover the key table (game/keys.py): a key added there is pressed by storms too."""
    from game.keys import BINDINGS

    pressed = {key for key, _, weight in KEYS if weight > 0}
    missed = [binding.command for binding in BINDINGS if not pressed & set(binding.keys)]
    assert not missed, f"no storm presses a key of {missed}"


def test_recordings_figures_and_exports_of_a_storm_go_into_its_folder_whole(monkeypatch, tmp_path):
    """M and I record, D draws figures, E exports: all into the storm's temporary runs/ (not $NEURORACER_RUNS,
    not the repository), and each file is whole when the run has ended."""
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("NEURORACER_RUNS", str(elsewhere))
    actions = [key(3, pygame.K_m, "m"), key(30, pygame.K_m, "m"), key(40, pygame.K_i, "i")]
    actions += [key(90, pygame.K_d, "d"), key(95, pygame.K_e, "e"), key(110, pygame.K_q, "q")]
    argv = ["--seed", "5", "--population", "8", "--no-test-curve", "--tracks", "0", "--speed", "64"]
    argv += ["--size", "640x400"]
    outcome = run_and_check(Storm(2, 200, argv, actions))
    assert outcome.frames_run == 111
    assert outcome.seen["key record_movie"] == 2 and outcome.seen["key record_gif"] == 1
    assert outcome.seen["recording"] >= 90  # the frames recorded (27 of the movie, 70 of the GIF)
    assert outcome.seen["movies"] == 1 and outcome.seen["GIFs"] == 1  # the GIF ended whole at Q
    assert outcome.seen["pictures"] >= 2 and outcome.seen["logs exported"] == 1
    assert not elsewhere.exists()


@pytest.mark.parametrize(
    "name, problem",
    [("recording-1.mp4", "left empty"), (".recording-1.part.mp4", "half-written"), ("chart-gen3.png", "left empty")],
)
def test_an_empty_or_half_written_file_in_a_run_folder_fails_the_storm(tmp_path, name, problem):
    folder = tmp_path / "runs" / "elitist-seed1-20260101-000000"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b"" if problem == "left empty" else b"\0" * 64)
    with pytest.raises(AssertionError, match=problem):
        check_taken_away(tmp_path / "runs", Outcome(1, 1))


# ---- what the storms found ------------------------------------------------------------------------------------
def test_a_restarted_run_with_a_changed_knob_replays_from_its_checkpoint(in_tmp, capsys):
    """Storm 3014: R carried elite_share 0.3 (set by a change of the old run) into the new run's start, where no
    change recorded it; a later change of strategy dropped the knob, so --replay of the new run's checkpoint
    started it with the default and did not match from generation 1."""
    import main
    from game.frame_runner import key_event, open_window, run_frames

    flags = ["--seed", "4", "--population", "20", "--strategy", "elitist", "--set", "1:elite_share=0.5"]
    flags += ["--tracks", "0", "--no-test-curve", "--speed", "64", "--checkpoint", "a.npz"]
    app = open_window(app_options.parse(flags))
    for _ in range(2000):
        if app.view.evolution.generation >= 3:
            break
        run_frames(app, 1)
    app.paused = True
    run_frames(app, 2, lambda frame: [key_event(pygame.K_r, "r")])  # R, and R again to confirm
    evolution = app.view.evolution
    assert app.view.checkpointer.path.name == "a-2.npz" and evolution.config.knob("elite_share") == 0.5  # kept
    evolution.schedule("strategy", "snes", 4)
    app.paused = False
    for _ in range(2000):
        if evolution.generation >= 6:
            break
        run_frames(app, 1)
    app.do_quit()
    app.view.close()
    app.view.checkpointer.release()
    assert main.main(["--headless", "--replay", "a-2.npz"]) == 0
    assert "rows of a-2.npz match" in capsys.readouterr().out


def test_ctrl_c_during_a_storms_checks_stops_the_storms_rather_than_failing_one(monkeypatch, tmp_path):
    """Seed 10081 of the nightly run: Ctrl+C reached a check's --replay (exit 130) and was counted a failure."""
    import main
    from bench.storm import replay

    monkeypatch.setattr(main, "main", lambda argv: 130)
    with pytest.raises(KeyboardInterrupt):
        replay(tmp_path / "run.csv", tmp_path)


def test_a_lesson_started_in_the_window_leaves_the_checkpoint_to_the_run_it_opened_with():
    """F2 and 1 start the blog's lesson in place of the run: the window's way out wrote the lesson's run into
    the --checkpoint of the run the window opened with, so resuming it with its --log was refused as another
    run's (found by storm 20006). The storm's second part resumes the checkpoint with the same --log."""
    actions = [key(5, pygame.K_F2), key(8, pygame.K_1, "1"), key(40, pygame.K_q, "q")]
    argv = ["--seed", "7", "--population", "6", "--layers", "7,4,1", "--no-test-curve", "--tracks", "0"]
    argv += ["--speed", "64", "--size", "800x500", "--checkpoint-every", "1"]
    storm = Storm(3, 60, argv, actions, resume=["--speed", "64"], resume_actions=[key(10, pygame.K_q, "q")])
    outcome = run_and_check(storm)
    assert outcome.seen["key lessons"] == 1 and outcome.seen["view LessonMenu"] >= 1
