"""The live window under the SDL dummy driver (and once under a real X server): keys, numbers, screenshots."""

import shutil
import subprocess
import sys

import numpy as np
import pygame
import pytest

import main
from app import options as app_options
from app.flag_types import SPEEDS
from evolution.breeding.lineage import describe
from evolution.racing.race import Race, race_scores
from evolution.racing.track_names import resolve_track
from evolution.run.genome_file import load_genomes
from game.drawing.assets import start_pygame
from game.drawing.layout import Layout
from game.frame_runner import open_window, run_frames
from game.keys import BINDINGS, COMMAND_OF_KEY, markdown_table
from game.panels import hud
from game.panels.lab_actions import markers
from game.views.drive_view import DriveView
from game.views.evolving_view import EvolvingView
from game.views.saves_view import SavesView
from game.window import Window
from tests.helpers import ROOT, app_for, log_rows, press, run_until


def test_every_key_of_the_table_does_what_it_says(in_tmp):
    app = app_for("--seed", "5", "--speed", "64")
    run_until(app, lambda: app.view.evolution.generation >= 2)

    press(app, pygame.K_SPACE)
    assert app.paused
    while True:  # a moment at which the race on screen lasts two more steps
        race = app.view.race
        expected = Race(race.genomes, race.track, race.network)  # the same race, replayed apart
        expected.run(race.column + 2)
        if not expected.done:
            break
        app.paused = False
        run_frames(app, 1)
        app.paused = True
    press(app, pygame.K_RIGHT)
    press(app, pygame.K_n)
    assert app.view.race is race and race.column == expected.column
    assert np.array_equal(race.positions, expected.positions)
    run_frames(app, 5)
    assert app.view.race is race and race.column == expected.column  # paused: no progress
    press(app, pygame.K_SPACE)
    assert not app.paused

    speed = app.speed_index
    press(app, pygame.K_MINUS)
    assert app.speed_index == speed - 1
    press(app, pygame.K_f)
    press(app, pygame.K_PLUS, unicode="+")
    assert SPEEDS[app.speed_index] == 0  # turbo
    press(app, pygame.K_KP_MINUS)
    assert SPEEDS[app.speed_index] == 64

    evolving = app.view
    generation = evolving.evolution.generation
    press(app, pygame.K_t)  # the blog's protocol: the current best drive the test track, nothing is trained there
    drive = app.view
    assert isinstance(drive, DriveView) and drive.race.track.name == "test" and app.speed == 1
    assert np.array_equal(drive.drive.saved.genomes, evolving.evolution.best(20).genomes)
    run_frames(app, 30)
    assert evolving.evolution.track.name == "training" and evolving.evolution.generation == generation
    press(app, pygame.K_t)
    assert app.view is evolving and app.speed == 64 and evolving.run.track.name == "training"

    evolving.run.close_generation_now()  # no generation closing: G takes effect at once
    press(app, pygame.K_g)
    first_random = evolving.run.track.name
    evolving.run.close_generation_now()
    press(app, pygame.K_g)
    assert first_random.startswith("random:") and evolving.run.track.name.startswith("random:")
    assert first_random != evolving.run.track.name
    marks = markers(evolving.evolution)  # recorded as the run's track changes, marked on the chart
    assert [event.label for event in marks] == [first_random, evolving.run.track.name]
    evolving.run.close_generation_now()
    press(app, pygame.K_b)
    assert evolving.run.track.name == "training" and markers(evolving.evolution)[-1].label == "training"

    press(app, pygame.K_s)
    saves = sorted((in_tmp / "runs").rglob("*.json"))
    assert len(saves) == 1 and len(load_genomes(saves[0]).genomes) == 20
    assert saves[0].parent == in_tmp / evolving.folder  # the run's own folder
    assert saves[0].parent.name.startswith("elitist-seed5-")
    assert any(str(saves[0].relative_to(in_tmp)) in text for text, _, _ in app.messages)  # the path is shown

    press(app, pygame.K_l)  # a list of saves, this run's first
    assert isinstance(app.view, SavesView) and app.view.entries[0].path == saves[0].relative_to(in_tmp)
    press(app, pygame.K_RETURN)
    assert isinstance(app.view, DriveView) and app.view.drive.path == saves[0].relative_to(in_tmp)
    run_frames(app, 10)
    press(app, pygame.K_l)
    assert app.view is evolving

    press(app, pygame.K_a)
    assert evolving.chart_mode == 1
    press(app, pygame.K_z)
    assert app.user_scale == 1.25 and app.layout().scale.factor == 1.25

    seed = evolving.evolution.config.seed
    press(app, pygame.K_r)
    assert evolving.evolution.config.seed == seed and "press R again" in evolving.banner()
    press(app, pygame.K_a)  # any other key cancels
    press(app, pygame.K_r)
    press(app, pygame.K_r)
    assert evolving.evolution.config.seed != seed and evolving.evolution.generation <= 2  # a new run

    press(app, pygame.K_h)
    assert app.show_help
    for _ in range(hud.help_pages(app.screen.get_rect(), app.layout().scale, app.works)):  # its pages, then closed
        press(app, pygame.K_F1)
    assert not app.show_help

    run_until(app, lambda: evolving.evolution.generation >= 1)
    press(app, pygame.K_q)
    assert not app.running
    assert len(list((in_tmp / "runs").rglob("*.json"))) == 2  # quitting saved what was new, in the new run's folder


