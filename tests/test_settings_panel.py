"""The settings panel (P) under the SDL dummy driver: changes made through its controls apply from the next
generation, are recorded, and replay exactly (also through a checkpoint); G and B too; the command line."""

import subprocess
import sys

import pygame
import pygame_gui

import main
from evolution.files.replay import load_replay
from evolution.run.settings import SettingEvent
from game.drawing import palette
from game.frame_runner import click, run_frames
from game.panels.lab_actions import marker, markers, stepped
from game.window import Window
from tests.helpers import ROOT, app_for, choose, gui, log_rows, open_panel, paused_app, press, press_plus, run_until


def frames_until(app: Window, condition, frames: int = 20000) -> None:
    """run_until with room for whole generations at a time."""
    run_until(app, condition, frames)


def set_number(app: Window, name: str, text: str) -> None:
    entry = open_panel(app).controls[name][1]
    gui(app, pygame_gui.UI_TEXT_ENTRY_FINISHED, entry, text=text)


def at_generation(app: Window, generation: int, columns: int = 200_000) -> None:
    """Step column by column (→ while paused, so a step ends at most one race) until the race of
    `generation - 1` is under way, and stay paused: a change made now applies from `generation`, and Space
    goes on. Frames of wall-clock time would not do: at x64 one frame can close two generations."""
    evolution = app.view.evolution
    app.paused = True
    for _ in range(columns):
        if evolution.next_change_generation >= generation:
            break
        app.view.step()
    assert evolution.next_change_generation == generation


def to_the_end(app: Window) -> None:
    app.paused = False
    app.speed = 0  # turbo
    frames_until(app, lambda: app.view.run.complete)
    app.view.close()


def replay_rows(tmp_path, source, name: str) -> list:
    assert main.main(["--headless", "--replay", str(source), "--log", str(tmp_path / name)]) == 0
    return log_rows(tmp_path / name)


def test_a_run_changed_through_the_panel_replays_exactly(in_tmp, capsys):
    app = app_for("--seed", "3", "--population", "20", "--generations", "20", "--speed", "64", "--log", "run.csv")
    evolution = app.view.evolution
    at_generation(app, 5)
    set_number(app, "mutation_rate", "0.5")
    assert [c.flag() for c in evolution.state.scheduled] == ["5:mutation_rate=0.5"]
    assert evolution.config.mutation_rate == 0.7  # the race under way finishes as it started
    at_generation(app, 10)
    press_plus(app, "population")  # 20 + a tenth of it
    at_generation(app, 15)
    choose(app, "strategy", "snes")
    to_the_end(app)
    applied = [(e.generation, e.setting, e.new) for e in evolution.state.events]
    assert applied == [(5, "mutation_rate", "0.5"), (10, "population", "22"), (15, "strategy", "snes")]
    assert [m.generation for m in markers(evolution)] == [5, 10, 15]  # drawn on the chart's time axis
    rows = log_rows(in_tmp / "run.csv")
    assert len(rows) == 21
    assert replay_rows(in_tmp, in_tmp / "run.csv", "replayed.csv") == rows
    assert "replay: 21 rows of" in capsys.readouterr().out
    command = evolution.command_line()
    assert "--set 5:mutation_rate=0.5 --set 10:population=22 --set 15:strategy=snes --generations 20" in command


def test_the_same_through_a_checkpoint_and_a_resume(in_tmp):
    flags = ["--seed", "3", "--population", "20", "--generations", "20", "--speed", "64", "--log", "run.csv"]
    app = app_for(*flags, "--checkpoint", "run.npz")
    at_generation(app, 5)
    set_number(app, "mutation_rate", "0.5")
    at_generation(app, 10)
    press_plus(app, "population")
    at_generation(app, 12)
    app.paused = False
    run_frames(app, 3)
    app.do_quit()  # Q: the checkpoint is written
    app.view.close()
    app.view.checkpointer.release()
    pygame.quit()
    app = app_for("--resume", "run.npz", "--generations", "20", "--speed", "64", "--log", "run.csv")
    evolution = app.view.evolution
    assert [e.generation for e in evolution.state.events] == [5, 10]
    at_generation(app, 15)
    choose(app, "strategy", "snes")
    to_the_end(app)
    rows = log_rows(in_tmp / "run.csv")
    assert len(rows) == 21
    assert replay_rows(in_tmp, in_tmp / "run.csv", "replayed.csv") == rows
    fresh = in_tmp / "fresh"
    fresh.mkdir()
    straight = ["--seed", "3", "--population", "20", "--generations", "20", "--log", str(fresh / "straight.csv")]
    straight += ["--set", "5:mutation_rate=0.5", "--set", "10:population=22", "--set", "15:strategy=snes"]
    assert main.main(["--headless", *straight]) == 0
    assert log_rows(fresh / "straight.csv") == rows


