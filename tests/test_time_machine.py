"""The time machine: the archive, replays checked against the history, ghosts, lineage, and their keys."""

import csv

import numpy as np
import pygame
import pytest

import main
from app import options as app_options
from evolution.breeding.lineage import CHILD, KEPT, MEAN, RANDOM, SAMPLE, parent_of
from evolution.breeding.strategies import make_strategy, rank_order
from evolution.files.checkpoint import load_checkpoint, save_checkpoint
from evolution.many.ghosts import Ghost, GhostRace
from evolution.racing.race import race_scores
from evolution.racing.track import training_track
from evolution.racing.track_names import resolve_track
from evolution.run.archive import Archive
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import save_genomes
from evolution.run.time_machine import replay
from game.frame_runner import open_window, run_frames
from game.panels.timeline import x_of
from game.views.evolving_view import EvolvingView
from game.views.replay_view import ReplayView
from tests.helpers import ROOT, press

ARCHIVE_BOUND = 50 * 1024 * 1024


def run(strategy: str, generations: int, **settings) -> Evolution:
    config = RunConfig(strategy=strategy, seed=11, generations=60, test_curve=False, extra_tracks=1, **settings)
    evolution = Evolution(config, training_track())
    for _ in range(generations):
        evolution.run_generation()
    return evolution


def assert_replays_match(evolution: Evolution) -> None:
    """Every generation replays to its recorded numbers: whole populations exactly, champions alone too."""
    archive = evolution.state.archive
    for generation in range(len(evolution.history)):
        again = replay(evolution, generation)
        assert again.whole == (archive.population(generation) is not None)
        again.race.run()
        same, text = again.verdict()
        assert same, f"generation {generation}: {text}"
        if again.whole:
            row = evolution.history.row(generation)
            scores = again.race.scores
            assert (int(scores.max()), float(scores.mean()), int((scores >= 391).sum())) == (
                row.best,
                row.mean,
                row.finished,
            )


@pytest.mark.parametrize("strategy", ["classic", "elitist", "snes"])
def test_a_replayed_generation_gives_the_recorded_scores_before_and_after_a_resume(strategy, tmp_path):
    evolution = run(strategy, 14)
    assert_replays_match(evolution)
    assert len(evolution.state.archive.populations) >= 10  # the recent ones at least
    path = tmp_path / "run.npz"
    save_checkpoint(path, evolution.config, evolution.track, evolution.state)
    resumed = load_checkpoint(path).evolution()
    assert_replays_match(resumed)
    for _ in range(6):
        resumed.run_generation()
    assert_replays_match(resumed)
    # a resumed run keeps the same archive as one never stopped
    straight = run(strategy, 20)
    a, b = straight.state.archive, resumed.state.archive
    assert sorted(a.populations) == sorted(b.populations) and sorted(a.records) == sorted(b.records)
    assert all(np.array_equal(a.populations[g], b.populations[g]) for g in a.populations)
    assert all(np.array_equal(a.champions[g][1], b.champions[g][1]) for g in a.champions)


def test_replays_survive_the_labs_population_and_layers_changes(tmp_path):
    config = RunConfig(strategy="elitist", seed=2, generations=60, test_curve=False, extra_tracks=1)
    evolution = Evolution(config, training_track())
    evolution.schedule("population", 30, 4)
    evolution.schedule("population", 70, 7)
    evolution.schedule("layers", "7,6,1", 10)
    for _ in range(13):
        evolution.run_generation()
    sizes = {len(evolution.state.archive.population(g)) for g in evolution.state.archive.populations}
    assert {30, 70} <= sizes
    assert_replays_match(evolution)
    path = tmp_path / "lab.npz"
    save_checkpoint(path, evolution.config, evolution.track, evolution.state)
    assert_replays_match(load_checkpoint(path).evolution())