def test_escape_quits_without_saving_when_nothing_is_new(in_tmp):
    app = app_for("--seed", "5")
    press(app, pygame.K_ESCAPE)
    assert not app.running and not (in_tmp / "runs").exists()


def test_the_key_table_reaches_every_command_and_the_window_page():
    commands = {b.command for b in BINDINGS}
    assert set(COMMAND_OF_KEY.values()) == commands
    views = (Window, EvolvingView, DriveView, SavesView)
    assert all(name == "step" or any(hasattr(view, f"do_{name}") for view in views) for name in commands)
    assert markdown_table() in (ROOT / "docs" / "window.md").read_text()


def test_clicking_a_dot_follows_it(in_tmp):
    app = app_for("--seed", "3")
    run_frames(app, 3)
    xs = app.view.scene.camera.x(app.view.race.column)
    ys = app.view.scene.camera.y(app.view.race.positions)
    target = int(np.argmax(ys))
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(int(xs), int(ys[target])))
    run_frames(app, 1, lambda frame: [click])
    assert app.view.scene.selected is not None
    assert abs(app.view.scene.camera.y(app.view.race.positions[app.view.scene.selected]) - ys[target]) < 14


@pytest.mark.parametrize(("speed", "population"), [("1", "50"), ("8", "50"), ("turbo", "50"), ("turbo", "2000")])
def test_the_window_logs_the_same_numbers_as_headless_at_any_speed(in_tmp, speed, population):
    common = ["--seed", "9", "--generations", "6", "--population", population]
    headless = in_tmp / "headless.csv"
    assert main.main(["--headless", *common, "--log", str(headless)]) == 0
    window = in_tmp / f"window-{speed}.csv"
    app = app_for(*common, "--log", str(window), "--speed", speed)
    for _ in range(200):
        run_frames(app, 50)
        if app.view.run.complete:
            break
    app.view.close()
    assert app.view.run.complete
    assert log_rows(window) == log_rows(headless)