def test_g_and_b_are_recorded_and_replay_exactly(in_tmp):
    flags = ["--seed", "8", "--population", "20", "--generations", "9", "--speed", "64", "--log", "run.csv"]
    app = app_for(*flags, "--checkpoint", "run.npz")
    evolution = app.view.evolution
    frames_until(app, lambda: evolution.generation >= 3)
    app.speed = 1
    frames_until(app, lambda: app.view.race.column >= 2 and not app.view.race.done)  # mid-race
    app.paused = True  # so the new race cannot end within the frame that handles the key
    changed = evolution.generation  # 3, or later if a race ended at once on a slow machine
    press(app, pygame.K_g)  # the generation under way is raced again on the new track
    random_name = evolution.track.name
    assert random_name.startswith("random:") and app.view.race.track.name == random_name
    assert app.view.race.column <= 1 and evolution.generation == changed
    app.paused = False
    app.speed = 64
    frames_until(app, lambda: evolution.generation >= changed + 3)  # x64 may close two in a frame
    press(app, pygame.K_b)
    to_the_end(app)
    app.view.checkpoint()
    app.view.checkpointer.release()
    saved = app.view.save_best()
    events = [(e.generation, e.setting, e.old, e.new) for e in evolution.state.events]
    assert events[0] == (changed, "track", "training", random_name)
    assert events[1][1:] == ("track", random_name, "training") and events[1][0] >= changed + 3
    assert [m.label for m in markers(evolution)] == [random_name, "training"]
    text = (in_tmp / "run.csv").read_text()
    assert f"# set {changed} track training -> {random_name}" in text
    assert replay_rows(in_tmp, in_tmp / "run.csv", "replayed.csv") == log_rows(in_tmp / "run.csv")
    assert f"--set {changed}:track={random_name}" in evolution.command_line()
    for source in (in_tmp / "run.npz", saved):  # the checkpoint and the genome file replay from the first track
        assert load_replay(source).track.name == "training"
        assert main.main(["--headless", "--replay", str(source)]) == 0


def test_a_track_change_through_the_panel_applies_from_the_next_generation(in_tmp):
    app = app_for("--seed", "2", "--population", "12", "--generations", "6", "--speed", "64", "--log", "run.csv")
    evolution = app.view.evolution
    at_generation(app, 2)
    choose(app, "track", "a new random one")
    (change,) = evolution.state.scheduled
    assert change.setting == "track" and change.new.startswith("random:") and evolution.track.name == "training"
    to_the_end(app)
    assert [(e.generation, e.new) for e in evolution.state.events] == [(2, change.new)]
    assert replay_rows(in_tmp, in_tmp / "run.csv", "replayed.csv") == log_rows(in_tmp / "run.csv")
    plan = load_replay(in_tmp / "run.csv")
    assert plan.track.name == "training"


def test_controls_a_strategy_lacks_are_disabled_with_the_reason(in_tmp):
    app = paused_app("--seed", "1", "--strategy", "snes", "--population", "10")
    panel = open_panel(app)
    for name in ("mutation_rate", "tournament", "elite_share"):
        assert panel.controls[name] and not any(c.is_enabled for c in panel.controls[name])
    for name in ("mean_rate", "population", "layers", "strategy", "track"):
        assert all(c.is_enabled for c in panel.controls[name])
    assert panel.captions["tournament"].startswith("snes has no tournament: tournament is a setting of elitist")
    assert panel.captions["mean_rate"] == "the mean moves 1.0 times its natural-gradient step (0 to 10)"
    # a pending strategy change decides for the next generation: elitist's knobs come alive, snes's go
    choose(app, "strategy", "elitist")
    panel = app.view.panel
    run_frames(app, 1)
    assert all(c.is_enabled for c in panel.controls["tournament"])
    assert not any(c.is_enabled for c in panel.controls["mean_rate"])


