"""Crashes of the window found by using it (issue 20), each driven through the window's own event handling under
the SDL dummy driver: turbo just after a network change, a pending strategy's knobs, turbo toggled while the
champions' drives are half done, lanes on tracks of different lengths, absurd weights in the network view, the
settings panel's drop-downs, and the limits that keep the window answering."""

from __future__ import annotations

import numpy as np
import pygame
import pygame_gui
import pytest

from app import options as app_options
from app import runs as app_runs
from app.flag_types import SPEEDS, TURBO
from evolution.run.settings import format_value
from game.frame_runner import click, key_event, run_frames
from game.window import Window
from tests.helpers import app_for, gui, open_panel, paused_app, press, press_plus, run_until


def steps_until(app: Window, condition, steps: int = 2000) -> None:
    """Press → (one column while paused) until condition() holds; fail after `steps` columns."""
    for _ in range(steps):
        if condition():
            return
        press(app, pygame.K_RIGHT)
    raise AssertionError("the run did not get there")


def to_turbo_while_paused(app: Window) -> None:
    while app.speed != TURBO:
        press(app, pygame.K_f, unicode="f")
    assert app.paused and SPEEDS[app.speed_index] == TURBO


# ---- 1. turbo just after a network change -----------------------------------------------------------------
def test_turbo_just_after_a_network_change_shows_the_live_race(in_tmp):
    app = app_for("--seed", "4", "--set", "1:layers=7,8,1")
    press(app, pygame.K_SPACE)
    evolution = app.view.evolution
    steps_until(app, lambda: evolution.network.layers == (7, 8, 1))  # generation 1 asked for, of the new shape
    assert evolution.state.ranked_genomes is None and len(evolution.history) == 1
    to_turbo_while_paused(app)
    # Space, then a frame whose race work got no time (a busy machine): the track view is drawn in turbo
    # before any genome of the new shape has raced
    app.handle(key_event(pygame.K_SPACE))
    assert app.turbo
    app.arrange()  # the frame's update before drawing, then the drawing
    app.draw()
    assert app.view.replay is None  # nothing of the new shape to replay yet: the live race is shown
    run_until(app, lambda: evolution.generation >= 4)
    assert app.view.shown_race.network.layers == (7, 8, 1)


def test_turbo_just_after_a_network_change_in_a_comparison_shows_the_live_races(in_tmp):
    app = app_for("--compare", "classic", "elitist", "--seed", "4")
    press(app, pygame.K_SPACE)
    runs = [run.evolution for run in app.view.runs]
    runs[0].schedule("layers", "7,8,1")  # (a comparison has no panel of its own: the change is made directly)
    steps_until(app, lambda: runs[0].network.layers == (7, 8, 1))
    assert runs[0].state.ranked_genomes is None
    to_turbo_while_paused(app)
    app.handle(key_event(pygame.K_SPACE))  # a frame whose race work got no time: drawn in turbo at once
    app.arrange()  # the frame's update before drawing, then the drawing
    app.draw()
    assert app.view.replays is None
    run_until(app, lambda: min(evolution.generation for evolution in runs) >= 4)


def test_a_comparison_stepped_while_paused_goes_on_in_turbo(in_tmp):
    """Races begun with → while paused are not raced as one in turbo: they were left standing, for ever."""
    app = app_for("--compare", "classic", "elitist", "--seed", "4")
    press(app, pygame.K_SPACE)
    press(app, pygame.K_RIGHT)
    assert all(run.race.column == 1 for run in app.view.runs)
    to_turbo_while_paused(app)
    press(app, pygame.K_SPACE)
    run_until(app, lambda: min(run.evolution.generation for run in app.view.runs) >= 3)