def test_saved_champions_drive_with_the_headless_scores(in_tmp):
    app = app_for("--seed", "42", "--speed", "turbo", "--generations", "40")
    while not app.view.run.complete:
        run_frames(app, 20)
    press(app, pygame.K_s)
    saved = next((in_tmp / "runs").rglob("*.json"))
    drive = app_for("--load", str(saved), "--track", "test", "--speed", "turbo")
    while not drive.view.race.done:
        run_frames(drive, 10)
    record = load_genomes(saved)
    expected = race_scores(record.genomes, resolve_track("test"), record.network)
    assert np.array_equal(drive.view.race.scores, expected)
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--headless", "--load", str(saved), "--track", "test"],
        capture_output=True,
        text=True,
        cwd=in_tmp,
    )
    scores = [int(line.split()[3]) for line in result.stdout.splitlines() if line.startswith("genome")]
    assert scores == expected.tolist()


def test_ten_thousand_dots_and_tiny_or_huge_windows_draw(in_tmp):
    app = app_for("--seed", "1", "--population", "10000")
    run_frames(app, 5)
    for size in ((200, 150), (3000, 1800), (1280, 720)):
        pygame.display.set_mode(size, pygame.RESIZABLE)
        run_frames(app, 2)
    assert app.view.race.count == 10000


def test_window_flags_are_checked(in_tmp):
    for args in (["--speed", "3"], ["--size", "big"], ["--size", "10x10"], ["--screenshot", "x.jpg"]):
        with pytest.raises(SystemExit) as exit_info:
            main.main(["--frames", "1", *args])
        assert exit_info.value.code == 2


def test_only_display_and_font_are_initialised(in_tmp):
    app_for("--seed", "1")
    assert pygame.display.get_init() and pygame.font.get_init()
    assert not pygame.mixer.get_init()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_real_window_screenshot_shows_the_corridor_and_the_dots(tmp_path):
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x720x24",
            sys.executable,
            str(ROOT / "main.py"),
            "--seed",
            "42",
            "--frames",
            "120",
            "--screenshot",
            str(shot),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    pygame.display.init()
    image = pygame.image.load(str(shot))
    assert image.get_size() == (1280, 720)
    pixels = pygame.surfarray.array3d(image).reshape(-1, 3)
    colours = {tuple(p) for p in np.unique(pixels, axis=0)}
    assert (221, 221, 221) in colours and (255, 255, 255) in colours  # the blog's grey and the corridor
    purple = (pixels[:, 2] > pixels[:, 1] + 40) & (pixels[:, 0] > pixels[:, 1] + 20)  # viridis' dark end
    assert purple.sum() > 20
    assert not (tmp_path / "runs").exists()


def test_the_camera_jumps_to_a_new_race_instead_of_panning_across_the_track():
    from evolution.racing.track import training_track
    from game.drawing.camera import Camera

    track = training_track()
    camera = Camera(pygame.Rect(0, 0, 1280, 440))
    for column in range(300, 392):  # a race that reached the end of the track
        camera.follow(track, column, 1 / 60)
    camera.follow(track, 2, 1 / 60)  # the next generation starts
    start = camera.y(np.array([track.top[2], track.bottom[2], 0.0]))
    assert ((start >= camera.view.top) & (start <= camera.view.bottom)).all()


def test_long_values_are_shortened_to_fit_their_panel(in_tmp):
    from game.drawing.assets import font
    from game.panels.hud import fit

    start_pygame()
    value_font = font(12, bold=True)
    name = "neuroracer-20261124-213943-gen73.json"
    short = fit(value_font, name, 150)
    assert value_font.size(short)[0] <= 150 and "…" in short
    assert short.startswith("neuro") and short.endswith(".json")
    assert fit(value_font, "short", 150) == "short"


def test_test_track_numbers_fit_the_stats_panel_whole(in_tmp):
    # "best 3991 · mean 2984.9" used to be cut to "best 3991 …ean 2984.9"
    from game.drawing.assets import font
    from game.panels.hud import short_number

    app = app_for("--population", "10", "--seed", "1", "--speed", "turbo")
    history = app.view.evolution.history
    while not len(history) or app.view.race.genomes is not app.view.evolution.state.pending:  # the next race on
        run_frames(app, 1)
    history.set(len(history) - 1, "best", 3991)  # as on the 4000-column test track
    history.set(len(history) - 1, "mean", 2984.94)
    texts = dict(app.view.stat_lines())
    assert texts["last gen"] == "best 3991 · mean 2985"
    assert short_number(8.64) == "8.6" and short_number(-99.94) == "-99.9" and short_number(391.0) == "391"
    stats = Layout.for_size(1280, 720).stats
    room = stats.right - (stats.x + 104) - 6  # the value column of hud.draw_panel_lines
    assert font(12, bold=True).size(texts["last gen"])[0] <= room