@pytest.mark.parametrize(
    "name", ["checkpoint_v1_classic", "checkpoint_v1_elitist", "checkpoint_v1_snes", "checkpoint_v2_elitist"]
)
def test_older_checkpoints_load_with_an_empty_archive_and_go_on_keeping_the_past(name):
    checkpoint = load_checkpoint(ROOT / "tests" / "data" / f"{name}.npz")
    assert not checkpoint.state.archive.champions
    evolution = checkpoint.evolution()
    evolution.run_generation()
    generation = evolution.generation - 1
    assert evolution.state.archive.population(generation) is not None
    again = replay(evolution, generation)
    again.race.run()
    assert again.verdict()[0]


def test_a_ghosts_score_equals_a_headless_drive_of_its_genome(tmp_path):
    evolution = run("elitist", 8)
    archive = evolution.state.archive
    ghosts = [Ghost(f"gen {g}", archive.champion(g)[1], evolution.network.layers) for g in range(8)]
    for spec in ("training", "test", "random:5"):
        track = resolve_track(spec)
        race = GhostRace(ghosts, track)
        for column in range(0, track.finish + 20, 37):  # stepped along as beside a live race
            race.step_to(column)
        genomes = np.stack([ghost.genome for ghost in ghosts])
        assert np.array_equal(race.scores, race_scores(genomes, track, evolution.network))


def test_a_ghost_from_a_file_scores_what_a_headless_load_drive_of_that_file_prints(in_tmp, capsys):
    path = in_tmp / "champions.json"
    save_genomes(path, run("elitist", 8).best(5))
    ghosts = list(app_options.parse(["--ghost", str(path)]).window.ghosts)
    assert len(ghosts) == 5
    for spec in ("training", "test", "random:5"):
        race = GhostRace(ghosts, resolve_track(spec))
        for column in range(0, race.track.finish + 20, 37):  # stepped along as beside a live race
            race.step_to(column)
        assert race.done
        capsys.readouterr()
        assert main.main(["--headless", "--load", str(path), "--track", spec]) == 0
        printed = [int(line.split()[3]) for line in capsys.readouterr().out.splitlines() if line.startswith("genome ")]
        assert printed == race.scores.tolist(), spec


def window_log(tmp_path, name: str, *extra: str, ghosts: int = 0) -> list[tuple[str, ...]]:
    log = tmp_path / f"{name}.csv"
    window = open_window(
        app_options.parse(["--seed", "5", "--generations", "6", "--speed", "64", "--log", str(log), *extra])
    )
    run_frames(window, 500)
    raced = window.view.time_machine.race  # the ghosts did race beside the run
    assert raced is None if not ghosts else len(raced.ghosts) == ghosts and raced.column > 0
    window.view.quit()
    window.view.close()
    with open(log, newline="") as stream:
        rows = [row for row in csv.reader(stream) if row and not row[0].startswith("#")]
    seconds = rows[0].index("seconds")
    return [tuple(value for index, value in enumerate(row) if index != seconds) for row in rows]


def test_ten_ghosts_never_change_the_runs_log(in_tmp):
    evolution = run("elitist", 10)
    record = evolution.best(10)
    save_genomes(in_tmp / "ghosts.json", record)
    without = window_log(in_tmp, "without")
    with_ghosts = window_log(in_tmp, "with", "--ghost", str(in_tmp / "ghosts.json"), ghosts=10)
    assert len(without) == 8  # the header and generations 0..6
    assert with_ghosts == without


def test_ghost_flag_is_a_window_flag_and_checks_its_file(in_tmp):
    with pytest.raises(app_options.InputError, match="window flag"):
        app_options.parse(["--headless", "--ghost", "x.json"])
    with pytest.raises(app_options.InputError):
        app_options.parse(["--ghost", str(in_tmp / "missing.json")])
    save_genomes(in_tmp / "ghosts.json", run("elitist", 2).best(3))
    with pytest.raises(app_options.InputError, match="--ghost does not go with --compare"):  # it was ignored
        app_options.parse(["--compare", "classic", "elitist", "--ghost", str(in_tmp / "ghosts.json")])