def test_a_comparison_with_a_run_left_behind_goes_on_in_turbo(in_tmp):
    """A run a generation ahead of another (a comparison resumed from a checkpoint written in the middle of a round)
    waits, its race done, while the run behind races alone; turbo races the runs as one only when they wait at one
    generation: the run behind must catch up."""
    import time

    app = app_for("--compare", "classic", "elitist", "--seed", "4", "--speed", "64")
    press(app, pygame.K_SPACE)
    ahead, behind = app.view.runs
    ahead.advance(10**9, time.perf_counter() + 60)  # its generation raced and closed alone: it waits for a round
    assert (ahead.evolution.generation, behind.evolution.generation) == (1, 0)
    assert ahead.race.done and not ahead.closing and behind.racing and behind.race.column == 0
    press(app, pygame.K_f, unicode="f")  # ×64 → turbo
    press(app, pygame.K_SPACE)
    assert app.turbo
    run_until(app, lambda: min(run.evolution.generation for run in app.view.runs) >= 3)


# ---- 2. the settings panel with a strategy change pending -------------------------------------------------
@pytest.mark.parametrize(
    "now, then, knobs",
    [
        ("snes", "elitist", ("elite_share", "late_elite_share", "late_generation", "tournament")),
        ("elitist", "snes", ("mean_rate", "spread_rate")),
    ],
)
def test_every_knob_of_a_pending_strategy_can_be_changed_in_the_panel(in_tmp, now, then, knobs):
    app = app_for("--strategy", now, "--set", f"1:strategy={then}")
    press(app, pygame.K_SPACE)
    evolution = app.view.evolution
    assert evolution.next_change_generation == 1  # generation 0 races: the strategy change is pending for 1
    panel = open_panel(app)
    assert all(panel.controls[name][2].is_enabled for name in knobs)
    for name in knobs:
        press_plus(app, name)
    pending = {change.setting: change for change in evolution.state.scheduled}
    assert set(knobs) <= set(pending) and all(pending[name].generation == 1 for name in knobs)
    press(app, pygame.K_SPACE)
    run_until(app, lambda: evolution.generation >= 2)
    assert evolution.config.strategy == then
    for name in knobs:  # each knob as the panel set it, from generation 1 on
        assert format_value(name, evolution.setting_value(name)) == pending[name].new


def test_cancelling_a_pending_strategy_takes_its_knobs_with_it(in_tmp):
    app = app_for("--strategy", "snes", "--set", "1:strategy=elitist", "--set", "1:population=20")
    press(app, pygame.K_SPACE)
    evolution = app.view.evolution
    press_plus(app, "elite_share")
    press_plus(app, "tournament")
    assert [c.setting for c in evolution.state.scheduled] == ["strategy", "population", "elite_share", "tournament"]
    gui(app, pygame_gui.UI_BUTTON_PRESSED, open_panel(app).cancel_buttons[0])  # ✕ on the strategy change
    assert [c.setting for c in evolution.state.scheduled] == ["population"]
    text, error, _ = app.messages[-1]
    assert not error and "elite_share, tournament, which went with it" in text
    press(app, pygame.K_SPACE)
    run_until(app, lambda: evolution.generation >= 3)  # elite_share for snes stopped the run at generation 1
    assert evolution.config.strategy == "snes" and evolution.config.population == 20


def test_a_press_on_a_knob_in_the_frame_its_strategy_change_is_cancelled_says_why_not(in_tmp):
    app = app_for("--strategy", "snes", "--set", "1:strategy=elitist")
    press(app, pygame.K_SPACE)
    panel = open_panel(app)
    cancel, plus = panel.cancel_buttons[0], panel.controls["elite_share"][2]
    events = [pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, ui_element=e, ui_object_id="") for e in (cancel, plus)]
    run_frames(app, 1, lambda frame: events if frame == 0 else [])  # both before the panel is rebuilt
    assert app.view.evolution.state.scheduled == []
    text, error, _ = app.messages[-1]
    assert error and "snes has no elite_share" in text


# ---- 3. turbo toggled while the champions' drives are half done ----------------------------------------
def half_done_drive(app: Window) -> bool:
    """True when a run's generation is closing with its champions' own drive part raced (between two slices)."""
    for run in app.view.runs:
        batch = run.evolution.champion_drives._batch
        if run._closing is not None and batch is not None and batch.column > 0 and not batch.done:
            return True
    return False