def test_a_drawn_seed_is_shown_whole_and_every_stat_line_fits_at_1280x720(in_tmp):
    # "elitist · seed 4035077131" used to be cut to "elitist · s… 4035077131"
    from game.drawing.assets import font

    app = app_for("--population", "10", "--seed", "4035077131", "--speed", "turbo")
    while not len(app.view.evolution.history):
        run_frames(app, 1)
    lines = app.view.stat_lines()
    assert ("seed", "4035077131") in lines and ("strategy", "elitist") in lines
    stats = Layout.for_size(1280, 720).stats
    room = stats.right - (stats.x + 104) - 6
    assert all(font(12, bold=True).size(value)[0] <= room for _, value in lines)
    assert 26 + 16 * len(lines) <= stats.height  # hud.draw_panel_lines has room for every line


def test_the_network_view_stays_inside_its_panel_whatever_it_reads(in_tmp):
    from evolution.racing.network import Network
    from game.panels.netview import NetworkView

    start_pygame()
    surface = pygame.Surface((900, 400))
    surface.fill((1, 2, 3))
    panel = pygame.Rect(300, 100, 420, 210)
    network = Network()
    genome = np.random.default_rng(0).uniform(-1, 1, network.genome_size)
    inputs = np.array([[-12.34, -20.5, -19.5, 3.25, 4.25, -88.0, -87.0]])  # readings far from the usual ±1
    NetworkView().draw(surface, panel, network, genome, network.activations(genome[None], inputs), "network")
    pixels = pygame.surfarray.array3d(surface)
    outside = np.ones(pixels.shape[:2], dtype=bool)
    outside[panel.left : panel.right, panel.top : panel.bottom] = False
    assert (pixels[outside] == (1, 2, 3)).all()
    assert (pixels[~outside] != (1, 2, 3)).any(axis=1).sum() > 1000  # and it did draw inside


def test_a_test_drive_replays_its_laps_with_the_same_scores(in_tmp):
    app = app_for("--seed", "42", "--speed", "turbo", "--generations", "30", "--population", "20")
    run_until(app, lambda: app.view.run.complete)
    assert dict(app.view.stat_lines())["generation"] == "30 of 30"  # the last one raced, not one past it
    press(app, pygame.K_s)
    saved = next((in_tmp / "runs").rglob("*.json"))
    drive = app_for("--load", str(saved), "--speed", "64")
    record = load_genomes(saved)
    expected = race_scores(record.genomes, resolve_track("training"), record.network)
    laps = []
    run_until(drive, lambda: drive.view.drive.laps >= 1 or drive.view.race.done)
    for lap in range(3):
        run_until(drive, lambda: drive.view.race.done)
        assert drive.view.drive.laps == lap
        laps.append(drive.view.race.scores.tolist())
        run_until(drive, lambda lap=lap: drive.view.drive.laps == lap + 1)
        assert drive.view.race.column <= 64  # the next lap starts from the start
    assert laps == [expected.tolist()] * 3