def test_pending_changes_are_listed_and_can_be_cancelled(in_tmp):
    app = paused_app("--seed", "1", "--population", "10")
    set_number(app, "mutation_rate", "0.5")
    gui(app, pygame_gui.UI_BUTTON_PRESSED, app.view.panel.controls["layers"][1])  # + layer
    evolution = app.view.evolution
    assert [c.flag() for c in evolution.state.scheduled] == ["1:mutation_rate=0.5", "1:layers=7,8,4,4,1"]
    run_frames(app, 1)
    buttons = app.view.panel.cancel_buttons
    assert [b.text for b in buttons] == ["✕ gen 1: mutation_rate → 0.5", "✕ gen 1: layers → 7,8,4,4,1"]
    gui(app, pygame_gui.UI_BUTTON_PRESSED, buttons[0])
    assert [c.flag() for c in evolution.state.scheduled] == ["1:layers=7,8,4,4,1"]
    set_number(app, "mutation_rate", "1000")  # out of range: refused, saying why
    assert any("out of range" in text for text, error, _ in app.messages if error)
    set_number(app, "mutation_rate", "0.5")
    set_number(app, "mutation_rate", "0.7")  # back to the run's value: nothing pending for it
    assert [c.setting for c in evolution.state.scheduled] == ["layers"]


def test_a_real_click_on_plus_schedules_a_change(in_tmp):
    app = paused_app("--seed", "1", "--population", "10")
    panel = open_panel(app)
    plus = panel.controls["mutation_rate"][2]
    click(app, plus.rect.center, frames_after=2)  # pygame_gui's UI_BUTTON_PRESSED comes through the event queue
    (change,) = app.view.evolution.state.scheduled
    assert change.flag() == "1:mutation_rate=0.875"  # 0.7 and a step of an eighth
    assert app.view.scene.selected is None  # the click did not reach the race under the panel


def test_the_panel_opens_and_closes_with_its_key_and_pygame_gui_waits_for_it():
    script = (
        "import sys, pygame\n"
        "from app import options as app_options\n"
        "from game.frame_runner import open_window, run_frames, key_event\n"
        "app = open_window(app_options.parse(['--seed', '1', '--population', '10']))\n"
        "run_frames(app, 3)\n"
        "assert 'pygame_gui' not in sys.modules\n"
        "run_frames(app, 2, lambda f: [key_event(pygame.K_p, 'p')] if f == 0 else [])\n"
        "assert app.view.panel_open and 'pygame_gui' in sys.modules\n"
        "run_frames(app, 2, lambda f: [key_event(pygame.K_p, 'p')] if f == 0 else [])\n"
        "assert not app.view.panel_open\n"
        "print('ok')\n"
    )
    env = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_typing_in_a_field_does_not_trigger_the_keys(in_tmp):
    app = paused_app("--seed", "1", "--population", "10")
    entry = open_panel(app).controls["population"][1]
    entry.focus()
    press(app, pygame.K_q, unicode="q")  # typed into the field, not Q for quit
    press(app, pygame.K_p, unicode="p")
    assert app.running and app.view.panel_open


def test_the_command_line_is_printed_and_copied_or_says_why_not(in_tmp, capsys, monkeypatch):
    app = app_for("--seed", "4", "--population", "10", "--speed", "turbo")
    frames_until(app, lambda: app.view.evolution.generation >= 2)
    app.paused = True
    press(app, pygame.K_c, unicode="c")
    line = app.view.evolution.command_line()
    assert line in capsys.readouterr().out
    assert any("no clipboard under the dummy video driver" in text for text, _, _ in app.messages)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "x11")  # a system with a clipboard
    press(app, pygame.K_c, unicode="c")
    assert pygame.scrap.get_text() == app.view.evolution.command_line()
    assert any("copied to the clipboard" in text for text, _, _ in app.messages)
    panel = open_panel(app)
    assert panel.command_button.tool_tip_text == app.view.evolution.command_line()  # the full line on hover


def test_the_steps_of_minus_and_plus():
    from game.panels.lab_actions import Row

    def row(kind, value, low, high):
        return Row("x", kind, low, high, value, value, None, True, "", "")

    assert stepped(row("int", 50, 2, 100_000), +1) == 55 and stepped(row("int", 3, 2, 100_000), -1) == 2
    assert stepped(row("float", 0.2, 0, 1), +1) == 0.25 and stepped(row("float", 0.0, 0, 1), -1) == 0
    assert stepped(row("float", 0.3, 0, 100), +1) == 0.375 and stepped(row("float", 0.0, 0, 100), +1) == 0.01