def test_turbo_toggled_while_the_champions_drive_is_half_done(in_tmp, monkeypatch):
    from evolution.run import champion_drives

    # a drive yields after every chunk of columns (not after a slice of time), so that one is seen half done
    # whatever the machine's speed: with the compiled race a whole drive can fit in one slice
    real = champion_drives.in_slices
    monkeypatch.setattr(
        champion_drives, "in_slices", lambda race, seconds=None, steps=None: real(race, seconds and 0.0, steps)
    )
    app = app_for("--compare", "classic", "elitist", "--seed", "3", "--speed", "64", "--generations", "40")
    view = app.view
    toggles = 0
    while toggles < 4:
        run_until(app, lambda: half_done_drive(app), frames=3000)
        press(app, pygame.K_f, unicode="f")  # ×64 → turbo: the runs' champions now drive as one batch
        assert app.turbo
        until = min(run.evolution.generation for run in view.runs) + 2
        run_until(app, lambda until=until: min(run.evolution.generation for run in view.runs) >= until)
        press(app, pygame.K_MINUS, unicode="-")  # and back to ×64: each run drives its own again
        assert app.speed == 64
        toggles += 1
    run_until(app, lambda: all(run.complete for run in view.runs), frames=20000)
    straight = [run_alone(spec) for spec in ("classic", "elitist")]
    for run, rows in zip(view.runs, straight):
        assert run.evolution.history.column("test_best").tolist() == rows


def run_alone(strategy: str) -> list[int]:
    """Each generation's champion's score on the test track, of the run made alone headless."""
    from evolution.run.evolve import Evolution

    run = app_options.parse(["--headless", "--strategy", strategy, "--seed", "3", "--generations", "40"]).run
    evolution = Evolution(run.config, run.track)
    while not evolution.raced_all:
        evolution.run_generation()
    evolution.finish_test_drives_now()
    return evolution.history.column("test_best").tolist()


# ---- 4. runs side by side on tracks of different lengths (G or B while one run closes) ----------------------
def test_every_lane_camera_follows_a_column_past_its_own_tracks_end(in_tmp):
    """A run that waits for the others shows its last race, on the old track, while the followed run races the
    new one: the lanes (updated in the single view too) must follow columns the old track does not have."""

    from evolution.racing.network import Network
    from evolution.racing.race import Race
    from evolution.racing.track import Track, training_track
    from game.drawing.assets import start_pygame
    from game.drawing.compare_scene import CompareScene
    from game.drawing.layout import Layout

    start_pygame()
    surface = pygame.display.set_mode((1280, 720))
    network = Network((7, 1))
    long = Track("wide", np.full(2000, 50.0), np.full(2000, -50.0))  # nothing crashes there
    followed = Race(np.zeros((5, network.genome_size)), long, network)
    followed.run(1200)
    waiting = Race(np.zeros((5, network.genome_size)), training_track(), network)
    waiting.run()
    assert followed.alive_count and followed.column == 1200 > training_track().columns + 200 and waiting.done
    scene = CompareScene(["classic", "elitist"], lambda run, race: None)
    layout = Layout.for_size(1280, 720)
    for lanes in (False, True):
        scene.lanes = lanes
        scene.arrange(layout, [followed, waiting])
        scene.draw(surface, layout, [followed, waiting])
        assert scene.run == 0


# ---- 5. a save whose weights are as large as a double goes -----------------------------------------------
def huge_genomes(layers=(7, 8, 4, 1), largest: float = 1.7e308) -> np.ndarray:
    from evolution.racing.network import Network

    size = Network(layers).genome_size
    return np.random.default_rng(0).choice([largest, -largest, 0.0, 1.0], size=(3, size))