def test_elitist_origins_name_the_right_parents():
    strategy = make_strategy("elitist", 105, 30, 0.3)
    state = strategy.initial_state(4)
    genomes = strategy.ask(state)
    assert (strategy.last_origins.kind == RANDOM).all()
    scores = np.random.default_rng(1).permutation(30)
    strategy.tell(state, genomes, scores)
    ranked = genomes[rank_order(scores)]
    children = strategy.ask(state)
    origins = strategy.last_origins
    for index, child in enumerate(children):
        parent = ranked[origins.parent[index]]
        if origins.kind[index] == KEPT:
            assert np.array_equal(child, parent)  # an elite is its parent, bit for bit
        else:
            assert origins.kind[index] == CHILD
            assert np.isclose(np.linalg.norm(child - parent), origins.noise[index])
    assert (origins.kind == KEPT).sum() == strategy.elites(state)


def test_classic_origins_are_the_ranks_the_blogs_draws_pick_and_draw_nothing_more():
    population, rate, seed = 50, 0.1, 42
    strategy = make_strategy("classic", 105, population, rate)
    state = strategy.initial_state(seed)
    oracle = np.random.RandomState(seed)
    genomes = strategy.ask(state)
    oracle.uniform(-1, 1, size=(population, 105))
    for generation in range(3):
        scores = np.random.default_rng(generation).integers(0, 30, population)
        strategy.tell(state, genomes, scores)
        ranked = genomes[rank_order(scores)]
        genomes = strategy.ask(state)
        origins = strategy.last_origins
        for index in range(population):  # the blog's loop, child by child, on the same RandomState
            parent = min(int(oracle.exponential(scale=5)), population - 1)
            noise = oracle.uniform(-rate, rate, size=105)
            assert origins.parent[index] == parent and origins.kind[index] == CHILD
            assert np.array_equal(genomes[index], ranked[parent] + noise)
            assert np.isclose(origins.noise[index], np.linalg.norm(noise))
    # the lineage drew nothing: the strategy's generator is where the blog's loop is
    assert state.rng.get_state()[2] == oracle.get_state()[2]


def test_snes_origins_are_the_mean_then_samples():
    strategy = make_strategy("snes", 105, 20, 0.1)
    state = strategy.initial_state(3)
    genomes = strategy.ask(state)
    origins = strategy.last_origins
    assert origins.kind[0] == MEAN and (origins.kind[1:] == SAMPLE).all()
    assert np.array_equal(genomes[0], state.mean)
    assert np.allclose(origins.noise[1:], np.linalg.norm(state.noise, axis=1))


def test_the_run_keeps_origins_and_the_lineage_leads_to_the_parent():
    evolution = run("elitist", 12)
    archive = evolution.state.archive
    generation = 11
    origins = archive.origins[generation]
    population = archive.population(generation)
    parents = archive.population(generation - 1)
    for index in range(len(population)):
        parent = archive.index_of_rank(generation - 1, int(origins.parent[index]))
        if origins.kind[index] == KEPT:
            assert np.array_equal(population[index], parents[parent])
        else:
            assert np.isclose(np.linalg.norm(population[index] - parents[parent]), origins.noise[index])


@pytest.mark.slow  # 5,000 generations into the archive; the quick set keeps the archive's replays and checkpoints
def test_the_archive_stays_under_its_bound_for_5000_generations_of_50():
    archive = Archive()
    rng = np.random.default_rng(0)
    genomes = rng.standard_normal((50, 105))
    order = np.arange(50)
    for generation in range(5000):
        scores = np.full(50, generation)  # every generation a new best: the most populations kept
        archive.note_origins(generation, None)
        archive.keep(generation, genomes, order, scores, "training" if generation % 700 else f"random:{generation}")
    size = archive.nbytes()
    print(f"archive after 5000 generations of 50: {size / 2**20:.1f} MiB")
    assert size < ARCHIVE_BOUND
    assert len(archive.champions) == 5000