def test_a_track_switch_while_a_generation_is_closing_takes_the_next_generation(in_tmp):
    app = app_for("--seed", "2", "--population", "30", "--speed", "64")
    run = app.view.run
    run_until(app, lambda: run.race.done and run._closing is not None, frames=20000)
    evolution = app.view.evolution  # the generation closing: still pending, or just counted
    closing_generation = evolution.generation - (evolution.state.pending is None)
    closing_race = run.race
    app.command("new_track")  # G while the generation's extra tracks and test drives are still being raced
    new_track = run.track.name
    assert new_track.startswith("random:") and app.view.evolution.track.name == "training"
    run_until(app, lambda: run.race is not closing_race)
    assert run.race.track.name == new_track and run.race.column <= 64
    stats = app.view.evolution.history.row(closing_generation)
    assert stats.finish == 391  # the closing generation was raced, and is recorded, on the training track


def test_the_window_races_two_runs_each_logging_what_it_logs_alone(in_tmp):
    from evolution.racing.track import training_track
    from evolution.run.evolve import Evolution, RunConfig
    from evolution.run.reporters import CsvLog

    configs = [
        RunConfig(strategy="classic", seed=3, generations=4),
        RunConfig(strategy="elitist", seed=3, generations=4, extra_tracks=1),
    ]
    for index, config in enumerate(configs):
        log = CsvLog(in_tmp / f"alone{index}.csv")
        alone = Evolution(config, training_track(), [log])
        while not alone.complete:
            alone.run_generation() if not alone.raced_all else alone.finish_test_drives_now()
        log.close()
    app = app_for("--seed", "3", "--speed", "turbo")
    logs = [CsvLog(in_tmp / f"together{index}.csv") for index in range(2)]
    evolutions = [Evolution(config, training_track(), [log]) for config, log in zip(configs, logs)]
    app.show_view(EvolvingView(app, evolutions, keep=20))
    run_until(app, lambda: all(run.complete for run in app.view.runs))
    for log in logs:
        log.close()
    for index in range(2):
        assert log_rows(in_tmp / f"together{index}.csv") == log_rows(in_tmp / f"alone{index}.csv")
        assert len(log_rows(in_tmp / f"alone{index}.csv")) == 5


def followed_on_screen(app: Window) -> tuple[float, float]:
    view = app.view
    race, index = view.shown_race, view.scene.followed
    column = race.column if race.alive[index] else race.scores[index] + 1
    return view.scene.camera.to_screen(float(column), float(race.positions[index]))


@pytest.mark.parametrize("size", [(800, 500), (1280, 720), (1920, 1080)])
def test_at_x8_the_followed_dot_stays_inside_the_track_view_in_every_frame(in_tmp, size):
    app = open_window(app_options.parse(["--seed", "11", "--speed", "8"]), size)
    view = app.view
    inside = 0
    # how many frames a generation takes depends on the machine's speed (its closing work is timed), so
    # frames run until enough were checked, within a bound
    for _ in range(4000):
        if inside > 150 and view.evolution.generation >= 3:
            break
        run_frames(app, 1)
        race, index = view.shown_race, view.scene.followed
        if not race.alive[index]:
            continue  # a crashed dot stays where it crashed; the camera moves on with the race
        x, y = followed_on_screen(app)
        assert app.layout().view.collidepoint(x, y), (x, y, race.column)
        inside += 1
    assert inside > 150 and view.evolution.generation >= 3


def test_the_followed_dot_changes_only_on_a_crash_a_new_generation_or_a_click(in_tmp):
    app = app_for("--seed", "4", "--speed", "2", "--population", "50")
    view = app.view
    run_frames(app, 1)
    changes = {"crash": 0, "generation": 0}
    for _ in range(900):
        race, followed, picked = view.shown_race, view.scene.followed, view.scene.picked
        was_alive = race.alive[followed]
        run_frames(app, 1)
        if view.shown_race is not race:
            changes["generation"] += 1
            heir = view.evolution.heir(view.shown_race)
            assert heir is None or view.scene.followed == heir[0]  # last generation's best, shown as such
            continue
        if view.scene.followed != followed:
            assert was_alive and not race.alive[followed] and not picked  # only a crash hands over
            assert race.alive[view.scene.followed]
            changes["crash"] += 1
    assert changes["generation"] >= 2 and changes["crash"] >= 1
    # a click picks a dot, which stays followed even when it crashes (first a moment with dots racing)
    run_until(app, lambda: view.shown_race.alive.any() and not view.shown_race.done)
    race = view.shown_race
    alive = np.flatnonzero(race.alive)
    target = int(alive[-1])
    x, y = view.scene.camera.to_screen(float(race.column), float(race.positions[target]))
    run_frames(app, 1, lambda frame: [pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(int(x), int(y)))])
    picked = view.scene.followed
    assert view.scene.picked and picked is not None
    for _ in range(200):
        if view.shown_race is not race:
            break
        assert view.scene.followed == picked
        run_frames(app, 1)