def test_the_network_view_draws_any_finite_weights(in_tmp):
    """Weights near the largest double (a run's own, or a file's) make a neuron's sum inf - inf: NaN."""
    from evolution.breeding.seeds import generator
    from evolution.racing.track import training_track
    from evolution.run.genome_file import GenomeFile
    from game.views.drive_view import DriveView

    app = app_for("--seed", "2", "--speed", "8")
    record = GenomeFile((7, 8, 4, 1), huge_genomes(), np.array([3, 2, 1]), "classic", 1, 5, "training")
    drive = DriveView(app, record, None, training_track(), generator(1, "new_track"), back=app.view)
    app.show_view(drive)
    race = drive.race
    unbounded = False
    for dot in range(3):  # each dot's network drawn, followed
        drive.scene.selected = dot
        activations = race.network.activations(race.genomes[dot][None], race.inputs_of(dot)[None])
        unbounded |= not all(np.isfinite(layer).all() for layer in activations)
        run_frames(app, 2)
    assert unbounded  # the view was given NaN activations, and drew them


def test_a_save_of_weights_too_large_to_sum_is_refused_by_l_and_never_written(in_tmp):
    import json

    from evolution.errors import InputError
    from evolution.racing.network import Network
    from evolution.racing.race import race_scores
    from evolution.racing.track import training_track
    from evolution.run.genome_file import MAX_WEIGHT, GenomeFile, load_genomes, save_genomes

    app = app_for("--seed", "2", "--speed", "8")
    run_until(app, lambda: app.view.evolution.generation >= 1)
    path = in_tmp / "saves" / "forged" / "huge.json"
    path.parent.mkdir(parents=True)
    document = {"format": "neuroracer-genomes", "version": 1, "layers": [7, 8, 4, 1], "strategy": "classic"}
    document |= {"seed": 1, "generation": 5, "track": "training", "created": ""}
    document["genomes"] = [{"score": 1, "weights": [float(w) for w in g]} for g in huge_genomes()]
    path.write_text(json.dumps(document))
    press(app, pygame.K_l, unicode="l")
    press(app, pygame.K_RETURN)
    assert app.view.title == "evolving" and app.running  # refused on screen, the run goes on
    text, error, _ = app.messages[-1]
    assert error and "huge.json: genome 0 holds a weight of 1.7e+308, beyond ±1e+100" in text
    record = GenomeFile((7, 8, 4, 1), huge_genomes(), np.array([3, 2, 1]), "classic", 1, 5, "training")
    with pytest.raises(InputError, match="not written"):  # what the loader refuses is never written
        save_genomes(in_tmp / "never.json", record)
    assert not (in_tmp / "never.json").exists()
    # the largest weights a file may hold load, and their sums stay finite: a dot crashes as any does
    largest = huge_genomes(largest=MAX_WEIGHT)
    save_genomes(in_tmp / "largest.json", GenomeFile((7, 8, 4, 1), largest, np.array([3, 2, 1]), "classic", 1, 5, ""))
    assert np.array_equal(load_genomes(in_tmp / "largest.json").genomes, largest)
    network, track = Network((7, 8, 4, 1)), training_track()
    assert all(np.isfinite(layer).all() for layer in network.activations(largest, np.full((3, 7), 2e6)))
    assert (race_scores(largest, track, network) < track.finish).all()
    assert (race_scores(huge_genomes(), track, network) == track.finish).all()  # on NaN no barrier stops a dot


# ---- 16. the settings panel's drop-downs open -------------------------------------------------------------
def test_the_panels_drop_downs_open_and_a_click_on_an_option_schedules_it(in_tmp):
    app = paused_app("--seed", "1", "--population", "10")
    for name, option, flag in (("strategy", "snes", "1:strategy=snes"), ("track", "test", "1:track=test")):
        panel = open_panel(app)
        menu = panel.controls[name][0]
        click(app, menu.rect.center, frames_after=4)
        assert menu.current_state is menu.menu_states["expanded"], f"the {name} drop-down did not open"
        buttons = menu.current_state.options_selection_list.item_list_container.elements
        (button,) = [b for b in buttons if b.text == option]
        click(app, button.rect.center, frames_after=4)
        assert flag in [change.flag() for change in app.view.evolution.state.scheduled]
        assert app.view.scene.selected is None  # the clicks did not reach the race under the panel