def test_a_replay_in_the_window_says_it_matched_or_shows_the_mismatch(in_tmp, capsys):
    flags = ["--seed", "6", "--population", "12", "--generations", "6", "--set", "3:mutation_rate=0.6"]
    assert main.main(["--headless", *flags, "--log", "run.csv"]) == 0
    capsys.readouterr()
    app = app_for("--replay", "run.csv", "--speed", "turbo")
    frames_until(app, lambda: bool(app.view.replay_verdict))
    assert app.view.banner() == f"replay: 7 rows of {'run.csv'} match" and app.failure is None
    assert "replay: 7 rows of run.csv match" in capsys.readouterr().out
    app.view.close()
    pygame.quit()
    lines = (in_tmp / "run.csv").read_text().splitlines()
    row = lines[6].split(",")  # generation 3's row (after the run line, the header and one '# set' line)
    assert row[0] == "3"
    row[1] = str(int(row[1]) + 1)
    lines[6] = ",".join(row)
    (in_tmp / "bad.csv").write_text("\n".join(lines) + "\n")
    app = app_for("--replay", "bad.csv", "--speed", "turbo")
    frames_until(app, lambda: app.failure is not None)
    assert "line 7: the row of generation 3 does not match the replay" in str(app.failure)
    assert app.paused and app.view.banner().startswith("replay does not match")
    assert app.banner() == app.view.banner()  # the window shows why, not 'paused'
    assert any("line 7" in text for text, error, _ in app.messages if error)  # on screen
    app.close_at = 1.0  # its time on screen is over: the window closes
    run_frames(app, 2)
    assert not app.running
    app.view.close()
    pygame.quit()
    status = main.main(["--replay", "bad.csv", "--speed", "turbo", "--frames", "3000"])
    assert status == 2
    assert "main.py: error: bad.csv line 7: the row of generation 3 does not match" in capsys.readouterr().err


def test_a_replay_in_the_window_refuses_what_would_change_it(in_tmp, capsys):
    """P, G, B and R in a --replay would change the run, and every later row would 'not match' (or R's new
    run be said to match unchecked): each is refused with a message, and the replay still matches."""
    flags = ["--seed", "6", "--population", "12", "--generations", "5", "--set", "2:mutation_rate=0.6"]
    assert main.main(["--headless", *flags, "--track", "random:4", "--log", "run.csv"]) == 0
    app = paused_app("--replay", "run.csv", "--speed", "turbo")
    evolution = app.view.evolution
    keys = [(pygame.K_p, "p", "no settings panel"), (pygame.K_g, "g", "no new track")]
    keys += [(pygame.K_b, "b", "no change of track"), (pygame.K_r, "r", "no restart"), (pygame.K_r, "r", "no restart")]
    for key, unicode, refusal in keys:
        press(app, key, unicode=unicode)
        text, error, _ = app.messages[-1]
        assert error and text == f"{refusal}: a --replay runs as its source ran; change a run of your own"
    assert not app.view.panel_open and app.view.evolution is evolution
    assert evolution.track.name == "random:4" and not evolution.state.events and len(evolution.state.scheduled) == 1
    app.paused = False
    frames_until(app, lambda: bool(app.view.replay_verdict) or app.failure is not None)
    assert app.failure is None and app.view.replay_verdict == "replay: 6 rows of run.csv match"
    app.view.close()
    pygame.quit()


def test_a_track_given_on_resume_is_recorded_and_replays(in_tmp, capsys):
    flags = ["--headless", "--seed", "5", "--population", "12", "--log", "run.csv"]
    assert main.main([*flags, "--generations", "4", "--checkpoint", "run.npz"]) == 0
    assert (
        main.main(
            ["--headless", "--resume", "run.npz", "--generations", "8", "--track", "random:9", "--log", "run.csv"]
        )
        == 0
    )
    text = (in_tmp / "run.csv").read_text()
    assert "# set 5 track training -> random:9" in text and text.startswith("# neuroracer run: --seed 5")
    capsys.readouterr()
    assert replay_rows(in_tmp, in_tmp / "run.csv", "replayed.csv") == log_rows(in_tmp / "run.csv")
    assert main.main(["--headless", "--replay", "run.npz"]) == 0
    assert "replay: 9 rows of run.npz match" in capsys.readouterr().out


def test_each_kind_of_change_is_marked_as_such_on_the_chart():
    """A shape change is marked as a fresh network, a track change by the track's name, a strategy change in
    the strategy's colour; any other change by its setting and value."""
    fresh = marker(SettingEvent(8, "layers", "7,8,4,1", "7,6,1"))
    assert (fresh.generation, fresh.label, fresh.colour) == (8, "fresh net 7,6,1", palette.ACCENT)
    assert marker(SettingEvent(3, "track", "training", "random:5")).label == "random:5"
    assert marker(SettingEvent(4, "strategy", "elitist", "snes")).colour == palette.GOOD
    assert marker(SettingEvent(5, "mutation_rate", "0.7", "0.50")).label == "mutation_rate 0.5"