def test_while_a_generation_closes_the_panels_still_name_the_race_on_screen(in_tmp):
    # between a race's end and the next race (its generation closing, in slices over several frames), the
    # track view still shows that race: the stats and the network panel's title must speak of it, not of the
    # generation the run counts next ("generation 20" over gen 19's race, "origin not kept" in the title)
    app = app_for("--seed", "42", "--speed", "8")
    view = app.view
    run_until(app, lambda: view.evolution.generation >= 3 and view.race.genomes is view.evolution.state.pending)
    app.paused = True
    race, generation = view.race, view.evolution.generation
    race.run()
    for _ in view.evolution.close_generation(race):  # closed, the next race not yet started
        pass
    assert view.race is race and view.evolution.generation == generation + 1
    run_frames(app, 2)
    assert view.shown_generation() == generation
    lines = dict(view.stat_lines())
    assert lines["generation"] == str(generation)
    assert lines["last gen"].startswith(f"best {view.evolution.history.row(generation - 1).best} ")
    followed = view.scene.followed
    origin = view.origin_of(race, followed)
    assert origin == describe(view.evolution.state.archive.origins[generation], followed, generation)
    assert origin != "origin not kept"


def test_in_turbo_the_track_view_replays_the_latest_race_rather_than_a_still_frame(in_tmp):
    app = app_for("--seed", "3", "--speed", "turbo")
    view = app.view
    run_until(app, lambda: view.replay is not None and view.replay.column > 0 and not view.replay.done)
    replay, generation = view.replay, view.shown_generation()
    assert view.shown_race is replay and view.banner() == f"turbo · replaying generation {generation}"
    columns = []
    for _ in range(200):  # it moves on frame by frame, whatever the live run does meanwhile
        if replay.done:
            break
        columns.append(replay.column)
        run_frames(app, 1)
    assert replay.done and columns and columns == sorted(columns) and replay.column > columns[0]
    assert int(replay.scores.max()) == view.evolution.history.row(generation).best  # the same race again


def test_turbo_draws_one_frame_in_turbo_draw_every_and_gives_the_others_all_their_time_to_racing(in_tmp, monkeypatch):
    import time

    from game.window import FRAME_MARGIN, FRAME_SECONDS, TURBO_DRAW_EVERY

    app = app_for("--seed", "3", "--speed", "turbo")
    drawn, budgets = [], []
    monkeypatch.setattr(app, "draw", lambda: drawn.append(len(budgets)))
    update = app.view.update
    monkeypatch.setattr(
        app.view,
        "update",
        lambda steps, deadline: budgets.append(deadline - time.perf_counter()) or update(steps, deadline),
    )
    run_frames(app, 4 * TURBO_DRAW_EVERY)
    assert len(drawn) == 4 and not app.drew_last_frame  # the last frame of each TURBO_DRAW_EVERY only raced
    racing_only = [budget for index, budget in enumerate(budgets) if index % TURBO_DRAW_EVERY != 0]
    assert all(budget > FRAME_SECONDS - FRAME_MARGIN for budget in racing_only)  # no room kept for drawing
    app.command("pause")
    run_frames(app, 3)
    assert len(drawn) == 7 and app.drew_last_frame  # paused, every frame is drawn