# ---- 14. limits that keep the window answering ------------------------------------------------------------
def deep_save(path, depth: int) -> None:
    from evolution.racing.network import Network
    from evolution.run.genome_file import GenomeFile, save_genomes

    layers = (7, *[2] * (depth - 2), 1)
    genomes = np.zeros((1, Network(layers).genome_size))
    save_genomes(path, GenomeFile(layers, genomes, np.array([1]), "classic", 1, 3, "training"))


def test_a_genome_file_deeper_than_layers_allows_is_refused_as_a_ghost_and_by_l(in_tmp):
    from evolution.racing.network import MAX_LAYERS

    deep_save(in_tmp / "deepest.json", MAX_LAYERS)
    deep_save(in_tmp / "deeper.json", MAX_LAYERS + 1)
    app = app_for("--seed", "1", "--ghost", str(in_tmp / "deepest.json"))  # as deep as --layers goes: taken
    assert len(app.view.time_machine.ghosts) == 1
    with pytest.raises(
        app_options.InputError, match=f"deeper.json: field 'layers' has 17 sizes, more than {MAX_LAYERS}"
    ):
        app_options.parse(["--seed", "1", "--ghost", str(in_tmp / "deeper.json")])
    app.view.drive(in_tmp / "deeper.json")  # what L does with the file picked
    assert app.view.title == "evolving"
    assert any(f"more than {MAX_LAYERS}" in text and error for text, error, _ in app.messages)


def test_l_lists_the_saves_at_once_and_reads_them_on_a_thread_while_the_run_goes_on(in_tmp, monkeypatch):
    import threading

    from evolution.run.genome_file import load_genomes
    from game.takeaway import saves

    app = app_for("--seed", "2", "--speed", "8")
    evolution = app.view.evolution
    run_until(app, lambda: evolution.generation >= 1)
    for number in range(3):
        press(app, pygame.K_s, unicode="s")  # three saves of this run
        run_until(app, lambda number=number: evolution.generation >= 2 + number)
    paths = sorted((in_tmp / "runs").rglob("*.json"))
    assert len(paths) == 3
    # reading a save takes as long as the test says (a slow disk, a 60 MB file), and says where it was read
    slow, readers, real = threading.Event(), [], saves._summary

    def slow_summary(path):
        readers.append(threading.current_thread())
        slow.wait(timeout=2)
        return real(path)

    monkeypatch.setattr(saves, "_summary", slow_summary)
    press(app, pygame.K_l, unicode="l")
    view = app.view
    assert view.title == "pick a save" and len(view.entries) == 3  # listed at once, by name and time
    assert not view.scan.done and all(entry.summary == "reading…" for entry in view.entries[1:])
    generation = evolution.generation
    run_until(app, lambda: evolution.generation >= generation + 2)  # the run goes on while the files are read
    assert threading.main_thread() not in readers
    slow.set()
    run_until(app, lambda: view.scan.done)
    for entry in view.entries:
        saved = load_genomes(entry.path)
        assert entry.summary == f"gen {saved.generation} · {saved.strategy} · track {saved.track}"
    # a second L reads nothing again: what is read is kept in an index until a file changes
    press(app, pygame.K_ESCAPE)
    readers.clear()
    press(app, pygame.K_l, unicode="l")
    assert app.view.scan.done and not readers


def test_a_saves_summary_is_read_from_its_first_bytes_alone(in_tmp):
    import json

    from game.takeaway import saves

    header = {"format": "neuroracer-genomes", "version": 1, "layers": [7, 1], "strategy": "snes", "seed": 1}
    header |= {"generation": 12, "track": "test", "created": ""}
    big = in_tmp / "big.json"  # the header, then far more genomes than the part read (cut short: never read)
    body = json.dumps({**header, "genomes": [{"score": 1, "weights": [0.5] * 64}] * 5000})
    big.write_text(body[: 3 * saves.HEAD_BYTES])
    assert saves._summary(big) == (12, "snes", "test")
    late = in_tmp / "late.json"  # a small file whose header comes after its genomes is read whole
    late.write_text(json.dumps({"genomes": [{"score": 1, "weights": [0.5] * 64}] * 300, **header}))
    assert late.stat().st_size > saves.HEAD_BYTES and saves._summary(late) == (12, "snes", "test")
    assert saves._summary(in_tmp) == (None, "", "")  # not a file