def test_keys_of_the_time_machine(in_tmp):
    window = open_window(app_options.parse(["--seed", "3", "--speed", "64"]))
    run_frames(window, 120)
    view = window.view
    assert isinstance(view, EvolvingView)
    raced = len(view.evolution.history)
    assert raced >= 3
    window.paused = True  # at x64 the frame that handles the key could also close a generation
    press(window, pygame.K_LEFTBRACKET)
    assert view.time_machine.selected == len(view.evolution.history) - 1
    selected = view.time_machine.selected
    press(window, pygame.K_LEFTBRACKET, pygame.K_LEFTBRACKET)
    assert view.time_machine.selected == selected - 2
    press(window, pygame.K_RIGHTBRACKET)
    assert view.time_machine.selected == selected - 1
    racing = view.shown_race
    press(window, pygame.K_o)
    assert [ghost.label for ghost in view.time_machine.ghosts] == [f"gen {selected - 1}"]
    assert view.time_machine.race is None  # the ghost waits for the next race
    window.paused = False
    for _ in range(100):
        run_frames(window, 1)
        if view.shown_race is not racing:
            break
    assert view.time_machine.race is not None and view.time_machine.race.ghosts[0].label == f"gen {selected - 1}"
    press(window, pygame.K_x)
    assert not view.time_machine.ghosts
    press(window, pygame.K_RETURN)
    replaying = window.view
    assert isinstance(replaying, ReplayView) and replaying.generation == selected - 1
    run_frames(window, 20)
    window.speed = 64
    run_frames(window, 20)
    assert replaying.replay.race.done and replaying.replay.verdict()[0]
    press(window, pygame.K_u)
    assert window.view is replaying and replaying.generation == selected - 2
    press(window, pygame.K_HOME)
    assert window.view is view and view.time_machine.selected is None
    live = view.shown_generation()
    step = parent_of(view.evolution.state.archive, live, view.scene.followed)
    press(window, pygame.K_u)  # the lineage of the dot followed live
    assert isinstance(window.view, ReplayView) and window.view.generation == step.generation == live - 1
    assert window.view.scene.followed == step.index  # the parent, followed
    press(window, pygame.K_HOME)
    # a click on the chart's time axis selects the generation under it
    layout = window.layout()
    x = x_of(layout.chart, view.chart.time_axis, 2)
    y = layout.chart.top + view.chart.time_axis[0].centery
    click = pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(round(x), y))
    window.paused = True
    run_frames(window, 1, lambda frame: [click])
    assert view.time_machine.selected == 2


def test_the_timeline_ticks_are_in_no_curves_colour():
    # they were drawn in the mean curve's teal, under the plot, where they read as data points
    from types import SimpleNamespace

    from game.drawing import palette
    from game.panels.chart import SERIES
    from game.panels.timeline import draw_timeline

    surface = pygame.Surface((600, 220))
    surface.fill(palette.PANEL)
    chart = surface.get_rect()
    archive = SimpleNamespace(populations=[0, 3, 7, 9], records={3, 7})
    draw_timeline(surface, chart, (pygame.Rect(40, 20, 540, 160), 9), archive, None, [], 1.0)
    colours = {tuple(int(v) for v in pixel) for pixel in pygame.surfarray.array3d(surface).reshape(-1, 3)}
    assert colours - {palette.PANEL}, "no tick drawn"
    assert not colours & ({colour for _, colour in SERIES} | {palette.TEST_LINE})


def test_a_replay_that_cannot_start_leaves_the_window_as_it_was(in_tmp):
    # the replay view set the window's speed to x1 in its constructor, before finding the generation could not be
    # raced: the run went on at x1 with nothing said about it; the speed is now set when the view is shown
    window = open_window(app_options.parse(["--seed", "3", "--population", "12", "--speed", "64"]))
    run_frames(window, 30)
    view = window.view
    raced = len(view.evolution.history)
    view.do_replay(raced + 5)
    assert window.view is view and window.speed == 64
    assert any("has not been raced yet" in text for text, error, _ in window.messages if error)
    view.do_replay(0)
    assert isinstance(window.view, ReplayView) and window.speed == 1
    press(window, pygame.K_HOME)
    assert window.view is view and window.speed == 64