def test_a_log_whose_rows_jump_is_refused_by_replay_and_a_resumed_runs_new_log_replays(in_tmp, capsys):
    import main
    from evolution.errors import InputError

    common = ["--headless", "--seed", "6", "--population", "10", "--no-test-curve"]
    assert main.main([*common, "--generations", "5", "--log", "a.csv", "--checkpoint", "a.npz"]) == 0
    lines = (in_tmp / "a.csv").read_text().splitlines()
    forged = [line for line in lines if not line[:1].isdigit()] + [
        "9999999" + line[line.index(",") :] for line in lines if line.startswith("5,")
    ]
    (in_tmp / "forged.csv").write_text("\n".join(forged) + "\n")
    with pytest.raises(InputError, match=r"forged\.csv line 3: the rows start at generation 9999999, not 0"):
        app_options.parse(["--replay", "forged.csv"])
    # a run resumed with a new log writes rows from where it resumed, and says so: that log replays
    assert main.main(["--headless", "--resume", "a.npz", "--generations", "8", "--log", "b.csv"]) == 0
    assert "# continued at generation 6" in (in_tmp / "b.csv").read_text().splitlines()
    capsys.readouterr()
    assert main.main(["--headless", "--replay", "b.csv"]) == 0
    assert "replay: 3 rows of b.csv match" in capsys.readouterr().out


def test_many_set_flags_are_scheduled_in_a_time_that_grows_with_their_number(in_tmp, monkeypatch):
    from evolution.run import lab
    from evolution.run.settings import MAX_EVENTS

    examined = []
    real = lab.check_schedule

    def counting(config, changes, first):
        examined.append(len(changes))
        return real(config, changes, first)

    monkeypatch.setattr(lab, "check_schedule", counting)
    count = 2000
    flags = ["--headless", "--seed", "1", "--population", "4", "--generations", "3", "--no-test-curve"]
    for number in range(count):
        flags += ["--set", f"{number % 3 + 1}:mutation_rate={0.1 + number % 7 / 100}"]
    rest, changes = app_options.take_sets(
        flags
    )  # read in one pass: argparse never sees them (its time grows as count²)
    assert "--set" not in rest and len(changes) == count
    evolution = app_runs.start_evolution(app_options.parse(flags).run, [])
    assert len(evolution.state.scheduled) == count
    assert sum(examined) <= 2 * count  # one at a time, each checked with those before it: count² / 2
    with pytest.raises(app_options.InputError, match=f"--set: {MAX_EVENTS + 1} changes, more than the {MAX_EVENTS}"):
        app_options.parse(["--headless", *["--set=1:mutation_rate=0.5"] * (MAX_EVENTS + 1)])


def test_changes_scheduled_at_once_go_where_one_at_a_time_puts_them():
    from evolution.racing.track import training_track
    from evolution.run.evolve import Evolution, RunConfig
    from evolution.run.settings import SettingEvent

    changes = [
        (4, "mutation_rate", "0.3"),
        (2, "strategy", "elitist"),
        (4, "elite_share", "0.5"),
        (2, "population", "12"),
        (3, "mutation_rate", "0.2"),
        (4, "track", "test"),
    ]
    one, many = (Evolution(RunConfig(strategy="classic", seed=1), training_track()) for _ in range(2))
    for generation, name, value in changes:
        one.schedule(name, value, generation)
    many.schedule_all([SettingEvent(generation, name, "", value) for generation, name, value in changes])
    assert many.state.scheduled == one.state.scheduled
    with pytest.raises(ValueError, match="mean_rate cannot be changed for elitist"):
        many.schedule_all([SettingEvent(6, "mutation_rate", "", "0.4"), SettingEvent(5, "mean_rate", "", "0.3")])
    assert many.state.scheduled == one.state.scheduled  # nothing scheduled by a refused call
